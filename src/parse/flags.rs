//! `initbook run`'s parameter flags, in the key/value form of a directive and checked by the same
//! checker: `initbook run --init normal --std -1` gets the message and hint a block with
//! `std = -1` gets, with the key written `--std`.
//!
//! The flags are laid over the keys of the book's experiment (when `run` names one), or over
//! nothing (an activation experiment described by flags alone). The messages point into the
//! command line, rebuilt from the id and the flags as `initbook run ID --key value …`.

use std::ops::Range;

use super::checker::{Checker, Entry, Keys, Raw, Syntax};
use crate::diagnostic::{Diagnostics, SourceFile};
use crate::model::{COMMON_KEYS, ExperimentSpec};
use crate::numeric::Kind;
use crate::schema::{Fallback, Key, Type, Value, Values};

/// The seed of an experiment described by flags alone, when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 42;

/// What checked flags describe: the experiment's kind, seed and keys (defaults filled in).
#[derive(Debug, Clone, PartialEq)]
pub struct Flagged {
    pub kind: Kind,
    pub seed: u64,
    pub values: Values,
}

/// Checks `flags` — `(key, value as typed)`, in command-line order — laid over `base`, the book's
/// experiment `id` (or nothing).
pub fn check_flags(
    base: Option<(&str, &ExperimentSpec)>,
    flags: &[(String, String)],
) -> Result<Flagged, Diagnostics> {
    let kind = base.map_or(Kind::Activations, |(_, spec)| spec.experiment.kind());
    let mut line = CommandLine::new();
    let id_span = base.map(|(id, _)| line.word(id));
    let given: Vec<Entry> = flags
        .iter()
        .map(|(key, text)| {
            let key_span = line.word(&Syntax::Flags.key(key));
            let (value_span, start) = line.value(text);
            Entry {
                key: key.clone(),
                key_span,
                value: raw_of_text(flag_type(kind, key), text, start),
                value_span,
            }
        })
        .collect();
    let mut entries = match (base, id_span) {
        (Some((_, spec)), Some(id_span)) => base_entries(kind, spec, &given, id_span),
        _ => vec![entry(
            "seed",
            Raw::from_int(DEFAULT_SEED as i64),
            line.command(),
        )],
    };
    // A flag replaces the book's value (or the default seed).
    entries.retain(|entry| !given.iter().any(|flag| flag.key == entry.key));
    entries.extend(given.iter().cloned());

    let file = SourceFile::new("command line", line.text);
    let same = |span: Range<usize>| span;
    let mut checker = Checker::new(&file, &same, 0.."initbook run".len(), Syntax::Flags);
    checker.check_keys(&given, Some(kind), Keys::Flags);
    let seed = checker.read(
        &entries,
        COMMON_KEYS.iter().filter(|key| key.name == "seed"),
    );
    let schema = kind.schema();
    let values = checker.read(&entries, schema.keys);
    checker.size(&schema.size, &entries, &values, schema.keys);
    checker.diagnostics.into_result(())?;
    Ok(Flagged {
        kind,
        seed: seed.try_int("seed").expect("a checked seed") as u64,
        values,
    })
}

/// The command line as the messages show it, built word by word.
struct CommandLine {
    text: String,
}

impl CommandLine {
    fn new() -> Self {
        CommandLine {
            text: "initbook run".to_string(),
        }
    }

    /// Where `initbook run` is: missing keys are reported there.
    fn command(&self) -> Range<usize> {
        0.."initbook run".len()
    }

    /// Appends a word; returns its span.
    fn word(&mut self, word: &str) -> Range<usize> {
        self.text.push(' ');
        let start = self.text.len();
        self.text.push_str(word);
        start..self.text.len()
    }

    /// Appends a value, quoted if a shell would need it; returns its span and where its text
    /// starts.
    fn value(&mut self, text: &str) -> (Range<usize>, usize) {
        let plain = !text.is_empty()
            && !text
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '\'' | '"' | '\\' | '$' | '`'));
        if plain {
            let span = self.word(text);
            (span.clone(), span.start)
        } else {
            let span = self.word(&format!("'{}'", text.replace('\'', "'\\''")));
            (span.clone(), span.start + 1)
        }
    }
}

