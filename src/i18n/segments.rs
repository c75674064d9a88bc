//! The translatable text of a lesson: its *segments*, found in the English Markdown.
//!
//! A segment is the inline text of one leaf block — a paragraph, a heading, a tight list item,
//! a table cell — written as Markdown (emphasis, links, images with their alt text, code spans,
//! inline references `` `{id.layerK.stat}` `` and `$math$` stay in it verbatim), or the string
//! value of a prose key: an experiment's `caption` and `alt`, the front matter's `description`.
//! Parameters, seeds and ids are never segments, so a translation cannot change an experiment.
//!
//! Each segment keeps the byte range it replaces in the English source: a translated lesson is
//! the English file with every translated segment's range swapped for its translation
//! ([`super::apply`]), so its structure — and every experiment block — is the English one.
//!
//! A paragraph that spans several lines becomes one line (continuation lines lose their
//! indentation and blockquote markers and are joined by a space), so a translation can be put
//! back in its place whatever container it is in. A segment with no letter outside its
//! references, math and code (a table cell holding only a number) is not a segment: there is
//! nothing to translate.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, MetadataBlockKind, Tag, TagEnd};
use toml::de::{DeTable, DeValue};

use crate::diagnostic::SourceFile;
use crate::dialect::{DIRECTIVE_INFO, markdown_events};
use crate::parse::BlockText;

/// The keys of an experiment block whose values are prose.
pub const PROSE_KEYS: [&str; 2] = ["caption", "alt"];

/// How a segment's translation is written back into the lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// Inline Markdown, written as it is (on one line).
    Markdown,
    /// The value of a TOML string key (a caption, an alt text, a description): written as a
    /// quoted TOML string.
    TomlString,
}

/// One piece of translatable text of a lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The English text: the catalog's msgid.
    pub text: String,
    /// The bytes of the English source that a translation replaces.
    pub range: Range<usize>,
    /// 1-based line of the range's start, for the catalog's `#:` reference.
    pub line: usize,
    pub kind: SegmentKind,
}

/// The segments of a lesson, in the order they appear.
pub fn lesson_segments(source: &SourceFile) -> Vec<Segment> {
    let mut scan = Scan::default();
    for (event, range) in markdown_events(&source.text) {
        scan.event(source, event, range);
    }
    scan.flush(source);
    scan.segments
}

#[derive(Default)]
struct Scan {
    segments: Vec<Segment>,
    /// The inline run of the current leaf block: from its first inline event to its last.
    run: Option<Range<usize>>,
    /// Inside a code block that is not a directive: its text is code.
    in_code_block: bool,
    /// The directive block or front matter being read.
    toml_block: Option<(BlockText, &'static [&'static str])>,
}

impl Scan {
    fn event(&mut self, source: &SourceFile, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Text(text) if self.toml_block.is_some() => {
                let (block, _) = self.toml_block.as_mut().expect("checked just above");
                block.push(&text, range.start);
            }
            Event::Text(_) if self.in_code_block => {}
            Event::Text(_)
            | Event::Code(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::InlineHtml(_)
            | Event::FootnoteReference(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. },
            )
            | Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image,
            ) => {
                self.run = Some(match self.run.take() {
                    Some(run) => run.start.min(range.start)..run.end.max(range.end),
                    None => range,
                });
            }
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::PlusesStyle)) => {
                self.flush(source);
                self.toml_block = Some((BlockText::default(), &["description"]));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.trim() == DIRECTIVE_INFO =>
            {
                self.flush(source);
                self.toml_block = Some((BlockText::default(), &PROSE_KEYS));
            }
            Event::Start(Tag::CodeBlock(_)) => {
                self.flush(source);
                self.in_code_block = true;
            }
            Event::End(TagEnd::CodeBlock | TagEnd::MetadataBlock(_)) => {
                self.in_code_block = false;
                if let Some((block, keys)) = self.toml_block.take() {
                    self.toml_strings(source, &block, keys);
                }
            }
            // Any other start or end is a block boundary: the run so far is one segment.
            _ => self.flush(source),
        }
    }

    /// Ends the current inline run, keeping it if it has something to translate.
    fn flush(&mut self, source: &SourceFile) {
        let Some(range) = self.run.take() else {
            return;
        };
        let text = one_line(&source.text[range.clone()]);
        if has_words(&text) {
            self.segments.push(Segment {
                text,
                line: source.line_col(range.start).0,
                range,
                kind: SegmentKind::Markdown,
            });
        }
    }

    /// The string values of `keys` in a TOML block (an experiment's caption and alt, the front
    /// matter's description). A block that does not parse is left to the parse stage to report.
    fn toml_strings(&mut self, source: &SourceFile, block: &BlockText, keys: &[&str]) {
        let Ok(table) = DeTable::parse(&block.text) else {
            return;
        };
        let first = self.segments.len();
        for (key, value) in table.get_ref().iter() {
            let DeValue::String(text) = value.get_ref() else {
                continue;
            };
            if !keys.contains(&key.get_ref().as_ref()) || !has_words(text) {
                continue;
            }
            let span = value.span();
            let range = block.file_offset(span.start)..block.file_offset(span.end);
            self.segments.push(Segment {
                text: text.to_string(),
                line: source.line_col(range.start).0,
                range,
                kind: SegmentKind::TomlString,
            });
        }
        // In the order they are written, whatever order the table keeps.
        self.segments[first..].sort_by_key(|segment| segment.range.start);
    }
}

