//! Every lesson as a Jupyter notebook (`notebooks/SLUG.ipynb`), for readers who learn this in
//! Python: the lesson's prose as Markdown cells (inline references filled in as the page shows
//! them, math left as `$…$` for Jupyter to typeset, links to figures as text, links to lessons
//! pointing at their notebooks) and each experiment as a numpy + matplotlib code cell
//! ([`python`]). The data sets the training experiments load ship beside the notebooks.
//!
//! A notebook is nbformat 4.5 and its bytes are a function of the book alone: cells carry
//! numbered ids, code cells have no execution count and no outputs, nothing records a time.
//! Its fixed words come from `templates/notebook.toml` ([`NotebookText`]); a translated
//! edition's notebooks (`LANG/notebooks/SLUG.ipynb`, from the translated lessons) lay
//! `notebook.LANG.toml` over it, as its figures do `figure.LANG.toml` ([`crate::i18n`]). Their
//! code cells are the same in every language.

pub mod python;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::data::DataFile;
use crate::error::{Error, Result};
use crate::lesson_text::{Piece, rewrite_lesson};
use crate::model::{Lesson, ParsedBook};
use crate::numeric::Outcome;
use crate::render::markdown::figure_label;
use crate::render::{Strings, Theme};
use crate::site_paths::{NOTEBOOK_DIR, notebook_path};

/// The notebook's own prose, with `{placeholders}`. The words it shares with the site
/// ("Figure", "seed") are the theme's interface strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotebookText {
    /// The first cell, under the title: `{book}`.
    pub note: String,
    /// Under an experiment's heading, the exact command: `{command}`.
    pub exactly: String,
}

impl NotebookText {
    /// The English words, compiled in.
    pub fn built_in() -> Self {
        toml::from_str(ENGLISH).expect("templates/notebook.toml is valid (a unit test reads it)")
    }

    /// The words of the edition in `tag`, key by key: English, the book's own `notebook.toml`
    /// over it, and for a translated edition `notebook.TAG.toml` over those (built in, then the
    /// book's own) — as the theme's strings are laid. A placeholder an override or a
    /// translation lost is an error.
    pub fn for_edition(root: &Path, tag: &str, default_tag: &str) -> Result<Self> {
        let mut table: toml::Table = toml::from_str(ENGLISH).expect("the English words parse");
        let mut layers = crate::i18n::strings::layers(root, "notebook.toml")?;
        if tag != default_tag {
            layers.extend(crate::i18n::strings::layers(
                root,
                &format!("notebook.{tag}.toml"),
            )?);
        }
        let mut origins = Vec::new();
        for (text, origin) in layers {
            let layer: toml::Table = toml::from_str(&text)
                .map_err(|error| Error::Other(format!("in {origin}: {error}")))?;
            table.extend(layer);
            origins.push(origin);
        }
        let origins = origins.join(" + ");
        let text: NotebookText = toml::Value::Table(table)
            .try_into()
            .map_err(|error| Error::Other(format!("in {origins}: {error}")))?;
        for (key, value, placeholder) in [
            ("note", &text.note, "{book}"),
            ("exactly", &text.exactly, "{command}"),
        ] {
            if !value.contains(placeholder) {
                return Err(Error::Other(format!(
                    "in {origins}: `{key}` has lost its placeholder {placeholder}"
                )));
            }
        }
        Ok(text)
    }
}

/// The English words, `templates/notebook.toml`.
const ENGLISH: &str = include_str!("../templates/notebook.toml");

/// Fills `{name}` placeholders.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// The notebooks of every lesson of one edition (`book`, in its language) and the data files
/// they load: `(path in the edition's directory, bytes)`. The words the notebooks share with
/// the site come from the edition's `theme`, their own from `text`.
pub fn notebook_files(
    book: &ParsedBook,
    results: &BTreeMap<String, Outcome>,
    datasets: &BTreeMap<String, DataFile>,
    theme: &Theme,
    text: &NotebookText,
) -> Vec<(String, Vec<u8>)> {
    let numbers = book.figure_numbers();
    let notebooks: HashMap<String, String> = book
        .lessons
        .iter()
        .map(|lesson| {
            let file = lesson.file_name().to_string();
            (file, format!("{}.ipynb", lesson.slug))
        })
        .collect();
    let words = Words {
        text,
        strings: &theme.strings,
        translation: theme.translation.as_deref(),
        numbers: &numbers,
        notebooks: &notebooks,
    };
    let mut files: Vec<(String, Vec<u8>)> = book
        .lessons
        .iter()
        .map(|lesson| {
            let notebook = lesson_notebook(book, lesson, results, &words);
            (notebook_path(&lesson.slug), notebook.into_bytes())
        })
        .collect();
    for (path, file) in datasets {
        files.push((format!("{NOTEBOOK_DIR}/{path}"), file.bytes.clone()));
    }
    files
}

