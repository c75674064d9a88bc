//! Errors in the content, pointing at the line the editor typed.
//!
//! Every stage that reads content reports problems as [`Diagnostic`]s: a file, a 1-based line and
//! column, the offending source line, a caret under the span, and a hint where one helps. Stages
//! collect all diagnostics they find instead of stopping at the first, so one `initbook check`
//! shows everything to fix.

use std::fmt;
use std::io::Write;
use std::ops::Range;
use std::path::PathBuf;

/// At most this many diagnostics are printed; the rest are counted ("and 12 more errors").
pub const MAX_SHOWN: usize = 50;
/// Source lines longer than this (in characters) are shown as a window around the caret.
pub const MAX_EXCERPT_CHARS: usize = 160;
/// Characters of context kept on each side of the caret in a window.
const WINDOW_CONTEXT: usize = 60;
/// Bytes per block of the character index (see [`SourceFile::chars_before`]).
const CHAR_INDEX_BLOCK: usize = 4096;

/// A text file of the book, kept with its line starts so byte offsets become line:column.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the user, relative to the book root (e.g. `content/02-zero.md`).
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    /// Characters before each block of [`CHAR_INDEX_BLOCK`] bytes: a column on a
    /// megabyte-long line costs one block's count, not the whole line's, so many errors on one
    /// line stay linear.
    block_chars: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut block_chars = Vec::with_capacity(text.len() / CHAR_INDEX_BLOCK + 1);
        let mut before = 0;
        for block in text.as_bytes().chunks(CHAR_INDEX_BLOCK) {
            block_chars.push(before);
            before += count_chars(block);
        }
        block_chars.push(before);
        SourceFile {
            path: path.into(),
            text,
            line_starts,
            block_chars,
        }
    }

    /// Characters in the text before byte `offset`.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / CHAR_INDEX_BLOCK;
        let start = block * CHAR_INDEX_BLOCK;
        self.block_chars[block] + count_chars(&self.text.as_bytes()[start..offset])
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_index = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line_index];
        let column = self.chars_before(offset) - self.chars_before(line_start) + 1;
        (line_index + 1, column)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// A diagnostic for the bytes `span` of this file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.line_col(span.start);
        let line_text = self.line_text(line);
        let line_chars = {
            let start = self.line_starts[line - 1];
            self.chars_before(start + line_text.len()) - self.chars_before(start)
        };
        // The caret covers the span, but never runs past the end of its first line.
        let end = span.end.max(span.start).min(self.text.len());
        let (end_line, end_column) = self.line_col(end);
        let width = if end_line == line {
            end_column.saturating_sub(column).max(1)
        } else {
            (line_chars + 1).saturating_sub(column).max(1)
        };
        let caret = span.start.min(self.text.len()) - self.line_starts[line - 1];
        let (source_line, excerpt_start) = excerpt(line_text, line_chars, caret, column);
        Diagnostic {
            path: self.path.clone(),
            line,
            column,
            width,
            message: message.into(),
            source_line,
            excerpt_start,
            hint: None,
        }
    }
}

/// Characters in `bytes` (which may start or end inside a character): every byte that does not
/// continue a UTF-8 sequence starts one.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// The part of a source line a diagnostic shows: the whole line when it is short, else a window
/// of [`WINDOW_CONTEXT`] characters on each side of the caret, marked with `…` where cut.
/// `caret` is the caret's byte offset in `line`, `column` its column. Returns the excerpt and
/// the line's column at which the excerpt's own text starts (after any `…`). Costs the window,
/// not the line: a long line with many errors stays linear.
fn excerpt(line: &str, line_chars: usize, caret: usize, column: usize) -> (String, usize) {
    if line_chars <= MAX_EXCERPT_CHARS {
        return (line.to_string(), 1);
    }
    let caret = caret.min(line.len());
    // At most 4 bytes per character on each side.
    let before_from = floor_char_boundary(line, caret.saturating_sub(4 * WINDOW_CONTEXT));
    let before: Vec<usize> = line[before_from..caret]
        .char_indices()
        .map(|(i, _)| before_from + i)
        .collect();
    let kept = before.len().min(WINDOW_CONTEXT);
    let start = before.get(before.len() - kept).copied().unwrap_or(caret);
    let end = line[caret..]
        .char_indices()
        .nth(WINDOW_CONTEXT + 1)
        .map_or(line.len(), |(i, _)| caret + i);
    let mut shown = String::with_capacity(end - start + 6);
    if start > 0 {
        shown.push('…');
    }
    shown.push_str(&line[start..end]);
    if end < line.len() {
        shown.push('…');
    }
    (shown, column - kept)
}

