//! Errors in the content, pointing at the line the editor typed.
//!
//! Every stage that reads content reports problems as [`Diagnostic`]s: a file, a 1-based line and
//! column, the offending source line, a caret under the span, and a hint where one helps. Stages
//! collect all diagnostics they find instead of stopping at the first, so one `initbook check`
//! shows everything to fix.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

/// A text file of the book, kept with its line starts so byte offsets become line:column.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the user, relative to the book root (e.g. `content/02-zero.md`).
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_index = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line_index];
        let column = self.text[line_start..offset].chars().count() + 1;
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
        let source_line = self.line_text(line).to_string();
        // The caret covers the span, but never runs past the end of its first line.
        let end = span.end.max(span.start).min(self.text.len());
        let (end_line, end_column) = self.line_col(end);
        let width = if end_line == line {
            end_column.saturating_sub(column).max(1)
        } else {
            (source_line.chars().count() + 1)
                .saturating_sub(column)
                .max(1)
        };
        Diagnostic {
            path: self.path.clone(),
            line,
            column,
            width,
            message: message.into(),
            source_line,
            hint: None,
        }
    }
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
    pub source_line: String,
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

        let excerpt = Excerpt {
            name: self.path.display().to_string(),
            line: &self.source_line,
            line_number: self.line,
        };
        // Our columns count characters; codespan wants bytes within the line.
        let byte_at = |column: usize| {
            self.source_line
                .char_indices()
                .nth(column)
                .map_or(self.source_line.len(), |(i, _)| i)
        };
        let start = byte_at(self.column - 1);
        let end = byte_at(self.column - 1 + self.width).max(start);
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

    /// Writes the diagnostic to stderr, in colour when stderr is a terminal.
    pub fn eprint(&self) {
        use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
        use std::io::IsTerminal;
        let choice = if std::io::stderr().is_terminal() {
            ColorChoice::Auto
        } else {
            ColorChoice::Never
        };
        let mut stderr = StandardStream::stderr(choice);
        let styled = choice != ColorChoice::Never;
        self.render(&mut stderr, styled);
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

/// The one line of a file a diagnostic points into, shown under its real line number.
struct Excerpt<'a> {
    name: String,
    line: &'a str,
    line_number: usize,
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

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        let count = self.0.len();
        write!(
            f,
            "{count} error{} in the content",
            if count == 1 { "" } else { "s" }
        )
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
