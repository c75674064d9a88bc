//! The checker: keys and values against the key schema ([`crate::schema`]), for an `experiment`
//! block and for `initbook run`'s parameter flags alike.
//!
//! Both arrive as [`Entry`]s — a key, a value and where each was written — so one piece of code
//! reads every type, fills in every default, enforces every bound and reports every problem. The
//! [`Syntax`] only decides how a key and an example are written in the messages (`std = 0.01` in
//! a block, `--std 0.01` on the command line); the words are otherwise the same. All problems are
//! reported, not just the first.

use std::ops::Range;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, suggest};
use crate::limits;
use crate::model::COMMON_KEYS;
use crate::numeric::Kind;
use crate::schema::{
    Blame, Condition, Fallback, Key, ListType, Lit, SchemesType, SizeRule, Type, Value, Values,
};

/// One key as written, with its value.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Raw,
    pub value_span: Range<usize>,
}

/// A value as written, before it is checked: TOML's kinds of value.
#[derive(Debug, Clone)]
pub enum Raw {
    Str(String),
    /// `value` is `None` when the digits do not fit 64 bits; `text` is as written.
    Int {
        value: Option<i64>,
        text: String,
    },
    Float {
        value: Option<f64>,
        text: String,
    },
    Bool(bool),
    Datetime,
    Array(Vec<(Raw, Range<usize>)>),
    Table(Vec<Entry>),
}

impl Raw {
    pub fn from_int(n: i64) -> Raw {
        Raw::Int {
            value: Some(n),
            text: n.to_string(),
        }
    }

    /// The value as a number, if it is one.
    fn number(&self) -> Option<f64> {
        match self {
            Raw::Float { value, .. } => *value,
            Raw::Int { value, .. } => value.map(|n| n as f64),
            _ => None,
        }
    }
}

/// How keys and values are written where the entries came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// An `experiment` block: `std = 0.01`.
    Directive,
    /// `initbook run`'s flags: `--std 0.01`.
    Flags,
}

impl Syntax {
    /// A key's name: `std`, or `--std`.
    pub fn key(self, name: &str) -> String {
        match self {
            Syntax::Directive => name.to_string(),
            Syntax::Flags => format!("--{}", name.replace('_', "-")),
        }
    }

    /// A value as it would be written: `"he"` or `he`, `[0.0, 1.0]` or `0.0,1.0`.
    pub fn value(self, lit: &Lit) -> String {
        match (self, lit) {
            (_, Lit::Int(n)) => n.to_string(),
            (_, Lit::Number(x)) => x.to_string(),
            (_, Lit::Bool(flag)) => flag.to_string(),
            (_, Lit::Verbatim(text)) => text.to_string(),
            (Syntax::Directive, Lit::Text(text)) => format!("\"{text}\""),
            (Syntax::Flags, Lit::Text(text)) => text.to_string(),
            (Syntax::Directive, Lit::Range(lo, hi)) => format!("[{lo:?}, {hi:?}]"),
            (Syntax::Flags, Lit::Range(lo, hi)) => format!("{lo:?},{hi:?}"),
            (Syntax::Directive, Lit::List(items)) => {
                let items: Vec<String> = items.iter().map(|item| self.value(item)).collect();
                format!("[{}]", items.join(", "))
            }
            (Syntax::Flags, Lit::List(items)) => {
                let items: Vec<String> = items.iter().map(|item| self.value(item)).collect();
                items.join(",")
            }
        }
    }

    /// `std = 0.01`, or `--std 0.01`.
    pub fn assign(self, name: &str, lit: &Lit) -> String {
        match self {
            Syntax::Directive => format!("{name} = {}", self.value(lit)),
            Syntax::Flags => format!("{} {}", self.key(name), self.value(lit)),
        }
    }

    /// `init = "xavier"`, or `--init xavier`: a key set to a text.
    pub fn assign_text(self, name: &str, text: &str) -> String {
        match self {
            Syntax::Directive => format!("{name} = \"{text}\""),
            Syntax::Flags => format!("{} {text}", self.key(name)),
        }
    }

    /// `kind = "depth"`, or `depth experiments`.
    fn kinds(self, kinds: &[&str]) -> String {
        let quoted: Vec<String> = kinds.iter().map(|k| format!("\"{k}\"")).collect();
        match self {
            Syntax::Directive => format!("kind = {}", quoted.join(", ")),
            Syntax::Flags => format!("{} experiments", kinds.join(", ")),
        }
    }

