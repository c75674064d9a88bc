//! A lesson's translation catalog: a gettext PO file, read and written through the `polib`
//! crate, so translators' tools (Poedit, Lokalize, Weblate) open it.
//!
//! One catalog per lesson and language, `content/i18n/LANG/STEM.po`, so several translators can
//! work at once. Entries follow the lesson's segments in order; each carries `#:` references to
//! where its English stands (`content/03-std-one.md:12`). Entries whose English vanished are kept
//! at the end as obsolete (`#~`) with their translation, for reuse. Nothing in a catalog depends
//! on the time or the machine: `initbook i18n update` writes the same bytes for the same inputs.
//!
//! polib reads entries but not the obsolete ones, and it panics on a few malformed lines; so the
//! file is first split into entries here, each line checked (a bad line is an error at its
//! `file:line:col`), obsolete entries read on their own, and each entry's line remembered for
//! the coverage report.

use std::io::BufWriter;
use std::ops::Range;

use polib::catalog::Catalog as PoCatalog;
use polib::message::{Message, MessageFlags, MessageView};
use polib::metadata::CatalogMetadata;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

/// One translation: the English (msgid) and its translation (msgstr, empty if none yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub msgid: String,
    pub msgstr: String,
    /// Marked `fuzzy`: the English changed since this was translated; the translation needs a
    /// look before it is used.
    pub fuzzy: bool,
    /// Where the English stands: `content/03-std-one.md:12`, one per occurrence.
    pub references: Vec<String>,
    /// The translator's own comments (`# …`), kept as they are.
    pub comments: String,
    /// The line of the entry's `msgid` in the file it was read from (0 for a new entry).
    pub line: usize,
}

impl Entry {
    pub fn new(msgid: String, references: Vec<String>) -> Self {
        Entry {
            msgid,
            msgstr: String::new(),
            fuzzy: false,
            references,
            comments: String::new(),
            line: 0,
        }
    }

    /// A translation the build may use: present and not fuzzy.
    pub fn is_translated(&self) -> bool {
        !self.msgstr.is_empty() && !self.fuzzy
    }
}

/// A catalog: a comment at the top, the entries in lesson order, then the obsolete ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// The comment lines above the header entry (without `# `).
    pub preheader: Vec<String>,
    /// The language tag of the header (`Language: ko`).
    pub language: String,
    pub entries: Vec<Entry>,
    pub obsolete: Vec<Entry>,
}

impl Catalog {
    /// The entry for an English text, if the catalog has one.
    pub fn find(&self, msgid: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.msgid == msgid)
    }
}