/// The largest character boundary of `text` at or before `index`.
fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// One problem in the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Caret width in characters (at least 1).
    pub width: usize,
    pub message: String,
    /// The line the diagnostic points into, or a window of it when the line is long.
    pub source_line: String,
    /// The line's column (1-based, in characters) where `source_line`'s own text starts: 1
    /// unless the line was cut to a window (which then starts with `…`).
    pub excerpt_start: usize,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `file:line:col`, the part editors and terminals turn into a link.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

impl Diagnostic {
    /// The diagnostic as codespan-reporting renders it, over a one-line excerpt of the file.
    fn render(&self, writer: &mut dyn codespan_reporting::term::WriteStyle, styled: bool) {
        use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
        use codespan_reporting::term::{self, Chars, Config};

        // A window starts with `…`; columns before it are not in the excerpt.
        let cut = usize::from(self.excerpt_start > 1);
        let excerpt = Excerpt {
            name: self.path.display().to_string(),
            line: &self.source_line,
            line_number: self.line,
            column_shift: self.excerpt_start - 1,
            cut,
        };
        // Our columns count characters; codespan wants bytes within the excerpt.
        let byte_at = |column: usize| {
            self.source_line
                .char_indices()
                .nth(column)
                .map_or(self.source_line.len(), |(i, _)| i)
        };
        let first = self.column - self.excerpt_start + cut;
        let start = byte_at(first);
        let end = byte_at(first + self.width).max(start);
        let mut report = Report::error()
            .with_message(&self.message)
            .with_labels(vec![Label::primary((), start..end)]);
        if let Some(hint) = &self.hint {
            report = report.with_notes(vec![format!("hint: {hint}")]);
        }
        let config = Config {
            chars: if styled {
                Chars::box_drawing()
            } else {
                Chars::ascii()
            },
            ..Config::default()
        };
        term::emit_to_write_style(writer, &config, &excerpt, &report)
            .expect("the excerpt holds the line the span points into");
    }
}

impl fmt::Display for Diagnostic {
    /// ```text
    /// error: unknown key `sede` in experiment block
    ///   --> content/03-std-one.md:13:1
    ///    |
    /// 13 | sede = 42
    ///    | ^^^^
    ///    |
    ///    = hint: did you mean `seed`?
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buffer = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
        self.render(&mut buffer, false);
        f.write_str(&String::from_utf8_lossy(&buffer.into_inner()))
    }
}

/// The one line of a file a diagnostic points into (or a window of it), shown under its real
/// line number and columns.
struct Excerpt<'a> {
    name: String,
    line: &'a str,
    line_number: usize,
    /// Characters of the line left out before the window.
    column_shift: usize,
    /// 1 when the excerpt starts with the `…` that marks a cut, else 0.
    cut: usize,
}

impl<'a> codespan_reporting::files::Files<'a> for Excerpt<'a> {
    type FileId = ();
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, _: ()) -> Result<String, codespan_reporting::files::Error> {
        Ok(self.name.clone())
    }

    fn source(&'a self, _: ()) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.line)
    }

    fn line_index(&'a self, _: (), _: usize) -> Result<usize, codespan_reporting::files::Error> {
        Ok(0)
    }

    fn line_number(&'a self, _: (), _: usize) -> Result<usize, codespan_reporting::files::Error> {
        Ok(self.line_number)
    }

    fn line_range(
        &'a self,
        _: (),
        _: usize,
    ) -> Result<Range<usize>, codespan_reporting::files::Error> {
        Ok(0..self.line.len())
    }

    /// The column in the whole line, not in the window.
    fn column_number(
        &'a self,
        _: (),
        _: usize,
        byte_index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let in_excerpt = self.line[..byte_index.min(self.line.len())].chars().count();
        Ok(in_excerpt - self.cut + self.column_shift + 1)
    }
}