/// Stands for the experiment block with this index in the rewritten text, until the text is
/// cut into cells there. A private-use character: it cannot occur in a lesson's cells.
const BLOCK_MARK: char = '\u{E000}';

/// What a notebook's words come from.
pub struct Words<'a> {
    pub text: &'a NotebookText,
    /// The theme's interface strings: "Figure", "Experiment", "seed".
    pub strings: &'a Strings,
    /// The edition's language when it is a translation: its figures are drawn with
    /// `--lang`.
    pub translation: Option<&'a str>,
    /// The number of every numbered experiment of the book, by id.
    pub numbers: &'a BTreeMap<&'a str, String>,
    /// The notebook of each lesson file (`02-zero.md` → `02-zero.ipynb`), for links.
    pub notebooks: &'a HashMap<String, String>,
}

/// One lesson's notebook, as the JSON text of the `.ipynb` file.
pub fn lesson_notebook(
    book: &ParsedBook,
    lesson: &Lesson,
    results: &BTreeMap<String, Outcome>,
    words: &Words<'_>,
) -> String {
    let Words {
        text,
        strings,
        translation,
        numbers,
        notebooks,
    } = words;
    let mut blocks = 0;
    let prose = rewrite_lesson(lesson, |piece| match piece {
        Piece::FrontMatter | Piece::Title => Some(String::new()),
        Piece::Experiment(_) => {
            blocks += 1;
            Some(format!("{BLOCK_MARK}{}{BLOCK_MARK}", blocks - 1))
        }
        Piece::Reference(reference) => {
            let spec = lesson.experiment(&reference.experiment)?;
            let value = reference.target.value(spec, &results[&spec.id]);
            Some(reference.format.format(value))
        }
        // A notebook has no figure anchors: a cross-reference reads as text.
        Piece::FigureRef(reference) => Some(figure_label(strings, &numbers[reference.id.as_str()])),
        Piece::Link {
            text: link_text,
            destination,
        } => {
            if let Some(id) = destination.strip_prefix('#') {
                return lesson.experiment(id).map(|_| link_text.to_string());
            }
            let (file, fragment) = match destination.split_once('#') {
                Some((file, fragment)) => (file, Some(fragment)),
                None => (destination, None),
            };
            let notebook = notebooks.get(file.trim_start_matches("./"))?;
            Some(match fragment {
                Some(fragment) => format!("[{link_text}]({notebook}#{fragment})"),
                None => format!("[{link_text}]({notebook})"),
            })
        }
    });

    let mut cells = Cells::default();
    cells.markdown(&format!(
        "# {}\n\n{}",
        lesson.title,
        fill(text.note.trim(), &[("book", &book.config.title)])
    ));
    let first_seed = lesson.experiments.first().map_or(42, |spec| spec.seed);
    cells.code(&python::setup_code(first_seed));
    for (i, part) in prose.split(BLOCK_MARK).enumerate() {
        if i % 2 == 0 {
            cells.markdown(part);
            continue;
        }
        let index: usize = part.parse().expect("a block mark holds the block's index");
        let spec = &lesson.experiments[index];
        let seed = format!("({} {})", strings.get("seed"), spec.seed);
        let heading = match numbers.get(spec.id.as_str()) {
            Some(number) => format!(
                "**{}** — {} {seed}",
                figure_label(strings, number),
                spec.caption
            ),
            None => format!(
                "**{} `{}`** — {} {seed}",
                strings.get("experiment"),
                spec.id,
                spec.caption
            ),
        };
        let exactly = fill(
            &text.exactly,
            &[("command", &spec.reproduce_command(*translation))],
        );
        cells.markdown(&format!("{heading}\n\n{exactly}"));
        cells.code(&python::experiment_code(spec));
    }
    cells.into_notebook()
}

