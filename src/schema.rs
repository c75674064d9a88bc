//! The vocabulary of the key schema: what a key of an `experiment` block is — its type, bounds,
//! default and one-line doc — and the checked key/value form a block becomes.
//!
//! The schema itself is declared next to each kind's parameter type (`numeric/activations.rs`,
//! `gradients.rs`, `depth.rs`, `training.rs`, and the keys every kind takes in `model`), and
//! [`crate::numeric::Kind`] lists the kinds. Everything about keys is derived from it: the
//! checker (`parse::checker`), the defaults, the blame of a size problem, `initbook run`'s flags
//! and their `--help`, and the directive reference (`initbook directives`, README.md).
//!
//! This module only describes; it checks nothing and knows no kind.

use std::ops::Range;

use crate::format::power_of_ten;

/// One key of an `experiment` block.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub ty: Type,
    /// What a block without the key means.
    pub default: Fallback,
    /// What the key means, in one line (the directive reference and `initbook run --help`).
    pub doc: &'static str,
    /// The value hints show ("add e.g. seed = 42"); `None` derives one from the type.
    pub example: Option<Lit>,
    /// Also an `initbook run` flag, `--name` (underscores become dashes).
    pub flag: bool,
}

/// What a key's value must be.
#[derive(Debug, Clone, Copy)]
pub enum Type {
    /// A whole number in `min ..= max`.
    Integer {
        min: i64,
        max: i64,
    },
    /// A finite number greater than `above` and at most `max`.
    Number {
        above: f64,
        max: f64,
    },
    /// One of these words.
    Choice(&'static [&'static str]),
    /// Non-empty text.
    Text,
    /// An experiment id: lowercase letters, digits and single dashes, at most
    /// [`crate::limits::ID_LENGTH`] characters.
    Id,
    /// A scheme's label, which references use: lowercase letters, digits and dashes; unique
    /// among the schemes of a block.
    Label,
    /// A file inside `content/`, written relative to it.
    Path,
    Bool,
    /// `[low, high]`: finite, `low < high`, both within `±magnitude`.
    Range {
        magnitude: f64,
    },
    /// A list of values of one type.
    List(&'static ListType),
    /// A list of tables (`compare = [{ init = "he" }, …]`), each checked against its own keys.
    Schemes(&'static SchemesType),
}

/// The shape of a list-valued key.
#[derive(Debug, Clone, Copy)]
pub struct ListType {
    pub item: Type,
    /// How many items, at least and at most.
    pub min: usize,
    pub max: usize,
    /// Numbers must be strictly increasing.
    pub increasing: bool,
    /// A single item may be written without brackets (`activation = "relu"`); it is then a list
    /// of one.
    pub single: bool,
}

/// The shape of a list of schemes.
#[derive(Debug, Clone, Copy)]
pub struct SchemesType {
    /// The keys one scheme takes.
    pub keys: &'static [Key],
    /// At most this many schemes (at least one).
    pub max: usize,
}

/// What a block without the key means.
#[derive(Debug, Clone, Copy)]
pub enum Fallback {
    /// The key must be given.
    Required,
    /// This value.
    Value(Lit),
    /// Nothing: the key is optional and has no value then.
    None,
    /// Optional; the engine derives it when absent (the text says how).
    Derived(&'static str),
    /// The value of another key of the same table.
    SameAs(&'static str),
    /// Required when another key has one value, not allowed otherwise.
    Conditional(&'static Condition),
}

/// `std` is needed exactly when `init = "normal"`: the condition, and the words of its hints.
#[derive(Debug, Clone, Copy)]
pub struct Condition {
    pub key: &'static str,
    pub is: &'static str,
    /// What the value needs from the key ("its standard deviation").
    pub needs: &'static str,
    /// Why the other values take none ("xavier and he derive it from the fan-in").
    pub otherwise: &'static str,
}

/// A value written in a schema: a default or an example.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lit {
    Int(i64),
    Number(f64),
    Text(&'static str),
    Bool(bool),
    Range(f64, f64),
    /// Shown as written (TOML with a note, for keys that are not flags).
    Verbatim(&'static str),
    /// A list: `[0.01, 0.1, 1]` in a block, `0.01,0.1,1` as a flag.
    List(&'static [Lit]),
}

/// What one kind of experiment is, for the reference, and the keys it takes besides the ones
/// every kind takes.
#[derive(Debug, Clone, Copy)]
pub struct KindSchema {
    /// What it runs, what its figure shows, what its table lists.
    pub runs: &'static str,
    pub figure: &'static str,
    pub table: &'static str,
    pub keys: &'static [Key],
    /// The combined size bound, checked once every key is valid and before anything runs.
    pub size: SizeRule,
    /// More about the kind, printed under its keys in the reference (may be empty).
    pub notes: &'static str,
}

/// A bound on what several keys together cost.
#[derive(Debug, Clone, Copy)]
pub struct SizeRule {
    /// The bound in words, for the reference.
    pub doc: fn() -> String,
    /// The problem with these values, if any. Values that were not valid are absent; the rule
    /// then has nothing to say.
    pub check: fn(&Values) -> Option<String>,
    /// Which key the problem is reported at.
    pub blame: Blame,
    /// Said after "lower a, b or c" in the hint (may be empty).
    pub advice: &'static str,
}

/// Where a size problem is reported.
#[derive(Debug, Clone, Copy)]
pub enum Blame {
    /// At the given key whose value is the largest multiple of its default.
    FurthestAboveDefault(&'static [&'static str]),
    /// At the first of these keys the block gives.
    FirstGiven(&'static [&'static str]),
}

impl Blame {
    /// The keys a user can lower.
    pub fn keys(&self) -> &'static [&'static str] {
        match self {
            Blame::FurthestAboveDefault(keys) | Blame::FirstGiven(keys) => keys,
        }
    }
}

/// A checked value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Number(f64),
    Text(String),
    Bool(bool),
    Range(f64, f64),
    List(Vec<Value>),
    Schemes(Vec<Values>),
}

impl From<Lit> for Value {
    fn from(lit: Lit) -> Self {
        match lit {
            Lit::Int(n) => Value::Int(n),
            Lit::Number(x) => Value::Number(x),
            Lit::Text(text) | Lit::Verbatim(text) => Value::Text(text.to_string()),
            Lit::Bool(flag) => Value::Bool(flag),
            Lit::Range(lo, hi) => Value::Range(lo, hi),
            Lit::List(items) => Value::List(items.iter().map(|&item| item.into()).collect()),
        }
    }
}

/// The checked keys of a block (or of one scheme), defaults filled in, in the schema's order:
/// the key/value form every kind's parameters are built from, and what `initbook run` lays its
/// flags over. Each value remembers where it was written, if it was.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    entries: Vec<(&'static str, Value, Option<Range<usize>>)>,
}

impl Values {
    /// Every key of `keys` that has a default value, with it.
    pub fn defaults(keys: &[Key]) -> Values {
        let mut values = Values::default();
        for key in keys {
            if let Fallback::Value(lit) = key.default {
                values.insert(key.name, lit.into(), None);
            }
        }
        values
    }

    /// Sets `key` (replacing an earlier value). `span` is where it was written.
    pub fn insert(&mut self, key: &'static str, value: Value, span: Option<Range<usize>>) {
        self.entries.retain(|(name, _, _)| *name != key);
        self.entries.push((key, value, span));
    }

    pub fn remove(&mut self, key: &str) {
        self.entries.retain(|(name, _, _)| *name != key);
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(name, _, _)| *name == key)
            .map(|(_, value, _)| value)
    }

    /// Where the value of `key` was written, if it was.
    pub fn span(&self, key: &str) -> Option<Range<usize>> {
        self.entries
            .iter()
            .find(|(name, _, _)| *name == key)
            .and_then(|(_, _, span)| span.clone())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.entries.iter().map(|(name, value, _)| (*name, value))
    }

    pub fn try_int(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// A whole number the checker accepted as non-negative (sizes, counts).
    pub fn try_count(&self, key: &str) -> Option<usize> {
        self.try_int(key).and_then(|n| usize::try_from(n).ok())
    }

    pub fn try_number(&self, key: &str) -> Option<f64> {
        match self.get(key)? {
            Value::Number(x) => Some(*x),
            _ => None,
        }
    }

    pub fn try_text(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    pub fn try_bool(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(flag) => Some(*flag),
            _ => None,
        }
    }

    pub fn try_range(&self, key: &str) -> Option<(f64, f64)> {
        match self.get(key)? {
            Value::Range(lo, hi) => Some((*lo, *hi)),
            _ => None,
        }
    }

    pub fn try_list(&self, key: &str) -> Option<&[Value]> {
        match self.get(key)? {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn try_schemes(&self, key: &str) -> Option<&[Values]> {
        match self.get(key)? {
            Value::Schemes(schemes) => Some(schemes),
            _ => None,
        }
    }

    // The readers below are for building parameters from values the checker accepted for the
    // kind's keys: a key the schema requires or defaults is always there, with its type.

    pub fn count(&self, key: &str) -> usize {
        self.try_count(key).unwrap_or_else(|| missing(key))
    }

    pub fn number(&self, key: &str) -> f64 {
        self.try_number(key).unwrap_or_else(|| missing(key))
    }

    pub fn text(&self, key: &str) -> &str {
        self.try_text(key).unwrap_or_else(|| missing(key))
    }

    /// A list-valued key (a single item written alone is a list of one).
    pub fn list(&self, key: &str) -> &[Value] {
        self.try_list(key).unwrap_or_else(|| missing(key))
    }

    pub fn schemes(&self, key: &str) -> &[Values] {
        self.try_schemes(key).unwrap_or_else(|| missing(key))
    }
}

fn missing(key: &str) -> ! {
    panic!("the checker supplies `{key}`: the schema requires it or gives it a default")
}

impl Key {
    /// `--name`, as `initbook run` takes it.
    pub fn flag_name(&self) -> String {
        format!("--{}", self.name.replace('_', "-"))
    }

    /// The reference's "default" column.
    pub fn default_text(&self) -> String {
        match self.default {
            Fallback::Required => "required".to_string(),
            Fallback::Value(lit) => lit.display(),
            Fallback::None => "none".to_string(),
            Fallback::Derived(how) => how.to_string(),
            Fallback::SameAs(key) => format!("its `{key}`"),
            Fallback::Conditional(condition) => format!(
                "required for `{} = \"{}\"`, else not allowed",
                condition.key, condition.is
            ),
        }
    }
}

impl Lit {
    /// As the reference shows a default: `relu`, 5, [0, 1].
    pub fn display(&self) -> String {
        match self {
            Lit::Int(n) => n.to_string(),
            Lit::Number(x) => x.to_string(),
            Lit::Text(text) => format!("`{text}`"),
            Lit::Bool(flag) => flag.to_string(),
            Lit::Range(lo, hi) => format!("[{lo}, {hi}]"),
            Lit::Verbatim(text) => format!("`{text}`"),
            Lit::List(items) => {
                let items: Vec<String> = items.iter().map(Lit::display).collect();
                format!("[{}]", items.join(", "))
            }
        }
    }
}

impl Type {
    /// The reference's "type" column.
    pub fn name(&self) -> String {
        match self {
            Type::Integer { .. } => "integer".to_string(),
            Type::Number { .. } => "number".to_string(),
            Type::Choice(_) | Type::Text | Type::Id | Type::Label | Type::Path => {
                "string".to_string()
            }
            Type::Bool => "bool".to_string(),
            Type::Range { .. } => "[number, number]".to_string(),
            Type::List(list) if list.single => {
                format!("{0} or [{0}, …]", list.item.name())
            }
            Type::List(list) => format!("[{}, …]", list.item.name()),
            Type::Schemes(_) => "[scheme, …]".to_string(),
        }
    }

    /// The reference's "allowed" column.
    pub fn allowed(&self) -> String {
        match self {
            Type::Integer { min, max } => format!("{min} … {}", integer_text(*max)),
            Type::Number { above, max } => format!("> {above}, ≤ {max}"),
            Type::Choice(choices) => choices
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
            Type::Text => "non-empty".to_string(),
            Type::Id => format!(
                "lowercase letters, digits, single dashes; ≤ {} chars; unique in the book",
                crate::limits::ID_LENGTH
            ),
            Type::Label => {
                "lowercase letters, digits, single dashes; unique in the block".to_string()
            }
            Type::Path => "a file under `content/`".to_string(),
            Type::Bool => "`true`, `false`".to_string(),
            Type::Range { magnitude } => format!(
                "finite, low < high, within ±{}",
                power_of_ten(*magnitude as u128)
            ),
            Type::List(list) => {
                let mut text = format!("{} … {} values, each {}", list.min, list.max, {
                    list.item.allowed()
                });
                if list.increasing {
                    text.push_str("; strictly increasing");
                }
                text
            }
            Type::Schemes(schemes) => format!("1 … {} schemes", schemes.max),
        }
    }
}

/// i64::MAX as 2⁶³−1; other bounds as written.
fn integer_text(n: i64) -> String {
    if n == i64::MAX {
        "2⁶³−1".to_string()
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_read_as_the_reference_prints_them() {
        assert_eq!(Type::Integer { min: 1, max: 100 }.allowed(), "1 … 100");
        assert_eq!(
            Type::Integer {
                min: 0,
                max: i64::MAX
            }
            .allowed(),
            "0 … 2⁶³−1"
        );
        assert_eq!(
            Type::Number {
                above: 0.0,
                max: 100.0
            }
            .allowed(),
            "> 0, ≤ 100"
        );
        assert_eq!(
            Type::Range { magnitude: 1e6 }.allowed(),
            "finite, low < high, within ±10⁶"
        );
        assert_eq!(Lit::Range(0.0, 1.0).display(), "[0, 1]");
    }

    #[test]
    fn values_keep_one_value_per_key() {
        let mut values = Values::default();
        values.insert("layers", Value::Int(5), None);
        values.insert("layers", Value::Int(7), Some(3..4));
        assert_eq!(values.count("layers"), 7);
        assert_eq!(values.span("layers"), Some(3..4));
        assert_eq!(values.iter().count(), 1);
        assert_eq!(
            values.try_number("layers"),
            None,
            "an integer is not a number"
        );
    }
}
