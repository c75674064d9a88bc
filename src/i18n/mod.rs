//! Translated editions: a book's lessons in other languages, single-sourced from the English.
//!
//! A language is named in `book.toml` (`[languages.ko]`, with its title and description); its
//! lessons are translated by gettext catalogs, one per lesson, `content/i18n/TAG/STEM.po`
//! ([`catalog`]), whose entries are the English segments of the lesson ([`segments`]).
//! `initbook i18n update TAG` brings the catalogs up to date with the English
//! ([`update_catalogs`]); the build applies them ([`apply`]) — a missing or fuzzy translation
//! falls back to English and is reported — and parses the translated lessons like any other.
//!
//! A translation changes prose only: experiments are defined once, in the English lesson, and
//! [`align_experiments`] checks that a translated lesson has exactly the English experiments
//! (its captions and alt texts aside), so one run of each serves every edition.

pub mod apply;
pub mod catalog;
pub mod segments;
pub mod strings;

use std::path::{Path, PathBuf};

use crate::book::{Book, LanguageConfig};
use crate::error::{Error, Result};
use crate::model::ParsedBook;
pub use apply::{Coverage, Gap, GapKind, translate_book};
use catalog::{UpdateCounts, current_english, update_catalog, write_catalog};
pub use strings::figure_text;

/// The catalog of a lesson (`content/03-std-one.md`) in a language: `content/i18n/ko/03-std-one.po`.
pub fn catalog_path(lesson: &Path, tag: &str) -> PathBuf {
    let stem = lesson.file_stem().unwrap_or_default();
    let mut name = stem.to_owned();
    name.push(".po");
    Path::new("content").join("i18n").join(tag).join(name)
}

/// A language's name in itself, for the language switch: the book's `name`, else a built-in
/// one, else the tag.
pub fn language_name(config: Option<&LanguageConfig>, tag: &str) -> String {
    if let Some(name) = config.and_then(|c| c.name.clone()) {
        return name;
    }
    match tag.split('-').next().unwrap_or(tag) {
        "en" => "English",
        "ko" => "한국어",
        "ja" => "日本語",
        "zh" => "中文",
        "de" => "Deutsch",
        "fr" => "Français",
        "es" => "Español",
        _ => tag,
    }
    .to_string()
}

/// The language of `book` named `tag`, or a usage error naming those it has.
pub fn find_language<'a>(book: &'a Book, tag: &str) -> Result<&'a LanguageConfig> {
    book.config
        .languages
        .iter()
        .find(|language| language.tag == tag)
        .ok_or_else(|| {
            let known: Vec<&str> = book.config.languages.iter().map(|l| l.tag.as_str()).collect();
            Error::Usage(if known.is_empty() {
                format!("the book has no language `{tag}`: add a [languages.{tag}] table (title, description) to content/book.toml")
            } else {
                format!("the book has no language `{tag}` (it has: {}); add a [languages.{tag}] table to content/book.toml", known.join(", "))
            })
        })
}

/// What `initbook i18n update` did to one catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogUpdate {
    /// The catalog, relative to the book root.
    pub path: PathBuf,
    pub counts: UpdateCounts,
    /// The catalog's text as written.
    pub text: String,
}

impl std::fmt::Display for CatalogUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.counts;
        write!(
            f,
            "{}: {} unchanged, {} new, {} fuzzy, {} obsolete",
            self.path.display(),
            c.kept,
            c.added,
            c.fuzzy,
            c.obsolete
        )
    }
}

/// Brings every lesson's catalog in `tag` up to date with the English and returns the new
/// catalogs (the caller writes them). See [`catalog::update_catalog`].
pub fn update_catalogs(root: &Path, book: &Book, tag: &str) -> Result<Vec<CatalogUpdate>> {
    find_language(book, tag)?;
    let mut updates = Vec::with_capacity(book.lessons.len());
    let mut diagnostics = crate::diagnostic::Diagnostics::default();
    for lesson in &book.lessons {
        let old = match apply::lesson_catalog(root, lesson, tag) {
            Ok(old) => old.map(|(_, catalog)| catalog),
            Err(Error::Content(found)) => {
                diagnostics.extend(found);
                continue;
            }
            Err(other) => return Err(other),
        };
        let english: Vec<(String, String)> = segments::lesson_segments(lesson)
            .into_iter()
            .map(|s| (s.text, format!("{}:{}", lesson.path.display(), s.line)))
            .collect();
        let preheader = vec![
            format!("Translation of {} ({tag}).", lesson.path.display()),
            format!(
                "Written by `initbook i18n update {tag}`: translate the msgstr lines only; keep"
            ),
            "code spans, `{…}` references and $…$ math exactly as the English has them."
                .to_string(),
            "A fuzzy entry's English changed: check its translation, then remove `#, fuzzy`."
                .to_string(),
        ];
        let (catalog, counts) = update_catalog(old, current_english(&english), tag, preheader);
        updates.push(CatalogUpdate {
            path: catalog_path(&lesson.path, tag),
            counts,
            text: write_catalog(&catalog),
        });
    }
    diagnostics.into_result(())?;
    Ok(updates)
}

