//! Inline references: a number in the prose that comes from an experiment on the page.
//!
//! Written as a code span, so the Markdown still reads well in an editor and on GitHub:
//!
//! ```text
//! `{sigmoid-std1.layer5.std}`          one statistic of one layer (3 decimals)
//! `{sigmoid-std1.layer5.std:.2}`       with 2 decimals
//! `{sigmoid-std1.layer5.edge_frac:.0%}` as a percentage
//! `{std-001.layer5.unit_std:.1e}`      in scientific notation
//! `{sigmoid-std1.seed}`                a parameter of the experiment
//! ```
//!
//! A code span counts as a reference when it is `{`, an id, a dot, and `}`; anything else stays
//! code. Whether the experiment, layer and statistic exist is checked against the page's
//! directives before anything runs.

use std::fmt::Write;
use std::ops::Range;

use crate::numeric::{ExperimentParams, Init, LayerStats};

/// A statistic of one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    Mean,
    Std,
    Min,
    Max,
    UnitStd,
    UnitMeanStd,
    ZeroFrac,
    EdgeFrac,
    DerivMean,
    Below,
    Above,
}

impl Stat {
    pub const ALL: [(&'static str, Stat); 11] = [
        ("mean", Stat::Mean),
        ("std", Stat::Std),
        ("min", Stat::Min),
        ("max", Stat::Max),
        ("unit_std", Stat::UnitStd),
        ("unit_mean_std", Stat::UnitMeanStd),
        ("zero_frac", Stat::ZeroFrac),
        ("edge_frac", Stat::EdgeFrac),
        ("deriv_mean", Stat::DerivMean),
        ("below", Stat::Below),
        ("above", Stat::Above),
    ];

    pub fn name(self) -> &'static str {
        Stat::ALL
            .iter()
            .find(|(_, stat)| *stat == self)
            .map(|(name, _)| *name)
            .expect("every statistic is listed")
    }

    pub fn value(self, stats: &LayerStats) -> Value {
        match self {
            Stat::Mean => Value::Real(stats.mean),
            Stat::Std => Value::Real(stats.std),
            Stat::Min => Value::Real(stats.min),
            Stat::Max => Value::Real(stats.max),
            Stat::UnitStd => Value::Real(stats.unit_std),
            Stat::UnitMeanStd => Value::Real(stats.unit_mean_std),
            Stat::ZeroFrac => Value::Real(stats.zero_frac),
            Stat::EdgeFrac => Value::Real(stats.edge_frac),
            Stat::DerivMean => Value::Real(stats.deriv_mean),
            Stat::Below => Value::Count(stats.below),
            Stat::Above => Value::Count(stats.above),
        }
    }
}

/// A parameter of the experiment (not a result, but handy in prose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Seed,
    Layers,
    Nodes,
    Samples,
    Bins,
    /// The standard deviation the scheme gives the weights (`std` for normal, 1/√n for Xavier…).
    WeightStd,
}

