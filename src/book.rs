//! Load stage: `ROOT/content/book.toml` and the lesson files it lists, read into memory.
//!
//! Nothing here interprets Markdown; it only finds and reads the files (through
//! [`crate::book_files`]: regular files inside the book, of bounded size), and checks `book.toml`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::book_files::{CONFIG_BYTES, LESSON_BYTES, read_text_inside};
use crate::diagnostic::{Diagnostics, SourceFile, suggest};
use crate::error::{Error, Result};

/// The book's settings, from `content/book.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookConfig {
    pub title: String,
    pub author: Option<String>,
    /// BCP 47 language tag for `<html lang>`.
    pub language: String,
    /// One paragraph for the contents page.
    pub description: Option<String>,
    /// The other languages the book is translated into (`[languages.ko]`), by tag.
    pub languages: Vec<LanguageConfig>,
}

/// A language of the book besides its own: `[languages.ko]` in `book.toml`. Its lessons are
/// translated by the catalogs in `content/i18n/TAG/` (see [`crate::i18n`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageConfig {
    /// BCP 47 tag: `<html lang>`, the site's directory (`output/ko/`) and the catalogs'.
    #[serde(skip)]
    pub tag: String,
    /// The language's name in itself, for the language switch (default: a built-in name).
    pub name: Option<String>,
    /// The book's title in this language (default: the book's own, reported as a gap).
    pub title: Option<String>,
    /// The contents page's paragraph in this language.
    pub description: Option<String>,
}

/// A book read from disk: its settings and its lessons, in reading order.
#[derive(Debug, Clone)]
pub struct Book {
    pub config: BookConfig,
    pub lessons: Vec<SourceFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    author: Option<String>,
    language: Option<String>,
    description: Option<String>,
    chapters: Vec<Spanned<String>>,
    languages: Option<Spanned<std::collections::BTreeMap<String, LanguageConfig>>>,
}

/// A chapter as `book.toml` lists it: the lesson's file name, and the span of the name.
pub type Chapter = (String, Range<usize>);

/// The directory holding `book.toml` and the lessons.
pub fn content_dir(root: &Path) -> PathBuf {
    root.join("content")
}

/// Reads `ROOT/content/book.toml` and every lesson it lists. Each is read only if it is a
/// regular file inside the book's root, after resolving symlinks, and not too large
/// ([`crate::book_files`]).
pub fn load_book(root: &Path) -> Result<Book> {
    let config_relative = Path::new("content").join("book.toml");
    let text = read_text_inside(root, &config_relative, CONFIG_BYTES).map_err(|problem| {
        if problem.is_missing() {
            Error::Other(format!(
                "no book at {}: {} does not exist (point --root at a directory with content/book.toml)",
                root.display(),
                root.join(&config_relative).display()
            ))
        } else {
            Error::Other(format!(
                "cannot read {}: {problem}",
                root.join(&config_relative).display()
            ))
        }
    })?;
    let config_file = SourceFile::new(config_relative, text);
    let (config, chapters) = parse_config(&config_file)?;

    let mut diagnostics = Diagnostics::default();
    let mut lessons = Vec::with_capacity(chapters.len());
    for (name, span) in chapters {
        let relative = Path::new("content").join(&name);
        match read_text_inside(root, &relative, LESSON_BYTES) {
            Ok(text) => lessons.push(SourceFile::new(relative, text)),
            Err(problem) => {
                let diagnostic =
                    config_file.error(span, format!("cannot read `{name}`: {problem}"));
                let close = if problem.is_missing() {
                    suggest(&name, &markdown_files(root))
                } else {
                    None
                };
                diagnostics.push(match close {
                    Some(close) => diagnostic.with_hint(format!("did you mean `{close}`?")),
                    None => diagnostic,
                });
            }
        }
    }
    diagnostics.into_result(())?;

    Ok(Book { config, lessons })
}

/// The text of `book.toml` → the book's settings and its chapters (file name and the span of
/// the name in `file`), checked. Reads nothing from disk.
pub fn parse_config(file: &SourceFile) -> Result<(BookConfig, Vec<Chapter>), Diagnostics> {
    let raw: RawConfig = toml::from_str(&file.text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim_end().to_string();
        Diagnostics(vec![file.error(span, message).with_hint(
            "book.toml holds `title`, `chapters` (lesson files in order) and optionally `author`, `language`, `description` and `[languages.TAG]` tables (`name`, `title`, `description`)",
        )])
    })?;

    let mut diagnostics = Diagnostics::default();
    if raw.chapters.is_empty() {
        diagnostics.push(
            file.error(0..0, "the book has no chapters")
                .with_hint("list the lesson files: chapters = [\"01-introduction.md\"]"),
        );
    }
    let mut chapters: Vec<Chapter> = Vec::with_capacity(raw.chapters.len());
    for chapter in &raw.chapters {
        let name = chapter.get_ref().as_str();
        let span = chapter.span();
        if let Some(problem) = chapter_name_problem(name) {
            diagnostics.push(file.error(span, problem).with_hint(
                "chapters are Markdown files directly inside content/, e.g. \"02-zero.md\"",
            ));
            continue;
        }
        if chapters.iter().any(|(seen, _)| seen == name) {
            diagnostics.push(file.error(span, format!("`{name}` is listed twice")));
            continue;
        }
        chapters.push((name.to_string(), span));
    }
    let language = raw.language.unwrap_or_else(|| "en".to_string());
    let (languages_span, raw_languages) = match raw.languages {
        Some(table) => (table.span(), table.into_inner()),
        None => (0..0, Default::default()),
    };
    let mut languages = Vec::new();
    for (tag, config) in raw_languages {
        if !is_language_tag(&tag) {
            diagnostics.push(
                file.error(
                    languages_span.clone(),
                    format!("`{tag}` is not a language tag"),
                )
                .with_hint(
                    "name a language by its BCP 47 tag, e.g. [languages.ko] or [languages.pt-BR]",
                ),
            );
        } else if tag == language {
            diagnostics.push(
                file.error(
                    languages_span.clone(),
                    format!("`{tag}` is the book's own language"),
                )
                .with_hint("[languages.TAG] names the languages the book is translated into"),
            );
        } else {
            languages.push(LanguageConfig { tag, ..config });
        }
    }
    diagnostics.into_result((
        BookConfig {
            title: raw.title,
            author: raw.author,
            language,
            description: raw.description,
            languages,
        },
        chapters,
    ))
}

/// A BCP 47 tag as a directory name allows: a primary language of 2–3 ASCII letters, then
/// `-`-separated subtags of letters and digits (`ko`, `pt-BR`, `zh-Hant`).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// Why a chapter entry cannot be a lesson file name, if it cannot.
fn chapter_name_problem(name: &str) -> Option<String> {
    if !name.ends_with(".md") {
        return Some(format!("`{name}` is not a Markdown file (.md)"));
    }
    let stem = &name[..name.len() - 3];
    if stem.is_empty()
        || !stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Some(format!(
            "`{name}`: lesson file names may use only letters, digits, `-` and `_`"
        ));
    }
    None
}

/// The `.md` files in `content/`, for "did you mean".
fn markdown_files(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(content_dir(root)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".md"))
        .collect();
    names.sort();
    names
}
