//! The site's templates: the built-in theme compiled into the binary, each file overridable by a
//! file of the same name in `ROOT/templates/` (as mdBook does with its theme).

use std::path::Path;

use super::explorer_strings::ExplorerStrings;
use crate::book_files::{TEMPLATE_BYTES, read_text_inside};
use crate::error::{Error, Result};

/// `(name, built-in text)` of every theme file. `*.html` and `explorer.css` are tera templates;
/// `style.css` and `explorer.js` are copied to the site as they are; `explorer.toml` holds the
/// explorer's words.
pub const THEME_FILES: [(&str, &str); 8] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("style.css", include_str!("../../templates/style.css")),
    (
        "explorer.html",
        include_str!("../../templates/explorer.html"),
    ),
    ("explorer.css", include_str!("../../templates/explorer.css")),
    ("explorer.js", include_str!("../../templates/explorer.js")),
    (
        "explorer.toml",
        include_str!("../../templates/explorer.toml"),
    ),
];

/// The loaded theme: compiled templates, the stylesheet, and the σ explorer's script and words.
pub struct Theme {
    pub tera: tera::Tera,
    pub stylesheet: String,
    pub explorer_script: String,
    pub explorer: ExplorerStrings,
}

/// Loads the theme for the book at `root`.
pub fn load_theme(root: &Path) -> Result<Theme> {
    let dir = root.join("templates");
    let mut tera = tera::Tera::default();
    let mut stylesheet = String::new();
    let mut explorer_script = String::new();
    let mut explorer = None;
    let mut templates = Vec::new();
    for (name, built_in) in THEME_FILES {
        let relative = Path::new("templates").join(name);
        let text = match read_text_inside(root, &relative, TEMPLATE_BYTES) {
            Ok(text) => text,
            Err(problem) if problem.is_missing() => built_in.to_string(),
            Err(problem) => {
                return Err(Error::Other(format!(
                    "cannot read {}: {problem}",
                    root.join(relative).display()
                )));
            }
        };
        match name {
            "style.css" => stylesheet = text,
            "explorer.js" => explorer_script = text,
            "explorer.toml" => {
                explorer = Some(ExplorerStrings::parse(&text).map_err(|problem| {
                    Error::Other(format!("in the templates ({name}): {problem}"))
                })?)
            }
            _ => templates.push((name, text)),
        }
    }
    tera.add_raw_templates(templates)
        .map_err(|error| Error::Other(format!("in the templates ({}): {error}", dir.display())))?;
    Ok(Theme {
        tera,
        stylesheet,
        explorer_script,
        explorer: explorer.expect("explorer.toml is a theme file"),
    })
}
