//! Applying a language's catalogs to the English book: the translated lessons, and what could
//! not be translated (the gaps, which fall back to English and are reported).
//!
//! A translated lesson is the English Markdown with each translated segment's range replaced
//! by its translation, so its headings, lists, tables and experiment blocks are the English
//! ones: the parse stage reads it like any lesson, and its experiments are the English
//! experiments (checked in [`super::align_experiments`]), whose results serve both editions.

use std::path::Path;

use rayon::prelude::*;

use super::catalog::{Catalog, parse_catalog};
use super::catalog_path;
use super::segments::{SegmentKind, fixed_parts, lesson_segments};
use crate::book::{Book, BookConfig, LanguageConfig};
use crate::book_files::{CONFIG_BYTES, LESSON_BYTES, read_text_inside};
use crate::diagnostic::{Diagnostics, SourceFile};
use crate::error::{Error, Result};

/// Why a piece of a translated edition shows English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapKind {
    /// No translation yet (an empty msgstr, or no entry: the catalog is older than the English).
    Missing,
    /// A translation marked fuzzy: its English changed since.
    Fuzzy,
    /// A translation that does not keep the English's code spans, references or math exactly.
    Broken,
}

/// One piece of text shown in English in a translated edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// `file:line` where a translator fixes it: the catalog entry's line, or the English text's
    /// if the catalog has no entry for it.
    pub place: String,
    pub kind: GapKind,
    /// What to do, in a few words.
    pub note: String,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.note)
    }
}

/// How much of a language's edition is translated: each distinct English text counted once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub language: String,
    pub translated: usize,
    pub fuzzy: usize,
    pub missing: usize,
    /// Every gap, in book order.
    pub gaps: Vec<Gap>,
}

impl Coverage {
    pub fn total(&self) -> usize {
        self.translated + self.fuzzy + self.missing
    }

    fn count(&mut self, gap: Option<Gap>) {
        match gap.as_ref().map(|g| g.kind) {
            None => self.translated += 1,
            Some(GapKind::Fuzzy) => self.fuzzy += 1,
            Some(GapKind::Missing | GapKind::Broken) => self.missing += 1,
        }
        self.gaps.extend(gap);
    }

    /// One line: `ko: 180/200 translated (90.0 %), 5 fuzzy, 15 missing`.
    pub fn summary(&self) -> String {
        let percent = if self.total() == 0 {
            100.0
        } else {
            100.0 * self.translated as f64 / self.total() as f64
        };
        format!(
            "{}: {}/{} translated ({percent:.1} %), {} fuzzy, {} missing",
            self.language,
            self.translated,
            self.total(),
            self.fuzzy,
            self.missing
        )
    }
}

/// The book in `language`: its config with the translated title and description, and each
/// lesson with its catalog applied. Gaps fall back to English and are listed in the coverage.
pub fn translate_book(
    root: &Path,
    book: &Book,
    language: &LanguageConfig,
) -> Result<(Book, Coverage)> {
    let mut coverage = Coverage {
        language: language.tag.clone(),
        ..Coverage::default()
    };
    let config = translate_config(root, &book.config, language, &mut coverage)?;
    // The catalogs are read one after another on this thread (a build's reads stay on its own
    // thread, see `book_files::recording_reads`); the lessons are then translated in parallel.
    let catalogs: Vec<Result<Option<(SourceFile, Catalog)>>> = book
        .lessons
        .iter()
        .map(|lesson| lesson_catalog(root, lesson, &language.tag))
        .collect();
    let translated: Vec<Result<(String, Coverage)>> = book
        .lessons
        .par_iter()
        .zip(catalogs)
        .map(|(lesson, catalog)| {
            catalog.map(|catalog| translate_lesson(lesson, catalog.as_ref(), &language.tag))
        })
        .collect();
    let mut diagnostics = Diagnostics::default();
    let mut lessons = Vec::with_capacity(book.lessons.len());
    for (lesson, translated) in book.lessons.iter().zip(translated) {
        match translated {
            Ok((text, lesson_coverage)) => {
                coverage.translated += lesson_coverage.translated;
                coverage.fuzzy += lesson_coverage.fuzzy;
                coverage.missing += lesson_coverage.missing;
                coverage.gaps.extend(lesson_coverage.gaps);
                lessons.push(SourceFile::new(lesson.path.clone(), text));
            }
            Err(Error::Content(found)) => diagnostics.extend(found),
            Err(other) => return Err(other),
        }
    }
    diagnostics.into_result(())?;
    Ok((Book { config, lessons }, coverage))
}