    /// What lacks a required key.
    fn container(self) -> &'static str {
        match self {
            Syntax::Directive => "experiment block",
            Syntax::Flags => "the command",
        }
    }

    /// The shape of a range.
    fn pair(self) -> &'static str {
        match self {
            Syntax::Directive => "two numbers [lo, hi]",
            Syntax::Flags => "two numbers lo,hi",
        }
    }

    /// What was found instead of the expected type.
    fn describe(self, raw: &Raw) -> String {
        match raw {
            Raw::Str(text) if self == Syntax::Flags => format!("`{text}`"),
            Raw::Str(text) => format!("the string \"{text}\""),
            Raw::Int { text, .. } => format!("the integer {text}"),
            Raw::Float { text, .. } => format!("the number {text}"),
            Raw::Bool(flag) => format!("{flag}"),
            Raw::Datetime => "a date".to_string(),
            Raw::Array(items) => format!("an array of {} items", items.len()),
            Raw::Table(_) => "a table".to_string(),
        }
    }
}

/// Which keys a source may give: all of them (a block), or only those that are flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    All,
    Flags,
}

impl Keys {
    fn admits(self, key: &Key) -> bool {
        self == Keys::All || key.flag
    }

    /// The keys a block of `kind` may give, the common ones first, in the reference's order.
    pub fn of(self, kind: Kind) -> Vec<&'static Key> {
        COMMON_KEYS
            .iter()
            .chain(kind.schema().keys)
            .filter(|key| self.admits(key))
            .collect()
    }

    /// Every key some kind takes.
    fn known(self) -> Vec<&'static str> {
        let mut names: Vec<&str> = Vec::new();
        for kind in Kind::ALL {
            for key in self.of(kind) {
                if !names.contains(&key.name) {
                    names.push(key.name);
                }
            }
        }
        names
    }
}

/// Checks entries against keys, collecting diagnostics.
pub struct Checker<'a> {
    file: &'a SourceFile,
    /// From an entry's span to a span of `file`.
    map: &'a dyn Fn(Range<usize>) -> Range<usize>,
    /// Where a missing key is reported: the block's opening fence, or `initbook run`.
    whole: Range<usize>,
    syntax: Syntax,
    pub diagnostics: Diagnostics,
    /// Keys suggested for misspelled ones: not reported again as missing.
    suggested: Vec<String>,
}

/// The entry of `key`, if given.
pub fn find<'e>(entries: &'e [Entry], key: &str) -> Option<&'e Entry> {
    entries.iter().find(|entry| entry.key == key)
}

impl<'a> Checker<'a> {
    pub fn new(
        file: &'a SourceFile,
        map: &'a dyn Fn(Range<usize>) -> Range<usize>,
        whole: Range<usize>,
        syntax: Syntax,
    ) -> Self {
        Checker {
            file,
            map,
            whole,
            syntax,
            diagnostics: Diagnostics::default(),
            suggested: Vec::new(),
        }
    }

    fn at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.file.error((self.map)(span), message)
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The `kind` the entries give, or the default. `None` when it is not a kind (reported).
    pub fn kind(&mut self, entries: &[Entry]) -> Option<Kind> {
        let key = COMMON_KEYS
            .iter()
            .find(|key| key.name == "kind")
            .expect("every kind takes `kind`");
        let name = match find(entries, key.name) {
            Some(entry) => self.value(key, entry)?,
            None => Value::from(match key.default {
                Fallback::Value(lit) => lit,
                _ => unreachable!("`kind` has a default"),
            }),
        };
        match name {
            Value::Text(name) => Kind::from_name(&name),
            _ => None,
        }
    }