impl Param {
    pub const ALL: [(&'static str, Param); 6] = [
        ("seed", Param::Seed),
        ("layers", Param::Layers),
        ("nodes", Param::Nodes),
        ("samples", Param::Samples),
        ("bins", Param::Bins),
        ("weight_std", Param::WeightStd),
    ];

    pub fn value(self, params: &ExperimentParams, seed: u64) -> Value {
        match self {
            Param::Seed => Value::Count(seed),
            Param::Layers => Value::Count(params.layers as u64),
            Param::Nodes => Value::Count(params.nodes as u64),
            Param::Samples => Value::Count(params.samples as u64),
            Param::Bins => Value::Count(params.bins as u64),
            Param::WeightStd => Value::Real(match params.init {
                Init::Normal { std } => std,
                other => other.weight_std(params.nodes),
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Real(f64),
    Count(u64),
}

/// What a reference points at within its experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Layer { layer: usize, stat: Stat },
    Param(Param),
}

/// How to print the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// `:.N` — N decimals. The default for real numbers is 3.
    Fixed(usize),
    /// `:.N%` — times 100, N decimals, a percent sign.
    Percent(usize),
    /// `:.Ne` — scientific, N decimals in the mantissa.
    Scientific(usize),
}

impl NumberFormat {
    pub fn format(self, value: Value) -> String {
        let real = match value {
            Value::Count(n) if matches!(self, NumberFormat::Fixed(0)) => return n.to_string(),
            Value::Count(n) => n as f64,
            Value::Real(x) => x,
        };
        let mut out = String::new();
        match self {
            NumberFormat::Fixed(decimals) => write!(out, "{real:.decimals$}"),
            NumberFormat::Percent(decimals) => write!(out, "{:.decimals$}%", real * 100.0),
            NumberFormat::Scientific(decimals) => {
                // 1.2e-4 → 1.2 × 10⁻⁴, which reads better in prose.
                let text = format!("{real:.decimals$e}");
                let (mantissa, exponent) = text.split_once('e').expect("{:e} always has an e");
                write!(out, "{mantissa} × 10{}", superscript(exponent))
            }
        }
        .expect("writing to a String cannot fail");
        // Never print "-0.000": a value that rounds to zero is zero.
        if out.starts_with('-') && out[1..].chars().all(|c| matches!(c, '0' | '.' | '%')) {
            out.remove(0);
        }
        out
    }
}

fn superscript(exponent: &str) -> String {
    exponent
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            other => other,
        })
        .collect()
}

/// A reference found in a lesson.
#[derive(Debug, Clone, PartialEq)]
pub struct StatRef {
    /// Byte span of the whole code span in the Markdown file.
    pub span: Range<usize>,
    pub experiment: String,
    pub target: Target,
    pub format: NumberFormat,
}

/// The result of looking at one code span.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    /// Not shaped like a reference: leave it as code.
    NotAReference,
    /// Shaped like one, but wrong: the message and a hint.
    Invalid { message: String, hint: String },
    /// A reference; the experiment's existence and layer count are checked by the caller.
    Reference {
        experiment: String,
        target: Target,
        format: NumberFormat,
    },
}

/// Parses the text of a code span (without the backticks).
pub fn parse_reference(code: &str) -> Parsed {
    let Some(inner) = code.strip_prefix('{').and_then(|c| c.strip_suffix('}')) else {
        return Parsed::NotAReference;
    };
    let (path, format) = match inner.split_once(':') {
        Some((path, format)) => (path, Some(format)),
        None => (inner, None),
    };
    let mut parts = path.split('.');
    let experiment = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let looks_like_id = !experiment.is_empty()
        && experiment
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !looks_like_id || rest.is_empty() {
        return Parsed::NotAReference;
    }
    let invalid = |message: String, hint: &str| Parsed::Invalid {
        message,
        hint: hint.to_string(),
    };
    let stat_names = || {
        Stat::ALL
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let param_names = || {
        Param::ALL
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    };

    let target = match rest.as_slice() {
        [layer, stat] => {
            let Some(layer) = layer
                .strip_prefix("layer")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|&n| n >= 1)
            else {
                return invalid(
                    format!("`{layer}` is not a layer"),
                    "write layerN with N from 1, e.g. {id.layer5.std}",
                );
            };
            let Some(&(_, stat)) = Stat::ALL.iter().find(|(name, _)| name == stat) else {
                let hint = match crate::diagnostic::suggest(stat, &Stat::ALL.map(|(n, _)| n)) {
                    Some(close) => format!("did you mean `{close}`? statistics: {}", stat_names()),
                    None => format!("statistics: {}", stat_names()),
                };
                return invalid(format!("unknown statistic `{stat}`"), &hint);
            };
            Target::Layer { layer, stat }
        }
        [param] => {
            let Some(&(_, param)) = Param::ALL.iter().find(|(name, _)| name == param) else {
                return invalid(
                    format!("unknown parameter `{param}`"),
                    &format!(
                        "parameters: {}; for a statistic name the layer: {{id.layer5.std}}",
                        param_names()
                    ),
                );
            };
            Target::Param(param)
        }
        _ => {
            return invalid(
                format!("cannot read the reference `{code}`"),
                "write {id.layerN.statistic} or {id.parameter}",
            );
        }
    };

    let is_count = matches!(
        target,
        Target::Layer {
            stat: Stat::Below | Stat::Above,
            ..
        } | Target::Param(
            Param::Seed | Param::Layers | Param::Nodes | Param::Samples | Param::Bins
        )
    );
    let format = match format {
        None if is_count => NumberFormat::Fixed(0),
        None => NumberFormat::Fixed(3),
        Some(spec) => match parse_format(spec) {
            Some(format) => format,
            None => {
                return invalid(
                    format!("unknown number format `:{spec}`"),
                    "use :.N (N decimals), :.N% (percent) or :.Ne (scientific), e.g. :.2",
                );
            }
        },
    };
    Parsed::Reference {
        experiment: experiment.to_string(),
        target,
        format,
    }
}

