//! Checks on a lesson's math: every `$…$` and `$$…$$` must be LaTeX that renders, within bounds.
//!
//! Two ways math goes wrong:
//! - pulldown-cmark recognises the span, but the LaTeX does not parse, or is so long or deeply
//!   nested that the LaTeX parser would take minutes (its cost grows with the square of the
//!   nesting). [`latex_problem`] checks the bounds first, then parses.
//! - pulldown-cmark does *not* recognise it — the braces inside do not balance (`$\frac{$`), or
//!   the closing `$` is missing — and would print the dollars and the LaTeX as plain text.
//!   [`StrayDollars`] finds such leftovers: a `$` followed, before the next `$` of its kind or
//!   the end of the paragraph, by LaTeX (a `\command`, a brace, `^` or `_`). A `$` in prose
//!   like "$5 and $10" is left alone; `\$` is always a plain dollar sign.

use std::ops::Range;

/// Longest math span, in bytes (the shipped lessons' longest is under 200).
pub const MAX_MATH_BYTES: usize = 4096;
/// Deepest nesting of `{…}`, `\left…\right` and `\begin…\end` (the shipped lessons use 2).
pub const MAX_MATH_NESTING: usize = 32;

/// Why `latex` cannot be rendered, if it cannot.
pub fn latex_problem(latex: &str) -> Option<String> {
    if latex.len() > MAX_MATH_BYTES {
        return Some(format!(
            "this math is {} bytes long (at most {MAX_MATH_BYTES})",
            latex.len()
        ));
    }
    let nesting = nesting_depth(latex);
    if nesting > MAX_MATH_NESTING {
        return Some(format!(
            "this math nests {nesting} levels deep (at most {MAX_MATH_NESTING})"
        ));
    }
    parse_error(latex)
}

