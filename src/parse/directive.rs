//! The `experiment` directive: a fenced code block of TOML, checked key by key against the key
//! schema.
//!
//! Every problem is reported at the `file:line:col` of the key or value that caused it, with a
//! hint; all problems of a block are reported together. Sizes are checked here, before anything
//! is allocated, so a typo like `nodes = 1000000` is an error and not an out-of-memory kill.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::checker::{Checker, Entry, Keys, Raw, Syntax};
use crate::diagnostic::{Diagnostics, SourceFile};
use crate::model::{COMMON_KEYS, DataSource, ExperimentSpec, Origin};
use crate::numeric::Experiment;

/// The text inside a code block, with a map back to byte offsets in the Markdown file.
///
/// pulldown-cmark hands the block over in pieces (one per line when the block is indented), so
/// each piece remembers where it came from.
#[derive(Debug, Default, Clone)]
pub struct BlockText {
    pub text: String,
    /// `(offset in text, offset in file)` at the start of each piece.
    pieces: Vec<(usize, usize)>,
}

impl BlockText {
    pub fn push(&mut self, piece: &str, file_offset: usize) {
        self.pieces.push((self.text.len(), file_offset));
        self.text.push_str(piece);
    }

    pub fn file_offset(&self, text_offset: usize) -> usize {
        let index = self
            .pieces
            .partition_point(|&(start, _)| start <= text_offset)
            .saturating_sub(1);
        match self.pieces.get(index) {
            Some(&(text_start, file_start)) => file_start + (text_offset - text_start),
            None => text_offset,
        }
    }

    fn file_span(&self, span: Range<usize>) -> Range<usize> {
        self.file_offset(span.start)..self.file_offset(span.end)
    }
}

/// Parses and checks one block. `fence` is the span of the whole fenced block in the file.
pub fn parse_experiment(
    file: &SourceFile,
    block: &BlockText,
    fence: Range<usize>,
) -> Result<ExperimentSpec, Diagnostics> {
    let (table, syntax_errors) = DeTable::parse_recoverable(&block.text);
    if !syntax_errors.is_empty() {
        let diagnostics = syntax_errors
            .iter()
            .map(|error| {
                let span = block.file_span(error.span().unwrap_or(0..0));
                file.error(
                    span,
                    format!("invalid TOML: {}", error.message().trim_end()),
                )
                .with_hint("the block holds TOML: key = value, one per line; strings in \"quotes\"")
            })
            .collect();
        return Err(Diagnostics(diagnostics));
    }
    // Report in source order, whatever order the table keeps its keys in.
    let mut entries = entries_of(table.get_ref());
    entries.sort_by_key(|entry| entry.key_span.start);
    let first_line_end = file.text[fence.clone()]
        .find('\n')
        .map_or(fence.end, |i| fence.start + i);
    let map = |span: Range<usize>| block.file_span(span);
    let mut checker = Checker::new(file, &map, fence.start..first_line_end, Syntax::Directive);
    let spec = check_block(&mut checker, &entries, file, fence.start);
    match spec {
        Some(spec) if checker.diagnostics.is_empty() => Ok(spec),
        _ => Err(checker.diagnostics),
    }
}

/// Checks the entries of one block and builds its spec (when nothing was wrong).
fn check_block(
    checker: &mut Checker<'_>,
    entries: &[Entry],
    file: &SourceFile,
    fence_start: usize,
) -> Option<ExperimentSpec> {
    let kind = checker.kind(entries);
    checker.check_keys(entries, kind, Keys::All);
    let kind = kind?;
    let common = checker.read(entries, COMMON_KEYS.iter().filter(|key| key.name != "kind"));
    let schema = kind.schema();
    let values = checker.read(entries, schema.keys);
    checker.size(&schema.size, entries, &values, schema.keys);
    if !checker.diagnostics.is_empty() {
        return None;
    }
    let data = values.try_text("data").map(|path| DataSource {
        path: path.to_string(),
        span: values.span("data").expect("a path that was written"),
    });
    Some(ExperimentSpec {
        id: common.text("id").to_string(),
        caption: common.text("caption").to_string(),
        alt: common.text("alt").to_string(),
        seed: common.try_int("seed").expect("a seed that was checked") as u64,
        experiment: Experiment::from_values(kind, &values),
        values,
        data,
        table: common.try_bool("table").expect("`table` has a default"),
        figure: common.try_bool("figure").expect("`figure` has a default"),
        origin: Some(Origin {
            line: file.line_col(fence_start).0,
            id_span: common.span("id").expect("an id that was written"),
        }),
    })
}

/// The `id` a block declares, even if the block has other errors: references to a broken
/// experiment are then not reported as references to a missing one.
pub fn declared_id(block: &BlockText) -> Option<String> {
    let (table, _) = DeTable::parse_recoverable(&block.text);
    let (_, value) = table
        .get_ref()
        .iter()
        .find(|(key, _)| key.get_ref() == "id")?;
    value.get_ref().as_str().map(str::to_string)
}

/// A TOML table as entries, in the table's order.
pub(crate) fn entries_of(table: &DeTable<'_>) -> Vec<Entry> {
    table
        .iter()
        .map(|(key, value)| Entry {
            key: key.get_ref().to_string(),
            key_span: key.span(),
            value: raw(value.get_ref()),
            value_span: value.span(),
        })
        .collect()
}

fn raw(value: &DeValue<'_>) -> Raw {
    match value {
        DeValue::String(text) => Raw::Str(text.to_string()),
        DeValue::Integer(integer) => Raw::Int {
            value: i64::from_str_radix(integer.as_str(), integer.radix()).ok(),
            text: integer.to_string(),
        },
        DeValue::Float(float) => Raw::Float {
            value: float.as_str().parse::<f64>().ok(),
            text: float.to_string(),
        },
        DeValue::Boolean(flag) => Raw::Bool(*flag),
        DeValue::Datetime(_) => Raw::Datetime,
        DeValue::Array(items) => Raw::Array(
            items
                .iter()
                .map(|item: &Spanned<DeValue<'_>>| (raw(item.get_ref()), item.span()))
                .collect(),
        ),
        DeValue::Table(table) => Raw::Table(entries_of(table)),
    }
}
