//! The Markdown dialect of a lesson, chosen in one place so that the parse stage (which finds
//! directives and references by their byte spans) and the render stage (which walks the same
//! Markdown again and swaps in figures and numbers at those spans) see the same events.

use pulldown_cmark::{Options, Parser};

/// The info string that marks a fenced code block as a directive.
pub const DIRECTIVE_INFO: &str = "experiment";

/// The lesson's Markdown events with their byte ranges. A `+++` block of TOML at the very top
/// is the lesson's front matter (a metadata block; see `parse::front_matter`).
pub fn markdown_events(text: &str) -> pulldown_cmark::OffsetIter<'_> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_MATH
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    Parser::new_ext(text, options).into_offset_iter()
}