/// Reads a PO file. Every problem is a diagnostic at its line.
pub fn parse_catalog(file: &SourceFile) -> Result<Catalog, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut active = String::new();
    let mut obsolete = String::new();
    let mut active_ids: Vec<(usize, String)> = Vec::new();
    let mut obsolete_lines: Vec<usize> = Vec::new();
    let starts = line_starts(&file.text);
    for block in blocks(&file.text) {
        let is_obsolete = block.iter().any(|&(_, _, line)| {
            line.starts_with("#~") && line[2..].trim_start().starts_with("msgid")
        });
        let count = |keyword: &str| {
            block
                .iter()
                .filter(|&&(_, _, line)| {
                    let line = match line.strip_prefix("#~").filter(|_| is_obsolete) {
                        Some(rest) => rest.trim_start(),
                        None => line,
                    };
                    line.starts_with(keyword)
                })
                .count()
        };
        if count("msgid ") != 1 || count("msgstr ") != 1 {
            let (_, offset, line) = block[0];
            diagnostics.push(
                file.error(offset..offset + line.len(), "a PO entry has one msgid and one msgstr")
                    .with_hint("comments belong to the entry right below them, with no blank line between; entries are separated by one blank line"),
            );
            continue;
        }
        let mut raw_id: Option<(usize, String)> = None;
        let mut in_id = false;
        for &(number, offset, line) in &block {
            let (line, offset) = match line.strip_prefix("#~").filter(|_| is_obsolete) {
                Some(rest) => match rest.strip_prefix(' ') {
                    Some(rest) => (rest, offset + 3),
                    None => (rest, offset + 2),
                },
                None => (line, offset),
            };
            if let Some(diagnostic) = line_problem(file, offset, line) {
                diagnostics.push(diagnostic);
                continue;
            }
            // polib reads a bare `#` as a continuation of whatever came before; it is an empty
            // comment line.
            let line = if line == "#" { "# " } else { line };
            if let Some(rest) = line.strip_prefix("msgid ") {
                in_id = true;
                raw_id = Some((number, rest.to_string()));
                if is_obsolete {
                    obsolete_lines.push(number);
                }
            } else if line.starts_with('"') && in_id {
                if let Some((_, raw)) = raw_id.as_mut() {
                    raw.push_str(line);
                }
            } else {
                in_id = false;
            }
            let target = if is_obsolete {
                &mut obsolete
            } else {
                &mut active
            };
            target.push_str(line);
            target.push('\n');
        }
        if let Some(id) = raw_id.filter(|_| !is_obsolete) {
            active_ids.push(id);
        }
        let target = if is_obsolete {
            &mut obsolete
        } else {
            &mut active
        };
        target.push('\n');
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }

    let whole = |line: usize| line_range(file, &starts, line);
    if active_ids.first().map(|(_, raw)| raw.as_str()) != Some("\"\"") {
        let at = active_ids
            .first()
            .map(|&(line, _)| whole(line))
            .unwrap_or(0..0);
        return Err(Diagnostics(vec![
            file.error(at, "the catalog does not start with its header entry")
                .with_hint("a PO file starts with msgid \"\" and msgstr \"Language: ko\\n…\"; `initbook i18n update LANG` writes one"),
        ]));
    }
    for (i, (line, raw)) in active_ids.iter().enumerate().skip(1) {
        if let Some((first, _)) = active_ids[..i].iter().find(|(_, seen)| seen == raw) {
            diagnostics.push(
                file.error(whole(*line), "this msgid is already in the catalog")
                    .with_hint(format!("its first entry is at line {first}; keep one")),
            );
        }
    }
    diagnostics.into_result(())?;

    let po = read_po(file, &active)?;
    let entries: Vec<Entry> = po
        .messages()
        .zip(active_ids.iter().skip(1))
        .map(|(message, &(line, _))| entry_of(message, line))
        .collect();
    let obsolete_entries: Vec<Entry> = if obsolete.trim().is_empty() {
        Vec::new()
    } else {
        let header = "msgid \"\"\nmsgstr \"Language: x\\n\"\n\n";
        read_po(file, &format!("{header}{obsolete}"))?
            .messages()
            .zip(obsolete_lines.iter().chain(std::iter::repeat(&0)))
            .map(|(message, &line)| entry_of(message, line))
            .collect()
    };
    Ok(Catalog {
        preheader: po.preheader.clone(),
        language: po.metadata.language.clone(),
        entries,
        obsolete: obsolete_entries,
    })
}

/// The byte offset where each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The bytes of a 1-based line, without its line break (an empty range for line 0).
fn line_range(file: &SourceFile, starts: &[usize], line: usize) -> Range<usize> {
    match starts.get(line.wrapping_sub(1)) {
        Some(&start) => start..start + file.line_text(line).len(),
        None => 0..0,
    }
}

/// The file's lines (numbered from 1, with their byte offsets) in blocks separated by blank
/// lines. A byte order mark before the first line is skipped.
fn blocks(text: &str) -> Vec<Vec<(usize, usize, &str)>> {
    let mut blocks = vec![Vec::new()];
    let mut offset = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let (line, skipped) = match raw.strip_prefix('\u{feff}').filter(|_| i == 0) {
            Some(rest) => (rest, 3),
            None => (raw, 0),
        };
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !blocks.last().expect("never empty").is_empty() {
                blocks.push(Vec::new());
            }
        } else {
            blocks
                .last_mut()
                .expect("never empty")
                .push((i + 1, offset + skipped, line));
        }
        offset += raw.len() + 1;
    }
    blocks.retain(|block| !block.is_empty());
    blocks
}