fn parse_format(spec: &str) -> Option<NumberFormat> {
    let digits = spec.strip_prefix('.')?;
    let (digits, kind): (&str, fn(usize) -> NumberFormat) =
        if let Some(d) = digits.strip_suffix('%') {
            (d, NumberFormat::Percent)
        } else if let Some(d) = digits.strip_suffix('e') {
            (d, NumberFormat::Scientific)
        } else {
            (digits, NumberFormat::Fixed)
        };
    let decimals: usize = digits.parse().ok().filter(|&d| d <= 12)?;
    Some(kind(decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_non_references() {
        assert_eq!(
            parse_reference("{sigmoid-std1.layer5.std:.2}"),
            Parsed::Reference {
                experiment: "sigmoid-std1".into(),
                target: Target::Layer {
                    layer: 5,
                    stat: Stat::Std
                },
                format: NumberFormat::Fixed(2)
            }
        );
        assert_eq!(
            parse_reference("{a.seed}"),
            Parsed::Reference {
                experiment: "a".into(),
                target: Target::Param(Param::Seed),
                format: NumberFormat::Fixed(0)
            }
        );
        assert_eq!(parse_reference("x = {a.b}"), Parsed::NotAReference);
        assert_eq!(parse_reference("{}"), Parsed::NotAReference);
        assert_eq!(parse_reference("{ a.b }"), Parsed::NotAReference);
        assert_eq!(parse_reference("{Foo.bar}"), Parsed::NotAReference);
        assert!(matches!(
            parse_reference("{a.layer0.std}"),
            Parsed::Invalid { .. }
        ));
        assert!(
            matches!(parse_reference("{a.layer2.sdt}"), Parsed::Invalid { hint, .. } if hint.contains("`std`"))
        );
        assert!(matches!(
            parse_reference("{a.layer2.std:3}"),
            Parsed::Invalid { .. }
        ));
        assert!(matches!(
            parse_reference("{a.colour}"),
            Parsed::Invalid { .. }
        ));
    }

    #[test]
    fn number_formats() {
        assert_eq!(NumberFormat::Fixed(3).format(Value::Real(0.12345)), "0.123");
        assert_eq!(
            NumberFormat::Percent(1).format(Value::Real(0.12345)),
            "12.3%"
        );
        assert_eq!(
            NumberFormat::Scientific(1).format(Value::Real(0.000123)),
            "1.2 × 10⁻⁴"
        );
        assert_eq!(NumberFormat::Fixed(0).format(Value::Count(42)), "42");
        assert_eq!(NumberFormat::Fixed(2).format(Value::Real(-0.0001)), "0.00");
    }
}
