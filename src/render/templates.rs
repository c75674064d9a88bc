//! The site's templates: the built-in theme compiled into the binary, each file overridable by a
//! file of the same name in `ROOT/templates/` (as mdBook does with its theme).

use std::path::Path;

use crate::book_files::{TEMPLATE_BYTES, read_text_inside};
use crate::error::{Error, Result};

/// `(name, built-in text)` of every theme file. `*.html` are tera templates; `style.css` is
/// copied to the site as is.
pub const THEME_FILES: [(&str, &str); 4] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("style.css", include_str!("../../templates/style.css")),
];

/// The loaded theme: compiled templates and the stylesheet.
pub struct Theme {
    pub tera: tera::Tera,
    pub stylesheet: String,
}

/// Loads the theme for the book at `root`.
pub fn load_theme(root: &Path) -> Result<Theme> {
    let dir = root.join("templates");
    let mut tera = tera::Tera::default();
    let mut stylesheet = String::new();
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
        if name.ends_with(".html") {
            templates.push((name, text));
        } else {
            stylesheet = text;
        }
    }
    tera.add_raw_templates(templates)
        .map_err(|error| Error::Other(format!("in the templates ({}): {error}", dir.display())))?;
    Ok(Theme { tera, stylesheet })
}