/// What is wrong with a line of a PO entry, if anything: initbook's catalogs hold comments,
/// `msgid`, `msgstr` and quoted continuation lines (no contexts, no plural forms).
fn line_problem(file: &SourceFile, start: usize, line: &str) -> Option<Diagnostic> {
    let at = |column: usize, len: usize| start + column..start + column + len;
    if line.starts_with('#') {
        return None;
    }
    let quoted = if let Some(rest) = line.strip_prefix("msgid ") {
        Some((rest, "msgid ".len()))
    } else if let Some(rest) = line.strip_prefix("msgstr ") {
        Some((rest, "msgstr ".len()))
    } else if line.starts_with('"') {
        Some((line, 0))
    } else {
        None
    };
    let Some((string, column)) = quoted else {
        let word = line.split_whitespace().next().unwrap_or(line);
        let hint = if word.starts_with("msgctxt")
            || word.starts_with("msgid_plural")
            || word.starts_with("msgstr[")
        {
            "initbook catalogs use neither contexts nor plural forms: one msgid, one msgstr"
        } else {
            "a PO entry has comment lines (#), msgid \"…\", msgstr \"…\" and continuation lines \"…\""
        };
        return Some(
            file.error(
                at(0, word.len()),
                format!("`{word}` is not a line of a PO entry"),
            )
            .with_hint(hint),
        );
    };
    if string.len() < 2 || !string.starts_with('"') || !string.ends_with('"') {
        return Some(
            file.error(
                at(column, string.len()),
                "a string in a PO file is written between double quotes",
            )
            .with_hint("write it as \"text\", with \\\" for a quote inside"),
        );
    }
    let inner = &string[1..string.len() - 1];
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, 'n' | 't' | 'r' | '"' | '\\')) => {}
                _ => {
                    return Some(
                        file.error(at(column + 1 + i, 2), "unknown escape in a PO string")
                            .with_hint("PO strings know \\n, \\t, \\\" and \\\\"),
                    );
                }
            },
            '"' => {
                return Some(
                    file.error(
                        at(column + 1 + i, 1),
                        "a double quote inside a PO string must be escaped",
                    )
                    .with_hint("write \\\""),
                );
            }
            _ => {}
        }
    }
    None
}

fn read_po(file: &SourceFile, text: &str) -> Result<PoCatalog, Diagnostics> {
    polib::po_file::parse_from_reader(text.as_bytes()).map_err(|error| {
        Diagnostics(vec![
            file.error(0..0, format!("cannot read the catalog: {error}"))
                .with_hint("`initbook i18n update LANG` writes a well-formed catalog"),
        ])
    })
}

fn entry_of(message: &dyn MessageView, line: usize) -> Entry {
    Entry {
        msgid: message.msgid().to_string(),
        msgstr: message.msgstr().unwrap_or_default().to_string(),
        fuzzy: message.is_fuzzy(),
        references: message
            .source()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        comments: message.translator_comments().to_string(),
        line,
    }
}

