//! The key schema, end to end: every kind takes its keys with their documented defaults; every
//! bound of every key is enforced at the boundary and one step beyond it, in a directive and in
//! `initbook run`'s flags alike, with the same words; the reference printed by
//! `initbook directives` is the one in README.md; and `run --json` keeps its shape.

use crate::common;

use std::process::Command;

use initbook::diagnostic::{Diagnostic, SourceFile};
use initbook::directive_reference;
use initbook::model::{COMMON_KEYS, ExperimentSpec};
use initbook::numeric::{Experiment, Kind};
use initbook::parse::flags::check_flags;
use initbook::parse::parse_lesson;
use initbook::reproduce::{RunRequest, reproduce};
use initbook::schema::{Fallback, Key, Lit, Type, Value};

/// A block as `(key, value as written)` lines.
type Block = Vec<(String, String)>;

/// The smallest block of each kind: every size at its minimum, so that one key at its bound
/// never trips a combined bound.
fn small_block(kind: Kind) -> Block {
    let mut keys: Vec<(&str, &str)> = vec![
        ("id", "\"x\""),
        ("caption", "\"A caption\""),
        ("alt", "\"A description\""),
        ("seed", "1"),
    ];
    let compare = "[{ init = \"he\" }]";
    match kind {
        Kind::Activations => keys.extend([
            ("init", "\"he\""),
            ("activation", "\"relu\""),
            ("layers", "1"),
            ("nodes", "1"),
            ("samples", "1"),
        ]),
        Kind::Gradients => keys.extend([
            ("kind", "\"gradients\""),
            ("init", "\"he\""),
            ("activation", "\"relu\""),
            ("layers", "1"),
            ("nodes", "1"),
            ("samples", "1"),
        ]),
        Kind::Depth => keys.extend([
            ("kind", "\"depth\""),
            ("activation", "\"relu\""),
            ("layers", "1"),
            ("nodes", "1"),
            ("samples", "1"),
            ("compare", compare),
        ]),
        Kind::Training => keys.extend([
            ("kind", "\"training\""),
            ("data", "\"data/tiny.csv\""),
            ("layers", "1"),
            ("nodes", "1"),
            ("batch", "1"),
            ("iterations", "1"),
            ("compare", compare),
        ]),
        Kind::Sweep => keys.extend([
            ("kind", "\"sweep\""),
            ("std", "[0.5, 1.0]"),
            ("activation", "\"relu\""),
            ("layers", "1"),
            ("nodes", "1"),
            ("samples", "1"),
        ]),
    }
    keys.into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The block with `key = value` (replacing the key's line if there is one).
fn with(mut block: Block, key: &str, value: &str) -> Block {
    block.retain(|(k, _)| k != key);
    block.push((key.to_string(), value.to_string()));
    block
}

fn parse(block: &[(String, String)]) -> Result<ExperimentSpec, Vec<Diagnostic>> {
    let body: Vec<String> = block.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    let markdown = format!("# L\n\n```experiment\n{}\n```\n", body.join("\n"));
    parse_lesson(SourceFile::new("content/lesson.md", markdown))
        .map(|mut lesson| lesson.experiments.remove(0))
        .map_err(|diagnostics| diagnostics.0)
}

/// Bounds a key is tested at: `(value as TOML, value as a flag, whether it is allowed)`.
fn boundary_cases(key: &Key) -> Vec<(String, String, bool)> {
    let same = |text: String, ok: bool| (text.clone(), text, ok);
    match key.ty {
        Type::Integer { min, max } => {
            let mut cases = vec![
                same((min - 1).to_string(), false),
                same(min.to_string(), true),
                same(max.to_string(), true),
            ];
            // One more than i64::MAX is still an integer as written: the bound catches it.
            cases.push(same((i128::from(max) + 1).to_string(), false));
            cases
        }
        Type::Number { above, max } => vec![
            same(format!("{above:?}"), false),
            same(format!("{:?}", next_up(above)), true),
            same(format!("{max:?}"), true),
            same(format!("{:?}", next_up(max)), false),
        ],
        Type::Range { magnitude } => {
            let pair = |lo: f64, hi: f64, ok: bool| {
                (format!("[{lo:?}, {hi:?}]"), format!("{lo:?},{hi:?}"), ok)
            };
            vec![
                pair(-magnitude, magnitude, true),
                pair(-magnitude, next_up(magnitude), false),
                pair(-next_up(magnitude), magnitude, false),
                pair(0.5, next_up(0.5), true),
                pair(0.5, 0.5, false),
            ]
        }
        Type::Choice(choices) => {
            let mut cases: Vec<(String, String, bool)> = choices
                .iter()
                .map(|c| (format!("\"{c}\""), c.to_string(), true))
                .collect();
            cases.push(("\"bogus\"".to_string(), "bogus".to_string(), false));
            cases
        }
        Type::Id => vec![
            same(format!("\"{}\"", "a".repeat(64)), true),
            same(format!("\"{}\"", "a".repeat(65)), false),
        ],
        Type::Schemes(schemes) => {
            let list = |n: usize| {
                let items: Vec<String> = (0..n)
                    .map(|i| format!("{{ init = \"he\", label = \"s{i}\" }}"))
                    .collect();
                format!("[{}]", items.join(", "))
            };
            vec![
                same(list(0), false),
                same(list(1), true),
                same(list(schemes.max), true),
                same(list(schemes.max + 1), false),
            ]
        }
        Type::Text | Type::Label => vec![
            same("\"x\"".to_string(), true),
            same("\" \"".to_string(), false),
        ],
        Type::Path => vec![
            same("\"data/tiny.csv\"".to_string(), true),
            same("\"../tiny.csv\"".to_string(), false),
        ],
        Type::Bool => vec![
            ("true".to_string(), "true".to_string(), true),
            ("false".to_string(), "false".to_string(), true),
            ("\"yes\"".to_string(), "yes".to_string(), false),
        ],
        Type::List(list) => {
            // `n` valid items, increasing where they must be.
            let items = |n: usize| -> Vec<String> {
                (1..=n)
                    .map(|i| match list.item {
                        Type::Number { above, max } => {
                            format!("{:?}", above + (max - above) * i as f64 / n as f64)
                        }
                        Type::Integer { min, .. } => (min + i as i64).to_string(),
                        Type::Choice(choices) => format!("\"{}\"", choices[i % choices.len()]),
                        _ => unreachable!("lists of numbers or words"),
                    })
                    .collect()
            };
            let list_of = |n: usize, ok: bool| {
                let items = items(n);
                let flag: Vec<String> = items.iter().map(|i| i.replace('"', "")).collect();
                (format!("[{}]", items.join(", ")), flag.join(","), ok)
            };
            let mut cases = vec![list_of(list.min, true), list_of(list.max, true)];
            if list.min > 1 {
                cases.push(list_of(list.min - 1, false));
            }
            cases.push(list_of(list.max + 1, false));
            cases
        }
    }
}

fn next_up(x: f64) -> f64 {
    if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

/// The block with what `key = value` needs to be valid in it: a key that goes with one value of
/// another (`std` with `init = "normal"`) gets that value; a value another key goes with
/// (`init = "normal"`) gets that key, with its example value.
fn needs(block: Block, kind: Kind, key: &Key, value: &str) -> Block {
    let mut block = block;
    for other in kind.schema().keys {
        let Fallback::Conditional(condition) = other.default else {
            continue;
        };
        if other.name == key.name {
            block = with(block, condition.key, &format!("\"{}\"", condition.is));
        } else if condition.key == key.name && value == format!("\"{}\"", condition.is) {
            block = with(block, other.name, &example(other));
        }
    }
    block
}

/// A valid value of `key`, as written in a block.
fn example(key: &Key) -> String {
    match key.example {
        Some(Lit::Number(x)) => format!("{x:?}"),
        Some(Lit::Int(n)) => n.to_string(),
        _ => boundary_cases(key)
            .into_iter()
            .find(|(_, _, ok)| *ok)
            .map(|(toml, _, _)| toml)
            .expect("every key has an allowed value"),
    }
}

/// Every key of a kind, the common ones first.
fn keys_of(kind: Kind) -> Vec<&'static Key> {
    COMMON_KEYS.iter().chain(kind.schema().keys).collect()
}

#[test]
fn every_kind_takes_its_keys_with_their_documented_defaults() {
    for kind in Kind::ALL {
        let spec = parse(&small_block(kind)).unwrap_or_else(|e| panic!("{kind}: {e:?}"));
        assert_eq!(spec.experiment.kind(), kind);
        for key in kind.schema().keys {
            let given = small_block(kind).iter().any(|(k, _)| k == key.name);
            match key.default {
                Fallback::Value(lit) if !given => assert_eq!(
                    spec.values.get(key.name),
                    Some(&Value::from(lit)),
                    "{kind}: the default of `{}`",
                    key.name
                ),
                Fallback::None | Fallback::Derived(_) if !given => {
                    assert_eq!(spec.values.get(key.name), None, "{kind}: `{}`", key.name)
                }
                _ => {}
            }
        }
    }
    // The defaults are the ones the classic experiment of the book uses.
    let spec = parse(&small_block(Kind::Activations)[..6]).unwrap();
    let Experiment::Activations(params) = spec.experiment else {
        panic!("activations");
    };
    assert_eq!(
        (
            params.network.layers,
            params.network.nodes,
            params.network.samples,
            params.bins,
            params.range
        ),
        (5, 100, 1000, 30, (0.0, 1.0))
    );
}

/// Which keys were tried with an allowed and with a refused value.
#[derive(Default)]
struct Coverage(Vec<(Kind, &'static str, bool)>);

impl Coverage {
    fn saw(&mut self, kind: Kind, key: &'static str, allowed: bool) {
        self.0.push((kind, key, allowed));
    }

    /// Every key of `keys(kind)`, for every kind, was tried both ways.
    fn assert_complete(&self, keys: impl Fn(Kind) -> Vec<&'static Key>) {
        for kind in Kind::ALL {
            for key in keys(kind).into_iter().filter(|key| key.name != "kind") {
                for allowed in [true, false] {
                    assert!(
                        self.0.contains(&(kind, key.name, allowed)),
                        "{kind}: `{}` was not tried with {} value",
                        key.name,
                        if allowed { "an allowed" } else { "a refused" }
                    );
                }
            }
        }
    }
}

#[test]
fn every_bound_is_enforced_at_the_boundary_and_one_step_beyond() {
    let mut coverage = Coverage::default();
    for kind in Kind::ALL {
        for key in keys_of(kind) {
            if key.name == "kind" {
                continue;
            }
            for (toml, _, allowed) in boundary_cases(key) {
                let block = needs(with(small_block(kind), key.name, &toml), kind, key, &toml);
                let result = parse(&block);
                assert_eq!(
                    result.is_ok(),
                    allowed,
                    "{kind}: {} = {toml}: {result:#?}",
                    key.name
                );
                if let Err(found) = result {
                    assert_eq!(found.len(), 1, "{kind}: {} = {toml}: {found:#?}", key.name);
                }
                coverage.saw(kind, key.name, allowed);
            }
        }
    }
    coverage.assert_complete(keys_of);
}

/// A directive's message or hint about `key`, as the flags would say it: `` `std` `` becomes
/// `` `--std` ``, `std = 0.01` becomes `--std 0.01`, `range = [0.0, 1.0]` becomes
/// `--range 0.0,1.0`, `init = "he"` becomes `--init he`.
fn as_flags(text: &str, key: &Key) -> String {
    let (name, flag) = (key.name, key.flag_name());
    let text = text
        .replace(&format!("`{name}`"), &format!("`{flag}`"))
        .replacen(&format!("{name} must"), &format!("{flag} must"), 1)
        .replace(&format!("unknown {name} "), &format!("unknown {flag} "));
    let assignment = format!("{name} = ");
    // A flag's text is not a TOML string: "found the string \"yes\"" reads "found `yes`".
    let text = match text.find("the string \"") {
        Some(at) => {
            let value = &text[at + "the string \"".len()..];
            let end = value.find('"').unwrap();
            format!("{}`{}`{}", &text[..at], &value[..end], &value[end + 1..])
        }
        None => text,
    };
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find(&assignment) {
        out.push_str(&rest[..at]);
        let value = &rest[at + assignment.len()..];
        let (written, len) = match value.chars().next() {
            Some('[') => {
                let end = value.find(']').unwrap();
                (value[1..end].replace(", ", ","), end + 1)
            }
            Some('"') => {
                let end = 1 + value[1..].find('"').unwrap();
                (value[1..end].to_string(), end + 1)
            }
            _ => {
                let end = value.find([' ', ';', ')']).unwrap_or(value.len());
                (value[..end].to_string(), end)
            }
        };
        out.push_str(&format!("{flag} {written}"));
        rest = &value[len..];
    }
    out.push_str(rest);
    out
}

#[test]
fn flags_are_checked_like_directive_keys_with_the_same_words() {
    let mut coverage = Coverage::default();
    for kind in Kind::ALL {
        for key in keys_of(kind).into_iter().filter(|key| key.flag) {
            for (toml, text, allowed) in boundary_cases(key) {
                let block = needs(with(small_block(kind), key.name, &toml), kind, key, &toml);
                let directive = parse(&block);
                // The same value as a flag, over the small block (with a valid std where the
                // value needs one).
                let mut base = small_block(kind);
                if let Fallback::Conditional(_) = key.default {
                    base = with(needs(base, kind, key, &toml), key.name, &example(key));
                } else if needs(base.clone(), kind, key, &toml) != base {
                    // A value another key goes with (`init = "normal"`): the book has both.
                    base = needs(with(base, key.name, &toml), kind, key, &toml);
                }
                let base = parse(&base).unwrap_or_else(|e| panic!("{kind}: {e:?}"));
                let flags = vec![(key.name.to_string(), text.clone())];
                let flagged = check_flags(Some(("x", &base)), &flags);
                assert_eq!(
                    flagged.is_ok(),
                    allowed,
                    "{kind}: {} {text}: {flagged:#?}",
                    key.flag_name()
                );
                match (directive, flagged) {
                    (Ok(spec), Ok(flagged)) => {
                        if key.name != "seed" {
                            assert_eq!(
                                flagged.values.get(key.name),
                                spec.values.get(key.name),
                                "{kind}: {}",
                                key.name
                            );
                        }
                    }
                    (Err(directive), Err(flagged)) => {
                        assert_eq!(flagged.len(), 1, "{kind}: {flagged:#?}");
                        let (d, f) = (&directive[0], &flagged.0[0]);
                        assert_eq!(f.message, as_flags(&d.message, key), "{kind}");
                        assert_eq!(
                            f.hint.clone(),
                            d.hint.as_deref().map(|h| as_flags(h, key)),
                            "{kind}: {}",
                            key.name
                        );
                        assert_eq!(f.path.display().to_string(), "command line");
                    }
                    (directive, flagged) => panic!("{directive:?} but {flagged:?}"),
                }
                coverage.saw(kind, key.name, allowed);
            }
        }
    }
    let flags = |kind| keys_of(kind).into_iter().filter(|key| key.flag).collect();
    coverage.assert_complete(flags);
}

#[test]
fn combined_bounds_at_the_boundary_and_one_step_beyond() {
    let activations = small_block(Kind::Activations);
    let gradients = small_block(Kind::Gradients);
    let training = small_block(Kind::Training);
    // (the block, three keys set on it, whether that is allowed)
    type Case<'a> = (&'a Block, [(&'a str, &'a str); 3], bool);
    let cases: Vec<Case> = vec![
        // samples × nodes = 10⁷ and samples × nodes² × layers = 10¹⁰ exactly.
        (
            &activations,
            [("samples", "10000"), ("nodes", "1000"), ("layers", "1")],
            true,
        ),
        (
            &activations,
            [("samples", "10001"), ("nodes", "1000"), ("layers", "1")],
            false,
        ),
        (
            &activations,
            [("samples", "10000"), ("nodes", "1000"), ("layers", "2")],
            false,
        ),
        // layers × samples × nodes = 2·10⁷ activations kept for the backward pass.
        (
            &gradients,
            [("samples", "2000"), ("nodes", "100"), ("layers", "100")],
            true,
        ),
        (
            &gradients,
            [("samples", "2001"), ("nodes", "100"), ("layers", "100")],
            false,
        ),
        // 3 (layers + 1) nodes² × batch × iterations: 1.998·10¹¹, then 2.0005·10¹¹.
        (
            &training,
            [("nodes", "100"), ("batch", "4096"), ("iterations", "813")],
            true,
        ),
        (
            &training,
            [("nodes", "100"), ("batch", "4096"), ("iterations", "814")],
            false,
        ),
    ];
    for (base, keys, allowed) in cases {
        let block = keys
            .iter()
            .fold(base.clone(), |block, (k, v)| with(block, k, v));
        let directive = parse(&block);
        assert_eq!(directive.is_ok(), allowed, "{keys:?}: {directive:#?}");
        let spec = parse(base).unwrap();
        let flags: Vec<(String, String)> = keys
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let flagged = check_flags(Some(("x", &spec)), &flags);
        assert_eq!(flagged.is_ok(), allowed, "{keys:?}: {flagged:#?}");
        if let (Err(d), Err(f)) = (directive, flagged) {
            assert_eq!(
                d[0].message, f.0[0].message,
                "the same bound, in the same words"
            );
        }
    }
}

#[test]
fn a_flag_of_another_kind_is_reported_like_a_key_of_another_kind() {
    let spec = parse(&small_block(Kind::Training)).unwrap();
    let error = check_flags(Some(("x", &spec)), &[("init".into(), "he".into())]).unwrap_err();
    assert_eq!(
        error.0[0].message,
        "`--init` does not apply to training experiments"
    );
    let error = parse(&with(small_block(Kind::Training), "init", "\"he\"")).unwrap_err();
    assert_eq!(
        error[0].message,
        "`init` does not apply to kind = \"training\""
    );
}

#[test]
fn flags_override_the_book_and_keep_what_still_applies() {
    let normal = parse(&with(
        with(small_block(Kind::Activations), "init", "\"normal\""),
        "std",
        "0.5",
    ))
    .unwrap();
    // --init normal keeps the book's std; --init xavier drops it.
    let kept = check_flags(Some(("x", &normal)), &[("init".into(), "normal".into())]).unwrap();
    assert_eq!(kept.values.try_number("std"), Some(0.5));
    let dropped = check_flags(Some(("x", &normal)), &[("init".into(), "xavier".into())]).unwrap();
    assert_eq!(dropped.values.try_number("std"), None);
    // Without an id, the flags describe an activation experiment with seed 42.
    let alone = check_flags(
        None,
        &[
            ("init".into(), "he".into()),
            ("activation".into(), "tanh".into()),
        ],
    )
    .unwrap();
    assert_eq!((alone.kind, alone.seed), (Kind::Activations, 42));
    assert_eq!(alone.values.try_count("layers"), Some(5));
}

fn initbook(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_initbook"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_bad_std_flag_exits_1_with_the_directive_message() {
    let output = initbook(&["run", "--init", "normal", "--std", "-1", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let directive = parse(&with(
        with(small_block(Kind::Activations), "init", "\"normal\""),
        "std",
        "-1",
    ))
    .unwrap_err();
    assert_eq!(directive[0].message, "`std` = -1 is out of range");
    let hint = directive[0].hint.as_deref().unwrap();
    assert!(
        stderr.contains("error: `--std` = -1 is out of range"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("hint: --{hint}")), "{stderr}");
    assert!(
        stderr.contains("initbook run --init normal --std -1"),
        "{stderr}"
    );
    assert!(stderr.trim_end().ends_with("in the flags"), "{stderr}");
}

#[test]
fn readme_embeds_the_reference_the_schema_generates() {
    let readme = include_str!("../../README.md");
    let embedded = directive_reference::embedded(readme).expect("README.md has the markers");
    assert_eq!(
        embedded,
        directive_reference::markdown().trim_matches('\n'),
        "README.md's directive reference is stale: paste the output of `initbook directives` between its markers"
    );
}

#[test]
fn initbook_directives_lists_every_key_of_every_kind() {
    let output = initbook(&["directives"]);
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(printed, directive_reference::markdown());
    for kind in Kind::ALL {
        assert!(printed.contains(&format!("`kind = \"{kind}\"`")), "{kind}");
        for key in keys_of(kind) {
            let row = format!(
                "| `{}` | {} | {} | {} | {} |",
                key.name,
                key.ty.name(),
                key.default_text(),
                key.ty.allowed(),
                key.doc
            );
            assert!(printed.contains(&row), "{kind}: {row}");
        }
        let schemes = kind.schema().keys.iter().filter_map(|key| match key.ty {
            Type::Schemes(schemes) => Some(schemes.keys),
            _ => None,
        });
        for keys in schemes {
            for key in keys {
                assert!(
                    printed.contains(&format!("| `{}` |", key.name)),
                    "{}",
                    key.name
                );
            }
        }
    }
    // What `run --help` says about a flag comes from the same schema.
    let help = String::from_utf8(initbook(&["run", "--help"]).stdout).unwrap();
    assert!(help.contains("--learning-rate <X>"), "{help}");
    assert!(help.contains("depth: 1 … 200, default 50"), "{help}");
}

/// The keys of a JSON text in the order they are written.
fn keys_in_order(json: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = json;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let end = after.find('"').unwrap();
        let (word, tail) = (&after[..end], &after[end + 1..]);
        if tail.starts_with(':') {
            keys.push(word.to_string());
        }
        rest = tail;
    }
    keys
}

/// Each key once, in the order of first appearance.
fn first_appearances(keys: Vec<String>) -> Vec<String> {
    let mut seen = Vec::new();
    for key in keys {
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    seen
}

#[test]
fn run_json_keeps_its_documented_shape() {
    // An experiment given by flags: the whole text, field names, order and layout.
    let request = RunRequest {
        id: None,
        flags: [
            ("init", "he"),
            ("activation", "relu"),
            ("layers", "1"),
            ("nodes", "2"),
            ("samples", "2"),
            ("bins", "2"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    let json = reproduce(std::path::Path::new("."), &request)
        .unwrap()
        .json();
    assert_eq!(
        first_appearances(keys_in_order(&json)),
        [
            "data_sha256",
            "id",
            "layers",
            "above",
            "below",
            "counts",
            "deriv_mean",
            "edge_frac",
            "edges",
            "layer",
            "max",
            "mean",
            "min",
            "nan",
            "std",
            "unit_mean_std",
            "unit_std",
            "zero_frac",
            "params",
            "activation",
            "bins",
            "init",
            "kind",
            "nodes",
            "range",
            "samples",
            "weight_std",
            "seed",
        ]
    );
    assert!(json.starts_with("{\n  \"data_sha256\": \""), "{json}");
    assert!(json.contains("\n  \"id\": null,\n"), "{json}");
    assert!(json.ends_with("\n  \"seed\": 42\n}\n"), "{json}");

    // The other kinds, from a book: their own results beside id, params, seed and data_sha256.
    let book = common::TinyBook::of_kinds();
    let json = |id: &str| {
        let request = RunRequest {
            id: Some(id.to_string()),
            flags: Vec::new(),
        };
        let json = reproduce(book.root(), &request).unwrap().json();
        let top: Vec<String> =
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&json)
                .unwrap()
                .keys()
                .cloned()
                .collect();
        (first_appearances(keys_in_order(&json)), top)
    };
    let (grads, top) = json("grads");
    assert_eq!(
        top,
        [
            "data_sha256",
            "id",
            "layers",
            "loss",
            "params",
            "range",
            "seed"
        ]
    );
    assert_eq!(
        grads[..12],
        [
            "data_sha256",
            "id",
            "layers",
            "above",
            "below",
            "counts",
            "edges",
            "grad_mean_abs",
            "grad_rms",
            "grad_tiny_frac",
            "layer",
            "loss"
        ],
        "a gradient layer without NaN has no `nan`"
    );
    let (_, top) = json("deep");
    assert_eq!(top, ["data_sha256", "id", "params", "seed", "series"]);
    let (learn, top) = json("learn");
    assert_eq!(
        top,
        [
            "data_sha256",
            "id",
            "params",
            "runs",
            "schemes",
            "seed",
            "test_samples",
            "train_samples"
        ]
    );
    assert!(learn.contains(&"distinct_units".to_string()));
    // Per scheme in one line: its σ, batch normalization, and how training ended.
    for key in [
        "batchnorm",
        "final_loss",
        "init",
        "label",
        "std",
        "test_accuracy",
        "train_accuracy",
    ] {
        assert!(learn.contains(&key.to_string()), "{key}: {learn:?}");
    }
}
