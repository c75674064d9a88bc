//! The site's theme: the built-in templates, assets and interface strings compiled into the
//! binary, each file overridable by a file of the same name in `ROOT/templates/` (as mdBook does
//! with its theme).

use std::path::Path;

use serde::Serialize;

use super::explorer_strings::ExplorerStrings;
pub use super::strings::Strings;
use crate::book_files::{TEMPLATE_BYTES, read_text_inside};
use crate::error::{Error, Result};
use crate::i18n::LanguageLink;

/// What a theme file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeFileKind {
    /// A tera template (`*.html`, and `explorer.css`, written out for every position a sweep
    /// can have): a page, or a partial the pages and the render stage include.
    Template,
    /// Copied into the site as it is (`style.css`, `search.js`; `explorer.js` only into a site
    /// that shows an explorer).
    Asset,
    /// The interface strings (`strings.toml`).
    Strings,
}

/// `(name, built-in text)` of every theme file.
pub const THEME_FILES: [(&str, &str); 19] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("print.html", include_str!("../../templates/print.html")),
    ("toc.html", include_str!("../../templates/toc.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("heading.html", include_str!("../../templates/heading.html")),
    ("figure.html", include_str!("../../templates/figure.html")),
    (
        "reproduce.html",
        include_str!("../../templates/reproduce.html"),
    ),
    (
        "stats-table.html",
        include_str!("../../templates/stats-table.html"),
    ),
    ("xref.html", include_str!("../../templates/xref.html")),
    (
        "display-math.html",
        include_str!("../../templates/display-math.html"),
    ),
    ("style.css", include_str!("../../templates/style.css")),
    ("search.js", include_str!("../../templates/search.js")),
    (
        "explorer.html",
        include_str!("../../templates/explorer.html"),
    ),
    (
        "explorer-stats.html",
        include_str!("../../templates/explorer-stats.html"),
    ),
    ("explorer.css", include_str!("../../templates/explorer.css")),
    ("explorer.js", include_str!("../../templates/explorer.js")),
    ("strings.toml", include_str!("../../templates/strings.toml")),
];

/// `(language tag, built-in text)` of the interface strings of the translated editions
/// initbook ships: `strings.TAG.toml`, laid over `strings.toml` (see [`Theme::for_edition`]).
pub const TRANSLATED_STRINGS: [(&str, &str); 1] =
    [("ko", include_str!("../../templates/strings.ko.toml"))];
/// The σ explorer's stylesheet and script: in the site only when a page shows an explorer.
pub const EXPLORER_STYLESHEET: &str = "explorer.css";
pub const EXPLORER_SCRIPT: &str = "explorer.js";

/// What kind of theme file `name` is.
pub fn theme_file_kind(name: &str) -> ThemeFileKind {
    if name.ends_with(".html") || name == EXPLORER_STYLESHEET {
        ThemeFileKind::Template
    } else if name == "strings.toml" {
        ThemeFileKind::Strings
    } else {
        ThemeFileKind::Asset
    }
}

impl Strings {
    /// The built-in table alone.
    #[cfg(test)]
    pub fn built_in() -> Self {
        let mut strings = Strings::default();
        let (_, text) = THEME_FILES
            .iter()
            .find(|(name, _)| *name == "strings.toml")
            .expect("the theme has strings");
        strings
            .merge(text, Path::new("strings.toml"))
            .expect("the built-in strings read");
        strings
    }
}

/// The loaded theme: compiled templates, the assets copied into the site, and the strings.
pub struct Theme {
    pub tera: tera::Tera,
    /// `(name, contents)` of each asset every site has, in [`THEME_FILES`] order.
    pub assets: Vec<(&'static str, String)>,
    /// The σ explorer's script ([`EXPLORER_SCRIPT`]).
    pub explorer_script: String,
    pub strings: Strings,
    /// The language tag of a translated edition's theme (see [`Theme::for_edition`]); `None`
    /// for the book's own language.
    pub translation: Option<String>,
    /// The explorer's strings of `strings`, checked.
    pub explorer: ExplorerStrings,
}

/// Loads the theme for the book at `root`.
pub fn load_theme(root: &Path) -> Result<Theme> {
    let dir = root.join("templates");
    let mut tera = tera::Tera::default();
    let mut assets = Vec::new();
    let mut explorer_script = String::new();
    let mut strings = Strings::default();
    let mut templates = Vec::new();
    for (name, built_in) in THEME_FILES {
        let relative = Path::new("templates").join(name);
        let path = root.join(&relative);
        let own = match read_text_inside(root, &relative, TEMPLATE_BYTES) {
            Ok(text) => Some(text),
            Err(problem) if problem.is_missing() => None,
            Err(problem) => {
                return Err(Error::Other(format!(
                    "cannot read {}: {problem}",
                    path.display()
                )));
            }
        };
        match theme_file_kind(name) {
            ThemeFileKind::Template => templates.push((name, own.unwrap_or(built_in.to_string()))),
            ThemeFileKind::Asset if name == EXPLORER_SCRIPT => {
                explorer_script = own.unwrap_or(built_in.to_string())
            }
            ThemeFileKind::Asset => assets.push((name, own.unwrap_or(built_in.to_string()))),
            ThemeFileKind::Strings => {
                strings.merge(built_in, Path::new("the built-in strings.toml"))?;
                if let Some(own) = own {
                    strings.merge(&own, &path)?;
                }
            }
        }
    }
    tera.add_raw_templates(templates)
        .map_err(|error| Error::Other(format!("in the templates ({}): {error}", dir.display())))?;
    tera.global_context().insert("strings", &strings);
    tera.global_context()
        .insert("languages", &Vec::<LanguageLink>::new());
    let explorer = ExplorerStrings::from_strings(&strings)
        .map_err(|problem| Error::Other(format!("in the templates (strings.toml): {problem}")))?;
    Ok(Theme {
        tera,
        assets,
        explorer_script,
        strings,
        translation: None,
        explorer,
    })
}

impl Theme {
    /// The theme of one edition of the book at `root`. For a translation (`Some(tag)`), the
    /// strings of `strings.TAG.toml` — built in for the languages initbook ships, then the
    /// book's own `templates/strings.TAG.toml` — are laid over the English, key by key (a key
    /// a translation lacks stays English). `links` go to the same page in every language of
    /// the book; `base.html` shows them as the language switch and `<link rel="alternate">`.
    pub fn for_edition(
        mut self,
        root: &Path,
        translation: Option<&str>,
        links: &[LanguageLink],
    ) -> Result<Theme> {
        if let Some(tag) = translation {
            if let Some((_, built_in)) = TRANSLATED_STRINGS.iter().find(|(t, _)| *t == tag) {
                let origin = format!("the built-in strings.{tag}.toml");
                self.strings.merge(built_in, Path::new(&origin))?;
            }
            let relative = Path::new("templates").join(format!("strings.{tag}.toml"));
            match read_text_inside(root, &relative, TEMPLATE_BYTES) {
                Ok(own) => self.strings.merge(&own, &root.join(&relative))?,
                Err(problem) if problem.is_missing() => {}
                Err(problem) => {
                    return Err(Error::Other(format!(
                        "cannot read {}: {problem}",
                        root.join(&relative).display()
                    )));
                }
            }
            self.explorer = ExplorerStrings::from_strings(&self.strings).map_err(|problem| {
                Error::Other(format!("in the templates (strings.{tag}.toml): {problem}"))
            })?;
            self.translation = Some(tag.to_string());
        }
        let global = self.tera.global_context();
        global.insert("strings", &self.strings);
        global.insert("languages", links);
        Ok(self)
    }

    /// Renders the template `name` (a page or a partial) with `context`.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String> {
        self.tera
            .render(name, context)
            .map_err(|error| Error::Other(format!("rendering template {name}: {error}")))
    }

    /// Renders a partial from any serializable context.
    pub fn render_value<T: Serialize>(&self, name: &str, value: &T) -> Result<String> {
        let context = tera::Context::from_serialize(value)
            .map_err(|error| Error::Other(format!("rendering template {name}: {error}")))?;
        self.render(name, &context)
    }

    /// Renders a partial that stands inside a line of text (a cross-reference, a formula):
    /// without the line break that ends the template file.
    pub fn render_inline<T: Serialize>(&self, name: &str, value: &T) -> Result<String> {
        let mut html = self.render_value(name, value)?;
        html.truncate(html.trim_end().len());
        Ok(html)
    }
}