    /// Reports keys that no kind takes, and keys of another kind than `kind`.
    pub fn check_keys(&mut self, entries: &[Entry], kind: Option<Kind>, keys: Keys) {
        let allowed: Vec<&str> = match kind {
            Some(kind) => keys.of(kind).iter().map(|key| key.name).collect(),
            None => keys.known(),
        };
        let known = keys.known();
        let syntax = self.syntax;
        let named = |names: &[&str]| -> String {
            let names: Vec<String> = names.iter().map(|name| syntax.key(name)).collect();
            names.join(", ")
        };
        for entry in entries {
            let name = entry.key.as_str();
            if allowed.contains(&name) {
                continue;
            }
            let key = self.syntax.key(name);
            let diagnostic = if known.contains(&name) {
                let kind = kind.unwrap_or(Kind::Activations);
                let takes: Vec<&str> = Kind::ALL
                    .into_iter()
                    .filter(|k| keys.of(*k).iter().any(|key| key.name == name))
                    .map(Kind::name)
                    .collect();
                self.at(
                    entry.key_span.clone(),
                    format!(
                        "`{key}` does not apply to {}",
                        self.syntax.kinds(&[kind.name()])
                    ),
                )
                .with_hint(format!(
                    "`{key}` belongs to {}; this kind takes: {}",
                    self.syntax.kinds(&takes),
                    named(&allowed)
                ))
            } else {
                let hint = match suggest(name, &allowed) {
                    Some(close) => {
                        let hint = format!("did you mean `{}`?", self.syntax.key(&close));
                        self.suggested.push(close);
                        hint
                    }
                    None => format!("known keys: {}", named(&allowed)),
                };
                self.at(
                    entry.key_span.clone(),
                    format!("unknown key `{key}` in experiment block"),
                )
                .with_hint(hint)
            };
            self.report(diagnostic);
        }
    }