/// The deepest nesting of groups in `latex`, counted without parsing it.
fn nesting_depth(latex: &str) -> usize {
    let bytes = latex.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            // An escaped brace (`\{`) is a character, not a group.
            b'\\' if matches!(bytes.get(i + 1), Some(b'{' | b'}')) => i += 1,
            b'\\' => {
                let name_end = bytes[i + 1..]
                    .iter()
                    .position(|b| !b.is_ascii_alphabetic())
                    .map_or(bytes.len(), |n| i + 1 + n);
                match &latex[i + 1..name_end] {
                    "left" | "begin" => depth += 1,
                    "right" | "end" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                deepest = deepest.max(depth);
                i = name_end.max(i + 1) - 1;
            }
            b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// The first error pulldown-latex reports for `latex`, if any.
fn parse_error(latex: &str) -> Option<String> {
    let storage = pulldown_latex::Storage::new();
    let mut parser = pulldown_latex::Parser::new(latex, &storage);
    // Its message carries a multi-line excerpt of its own; our diagnostic already shows the line.
    parser.find_map(|event| {
        event.err().map(|error| {
            format!(
                "cannot read this math: {}",
                error.to_string().lines().next().unwrap_or_default()
            )
        })
    })
}

/// Collects the unescaped `$` that pulldown-cmark left in the prose of one paragraph (or heading,
/// table cell, list item), then reports those that open math it did not recognise.
#[derive(Debug, Default)]
pub struct StrayDollars {
    /// Byte offsets in the lesson of the `$` left as text, in order.
    dollars: Vec<usize>,
}

impl StrayDollars {
    /// Notes the dollars in a text event of the prose. `text` is the event's text, `range` its
    /// span in `source`.
    pub fn text(&mut self, source: &str, text: &str, range: Range<usize>) {
        // Only text that stands verbatim in the source maps back to offsets; text rewritten by
        // pulldown-cmark (entities) has no dollars of interest.
        if !text.contains('$') || source.get(range.clone()) != Some(text) {
            return;
        }
        for (i, _) in text.match_indices('$') {
            let at = range.start + i;
            if at == 0 || source.as_bytes()[at - 1] != b'\\' {
                self.dollars.push(at);
            }
        }
    }

    /// Ends the paragraph (which ends at byte `end`): the spans of unrecognised math in it, each
    /// with a message and a hint.
    pub fn finish(&mut self, source: &str, end: usize) -> Vec<(Range<usize>, String, String)> {
        let dollars = std::mem::take(&mut self.dollars);
        let bytes = source.as_bytes();
        // Group `$$` pairs into one display delimiter: (offset, length).
        let mut delimiters: Vec<(usize, usize)> = Vec::new();
        for &at in &dollars {
            match delimiters.last_mut() {
                Some((start, len)) if *len == 1 && *start + 1 == at => *len = 2,
                _ => delimiters.push((at, 1)),
            }
        }
        let mut found = Vec::new();
        let mut next = 0;
        while next < delimiters.len() {
            let (open, len) = delimiters[next];
            next += 1;
            let opens = bytes
                .get(open + len)
                .is_some_and(|b| !b.is_ascii_whitespace() || len == 2);
            if !opens {
                continue;
            }
            let close = delimiters[next..].iter().position(|&(_, l)| l == len);
            let content_end = close.map_or(end, |k| delimiters[next + k].0);
            let content = &source[open + len..content_end.max(open + len)];
            if !looks_like_latex(first_token(content)) {
                continue;
            }
            let (span_end, message) = match close {
                Some(k) => {
                    let (at, l) = delimiters[next + k];
                    next += k + 1;
                    (
                        at + l,
                        "this math does not parse: its braces do not balance, so it would be printed as text",
                    )
                }
                None => {
                    next = delimiters.len();
                    (
                        content_end,
                        "this math is not closed: the `$` has no matching `$`, so it would be printed as text",
                    )
                }
            };
            let delimiter = if len == 2 { "$$" } else { "$" };
            found.push((
                open..span_end,
                message.to_string(),
                format!(
                    "math is LaTeX between {delimiter}…{delimiter} with balanced {{ }}; write \\$ for a dollar sign"
                ),
            ));
        }
        found
    }
}

/// The first word of `content` (after leading white space), up to white space or a `$`: where
/// math shows itself ("$\frac{", "$x^{") and a price does not ("$5 for file_name").
fn first_token(content: &str) -> &str {
    let content = content.trim_start();
    let end = content
        .find(|c: char| c.is_whitespace() || c == '$')
        .unwrap_or(content.len());
    &content[..end]
}

/// A `\command`, a brace, `^` or `_`: not how a word of prose looks.
fn looks_like_latex(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'{' | b'}' | b'^' | b'_' => true,
        b'\\' => bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_before_parsing() {
        assert_eq!(nesting_depth(r"\frac{1}{1+e^{-a}}"), 2);
        assert_eq!(nesting_depth(r"\left( \{x\} \right)"), 1);
        let deep = format!("{}x{}", "{".repeat(100_000), "}".repeat(100_000));
        let started = std::time::Instant::now();
        let problem = latex_problem(&deep).unwrap();
        assert!(problem.contains("bytes long"), "{problem}");
        let nested = format!("{}x{}", r"\frac{1}{".repeat(40), "}".repeat(40));
        assert!(latex_problem(&nested).unwrap().contains("nests 40 levels"));
        assert!(started.elapsed().as_secs() < 5, "checked without parsing");
        assert_eq!(latex_problem(r"\sigma(a) = 1/(1+e^{-a})"), None);
        assert!(
            latex_problem(r"\frac{1}")
                .unwrap()
                .contains("cannot read this math")
        );
    }

    fn strays(source: &str) -> Vec<Range<usize>> {
        let mut dollars = StrayDollars::default();
        dollars.text(source, source, 0..source.len());
        dollars
            .finish(source, source.len())
            .into_iter()
            .map(|(r, _, _)| r)
            .collect()
    }

    #[test]
    fn unrecognised_math_is_found_and_prose_dollars_are_not() {
        assert_eq!(strays(r"A $\frac{$ B"), vec![2..10]);
        assert_eq!(strays("costs $5 and $10 today"), Vec::<Range<usize>>::new());
        assert_eq!(
            strays("$5 for file_name, $10 for {x}"),
            Vec::<Range<usize>>::new()
        );
        assert_eq!(strays(r"a \$x^{ b"), Vec::<Range<usize>>::new());
        assert_eq!(strays(r"E $\frac12 F"), vec![2..12]);
        assert_eq!(strays("$$\n\\frac{\n$$"), vec![0..12]);
    }
}
