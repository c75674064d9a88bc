//! The words of a translated edition's figures: [`FigureText`], English by default, with
//! `templates/figure.TAG.toml` laid over it — built in for the languages initbook ships
//! (Korean), then the book's own file of that name, key by key (a missing key stays English).
//! The interface strings are the theme's (`strings.TAG.toml`, see
//! [`crate::render::Theme::for_edition`]); the notebooks' words (`notebook.TAG.toml`) are laid
//! the same way ([`crate::notebook::NotebookText::for_edition`]).

use std::path::Path;

use crate::book_files::{TEMPLATE_BYTES, read_text_inside};
use crate::draw::FigureText;
use crate::error::{Error, Result};

/// `(file name, built-in text)` of the figure strings and the notebooks' words of the
/// translations initbook ships.
const BUILT_IN: [(&str, &str); 2] = [
    (
        "figure.ko.toml",
        include_str!("../../templates/figure.ko.toml"),
    ),
    (
        "notebook.ko.toml",
        include_str!("../../templates/notebook.ko.toml"),
    ),
];

/// The texts of the language file `name`: the built-in one (if any), then the book's own
/// `ROOT/templates/NAME` (if any), each with the name to report problems under.
pub(crate) fn layers(root: &Path, name: &str) -> Result<Vec<(String, String)>> {
    let mut texts = Vec::new();
    if let Some((_, text)) = BUILT_IN.iter().find(|(file, _)| *file == name) {
        texts.push((text.to_string(), format!("the built-in {name}")));
    }
    let relative = Path::new("templates").join(name);
    match read_text_inside(root, &relative, TEMPLATE_BYTES) {
        Ok(text) => texts.push((text, root.join(&relative).display().to_string())),
        Err(problem) if problem.is_missing() => {}
        Err(problem) => {
            return Err(Error::Other(format!(
                "cannot read {}: {problem}",
                root.join(&relative).display()
            )));
        }
    }
    Ok(texts)
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