/// The catalog as PO text: deterministic bytes (no dates, entries in lesson order).
pub fn write_catalog(catalog: &Catalog) -> String {
    let mut metadata = CatalogMetadata::new();
    metadata.project_id_version = "initbook".to_string();
    metadata.language = catalog.language.clone();
    metadata.mime_version = "1.0".to_string();
    metadata.content_type = "text/plain; charset=UTF-8".to_string();
    metadata.content_transfer_encoding = "8bit".to_string();
    let mut po = PoCatalog::new(metadata.clone());
    po.preheader = catalog.preheader.clone();
    for entry in &catalog.entries {
        po.append_or_update(message_of(entry));
    }
    let mut text = po_text(&po);
    if !catalog.obsolete.is_empty() {
        let mut old = PoCatalog::new(metadata);
        for entry in &catalog.obsolete {
            old.append_or_update(message_of(entry));
        }
        let old_text = po_text(&old);
        // Everything after the header entry, each line marked obsolete.
        let body = old_text.split_once("\n\n").map_or("", |(_, body)| body);
        for line in body.lines() {
            if line.is_empty() {
                text.push('\n');
            } else {
                text.push_str("#~ ");
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    while text.ends_with("\n\n") {
        text.pop();
    }
    text
}

fn message_of(entry: &Entry) -> Message {
    let mut flags = MessageFlags::new();
    if entry.fuzzy {
        flags.add_flag("fuzzy");
    }
    Message::build_singular()
        .with_translator_comments(entry.comments.clone())
        .with_source(entry.references.join(" "))
        .with_flags(flags)
        .with_msgid(entry.msgid.clone())
        .with_msgstr(entry.msgstr.clone())
        .done()
}

fn po_text(po: &PoCatalog) -> String {
    let mut bytes = Vec::new();
    polib::po_file::write(po, &mut BufWriter::new(&mut bytes)).expect("writing to memory");
    String::from_utf8(bytes).expect("polib writes the UTF-8 it was given")
}

/// The English of one lesson as the catalog wants it: each distinct text once, in order of
/// first appearance, with every place it appears.
pub fn current_english(texts: &[(String, String)]) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for (text, reference) in texts {
        match entries.iter_mut().find(|entry| &entry.msgid == text) {
            Some(entry) => entry.references.push(reference.clone()),
            None => entries.push(Entry::new(text.clone(), vec![reference.clone()])),
        }
    }
    entries
}

/// How similar two English texts must be (normalised Levenshtein, 0–1) for a changed text to
/// keep the translation of the one it replaced, marked fuzzy.
pub const FUZZY_SIMILARITY: f64 = 0.5;

/// What `update` did to a catalog.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpdateCounts {
    pub added: usize,
    pub fuzzy: usize,
    pub obsolete: usize,
    pub kept: usize,
}

/// Brings `old` (or a new catalog) up to date with the English `current` (from
/// [`current_english`]): an unchanged English text keeps its entry; a new one gets an empty
/// entry — or, if it replaced a text in the same place that was translated, that translation
/// marked fuzzy; a translated entry whose English vanished becomes obsolete (an untranslated
/// one is dropped). A changed text is matched to the vanished text most like it, preferring
/// one at the same position among the entries, if they are at least [`FUZZY_SIMILARITY`] alike.
pub fn update_catalog(
    old: Option<Catalog>,
    current: Vec<Entry>,
    language: &str,
    preheader: Vec<String>,
) -> (Catalog, UpdateCounts) {
    let old = old.unwrap_or(Catalog {
        preheader,
        language: language.to_string(),
        entries: Vec::new(),
        obsolete: Vec::new(),
    });
    let mut counts = UpdateCounts::default();
    // Old entries (active first, then obsolete) not yet claimed by a current text.
    let mut pool: Vec<(Option<usize>, Entry)> = old
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| (Some(i), e))
        .chain(old.obsolete.into_iter().map(|e| (None, e)))
        .collect();
    let mut slots: Vec<Option<Entry>> = vec![None; current.len()];
    // Unchanged texts first, so a changed text cannot take their translation.
    for (slot, entry) in slots.iter_mut().zip(&current) {
        if let Some(at) = pool.iter().position(|(_, old)| old.msgid == entry.msgid) {
            let (_, old) = pool.remove(at);
            counts.kept += 1;
            *slot = Some(Entry {
                references: entry.references.clone(),
                line: 0,
                ..old
            });
        }
    }
    for (index, (slot, entry)) in slots.iter_mut().zip(&current).enumerate() {
        if slot.is_some() {
            continue;
        }
        let best = pool
            .iter()
            .enumerate()
            .filter(|(_, (_, old))| !old.msgstr.is_empty())
            .map(|(at, (position, old))| {
                let similarity = strsim::normalized_levenshtein(&old.msgid, &entry.msgid);
                let same_place = *position == Some(index);
                (at, similarity, same_place)
            })
            .filter(|&(_, similarity, _)| similarity >= FUZZY_SIMILARITY)
            .max_by(|a, b| {
                (a.2, a.1)
                    .partial_cmp(&(b.2, b.1))
                    .expect("similarities are finite")
                    .then(b.0.cmp(&a.0))
            });
        *slot = Some(match best {
            Some((at, _, _)) => {
                let (_, old) = pool.remove(at);
                counts.fuzzy += 1;
                Entry {
                    msgid: entry.msgid.clone(),
                    msgstr: old.msgstr,
                    fuzzy: true,
                    references: entry.references.clone(),
                    comments: old.comments,
                    line: 0,
                }
            }
            None => {
                counts.added += 1;
                entry.clone()
            }
        });
    }
    let obsolete: Vec<Entry> = pool
        .into_iter()
        .map(|(_, entry)| entry)
        .filter(|entry| !entry.msgstr.is_empty())
        .map(|entry| Entry {
            references: Vec::new(),
            line: 0,
            ..entry
        })
        .collect();
    counts.obsolete = obsolete.len();
    (
        Catalog {
            preheader: old.preheader,
            language: language.to_string(),
            entries: slots
                .into_iter()
                .map(|s| s.expect("every slot filled"))
                .collect(),
            obsolete,
        },
        counts,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(msgid: &str, msgstr: &str) -> Entry {
        Entry {
            msgstr: msgstr.to_string(),
            ..Entry::new(msgid.to_string(), vec!["content/a.md:1".to_string()])
        }
    }

    fn catalog(entries: Vec<Entry>, obsolete: Vec<Entry>) -> Catalog {
        Catalog {
            preheader: vec!["Korean translation of content/a.md.".to_string()],
            language: "ko".to_string(),
            entries,
            obsolete,
        }
    }

    fn read(text: &str) -> Result<Catalog, Diagnostics> {
        parse_catalog(&SourceFile::new("content/i18n/ko/a.po", text.to_string()))
    }

    #[test]
    fn round_trip_keeps_everything_and_bytes() {
        let long = "A long paragraph ".repeat(12) + "with a \"quote\" and `{a.layer1.std:.3}`.";
        let mut fuzzy = entry("Changed", "바뀜");
        fuzzy.fuzzy = true;
        let original = catalog(
            vec![
                entry("Title", "제목"),
                entry(&long, "긴 문단"),
                fuzzy,
                entry("New", ""),
            ],
            vec![entry("Gone", "사라짐")],
        );
        let text = write_catalog(&original);
        assert!(
            text.contains("#~ msgid \"Gone\"\n#~ msgstr \"사라짐\"\n"),
            "{text}"
        );
        assert!(text.contains("#, fuzzy\nmsgid \"Changed\""), "{text}");
        let read_back = read(&text).unwrap();
        let strip = |c: &Catalog| {
            let mut c = c.clone();
            for e in c.entries.iter_mut().chain(c.obsolete.iter_mut()) {
                e.line = 0;
            }
            c.obsolete.iter_mut().for_each(|e| e.references.clear());
            c
        };
        assert_eq!(strip(&read_back), strip(&original));
        assert_eq!(write_catalog(&read_back), text);
        // Lines point at each entry's msgid.
        let lines: Vec<&str> = text.lines().collect();
        for e in &read_back.entries {
            assert!(lines[e.line - 1].starts_with("msgid "), "{e:?}");
        }
    }

    #[test]
    fn update_keeps_marks_fuzzy_and_obsoletes() {
        let old = catalog(
            vec![
                entry("The first paragraph says this.", "첫 문단."),
                entry("The second paragraph says that.", "둘째 문단."),
                entry("Removed entirely and never seen again here.", "삭제됨."),
                entry("Untranslated", ""),
            ],
            vec![],
        );
        let current = current_english(&[
            (
                "The first paragraph says this.".into(),
                "content/a.md:1".into(),
            ),
            (
                "The second paragraph says that, now.".into(),
                "content/a.md:3".into(),
            ),
            (
                "Brand new text of the lesson.".into(),
                "content/a.md:5".into(),
            ),
        ]);
        let (new, counts) = update_catalog(Some(old), current, "ko", vec![]);
        assert_eq!(
            counts,
            UpdateCounts {
                added: 1,
                fuzzy: 1,
                obsolete: 1,
                kept: 1
            }
        );
        assert!(new.entries[0].is_translated());
        assert!(new.entries[1].fuzzy && new.entries[1].msgstr == "둘째 문단.");
        assert_eq!(new.entries[2].msgstr, "");
        assert_eq!(new.obsolete.len(), 1);
        assert_eq!(new.obsolete[0].msgstr, "삭제됨.");
    }

    #[test]
    fn bad_lines_are_errors_at_their_line() {
        let problems = read("msgid \"\"\nmsgstr \"Language: ko\\n\"\n\nmsgid \"a\"\nmsgstr \"b\\q\"\n\nmsgctxt \"x\"\nmsgid \"c\"\nmsgstr \"\"\n\nmsgid \"d\nmsgstr \"\"\n")
            .unwrap_err();
        let places: Vec<String> = problems.iter().map(|d| d.location()).collect();
        assert_eq!(
            places,
            vec![
                "content/i18n/ko/a.po:5:10",
                "content/i18n/ko/a.po:7:1",
                "content/i18n/ko/a.po:11:7"
            ]
        );
        assert!(read("msgid \"a\"\nmsgstr \"b\"\n").is_err());
        let duplicate = read("msgid \"\"\nmsgstr \"Language: ko\\n\"\n\nmsgid \"a\"\nmsgstr \"\"\n\nmsgid \"a\"\nmsgstr \"x\"\n").unwrap_err();
        assert_eq!(duplicate.0[0].location(), "content/i18n/ko/a.po:7:1");
    }
}
