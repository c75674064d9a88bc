//! A lesson's front matter: an optional block of TOML between `+++` lines at the very top of
//! the file, before the title. It says what the Markdown cannot: today the lesson's
//! `description`, its blurb on the contents page.
//!
//! ```markdown
//! +++
//! description = "The measurements of every lesson in three tables, and four rules of thumb."
//! +++
//!
//! # Summary
//! ```
//!
//! Problems are reported at the `file:line:col` of the key or value, like a directive's.

use toml::de::{DeTable, DeValue};

use super::directive::BlockText;
use crate::diagnostic::{Diagnostics, SourceFile, suggest};

/// The keys front matter takes.
const KEYS: [&str; 1] = ["description"];

/// What a lesson's front matter says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    /// One or two sentences for the contents page, as plain text.
    pub description: Option<String>,
}

/// Reads and checks the front matter block (its text between the `+++` lines).
pub fn parse_front_matter(
    file: &SourceFile,
    block: &BlockText,
) -> Result<FrontMatter, Diagnostics> {
    let (table, syntax_errors) = DeTable::parse_recoverable(&block.text);
    let mut diagnostics = Diagnostics::default();
    for error in &syntax_errors {
        let span = error.span().unwrap_or(0..0);
        diagnostics.push(
            file.error(
                block.file_offset(span.start)..block.file_offset(span.end),
                format!("invalid TOML: {}", error.message().trim_end()),
            )
            .with_hint("front matter is TOML between `+++` lines: description = \"…\""),
        );
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let mut front = FrontMatter::default();
    for (key, value) in table.get_ref().iter() {
        let key_span = block.file_offset(key.span().start)..block.file_offset(key.span().end);
        let value_span = block.file_offset(value.span().start)..block.file_offset(value.span().end);
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("description", DeValue::String(text)) if text.trim().is_empty() => diagnostics.push(
                file.error(value_span, "the description is empty")
                    .with_hint(
                        "write a sentence or two for the contents page, or leave the key out",
                    ),
            ),
            ("description", DeValue::String(text)) => {
                front.description = Some(text.trim().to_string());
            }
            ("description", _) => diagnostics.push(
                file.error(value_span, "`description` must be a string")
                    .with_hint("description = \"What the lesson shows, in a sentence or two.\""),
            ),
            (other, _) => {
                let hint = match suggest(other, &KEYS) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("front matter takes: {}", KEYS.join(", ")),
                };
                diagnostics.push(
                    file.error(key_span, format!("unknown key `{other}` in front matter"))
                        .with_hint(hint),
                );
            }
        }
    }
    diagnostics.into_result(front)
}