    /// Reads `keys` from `entries`, in the keys' order: every value checked, every default
    /// filled in. A key with a problem is reported and left out.
    pub fn read<'k>(
        &mut self,
        entries: &[Entry],
        keys: impl IntoIterator<Item = &'k Key>,
    ) -> Values {
        let mut values = Values::default();
        for key in keys {
            let entry = find(entries, key.name);
            if let Some(entry) = entry
                && let Some(value) = self.value(key, entry)
            {
                values.insert(key.name, value, Some((self.map)(entry.value_span.clone())));
            }
            match (key.default, entry) {
                (Fallback::Required, None) => self.missing(key.name, &self.example(key)),
                (Fallback::Value(lit), None) => {
                    // A list's default is written as its one item.
                    let value = match key.ty {
                        Type::List(_) => Value::List(vec![lit.into()]),
                        _ => lit.into(),
                    };
                    values.insert(key.name, value, None);
                }
                (Fallback::SameAs(other), None) => {
                    if let Some(value) = values.get(other).cloned() {
                        values.insert(key.name, value, None);
                    }
                }
                (Fallback::Conditional(condition), _) => {
                    if !self.condition(key, condition, entry, &values) {
                        values.remove(key.name);
                    }
                }
                (Fallback::Required | Fallback::None | Fallback::Derived(_), _)
                | (Fallback::Value(_) | Fallback::SameAs(_), Some(_)) => {}
            }
        }
        values
    }

    /// A key that only goes with one value of another (`std` with `init = "normal"`): missing
    /// where needed, or given where it does not apply. False when either was reported.
    fn condition(
        &mut self,
        key: &Key,
        condition: &Condition,
        entry: Option<&Entry>,
        values: &Values,
    ) -> bool {
        let syntax = self.syntax;
        let needed = syntax.assign_text(condition.key, condition.is);
        match (values.try_text(condition.key), entry) {
            (Some(value), None) if value == condition.is => {
                let example = format!("{} ({needed} needs {})", self.example(key), condition.needs);
                self.missing(key.name, &example);
                false
            }
            (Some(value), Some(entry)) if value != condition.is => {
                let given = syntax.assign_text(condition.key, value);
                let diagnostic = self
                    .at(
                        entry.key_span.clone(),
                        format!("`{}` does not apply to {given}", syntax.key(key.name)),
                    )
                    .with_hint(format!(
                        "only {needed} takes a {}; {}",
                        syntax.key(key.name),
                        condition.otherwise
                    ));
                self.report(diagnostic);
                false
            }
            _ => true,
        }
    }

    /// The example a hint about `key` shows: its own, or one made from its type.
    fn example(&self, key: &Key) -> String {
        let lit = key.example.unwrap_or(match key.ty {
            Type::Integer { min, .. } => Lit::Int(min.max(1)),
            Type::Number { .. } => Lit::Number(0.01),
            Type::Choice(choices) => Lit::Text(choices[choices.len() - 1]),
            Type::Bool => Lit::Bool(!matches!(key.default, Fallback::Value(Lit::Bool(true)))),
            Type::Range { .. } => Lit::Range(0.0, 1.0),
            _ => Lit::Verbatim("…"),
        });
        self.syntax.assign(key.name, &lit)
    }

    /// Reports a missing key at the block's fence (or the command), unless a misspelling of it
    /// was reported.
    fn missing(&mut self, key: &str, example: &str) {
        if self.suggested.iter().any(|s| s == key) {
            return;
        }
        let diagnostic = self
            .file
            .error(
                self.whole.clone(),
                format!(
                    "{} is missing `{}`",
                    self.syntax.container(),
                    self.syntax.key(key)
                ),
            )
            .with_hint(format!("add e.g. {example}"));
        self.report(diagnostic);
    }

    fn wrong_type(
        &mut self,
        key: &str,
        raw: &Raw,
        span: Range<usize>,
        expected: &str,
        example: &str,
    ) {
        let diagnostic = self
            .at(
                span,
                format!(
                    "`{}` must be {expected}, found {}",
                    self.syntax.key(key),
                    self.syntax.describe(raw)
                ),
            )
            .with_hint(format!("e.g. {example}"));
        self.report(diagnostic);
    }

    /// The checked value of one entry, or `None` after reporting why not.
    fn value(&mut self, key: &Key, entry: &Entry) -> Option<Value> {
        self.typed(key, key.ty, &entry.value, entry.value_span.clone())
    }

    fn typed(&mut self, key: &Key, ty: Type, raw: &Raw, span: Range<usize>) -> Option<Value> {
        match ty {
            Type::Integer { min, max } => self.integer(key, raw, span, (min, max)),
            Type::Number { above, max } => self.number(key, raw, span, (above, max)),
            Type::Choice(choices) => self.choice(key, raw, span, choices),
            Type::Text => self.text(key, raw, span).map(Value::Text),
            Type::Id | Type::Label => self.name(key, ty, raw, span),
            Type::Path => self.path(key, raw, span),
            Type::Bool => match raw {
                Raw::Bool(flag) => Some(Value::Bool(*flag)),
                _ => {
                    self.wrong_type(key.name, raw, span, "true or false", &self.example(key));
                    None
                }
            },
            Type::Range { magnitude } => self.range(key, raw, span, magnitude),
            Type::List(list) => self.list(key, list, raw, span),
            Type::Schemes(schemes) => self.schemes(key, schemes, raw, span),
        }
    }

    fn integer(
        &mut self,
        key: &Key,
        raw: &Raw,
        span: Range<usize>,
        (lo, hi): (i64, i64),
    ) -> Option<Value> {
        let name = self.syntax.key(key.name);
        let Raw::Int { value, text } = raw else {
            let example = self.syntax.assign(key.name, &Lit::Int(lo.max(1)));
            self.wrong_type(key.name, raw, span, "an integer", &example);
            return None;
        };
        match value {
            Some(n) if (lo..=hi).contains(n) => Some(Value::Int(*n)),
            _ => {
                let hint = if hi == i64::MAX {
                    format!("{name} must be a whole number from {lo} to {hi}")
                } else {
                    format!("{name} must be between {lo} and {hi}")
                };
                let diagnostic = self
                    .at(span, format!("`{name}` = {text} is out of range"))
                    .with_hint(hint);
                self.report(diagnostic);
                None
            }
        }
    }

    /// A finite number in `(lo, hi]`.
    fn number(
        &mut self,
        key: &Key,
        raw: &Raw,
        span: Range<usize>,
        (lo, hi): (f64, f64),
    ) -> Option<Value> {
        let name = self.syntax.key(key.name);
        let Some(number) = raw.number() else {
            let example = self.syntax.assign(key.name, &Lit::Number(0.01));
            self.wrong_type(key.name, raw, span, "a number", &example);
            return None;
        };
        if number.is_finite() && number > lo && number <= hi {
            return Some(Value::Number(number));
        }
        let diagnostic = self
            .at(span, format!("`{name}` = {number} is out of range"))
            .with_hint(format!("{name} must be greater than {lo} and at most {hi}"));
        self.report(diagnostic);
        None
    }

    /// Non-empty text.
    fn text(&mut self, key: &Key, raw: &Raw, span: Range<usize>) -> Option<String> {
        match raw {
            Raw::Str(text) if text.trim().is_empty() => {
                let diagnostic = self
                    .at(span, format!("`{}` is empty", self.syntax.key(key.name)))
                    .with_hint(format!("e.g. {}", self.example(key)));
                self.report(diagnostic);
                None
            }
            Raw::Str(text) => Some(text.clone()),
            _ => {
                self.wrong_type(key.name, raw, span, "a string", &self.example(key));
                None
            }
        }
    }

    fn choice(
        &mut self,
        key: &Key,
        raw: &Raw,
        span: Range<usize>,
        choices: &[&str],
    ) -> Option<Value> {
        let text = self.text(key, raw, span.clone())?;
        if choices.contains(&text.as_str()) {
            return Some(Value::Text(text));
        }
        let mut hint = format!("one of {}", quoted_list(choices));
        if let Some(close) = suggest(&text, choices) {
            hint = format!("did you mean \"{close}\"? ({hint})");
        }
        let diagnostic = self
            .at(
                span,
                format!("unknown {} \"{text}\"", self.syntax.key(key.name)),
            )
            .with_hint(hint);
        self.report(diagnostic);
        None
    }

    /// An experiment id or a scheme label: a name references use.
    fn name(&mut self, key: &Key, ty: Type, raw: &Raw, span: Range<usize>) -> Option<Value> {
        let text = self.text(key, raw, span.clone())?;
        let Some(problem) = id_problem(&text) else {
            return Some(Value::Text(text));
        };
        if matches!(ty, Type::Label) {
            let diagnostic = self
                .at(span, format!("invalid label \"{text}\""))
                .with_hint(
                    "labels name the scheme in references: lowercase letters, digits and dashes",
                );
            self.report(diagnostic);
            // Still a label: two schemes with the same invalid one are reported too.
            return Some(Value::Text(text));
        }
        let diagnostic = self
            .at(span, problem)
            .with_hint("ids use lowercase letters, digits and single dashes, e.g. \"xavier-tanh\"");
        self.report(diagnostic);
        None
    }

    fn path(&mut self, key: &Key, raw: &Raw, span: Range<usize>) -> Option<Value> {
        let path = self.text(key, raw, span.clone())?;
        let escapes = path.starts_with('/')
            || path.contains('\\')
            || path.split('/').any(|part| part == "..");
        if !escapes {
            return Some(Value::Text(path));
        }
        let diagnostic = self
            .at(
                span,
                format!(
                    "{} path \"{path}\" leaves content/",
                    self.syntax.key(key.name)
                ),
            )
            .with_hint("give a path inside content/, e.g. \"data/digits.csv.gz\"");
        self.report(diagnostic);
        None
    }

    fn range(&mut self, key: &Key, raw: &Raw, span: Range<usize>, magnitude: f64) -> Option<Value> {
        let syntax = self.syntax;
        let name = syntax.key(key.name);
        let items = match raw {
            Raw::Array(items) if items.len() == 2 => items,
            _ => {
                let example = syntax.assign(key.name, &Lit::Range(0.0, 1.0));
                self.wrong_type(key.name, raw, span, syntax.pair(), &example);
                return None;
            }
        };
        let example = syntax.assign(key.name, &Lit::Range(-1.0, 1.0));
        let mut ends = [0.0; 2];
        for (end, (item, item_span)) in ends.iter_mut().zip(items) {
            match item.number() {
                Some(n) if n.is_finite() && n.abs() <= magnitude => *end = n,
                _ => {
                    let diagnostic = self
                        .at(
                            item_span.clone(),
                            format!("each end of `{name}` must be a finite number"),
                        )
                        .with_hint(format!("e.g. {example}; ends within ±{magnitude:e}"));
                    self.report(diagnostic);
                    return None;
                }
            }
        }
        if !(ends[1] - ends[0]).is_normal() || ends[0] >= ends[1] {
            let diagnostic = self
                .at(span, format!("`{name}` must go from low to high"))
                .with_hint(format!("the first number is the low end, e.g. {example}"));
            self.report(diagnostic);
            return None;
        }
        Some(Value::Range(ends[0], ends[1]))
    }

    /// A list of values of one type, each checked as that type.
    fn list(&mut self, key: &Key, list: &ListType, raw: &Raw, span: Range<usize>) -> Option<Value> {
        let name = self.syntax.key(key.name);
        let single;
        let items: &[(Raw, Range<usize>)] = match raw {
            Raw::Array(items) => items,
            _ if list.single => {
                single = [(raw.clone(), span.clone())];
                &single
            }
            _ => {
                let expected = format!("a list of {}s", list.item.name());
                self.wrong_type(key.name, raw, span, &expected, &self.example(key));
                return None;
            }
        };
        if !(list.min..=list.max).contains(&items.len()) {
            let diagnostic = self
                .at(span, format!("`{name}` lists {} values", items.len()))
                .with_hint(format!("give {} to {} values", list.min, list.max));
            self.report(diagnostic);
            return None;
        }
        let mut values = Vec::with_capacity(items.len());
        let mut complete = true;
        for (item, item_span) in items {
            match self.typed(key, list.item, item, item_span.clone()) {
                Some(value) => {
                    let after = |earlier: &Value| match (earlier, &value) {
                        (Value::Number(a), Value::Number(b)) => a < b,
                        (Value::Int(a), Value::Int(b)) => a < b,
                        _ => true,
                    };
                    // A list of words never needs one twice (`activation = ["relu", "relu"]`).
                    if let Value::Text(word) = &value
                        && values.contains(&value)
                    {
                        let diagnostic = self
                            .at(
                                item_span.clone(),
                                format!("`{name}` lists \"{word}\" twice"),
                            )
                            .with_hint("give each value once");
                        self.report(diagnostic);
                        complete = false;
                    } else if list.increasing && values.last().is_some_and(|last| !after(last)) {
                        let diagnostic = self
                            .at(
                                item_span.clone(),
                                format!("`{name}` must be strictly increasing"),
                            )
                            .with_hint("each value must be larger than the one before it");
                        self.report(diagnostic);
                        complete = false;
                    }
                    values.push(value);
                }
                None => complete = false,
            }
        }
        complete.then_some(Value::List(values))
    }

    /// `compare = [{ init = "normal", std = 0.01 }, { init = "he", label = "he" }]`
    fn schemes(
        &mut self,
        key: &Key,
        schemes: &SchemesType,
        raw: &Raw,
        span: Range<usize>,
    ) -> Option<Value> {
        let example = self.example(key);
        let Raw::Array(items) = raw else {
            self.wrong_type(key.name, raw, span, "an array of schemes", &example);
            return None;
        };
        if items.is_empty() || items.len() > schemes.max {
            let diagnostic = self
                .at(
                    span,
                    format!(
                        "`{}` lists {} schemes",
                        self.syntax.key(key.name),
                        items.len()
                    ),
                )
                .with_hint(format!(
                    "compare 1 to {} schemes, e.g. {example}",
                    schemes.max
                ));
            self.report(diagnostic);
            return None;
        }
        let mut read: Vec<Values> = Vec::new();
        let mut complete = true;
        for (item, item_span) in items {
            match self.scheme(key, schemes.keys, item, item_span.clone()) {
                Some(scheme) => {
                    if let Some(label) = scheme.try_text("label")
                        && read
                            .iter()
                            .any(|other| other.try_text("label") == Some(label))
                    {
                        let diagnostic = self
                            .at(
                                item_span.clone(),
                                format!("two schemes are labelled \"{label}\""),
                            )
                            .with_hint(format!(
                                "give each scheme its own label, e.g. {}",
                                self.syntax.assign("label", &Lit::Text("small"))
                            ));
                        self.report(diagnostic);
                        complete = false;
                    }
                    read.push(scheme);
                }
                None => complete = false,
            }
        }
        complete.then_some(Value::Schemes(read))
    }

    /// One scheme of a `compare` list: a table of the scheme keys. `None` when it had a problem
    /// (reported).
    fn scheme(
        &mut self,
        list: &Key,
        keys: &[Key],
        item: &Raw,
        span: Range<usize>,
    ) -> Option<Values> {
        let list_name = self.syntax.key(list.name);
        let Raw::Table(fields) = item else {
            let diagnostic = self
                .at(span, format!("each scheme in `{list_name}` is a table"))
                .with_hint(format!("e.g. {}", scheme_example(keys, None)));
            self.report(diagnostic);
            return None;
        };
        let before = self.diagnostics.len();
        for field in fields {
            if !keys.iter().any(|key| key.name == field.key) {
                let diagnostic = self
                    .at(
                        field.key_span.clone(),
                        format!("unknown key `{}` in a `{list_name}` scheme", field.key),
                    )
                    .with_hint(format!("a scheme takes {}", scheme_keys_text(keys)));
                self.report(diagnostic);
            }
        }
        // A missing key inside a scheme is reported at the scheme, not at the fence.
        for key in keys {
            let missing = match key.default {
                Fallback::Required => find(fields, key.name).is_none(),
                Fallback::Conditional(condition) => {
                    let decides = find(fields, condition.key)
                        .is_some_and(|f| matches!(&f.value, Raw::Str(v) if v == condition.is));
                    decides && find(fields, key.name).is_none()
                }
                _ => false,
            };
            if !missing {
                continue;
            }
            let message = match key.default {
                Fallback::Conditional(c) => format!(
                    "this scheme has {} but no `{}`",
                    Syntax::Directive.assign_text(c.key, c.is),
                    key.name
                ),
                _ => format!("this scheme has no `{}`", key.name),
            };
            let diagnostic = self
                .at(span, message)
                .with_hint(format!("e.g. {}", scheme_example(keys, Some(key))));
            self.report(diagnostic);
            return None;
        }
        let values = self.read(fields, keys);
        (self.diagnostics.len() == before).then_some(values)
    }

    /// Reports a size bound at the key it blames (or at the block).
    pub fn size(&mut self, rule: &SizeRule, entries: &[Entry], values: &Values, keys: &[Key]) {
        let Some(problem) = (rule.check)(values) else {
            return;
        };
        let given = |name: &&str| find(entries, name).map(|entry| entry.value_span.clone());
        let blamed = match rule.blame {
            Blame::FurthestAboveDefault(names) => names
                .iter()
                .filter_map(|name| {
                    let span = given(name)?;
                    let default = keys.iter().find(|key| key.name == *name)?.default;
                    let Fallback::Value(Lit::Int(default)) = default else {
                        return None;
                    };
                    let ratio = values.try_count(name)? as f64 / default as f64;
                    Some((ratio, span))
                })
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, span)| span),
            Blame::FirstGiven(names) => names.iter().find_map(given),
        };
        let diagnostic = match blamed {
            Some(span) => self.at(span, problem),
            None => self.file.error(self.whole.clone(), problem),
        };
        let names: Vec<String> = rule
            .blame
            .keys()
            .iter()
            .map(|k| self.syntax.key(k))
            .collect();
        let mut hint = format!("lower {}", or_list(&names));
        if !rule.advice.is_empty() {
            hint = format!("{hint}; {}", rule.advice);
        }
        self.report(diagnostic.with_hint(hint));
    }
}