fn entry(key: &str, value: Raw, span: Range<usize>) -> Entry {
    Entry {
        key: key.to_string(),
        key_span: span.clone(),
        value,
        value_span: span,
    }
}

/// The book's keys (and seed) as entries at the experiment's id. A key that goes with one value
/// of another (`std` with `init = "normal"`) is dropped when a flag gives that
/// other key a value it does not go with: `--init xavier` on a normal experiment drops its std.
fn base_entries(
    kind: Kind,
    spec: &ExperimentSpec,
    given: &[Entry],
    at: Range<usize>,
) -> Vec<Entry> {
    let flag = |name: &str| given.iter().find(|entry| entry.key == name);
    let mut entries = vec![entry("seed", Raw::from_int(spec.seed as i64), at.clone())];
    for (name, value) in spec.values.iter() {
        let key = kind.schema().keys.iter().find(|key| key.name == name);
        if let Some(Key {
            default: Fallback::Conditional(condition),
            ..
        }) = key
        {
            let changed = flag(condition.key)
                .is_some_and(|f| !matches!(&f.value, Raw::Str(v) if v == condition.is));
            if changed {
                continue;
            }
        }
        entries.push(entry(name, raw_of_value(value, &at), at.clone()));
    }
    entries
}

/// A checked value back in written form, written at `at`.
fn raw_of_value(value: &Value, at: &Range<usize>) -> Raw {
    match value {
        Value::Int(n) => Raw::from_int(*n),
        Value::Number(x) => Raw::Float {
            value: Some(*x),
            text: x.to_string(),
        },
        Value::Text(text) => Raw::Str(text.clone()),
        Value::Bool(flag) => Raw::Bool(*flag),
        Value::Range(lo, hi) => Raw::Array(
            [lo, hi]
                .into_iter()
                .map(|x| (raw_of_value(&Value::Number(*x), at), at.clone()))
                .collect(),
        ),
        Value::List(items) => Raw::Array(
            items
                .iter()
                .map(|item| (raw_of_value(item, at), at.clone()))
                .collect(),
        ),
        Value::Schemes(schemes) => Raw::Array(
            schemes
                .iter()
                .map(|scheme| {
                    let fields = scheme
                        .iter()
                        .map(|(name, value)| entry(name, raw_of_value(value, at), at.clone()))
                        .collect();
                    (Raw::Table(fields), at.clone())
                })
                .collect(),
        ),
    }
}

/// The type of flag `key` in `kind`, or (for a flag of another kind, which the checker reports)
/// in the first kind that takes it.
fn flag_type(kind: Kind, key: &str) -> Type {
    std::iter::once(kind)
        .chain(Kind::ALL)
        .flat_map(|kind| Keys::Flags.of(kind))
        .find(|k| k.name == key)
        .map_or(Type::Text, |k| k.ty)
}

/// A flag's text in the written form of its type: numbers as numbers, `true`/`false` as
/// booleans, comma-separated lists (and ranges) as arrays. `start` is where the text is in the
/// command line. Anything else stays text, and the checker says what it should be.
fn raw_of_text(ty: Type, text: &str, start: usize) -> Raw {
    match ty {
        Type::Integer { .. } | Type::Number { .. } => number_of_text(text),
        Type::Bool => match text {
            "true" => Raw::Bool(true),
            "false" => Raw::Bool(false),
            _ => Raw::Str(text.to_string()),
        },
        Type::Range { .. } => items_of_text(text, start, |piece, _| number_of_text(piece)),
        Type::List(list) => {
            items_of_text(text, start, |piece, at| raw_of_text(list.item, piece, at))
        }
        _ => Raw::Str(text.to_string()),
    }
}

/// `a,b,c` as an array, each piece read by `read` (given its text and where it starts).
fn items_of_text(text: &str, start: usize, read: impl Fn(&str, usize) -> Raw) -> Raw {
    let mut items = Vec::new();
    let mut at = start;
    for piece in text.split(',') {
        items.push((read(piece.trim(), at), at..at + piece.len()));
        at += piece.len() + 1;
    }
    Raw::Array(items)
}

fn number_of_text(text: &str) -> Raw {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return Raw::Int {
            value: text.parse().ok(),
            text: text.to_string(),
        };
    }
    match text.parse::<f64>() {
        Ok(value) => Raw::Float {
            value: Some(value),
            text: text.to_string(),
        },
        Err(_) => Raw::Str(text.to_string()),
    }
}