/// Writes the updated catalogs under `root`.
pub fn write_catalogs(root: &Path, updates: &[CatalogUpdate]) -> Result<()> {
    for update in updates {
        let path = root.join(&update.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        }
        std::fs::write(&path, &update.text).map_err(|e| Error::io("write", &path, e))?;
    }
    Ok(())
}

/// Checks that each translated lesson has the English lesson's experiments — same ids, kinds,
/// parameters (the `Experiment` built from them), seeds, data — and gives each the English
/// origin, spans and lesson path, so Reproduce panels name the line where the experiment is
/// defined. Only captions and alt texts differ.
pub fn align_experiments(english: &ParsedBook, translated: &mut ParsedBook) -> Result<()> {
    for (source, target) in english.lessons.iter().zip(translated.lessons.iter_mut()) {
        let same = source.experiments.len() == target.experiments.len()
            && source
                .experiments
                .iter()
                .zip(&target.experiments)
                .all(|(a, b)| {
                    a.id == b.id
                        && a.seed == b.seed
                        && a.experiment == b.experiment
                        && a.data.as_ref().map(|d| &d.path) == b.data.as_ref().map(|d| &d.path)
                        && a.table == b.table
                        && a.figure == b.figure
                });
        if !same {
            return Err(Error::Other(format!(
                "the {} translation of {} changes its experiments; a translation may change prose only (check its catalog for a translation that starts a code block)",
                translated.config.language,
                source.source.path.display()
            )));
        }
        for (a, b) in source.experiments.iter().zip(target.experiments.iter_mut()) {
            // Spans into the English lesson, where the experiment is defined.
            b.origin = a.origin.clone();
            b.data = a.data.clone();
            b.values = a.values.clone();
        }
        target.source.path = source.source.path.clone();
    }
    Ok(())
}

/// A translated edition, parsed and checked: ready to draw and render.
#[derive(Debug, Clone)]
pub struct Edition {
    pub tag: String,
    pub book: ParsedBook,
    pub coverage: Coverage,
}

/// Every translated edition of the book: each language's catalogs applied to the English
/// (`loaded`), parsed, and checked to have the English experiments (`english`).
pub fn translated_editions(
    root: &Path,
    loaded: &Book,
    english: &ParsedBook,
) -> Result<Vec<Edition>> {
    let mut editions = Vec::with_capacity(loaded.config.languages.len());
    for language in &loaded.config.languages {
        let (translated, coverage) = translate_book(root, loaded, language)?;
        let mut book =
            crate::parse::parse_translation(&translated, english).map_err(|mut found| {
                // The lines are the translated lesson's: say so, and where its translations are.
                for diagnostic in &mut found.0 {
                    diagnostic.message = format!(
                        "in the {} translation ({}): {}",
                        language.tag,
                        catalog_path(&diagnostic.path, &language.tag).display(),
                        diagnostic.message
                    );
                }
                found
            })?;
        align_experiments(english, &mut book)?;
        editions.push(Edition {
            tag: language.tag.clone(),
            book,
            coverage,
        });
    }
    Ok(editions)
}

/// The directory of an edition in the site: `""` for the book's own language, `"ko/"` for a
/// translation.
pub fn edition_dir(tag: &str, own: &str) -> String {
    if tag == own {
        String::new()
    } else {
        format!("{tag}/")
    }
}

/// A link to the same page in one of the book's languages, as the templates see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LanguageLink {
    pub tag: String,
    /// The language's name in itself.
    pub name: String,
    /// From the current edition's directory to this language's, ending in `/` (or empty): the
    /// page's file name follows. Relative, so it works from `file://`.
    pub base: String,
    /// This is the language of the page.
    pub current: bool,
}

/// The language links of the pages of the edition in `current`: the book's own language
/// first, then its translations, in `book.toml` order.
pub fn language_links(config: &crate::book::BookConfig, current: &str) -> Vec<LanguageLink> {
    if config.languages.is_empty() {
        return Vec::new();
    }
    let own = config.language.as_str();
    let up = if current == own { "" } else { "../" };
    std::iter::once((own, None))
        .chain(config.languages.iter().map(|l| (l.tag.as_str(), Some(l))))
        .map(|(tag, language)| LanguageLink {
            tag: tag.to_string(),
            name: language_name(language, tag),
            base: if tag == current {
                String::new()
            } else {
                format!("{up}{}", edition_dir(tag, own))
            },
            current: tag == current,
        })
        .collect()
}