/// `a, b or c`.
fn or_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// "init, std (for init = \"normal\") and label".
fn scheme_keys_text(keys: &[Key]) -> String {
    let names: Vec<String> = keys
        .iter()
        .map(|key| match key.default {
            Fallback::Conditional(c) => format!("{} (for {} = \"{}\")", key.name, c.key, c.is),
            _ => key.name.to_string(),
        })
        .collect();
    match names.as_slice() {
        [rest @ .., last] if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// A scheme written out for a hint: `{ init = "he" }`, or with what `key` needs
/// (`{ init = "normal", std = 0.01 }`). Without a key, the example shows a conditional key.
fn scheme_example(keys: &[Key], key: Option<&Key>) -> String {
    let syntax = Syntax::Directive;
    let key = key.or_else(|| {
        keys.iter()
            .find(|key| matches!(key.default, Fallback::Conditional(_)))
    });
    let example = |key: &Key| {
        let lit = key.example.unwrap_or(match key.ty {
            Type::Choice(choices) => Lit::Text(choices[choices.len() - 1]),
            _ => Lit::Verbatim("…"),
        });
        syntax.assign(key.name, &lit)
    };
    match key {
        Some(key) => match key.default {
            Fallback::Conditional(c) => format!(
                "{{ {}, {} }}",
                syntax.assign_text(c.key, c.is),
                example(key)
            ),
            _ => format!("{{ {} }}", example(key)),
        },
        None => "{ … }".to_string(),
    }
}

/// Why `id` is not a valid experiment id, if it is not.
pub fn id_problem(id: &str) -> Option<String> {
    let well_formed = !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if !well_formed {
        Some(format!("invalid experiment id \"{id}\""))
    } else if id.len() > limits::ID_LENGTH {
        Some(format!(
            "experiment id is {} characters long (at most {})",
            id.len(),
            limits::ID_LENGTH
        ))
    } else {
        None
    }
}

fn quoted_list(choices: &[&str]) -> String {
    choices
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    //! The schema's list-valued keys and per-scheme keys, which no kind uses yet (a σ sweep and
    //! batch normalization will): the checker already reads them.

    use toml::de::DeTable;

    use super::*;
    use crate::numeric::Activation;
    use crate::parse::directive::entries_of;

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

    const ACTIVATIONS: ListType = ListType {
        item: Type::Choice(&Activation::NAMES),
        min: 1,
        max: 3,
        increasing: false,
        single: true,
    };

    const BATCHNORM: Key = Key {
        name: "batchnorm",
        ty: Type::Bool,
        default: Fallback::Value(Lit::Bool(false)),
        doc: "normalize each layer over the batch",
        example: None,
        flag: true,
    };

    const SCHEME_KEYS: &[Key] = &[
        crate::numeric::activations::keys::INIT,
        crate::numeric::activations::keys::STD,
        crate::numeric::activations::keys::LABEL,
        BATCHNORM,
    ];

    const KEYS: &[Key] = &[
        Key {
            name: "std",
            ty: Type::List(&STDS),
            default: Fallback::Required,
            doc: "the swept weight scales",
            example: None,
            flag: true,
        },
        Key {
            name: "activation",
            ty: Type::List(&ACTIVATIONS),
            default: Fallback::Value(Lit::Text("relu")),
            doc: "one activation, or several to sweep",
            example: None,
            flag: true,
        },
        Key {
            name: "compare",
            ty: Type::Schemes(&SchemesType {
                keys: SCHEME_KEYS,
                max: 8,
            }),
            default: Fallback::None,
            doc: "schemes",
            example: None,
            flag: false,
        },
    ];

    /// The values `text` gives `KEYS`, or the messages of its problems.
    fn read(text: &str) -> Result<Values, Vec<String>> {
        let file = SourceFile::new("t.md", text.to_string());
        let (table, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty(), "{errors:?}");
        let entries = entries_of(table.get_ref());
        let same = |span: Range<usize>| span;
        let mut checker = Checker::new(&file, &same, 0..0, Syntax::Directive);
        let values = checker.read(&entries, KEYS);
        if checker.diagnostics.is_empty() {
            Ok(values)
        } else {
            Err(checker
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect())
        }
    }

    #[test]
    fn a_list_of_numbers_is_read_item_by_item() {
        let values = read("std = [0.01, 0.1, 1]").unwrap();
        assert_eq!(
            values.get("std"),
            Some(&Value::List(vec![
                Value::Number(0.01),
                Value::Number(0.1),
                Value::Number(1.0)
            ]))
        );
        assert_eq!(read("std = [0.1]").unwrap_err(), ["`std` lists 1 values"]);
        let many = vec!["1"; 41].join(", ");
        assert_eq!(
            read(&format!("std = [{many}]")).unwrap_err(),
            ["`std` lists 41 values"]
        );
        assert_eq!(
            read("std = [0.1, 0.1]").unwrap_err(),
            ["`std` must be strictly increasing"]
        );
        assert_eq!(
            read("std = [0.1, -1.0]").unwrap_err(),
            ["`std` = -1 is out of range"]
        );
        assert_eq!(
            read("std = 0.1").unwrap_err(),
            ["`std` must be a list of numbers, found the number 0.1"]
        );
    }

    #[test]
    fn a_single_item_stands_for_a_list_of_one() {
        let list = |names: &[&str]| {
            Value::List(names.iter().map(|n| Value::Text(n.to_string())).collect())
        };
        let read_activation = |text: &str| read(text).unwrap().get("activation").cloned();
        assert_eq!(read_activation("std = [1, 2]"), Some(list(&["relu"])));
        assert_eq!(
            read_activation("std = [1, 2]\nactivation = \"tanh\""),
            Some(list(&["tanh"]))
        );
        assert_eq!(
            read_activation("std = [1, 2]\nactivation = [\"tanh\", \"relu\"]"),
            Some(list(&["tanh", "relu"]))
        );
        assert_eq!(
            read("std = [1, 2]\nactivation = [\"tanh\", \"swish\"]").unwrap_err(),
            ["unknown activation \"swish\""]
        );
    }

    #[test]
    fn a_scheme_takes_its_own_keys() {
        let values =
            read("std = [1, 2]\ncompare = [{ init = \"he\", batchnorm = true }, { init = \"normal\", std = 0.5, label = \"small\" }]")
                .unwrap();
        let schemes = values.try_schemes("compare").unwrap();
        assert_eq!(schemes[0].try_bool("batchnorm"), Some(true));
        assert_eq!(schemes[0].try_text("label"), Some("he"));
        assert_eq!(schemes[1].try_bool("batchnorm"), Some(false));
        assert_eq!(schemes[1].try_number("std"), Some(0.5));
        assert_eq!(
            read("std = [1, 2]\ncompare = [{ init = \"he\", batchnorm = 1 }]").unwrap_err(),
            ["`batchnorm` must be true or false, found the integer 1"]
        );
    }
}