/// A block's inline source on one line: continuation lines lose their leading white space and
/// blockquote markers, and lines are joined by one space.
fn one_line(text: &str) -> String {
    let mut lines = text.lines();
    let mut joined = lines.next().unwrap_or("").trim_end().to_string();
    for line in lines {
        let line = line.trim_start_matches([' ', '\t', '>']).trim_end();
        if !line.is_empty() {
            joined.push(' ');
            joined.push_str(line);
        }
    }
    joined
}

/// Whether a segment has a letter outside its code spans, references and math: something a
/// translator could translate.
pub fn has_words(text: &str) -> bool {
    let mut words = false;
    for (event, _) in markdown_events(text) {
        if let Event::Text(text) = event {
            words |= text.chars().any(char::is_alphabetic);
        }
    }
    words
}

/// What a translation must keep exactly as the English has it: the code spans (inline
/// references among them) and the math of a Markdown segment, sorted.
pub fn fixed_parts(text: &str) -> Vec<String> {
    let mut parts: Vec<String> = markdown_events(text)
        .filter_map(|(event, _)| match event {
            Event::Code(code) => Some(format!("`{code}`")),
            Event::InlineMath(math) => Some(format!("${math}$")),
            Event::DisplayMath(math) => Some(format!("$${math}$$")),
            _ => None,
        })
        .collect();
    parts.sort();
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(markdown: &str) -> Vec<(String, usize, SegmentKind)> {
        let source = SourceFile::new("content/x.md", markdown.to_string());
        lesson_segments(&source)
            .into_iter()
            .map(|s| {
                assert_eq!(
                    s.kind == SegmentKind::Markdown,
                    one_line(&markdown[s.range.clone()]) == s.text
                );
                (s.text, s.line, s.kind)
            })
            .collect()
    }

    #[test]
    fn blocks_become_segments_and_parameters_do_not() {
        let md = "+++\ndescription = \"What it shows.\"\n+++\n\n# Title *here*\n\nA paragraph\nover two lines with `{a.layer1.std:.3}` and $x^2$.\n\n- item one\n- item\n  two\n\n> quoted\n> text\n\n| Head | 2 |\n|---|---|\n| cell | 0.5 |\n\n```experiment\nid = \"a\"\ncaption = \"The caption\"\nalt = \"Alt text\"\nseed = 42\n```\n\n```sh\ncode here\n```\n\n$$x = 1$$\n";
        let kinds = SegmentKind::Markdown;
        assert_eq!(
            texts(md),
            vec![
                ("What it shows.".into(), 2, SegmentKind::TomlString),
                ("Title *here*".into(), 5, kinds),
                (
                    "A paragraph over two lines with `{a.layer1.std:.3}` and $x^2$.".into(),
                    7,
                    kinds
                ),
                ("item one".into(), 10, kinds),
                ("item two".into(), 11, kinds),
                ("quoted text".into(), 14, kinds),
                ("Head".into(), 17, kinds),
                ("cell".into(), 19, kinds),
                ("The caption".into(), 23, SegmentKind::TomlString),
                ("Alt text".into(), 24, SegmentKind::TomlString),
            ]
        );
    }

    #[test]
    fn fixed_parts_are_code_and_math() {
        assert_eq!(
            fixed_parts("Is `{a.layer1.std}` at $n = 1$ and `{b.loss}`."),
            vec!["$n = 1$", "`{a.layer1.std}`", "`{b.loss}`"]
        );
        assert!(!has_words("`{a.layer1.std:.3}` $x$ 0.5"));
        assert!(has_words("σ = 1"));
    }
}
