//! The words of the interface and of the figures, per language.
//!
//! - Interface strings ("Previous", "Reproduce", "Figure"…): `templates/strings.toml` (English)
//!   with `templates/strings.TAG.toml` laid over it for a translated edition. Both are built in
//!   (for the languages initbook ships: Korean) and a book may override any key in its own
//!   `ROOT/templates/` files of the same names.
//! - Figure strings (axis labels, panel titles): [`FigureText`], English by default, with
//!   `templates/figure.TAG.toml` laid over it the same way.
//!
//! A key missing from a translation keeps its English, so a new interface string never breaks
//! an edition; `initbook check` lists what a figure table lost (its `{placeholders}`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::draw::FigureText;
use crate::error::{Error, Result};

/// `(file name, built-in text)` of the theme's language files.
const BUILT_IN: [(&str, &str); 3] = [
    ("strings.toml", include_str!("../../templates/strings.toml")),
    (
        "strings.ko.toml",
        include_str!("../../templates/strings.ko.toml"),
    ),
    (
        "figure.ko.toml",
        include_str!("../../templates/figure.ko.toml"),
    ),
];

/// The interface strings of one language: key → text. Templates read them as `strings.KEY`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Strings(BTreeMap<String, String>);

impl Strings {
    /// The string of `key`. Every key the engine asks for is in the built-in English table,
    /// which other tables only add to or override, so a missing key is a bug.
    pub fn get(&self, key: &str) -> &str {
        self.0
            .get(key)
            .unwrap_or_else(|| panic!("no interface string `{key}` in templates/strings.toml"))
    }

    /// Lays a strings table (every value a string) over `self`.
    fn merge(&mut self, text: &str, origin: &str) -> Result<()> {
        let table: toml::Table =
            toml::from_str(text).map_err(|error| Error::Other(format!("in {origin}: {error}")))?;
        for (key, value) in table {
            let toml::Value::String(value) = value else {
                return Err(Error::Other(format!(
                    "in {origin}: `{key}` must be a string"
                )));
            };
            self.0.insert(key, value);
        }
        Ok(())
    }
}

/// The texts of the theme's language file `name`: the built-in one (if any), then the book's
/// own `ROOT/templates/NAME` (if any), each with the name to report problems under.
fn layers(root: &Path, name: &str) -> Result<Vec<(String, String)>> {
    let mut texts = Vec::new();
    if let Some((_, text)) = BUILT_IN.iter().find(|(file, _)| *file == name) {
        texts.push((text.to_string(), format!("the built-in {name}")));
    }
    let path = root.join("templates").join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => texts.push((text, path.display().to_string())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(Error::io("read", &path, error)),
    }
    Ok(texts)
}

/// The interface strings of the edition in `tag`; `default_tag` is the book's own language,
/// whose strings are `strings.toml` alone.
pub fn interface_strings(root: &Path, tag: &str, default_tag: &str) -> Result<Strings> {
    let mut strings = Strings::default();
    let mut names = vec!["strings.toml".to_string()];
    if tag != default_tag {
        names.push(format!("strings.{tag}.toml"));
    }
    for name in names {
        for (text, origin) in layers(root, &name)? {
            strings.merge(&text, &origin)?;
        }
    }
    Ok(strings)
}

/// The figure strings of the edition in `tag`: English, with `figure.TAG.toml` laid over it for
/// a translated edition. Lost or unknown placeholders are an error.
pub fn figure_text(root: &Path, tag: &str, default_tag: &str) -> Result<FigureText> {
    if tag == default_tag {
        return Ok(FigureText::english());
    }
    let mut table = toml::Table::new();
    let name = format!("figure.{tag}.toml");
    let mut origins = Vec::new();
    for (text, origin) in layers(root, &name)? {
        let layer: toml::Table =
            toml::from_str(&text).map_err(|error| Error::Other(format!("in {origin}: {error}")))?;
        table.extend(layer);
        origins.push(origin);
    }
    let text: FigureText = toml::Value::Table(table)
        .try_into()
        .map_err(|error| Error::Other(format!("in {}: {error}", origins.join(" + "))))?;
    let problems = text.problems();
    if !problems.is_empty() {
        return Err(Error::Other(format!(
            "in {}: {}",
            origins.join(" + "),
            problems.join("; ")
        )));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_strings_cover_every_english_key() {
        let root = Path::new("/nonexistent-book");
        let english = interface_strings(root, "en", "en").unwrap();
        let korean = interface_strings(root, "ko", "en").unwrap();
        for (key, text) in &english.0 {
            assert_ne!(
                korean.get(key),
                text,
                "`{key}` is not translated in strings.ko.toml"
            );
        }
        assert_eq!(korean.get("figure"), "그림");
    }

    #[test]
    fn korean_figure_text_is_complete() {
        let root = Path::new("/nonexistent-book");
        let korean = figure_text(root, "ko", "en").unwrap();
        assert_eq!(korean.layer_title, "{layer}층");
        assert_eq!(korean.count, "개수");
        assert_eq!(
            figure_text(root, "en", "en").unwrap(),
            FigureText::english()
        );
    }
}
