//! A lesson's Markdown as *text*, with pieces swapped: what the notebook and the mdBook
//! preprocessor share. The site renders a lesson to HTML (`render::markdown`); these two hand
//! Markdown on to another tool (Jupyter, mdBook), so they keep the author's text byte for byte
//! and replace only the spans the parse stage found: directive blocks, inline references, the
//! front matter, the title, cross-references to figures and links.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Tag};

use crate::dialect::{DIRECTIVE_INFO, markdown_events};
use crate::model::{ExperimentSpec, FigureRef, Lesson, StatRef};

/// A span of the lesson that a rewrite may replace.
pub enum Piece<'a> {
    /// The `+++` front matter block.
    FrontMatter,
    /// The first level-1 heading, the lesson's title.
    Title,
    /// A fenced `experiment` block, from its opening fence to its closing one.
    Experiment(&'a ExperimentSpec),
    /// An inline reference's code span.
    Reference(&'a StatRef),
    /// A cross-reference to a figure, `[](#id)` or `[](05-xavier.md#id)`: the whole link.
    FigureRef(&'a FigureRef),
    /// Any other inline link `[text](destination)`: its text as written and its destination.
    Link { text: &'a str, destination: &'a str },
}

/// The lesson's text with each piece `replace` returns `Some` for replaced by that text; every
/// other byte is kept.
pub fn rewrite_lesson<'a>(
    lesson: &'a Lesson,
    mut replace: impl FnMut(Piece<'a>) -> Option<String>,
) -> String {
    let text = lesson.source.text.as_str();
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut experiments = lesson.experiments.iter();
    let mut seen_title = false;
    // Pieces cannot nest except inside a directive block, which is replaced whole.
    let mut inside_until = 0;
    for (event, range) in markdown_events(text) {
        if range.start < inside_until {
            continue;
        }
        let piece = match &event {
            Event::Start(Tag::MetadataBlock(_)) => Some(Piece::FrontMatter),
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if !seen_title => {
                seen_title = true;
                Some(Piece::Title)
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.trim() == DIRECTIVE_INFO =>
            {
                inside_until = range.end;
                experiments.next().map(Piece::Experiment)
            }
            Event::Code(_) => lesson
                .references
                .iter()
                .find(|r| r.span.start == range.start)
                .map(Piece::Reference),
            Event::Start(Tag::Link { dest_url, .. }) => {
                match lesson
                    .figure_refs
                    .iter()
                    .find(|r| r.span.start == range.start)
                {
                    Some(reference) => Some(Piece::FigureRef(reference)),
                    None => inline_link_text(&text[range.clone()], dest_url).map(|link_text| {
                        Piece::Link {
                            text: link_text,
                            destination: &text[range.end - 1 - dest_url.len()..range.end - 1],
                        }
                    }),
                }
            }
            _ => None,
        };
        if let Some(replacement) = piece.and_then(&mut replace) {
            inside_until = inside_until.max(range.end);
            edits.push((range, replacement));
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, replacement) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The text of an inline link written `[text](destination)` with nothing around the
/// destination (no title, no angle brackets), else `None`: only those are rewritten.
fn inline_link_text<'t>(source: &'t str, destination: &str) -> Option<&'t str> {
    let inner = source.strip_prefix('[')?;
    let before = inner.strip_suffix(&format!("]({destination})"))?;
    Some(before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceFile;
    use crate::parse::parse_lesson;

    fn lesson(text: &str) -> Lesson {
        parse_lesson(SourceFile::new("content/01-a.md", text.to_string())).unwrap()
    }

    #[test]
    fn replaces_only_the_pieces_asked_for() {
        let lesson = lesson(
            "+++\ndescription = \"d\"\n+++\n# Title\n\nSee [b](02-b.md), [](#e) and `{e.layer1.mean:.2}`.\n\n```experiment\nid = \"e\"\ncaption = \"c\"\nalt = \"a\"\nseed = 1\ninit = \"he\"\nactivation = \"relu\"\nlayers = 1\nnodes = 2\nsamples = 3\n```\n\nEnd `code`.\n",
        );
        let text = rewrite_lesson(&lesson, |piece| match piece {
            Piece::FrontMatter | Piece::Title => Some(String::new()),
            Piece::Experiment(spec) => Some(format!("[figure {}]", spec.id)),
            Piece::Reference(r) => Some(format!("<{}>", r.experiment)),
            Piece::FigureRef(r) => Some(format!("(figure {})", r.id)),
            Piece::Link { text, destination } => Some(format!("[{text}]({destination}!)")),
        });
        assert_eq!(
            text,
            "\n\nSee [b](02-b.md!), (figure e) and <e>.\n\n[figure e]\n\nEnd `code`.\n"
        );
    }

    #[test]
    fn links_with_titles_are_left_alone() {
        assert_eq!(inline_link_text("[a](x.md)", "x.md"), Some("a"));
        assert_eq!(inline_link_text("[a](x.md \"t\")", "x.md"), None);
        assert_eq!(inline_link_text("<x.md>", "x.md"), None);
    }
}