/// All the problems found in one pass over the content, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// `Ok(value)` when nothing was reported.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl Diagnostics {
    /// The closing lines: how many were left out, and how many there are in `place` ("the
    /// content", "the flags").
    pub fn summary(&self, place: &str) -> String {
        let count = self.0.len();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut summary = String::new();
        if count > MAX_SHOWN {
            let more = count - MAX_SHOWN;
            summary.push_str(&format!(
                "… and {more} more error{} not shown\n",
                plural(more)
            ));
        }
        summary.push_str(&format!("{count} error{} in {place}", plural(count)));
        summary
    }

    /// Writes the first [`MAX_SHOWN`] diagnostics and the count of all in `place` to stderr, in
    /// colour when stderr is a terminal, through one buffer (a diagnostic is many small writes).
    pub fn eprint(&self, place: &str) {
        use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};
        use std::io::IsTerminal;
        let choice = if std::io::stderr().is_terminal() {
            ColorChoice::Auto
        } else {
            ColorChoice::Never
        };
        let mut stderr = BufferedStandardStream::stderr(choice);
        let styled = choice != ColorChoice::Never;
        for diagnostic in self.0.iter().take(MAX_SHOWN) {
            diagnostic.render(&mut stderr, styled);
            let _ = writeln!(stderr);
        }
        let _ = writeln!(stderr, "{}", self.summary(place));
        let _ = stderr.flush();
    }
}

impl fmt::Display for Diagnostics {
    /// The first [`MAX_SHOWN`] diagnostics, then the count of all.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in self.0.iter().take(MAX_SHOWN) {
            writeln!(f, "{diagnostic}")?;
        }
        f.write_str(&self.summary("the content"))
    }
}

/// "did you mean `x`?" for a misspelled name, if one of `candidates` is close enough.
pub fn suggest<S: AsRef<str>>(word: &str, candidates: &[S]) -> Option<String> {
    // Jaro–Winkler catches shared prefixes; Damerau–Levenshtein catches swapped letters in
    // short words ("sdt" → "std"), where Jaro's matching window is too narrow.
    let closeness = |candidate: &str| {
        let edits = strsim::normalized_damerau_levenshtein(word, candidate);
        let prefix = strsim::jaro_winkler(word, candidate);
        if edits >= 0.6 || prefix > 0.85 {
            Some(edits.max(prefix))
        } else {
            None
        }
    };
    candidates
        .iter()
        .filter_map(|candidate| Some((closeness(candidate.as_ref())?, candidate.as_ref())))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let file = SourceFile::new("a.md", "ab\nσx = 1\r\nlast".to_string());
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        assert_eq!(file.line_col(5), (2, 2), "σ is one column, two bytes");
        assert_eq!(file.line_text(2), "σx = 1");
        assert_eq!(file.line_col(file.text.len()), (3, 5));
    }

    #[test]
    fn renders_with_caret_and_hint() {
        let file = SourceFile::new("c/l.md", "x\nsede = 42\n".to_string());
        let d = file
            .error(2..6, "unknown key `sede`")
            .with_hint("did you mean `seed`?");
        assert_eq!(d.location(), "c/l.md:2:1");
        assert_eq!(
            d.to_string(),
            "error: unknown key `sede`\n  --> c/l.md:2:1\n  |\n2 | sede = 42\n  | ^^^^\n  |\n  = hint: did you mean `seed`?\n\n"
        );
    }

    #[test]
    fn suggestions_only_when_close() {
        assert_eq!(
            suggest("sede", &["seed", "std", "samples"]).as_deref(),
            Some("seed")
        );
        assert_eq!(
            suggest("xavir", &["zero", "normal", "xavier", "he"]).as_deref(),
            Some("xavier")
        );
        assert_eq!(suggest("banana", &["seed", "std"]), None);
    }
}