/// A lesson's catalog in `tag`, parsed; `None` if there is none yet.
pub fn lesson_catalog(
    root: &Path,
    lesson: &SourceFile,
    tag: &str,
) -> Result<Option<(SourceFile, Catalog)>> {
    let relative = catalog_path(&lesson.path, tag);
    match read_text_inside(root, &relative, LESSON_BYTES) {
        Ok(text) => {
            let file = SourceFile::new(relative, text);
            let catalog = parse_catalog(&file)?;
            Ok(Some((file, catalog)))
        }
        Err(problem) if problem.is_missing() => Ok(None),
        Err(problem) => Err(Error::Other(format!(
            "cannot read {}: {problem}",
            root.join(&relative).display()
        ))),
    }
}

/// The lesson's text with its catalog applied, and its coverage.
pub fn translate_lesson(
    lesson: &SourceFile,
    catalog: Option<&(SourceFile, Catalog)>,
    tag: &str,
) -> (String, Coverage) {
    let mut coverage = Coverage {
        language: tag.to_string(),
        ..Coverage::default()
    };
    let mut counted: Vec<&str> = Vec::new();
    let mut replacements = Vec::new();
    let segments = lesson_segments(lesson);
    for segment in &segments {
        let english_place = format!("{}:{}", lesson.path.display(), segment.line);
        let entry = catalog.and_then(|(file, catalog)| Some((file, catalog.find(&segment.text)?)));
        let gap = match entry {
            None => Some(Gap {
                place: english_place,
                kind: GapKind::Missing,
                note: format!(
                    "not in the catalog {}: run `initbook i18n update {tag}`",
                    catalog_path(&lesson.path, tag).display()
                ),
            }),
            Some((file, entry)) => {
                let place = |line| format!("{}:{line}", file.path.display());
                if entry.msgstr.is_empty() {
                    Some(Gap {
                        place: place(entry.line),
                        kind: GapKind::Missing,
                        note: format!("not translated yet (the English at {english_place})"),
                    })
                } else if entry.fuzzy {
                    Some(Gap {
                        place: place(entry.line),
                        kind: GapKind::Fuzzy,
                        note: format!(
                            "fuzzy: the English at {english_place} changed; check the translation, then remove `#, fuzzy`"
                        ),
                    })
                } else if segment.kind == SegmentKind::Markdown
                    && fixed_parts(&entry.msgstr) != fixed_parts(&entry.msgid)
                {
                    Some(Gap {
                        place: place(entry.line),
                        kind: GapKind::Broken,
                        note: format!(
                            "the translation must keep these exactly as the English has them: {}",
                            fixed_parts(&entry.msgid).join(" ")
                        ),
                    })
                } else {
                    replacements
                        .push((segment.range.clone(), written(&entry.msgstr, segment.kind)));
                    None
                }
            }
        };
        if !counted.contains(&segment.text.as_str()) {
            counted.push(&segment.text);
            coverage.count(gap);
        }
    }
    let mut text = lesson.text.clone();
    replacements.sort_by_key(|(range, _)| range.start);
    for (range, translation) in replacements.into_iter().rev() {
        text.replace_range(range, &translation);
    }
    (text, coverage)
}

/// A translation as it goes into the lesson: Markdown on one line, or a quoted TOML string.
fn written(msgstr: &str, kind: SegmentKind) -> String {
    match kind {
        SegmentKind::Markdown => msgstr.split_whitespace().collect::<Vec<_>>().join(" "),
        SegmentKind::TomlString => toml_string(msgstr),
    }
}

