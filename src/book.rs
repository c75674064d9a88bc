//! Load stage: `ROOT/content/book.toml` and the lesson files it lists, read into memory.
//!
//! Nothing here interprets Markdown; it only finds and reads the files, and checks `book.toml`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

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
}

/// The directory holding `book.toml` and the lessons.
pub fn content_dir(root: &Path) -> PathBuf {
    root.join("content")
}

/// Reads `ROOT/content/book.toml` and every lesson it lists.
pub fn load_book(root: &Path) -> Result<Book> {
    let config_path = content_dir(root).join("book.toml");
    let text = std::fs::read_to_string(&config_path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::Other(format!(
                "no book at {}: {} does not exist (point --root at a directory with content/book.toml)",
                root.display(),
                config_path.display()
            ))
        } else {
            Error::io("read", &config_path, source)
        }
    })?;
    let config_file = SourceFile::new(Path::new("content").join("book.toml"), text);

    let raw: RawConfig = toml::from_str(&config_file.text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim_end().to_string();
        Diagnostics(vec![config_file.error(span, message).with_hint(
            "book.toml holds `title`, `chapters` (lesson files in order) and optionally `author`, `language`, `description`",
        )])
    })?;

    let mut diagnostics = Diagnostics::default();
    if raw.chapters.is_empty() {
        diagnostics.push(
            config_file
                .error(0..0, "the book has no chapters")
                .with_hint("list the lesson files: chapters = [\"01-introduction.md\"]"),
        );
    }
    let mut lessons = Vec::with_capacity(raw.chapters.len());
    let mut seen: Vec<&str> = Vec::new();
    for chapter in &raw.chapters {
        let name = chapter.get_ref().as_str();
        let span = chapter.span();
        if let Some(problem) = chapter_name_problem(name) {
            diagnostics.push(config_file.error(span, problem).with_hint(
                "chapters are Markdown files directly inside content/, e.g. \"02-zero.md\"",
            ));
            continue;
        }
        if seen.contains(&name) {
            diagnostics.push(config_file.error(span, format!("`{name}` is listed twice")));
            continue;
        }
        seen.push(name);
        let path = content_dir(root).join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => lessons.push(SourceFile::new(Path::new("content").join(name), text)),
            Err(error) => {
                let diagnostic = config_file.error(span, format!("cannot read `{name}`: {error}"));
                diagnostics.push(match suggest(name, &markdown_files(root)) {
                    Some(close) => diagnostic.with_hint(format!("did you mean `{close}`?")),
                    None => diagnostic,
                });
            }
        }
    }
    diagnostics.into_result(())?;

    Ok(Book {
        config: BookConfig {
            title: raw.title,
            author: raw.author,
            language: raw.language.unwrap_or_else(|| "en".to_string()),
            description: raw.description,
        },
        lessons,
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