/// The cells of a notebook as they are added.
#[derive(Default)]
struct Cells(Vec<Value>);

impl Cells {
    /// A Markdown cell, unless `source` is blank.
    fn markdown(&mut self, source: &str) {
        let source = source.trim();
        if source.is_empty() {
            return;
        }
        let id = self.next_id();
        self.0.push(json!({
            "cell_type": "markdown",
            "id": id,
            "metadata": {},
            "source": lines(source),
        }));
    }

    /// A code cell that has never run: no execution count, no outputs.
    fn code(&mut self, source: &str) {
        let id = self.next_id();
        self.0.push(json!({
            "cell_type": "code",
            "execution_count": null,
            "id": id,
            "metadata": {},
            "outputs": [],
            "source": lines(source.trim_end()),
        }));
    }

    /// Numbered, so the same book gives the same ids.
    fn next_id(&self) -> String {
        format!("cell-{}", self.0.len() + 1)
    }

    /// The `.ipynb` text: nbformat 4.5, keys sorted, indented by one space as Jupyter writes it.
    fn into_notebook(self) -> String {
        let notebook = json!({
            "cells": self.0,
            "metadata": {
                "kernelspec": {
                    "display_name": "Python 3",
                    "language": "python",
                    "name": "python3",
                },
                "language_info": { "name": "python" },
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        });
        let mut bytes = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
        serde::Serialize::serialize(&notebook, &mut serializer).expect("JSON values serialise");
        let mut text = String::from_utf8(bytes).expect("serde_json writes UTF-8");
        text.push('\n');
        text
    }
}

/// A cell's source as nbformat stores it: lines, each but the last ending in a newline.
fn lines(source: &str) -> Vec<&str> {
    source.split_inclusive('\n').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_words_parse_and_keep_their_placeholders() {
        let text = NotebookText::built_in();
        assert!(text.note.contains("{book}"));
        assert!(text.exactly.contains("{command}"));
    }

    #[test]
    fn the_korean_words_lay_over_the_english_and_a_book_can_override_both() {
        let book = tempfile::tempdir().unwrap();
        let korean = NotebookText::for_edition(book.path(), "ko", "en").unwrap();
        assert!(korean.note.contains("{book}") && korean.note.contains("통계적으로"));
        assert!(korean.exactly.contains("{command}"));
        assert_eq!(
            NotebookText::for_edition(book.path(), "en", "en")
                .unwrap()
                .exactly,
            NotebookText::built_in().exactly
        );
        // A book's own file wins key by key; a lost placeholder is an error naming the file.
        std::fs::create_dir(book.path().join("templates")).unwrap();
        let own = book.path().join("templates/notebook.ko.toml");
        std::fs::write(&own, "exactly = \"명령: `{command}`\"\n").unwrap();
        let text = NotebookText::for_edition(book.path(), "ko", "en").unwrap();
        assert_eq!(text.exactly, "명령: `{command}`");
        assert_eq!(text.note, korean.note);
        std::fs::write(&own, "exactly = \"명령\"\n").unwrap();
        let error = NotebookText::for_edition(book.path(), "ko", "en")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("notebook.ko.toml") && error.contains("{command}"),
            "{error}"
        );
        // The English words too: the book's `notebook.toml` over the built-in one.
        let english = book.path().join("templates/notebook.toml");
        std::fs::write(&english, "exactly = \"Exactly: `{command}`\"\n").unwrap();
        let text = NotebookText::for_edition(book.path(), "en", "en").unwrap();
        assert_eq!(text.exactly, "Exactly: `{command}`");
        assert_eq!(text.note, NotebookText::built_in().note);
        // A language with no words of its own shows the book's, not the built-in English.
        let french = NotebookText::for_edition(book.path(), "fr", "en").unwrap();
        assert_eq!(french.exactly, "Exactly: `{command}`");
        std::fs::write(&english, "note = \"No book named\"\n").unwrap();
        let error = NotebookText::for_edition(book.path(), "en", "en")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("notebook.toml") && error.contains("{book}"),
            "{error}"
        );
    }

    #[test]
    fn sources_are_lines_with_their_newlines() {
        assert_eq!(lines("a\nb\n\nc"), vec!["a\n", "b\n", "\n", "c"]);
        assert_eq!(
            fill("{a} and {a}, {b}", &[("a", "1"), ("b", "2")]),
            "1 and 1, 2"
        );
    }
}