/// One parameter flag `initbook run` takes, with its help.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagSpec {
    /// The key it sets (`learning_rate`).
    pub key: &'static str,
    /// Without the dashes (`learning-rate`).
    pub long: String,
    pub value_name: String,
    pub help: String,
}

/// Every parameter flag: `--seed`, then each kind's flag keys, each once, in the reference's
/// order. Their help says, per kind, what they take and their default.
pub fn flag_specs() -> Vec<FlagSpec> {
    let mut specs: Vec<FlagSpec> = Vec::new();
    for kind in Kind::ALL {
        for key in Keys::Flags.of(kind) {
            if specs.iter().any(|spec| spec.key == key.name) {
                continue;
            }
            specs.push(FlagSpec {
                key: key.name,
                long: key.flag_name()[2..].to_string(),
                value_name: value_name(&key.ty),
                help: flag_help(key),
            });
        }
    }
    specs
}

fn value_name(ty: &Type) -> String {
    match ty {
        Type::Integer { .. } => "N".to_string(),
        Type::Number { .. } => "X".to_string(),
        Type::Choice(choices) => choices.join("|"),
        Type::Bool => "true|false".to_string(),
        Type::Range { .. } => "LO,HI".to_string(),
        Type::List(list) => format!("{0},{0},…", value_name(&list.item)),
        _ => "TEXT".to_string(),
    }
}

/// "hidden layers (activations, gradients: 1 … 100, default 5; depth: 1 … 200, default 50; …)".
fn flag_help(key: &Key) -> String {
    if key.name == "seed" {
        return format!(
            "{} ({}; default: the book's, or {DEFAULT_SEED})",
            key.doc,
            key.ty.allowed()
        );
    }
    let mut groups: Vec<(Vec<&str>, String)> = Vec::new();
    for kind in Kind::ALL {
        let Some(this) = kind.schema().keys.iter().find(|k| k.name == key.name) else {
            continue;
        };
        let text = match this.default {
            Fallback::Required => format!("{}, default the book's", this.ty.allowed()),
            Fallback::Conditional(c) => format!(
                "{}, only with {}",
                this.ty.allowed(),
                Syntax::Flags.assign_text(c.key, c.is)
            ),
            _ => format!("{}, default {}", this.ty.allowed(), this.default_text()),
        };
        match groups.iter_mut().find(|(_, t)| *t == text) {
            Some((kinds, _)) => kinds.push(kind.name()),
            None => groups.push((vec![kind.name()], text)),
        }
    }
    let groups: Vec<String> = groups
        .into_iter()
        .map(|(kinds, text)| format!("{}: {text}", kinds.join(", ")))
        .collect();
    // Plain text for the terminal: no Markdown code spans.
    format!("{} ({})", key.doc, groups.join("; ")).replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ListType;

    #[test]
    fn a_list_flag_is_split_at_commas_with_its_spans() {
        const STDS: ListType = ListType {
            item: Type::Number {
                above: 0.0,
                max: 100.0,
            },
            min: 2,
            max: 40,
            increasing: true,
            single: false,
        };
        let Raw::Array(items) = raw_of_text(Type::List(&STDS), "0.01,0.1", 10) else {
            panic!("a list is an array");
        };
        let spans: Vec<Range<usize>> = items.iter().map(|(_, span)| span.clone()).collect();
        assert_eq!(spans, [10..14, 15..18]);
        assert!(matches!(items[1].0, Raw::Float { value: Some(x), .. } if x == 0.1));
    }

    #[test]
    fn numbers_integers_and_words() {
        assert!(matches!(
            number_of_text("12"),
            Raw::Int {
                value: Some(12),
                ..
            }
        ));
        assert!(matches!(
            number_of_text("-3"),
            Raw::Int {
                value: Some(-3),
                ..
            }
        ));
        assert!(matches!(
            number_of_text("99999999999999999999"),
            Raw::Int { value: None, .. }
        ));
        assert!(matches!(number_of_text("1e-3"), Raw::Float { value: Some(x), .. } if x == 1e-3));
        assert!(matches!(number_of_text("five"), Raw::Str(_)));
    }
}