/// A TOML basic string holding `text`.
fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// The book's settings in `language`: its title and description from `[languages.TAG]`, each
/// missing one a gap at that table's line.
fn translate_config(
    root: &Path,
    english: &BookConfig,
    language: &LanguageConfig,
    coverage: &mut Coverage,
) -> Result<BookConfig> {
    let book_toml = Path::new("content").join("book.toml");
    let text = read_text_inside(root, &book_toml, CONFIG_BYTES).unwrap_or_default();
    let header = format!("[languages.{}]", language.tag);
    let line = text
        .lines()
        .position(|line| line.trim() == header)
        .map_or(1, |i| i + 1);
    let place = format!("{}:{line}", book_toml.display());
    let mut field = |value: &Option<String>, english: &Option<String>, key: &str| match value {
        Some(value) => {
            coverage.count(None);
            Some(value.clone())
        }
        None if english.is_some() => {
            coverage.count(Some(Gap {
                place: place.clone(),
                kind: GapKind::Missing,
                note: format!("{header} has no `{key}`"),
            }));
            english.clone()
        }
        None => None,
    };
    let title = field(&language.title, &Some(english.title.clone()), "title")
        .expect("the English title is there");
    let description = field(&language.description, &english.description, "description");
    Ok(BookConfig {
        title,
        description,
        language: language.tag.clone(),
        ..english.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::catalog::{Entry, write_catalog};

    #[test]
    fn toml_strings_round_trip() {
        let text = "a \"quote\", a \\ and\na line";
        let parsed: toml::Table = toml::from_str(&format!("x = {}", toml_string(text))).unwrap();
        assert_eq!(parsed["x"].as_str(), Some(text));
    }

    #[test]
    fn a_lesson_translates_where_it_can_and_counts_the_rest() {
        let lesson = SourceFile::new(
            "content/a.md",
            "# Title\n\nFirst `{e.layer1.std:.3}`\nparagraph.\n\nSecond.\n\nThird.\n\n```experiment\nid = \"e\"\ncaption = \"Cap\"\nalt = \"Alt\"\nseed = 1\n```\n".to_string(),
        );
        let entry = |id: &str, text: &str, fuzzy: bool| Entry {
            msgstr: text.to_string(),
            fuzzy,
            ..Entry::new(id.to_string(), vec![])
        };
        let catalog = Catalog {
            preheader: vec![],
            language: "ko".into(),
            entries: vec![
                entry("Title", "제목", false),
                entry(
                    "First `{e.layer1.std:.3}` paragraph.",
                    "첫 `{e.layer1.std:.3}`\n문단.",
                    false,
                ),
                entry("Second.", "둘째.", true),
                entry("Cap", "캡션 \"인용\"", false),
                entry("Alt", "`{e.layer2.std}` 대체", false),
            ],
            obsolete: vec![],
        };
        let file = SourceFile::new("content/i18n/ko/a.po", write_catalog(&catalog));
        let catalog = parse_catalog(&file).unwrap();
        let (text, coverage) = translate_lesson(&lesson, Some(&(file, catalog)), "ko");
        assert_eq!(
            text,
            "# 제목\n\n첫 `{e.layer1.std:.3}` 문단.\n\nSecond.\n\nThird.\n\n```experiment\nid = \"e\"\ncaption = \"캡션 \\\"인용\\\"\"\nalt = \"`{e.layer2.std}` 대체\"\nseed = 1\n```\n"
        );
        assert_eq!(
            (coverage.translated, coverage.fuzzy, coverage.missing),
            (4, 1, 1)
        );
        let kinds: Vec<GapKind> = coverage.gaps.iter().map(|g| g.kind).collect();
        assert_eq!(kinds, vec![GapKind::Fuzzy, GapKind::Missing]);
        assert!(coverage.gaps[0].place.starts_with("content/i18n/ko/a.po:"));
        assert_eq!(coverage.gaps[1].place, "content/a.md:8");
    }
}
