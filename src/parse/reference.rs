//! Inline references: a number in the prose that comes from an experiment on the page.
//!
//! Written as a code span, so the Markdown still reads well in an editor and on GitHub:
//!
//! ```text
//! `{sigmoid-std1.layer5.std}`              a statistic of one layer (3 decimals)
//! `{sigmoid-std1.layer5.edge_frac:.0%}`    as a percentage
//! `{std-small.layer5.unit_std:.1e}`        in scientific notation
//! `{grad-std1.layer1.grad_rms:.1e}`        a gradient experiment's layer
//! `{relu-depth.he.layer30.std:.2}`         one scheme of a depth experiment
//! `{train.he.test_accuracy:.1%}`           one scheme of a training experiment
//! `{train.zero.layer2.distinct_units}`     … and one of its hidden layers
//! `{sigmoid-std1.seed}`                    a parameter of the experiment
//! ```
//!
//! A code span counts as a reference when it is `{`, an id, a dot, and `}`; anything else stays
//! code. What the path may name depends on the experiment's kind, so it is resolved against the
//! page's directives ([`resolve`]) before anything runs.

use std::fmt::Write;

use crate::diagnostic::suggest;
use crate::numeric::{Experiment, Init, LayerStats, Outcome};

use super::directive::ExperimentSpec;

/// A statistic of one layer of an activation experiment.
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

/// A statistic of the gradient reaching one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradientStat {
    Rms,
    MeanAbs,
    TinyFrac,
}

impl GradientStat {
    pub const ALL: [(&'static str, GradientStat); 3] = [
        ("grad_rms", GradientStat::Rms),
        ("grad_mean_abs", GradientStat::MeanAbs),
        ("grad_tiny_frac", GradientStat::TinyFrac),
    ];
}

/// A result of one training run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStat {
    TrainAccuracy,
    TestAccuracy,
    InitialLoss,
    /// Mean of the last 50 logged losses (or fewer, for short runs).
    FinalLoss,
}

impl RunStat {
    pub const ALL: [(&'static str, RunStat); 4] = [
        ("train_accuracy", RunStat::TrainAccuracy),
        ("test_accuracy", RunStat::TestAccuracy),
        ("initial_loss", RunStat::InitialLoss),
        ("final_loss", RunStat::FinalLoss),
    ];
}

/// A parameter of the experiment (not a result, but handy in prose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Seed,
    Layers,
    Nodes,
    Samples,
    Bins,
    Iterations,
    Batch,
    /// The weights' standard deviation (`std` for normal, 1/√n for Xavier…).
    WeightStd,
    /// Training: the sizes of the two parts of the data set.
    TrainSamples,
    TestSamples,
}

impl Param {
    pub const ALL: [(&'static str, Param); 10] = [
        ("seed", Param::Seed),
        ("layers", Param::Layers),
        ("nodes", Param::Nodes),
        ("samples", Param::Samples),
        ("bins", Param::Bins),
        ("iterations", Param::Iterations),
        ("batch", Param::Batch),
        ("weight_std", Param::WeightStd),
        ("train_samples", Param::TrainSamples),
        ("test_samples", Param::TestSamples),
    ];

    /// The value, or `None` when this kind of experiment has no such parameter.
    fn applies_to(self, experiment: &Experiment) -> bool {
        matches!(
            (self, experiment),
            (Param::Seed | Param::Layers | Param::Nodes, _)
                | (
                    Param::Samples,
                    Experiment::Activations(_) | Experiment::Gradients(_) | Experiment::Depth(_)
                )
                | (
                    Param::Bins | Param::WeightStd,
                    Experiment::Activations(_) | Experiment::Gradients(_)
                )
                | (
                    Param::Iterations | Param::Batch | Param::TrainSamples | Param::TestSamples,
                    Experiment::Training(_)
                )
        )
    }

    fn value(self, spec: &ExperimentSpec, outcome: &Outcome) -> Value {
        let count = |n: usize| Value::Count(n as u64);
        let weight_std = |init: Init, nodes: usize| {
            Value::Real(match init {
                Init::Normal { std } => std,
                other => other.weight_std(nodes),
            })
        };
        match (self, &spec.experiment, outcome) {
            (Param::Seed, _, _) => Value::Count(spec.seed),
            (Param::Layers, experiment, _) => count(experiment.layers()),
            (Param::Nodes, Experiment::Activations(p), _) => count(p.nodes),
            (Param::Nodes, Experiment::Gradients(p), _) => count(p.nodes),
            (Param::Nodes, Experiment::Depth(p), _) => count(p.nodes),
            (Param::Nodes, Experiment::Training(p), _) => count(p.nodes),
            (Param::Samples, Experiment::Activations(p), _) => count(p.samples),
            (Param::Samples, Experiment::Gradients(p), _) => count(p.samples),
            (Param::Samples, Experiment::Depth(p), _) => count(p.samples),
            (Param::Bins, Experiment::Activations(p), _) => count(p.bins),
            (Param::Bins, Experiment::Gradients(p), _) => count(p.bins),
            (Param::WeightStd, Experiment::Activations(p), _) => weight_std(p.init, p.nodes),
            (Param::WeightStd, Experiment::Gradients(p), _) => weight_std(p.init, p.nodes),
            (Param::Iterations, Experiment::Training(p), _) => count(p.iterations),
            (Param::Batch, Experiment::Training(p), _) => count(p.batch),
            (Param::TrainSamples, _, Outcome::Training(r)) => count(r.train_samples),
            (Param::TestSamples, _, Outcome::Training(r)) => count(r.test_samples),
            _ => unreachable!("resolve() only accepts parameters of the experiment's kind"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Real(f64),
    Count(u64),
}

/// What a reference points at within its experiment, checked against its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Param(Param),
    Layer { layer: usize, stat: Stat },
    Gradient { layer: usize, stat: GradientStat },
    GradientLoss,
    DepthStd { run: usize, layer: usize },
    Run { run: usize, stat: RunStat },
    DistinctUnits { run: usize, layer: usize },
}

impl Target {
    /// The number, read from the experiment's outcome.
    pub fn value(self, spec: &ExperimentSpec, outcome: &Outcome) -> Value {
        match (self, outcome) {
            (Target::Param(param), _) => param.value(spec, outcome),
            (Target::Layer { layer, stat }, Outcome::Activations(r)) => {
                stat.value(&r.layers[layer - 1])
            }
            (Target::Gradient { layer, stat }, Outcome::Gradients(r)) => {
                let layer = &r.layers[layer - 1];
                Value::Real(match stat {
                    GradientStat::Rms => layer.grad_rms,
                    GradientStat::MeanAbs => layer.grad_mean_abs,
                    GradientStat::TinyFrac => layer.grad_tiny_frac,
                })
            }
            (Target::GradientLoss, Outcome::Gradients(r)) => Value::Real(r.loss),
            (Target::DepthStd { run, layer }, Outcome::Depth(r)) => {
                Value::Real(r.series[run].std[layer - 1])
            }
            (Target::Run { run, stat }, Outcome::Training(r)) => {
                let run = &r.runs[run];
                Value::Real(match stat {
                    RunStat::TrainAccuracy => run.train_accuracy,
                    RunStat::TestAccuracy => run.test_accuracy,
                    RunStat::InitialLoss => run.loss.first().copied().unwrap_or(f64::NAN),
                    RunStat::FinalLoss => final_loss(&run.loss),
                })
            }
            (Target::DistinctUnits { run, layer }, Outcome::Training(r)) => {
                Value::Count(r.runs[run].distinct_units[layer - 1] as u64)
            }
            _ => unreachable!("resolve() matched the target to the experiment's kind"),
        }
    }

    /// A few words for the link's tooltip.
    pub fn describe(self, spec: &ExperimentSpec) -> String {
        let label = |run: usize| spec.experiment.runs()[run].label.clone();
        match self {
            Target::Param(_) => "parameter".to_string(),
            Target::Layer { layer, stat } => {
                format!("layer {layer}, {}", name_of(&Stat::ALL, stat))
            }
            Target::Gradient { layer, stat } => {
                format!("layer {layer}, {}", name_of(&GradientStat::ALL, stat))
            }
            Target::GradientLoss => "loss".to_string(),
            Target::DepthStd { run, layer } => format!("{}, layer {layer}, std", label(run)),
            Target::Run { run, stat } => {
                format!("{}, {}", label(run), name_of(&RunStat::ALL, stat))
            }
            Target::DistinctUnits { run, layer } => {
                format!("{}, layer {layer}, distinct units", label(run))
            }
        }
    }
}

/// The mean of the last 50 losses: a smoothed end point of a noisy mini-batch curve.
pub fn final_loss(loss: &[f64]) -> f64 {
    let tail = &loss[loss.len().saturating_sub(50)..];
    tail.iter().sum::<f64>() / tail.len() as f64
}

fn name_of<T: PartialEq + Copy>(table: &[(&'static str, T)], item: T) -> &'static str {
    table
        .iter()
        .find(|(_, candidate)| *candidate == item)
        .map(|(name, _)| *name)
        .expect("every item is listed")
}

/// How to print the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// `:.N` — N decimals. The default for real numbers is 3; counts print whole.
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
        // An overflowed or diverged experiment: say so rather than print digits.
        if real.is_nan() {
            return "NaN".to_string();
        }
        if real.is_infinite() {
            return if real > 0.0 { "∞" } else { "−∞" }.to_string();
        }
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

/// A reference found in a lesson, resolved against its experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct StatRef {
    /// Byte span of the whole code span in the Markdown file.
    pub span: std::ops::Range<usize>,
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
    /// A reference, to be resolved against the experiment `experiment`.
    Reference {
        experiment: String,
        path: Vec<String>,
        format: Option<NumberFormat>,
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
    let rest: Vec<String> = parts.map(str::to_string).collect();
    let looks_like_id = !experiment.is_empty()
        && experiment
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !looks_like_id || rest.is_empty() {
        return Parsed::NotAReference;
    }
    let format = match format.map(parse_format) {
        None => None,
        Some(Some(format)) => Some(format),
        Some(None) => {
            return Parsed::Invalid {
                message: format!("unknown number format `:{}`", format.unwrap_or_default()),
                hint: "use :.N (N decimals), :.N% (percent) or :.Ne (scientific), e.g. :.2"
                    .to_string(),
            };
        }
    };
    Parsed::Reference {
        experiment: experiment.to_string(),
        path: rest,
        format,
    }
}

/// Resolves the part after the id against the experiment it names. `Err((message, hint))`.
pub fn resolve(spec: &ExperimentSpec, path: &[String]) -> Result<Target, (String, String)> {
    let experiment = &spec.experiment;
    let kind = experiment.kind();
    let layers = experiment.layers();
    let names = |table: &[&str]| table.join(", ");
    let unknown = |what: &str, name: &str, known: &[&str]| {
        let hint = match suggest(name, known) {
            Some(close) => format!("did you mean `{close}`? {what}s: {}", names(known)),
            None => format!("{what}s of a {kind} experiment: {}", names(known)),
        };
        Err((format!("unknown {what} `{name}`"), hint))
    };
    let layer_of = |segment: &str| -> Result<usize, (String, String)> {
        let layer = segment
            .strip_prefix("layer")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n >= 1)
            .ok_or_else(|| {
                (
                    format!("`{segment}` is not a layer"),
                    "write layerN with N from 1, e.g. layer5".to_string(),
                )
            })?;
        if layer > layers {
            return Err((
                format!(
                    "experiment \"{}\" has {layers} layers, not {layer}",
                    spec.id
                ),
                format!("layers are numbered 1 to {layers}"),
            ));
        }
        Ok(layer)
    };
    let run_of = |segment: &str| -> Result<usize, (String, String)> {
        let labels: Vec<&str> = experiment.runs().iter().map(|r| r.label.as_str()).collect();
        labels.iter().position(|l| *l == segment).ok_or_else(|| {
            (
                format!(
                    "experiment \"{}\" compares no scheme labelled `{segment}`",
                    spec.id
                ),
                format!("its schemes: {}", names(&labels)),
            )
        })
    };
    let param = |name: &str| {
        Param::ALL
            .iter()
            .find(|(n, p)| *n == name && p.applies_to(experiment))
            .map(|(_, p)| Target::Param(*p))
    };
    let param_names: Vec<&str> = Param::ALL
        .iter()
        .filter(|(_, p)| p.applies_to(experiment))
        .map(|(n, _)| *n)
        .collect();
    let path: Vec<&str> = path.iter().map(String::as_str).collect();

    match (experiment, path.as_slice()) {
        (_, [name]) if param(name).is_some() => Ok(param(name).expect("checked")),
        (Experiment::Activations(_), [layer, stat]) => {
            let layer = layer_of(layer)?;
            match Stat::ALL.iter().find(|(n, _)| n == stat) {
                Some(&(_, stat)) => Ok(Target::Layer { layer, stat }),
                None => unknown("statistic", stat, &Stat::ALL.map(|(n, _)| n)),
            }
        }
        (Experiment::Gradients(_), ["loss"]) => Ok(Target::GradientLoss),
        (Experiment::Gradients(_), [layer, stat]) => {
            let layer = layer_of(layer)?;
            match GradientStat::ALL.iter().find(|(n, _)| n == stat) {
                Some(&(_, stat)) => Ok(Target::Gradient { layer, stat }),
                None => unknown("statistic", stat, &GradientStat::ALL.map(|(n, _)| n)),
            }
        }
        (Experiment::Depth(_), [label, layer, stat]) => {
            let run = run_of(label)?;
            let layer = layer_of(layer)?;
            if *stat != "std" {
                return unknown("statistic", stat, &["std"]);
            }
            Ok(Target::DepthStd { run, layer })
        }
        (Experiment::Training(_), [label, stat]) => {
            let run = run_of(label)?;
            match RunStat::ALL.iter().find(|(n, _)| n == stat) {
                Some(&(_, stat)) => Ok(Target::Run { run, stat }),
                None => unknown("statistic", stat, &RunStat::ALL.map(|(n, _)| n)),
            }
        }
        (Experiment::Training(_), [label, layer, stat]) => {
            let run = run_of(label)?;
            let layer = layer_of(layer)?;
            if *stat != "distinct_units" {
                return unknown("statistic", stat, &["distinct_units"]);
            }
            Ok(Target::DistinctUnits { run, layer })
        }
        (_, [name]) => unknown("parameter", name, &param_names),
        _ => Err((
            format!("cannot read the reference for a {kind} experiment"),
            match kind {
                "activations" => "write {id.layerN.statistic} or {id.parameter}",
                "gradients" => "write {id.layerN.grad_rms}, {id.loss} or {id.parameter}",
                "depth" => "write {id.label.layerN.std} or {id.parameter}",
                _ => "write {id.label.test_accuracy}, {id.label.layerN.distinct_units} or {id.parameter}",
            }
            .to_string(),
        )),
    }
}

/// The format a reference gets when it names none: counts whole, the rest with 3 decimals.
pub fn default_format(target: Target) -> NumberFormat {
    let is_count = matches!(
        target,
        Target::Layer {
            stat: Stat::Below | Stat::Above,
            ..
        } | Target::DistinctUnits { .. }
            | Target::Param(
                Param::Seed
                    | Param::Layers
                    | Param::Nodes
                    | Param::Samples
                    | Param::Bins
                    | Param::Iterations
                    | Param::Batch
                    | Param::TrainSamples
                    | Param::TestSamples
            )
    );
    if is_count {
        NumberFormat::Fixed(0)
    } else {
        NumberFormat::Fixed(3)
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
                path: vec!["layer5".into(), "std".into()],
                format: Some(NumberFormat::Fixed(2)),
            }
        );
        assert_eq!(parse_reference("x = {a.b}"), Parsed::NotAReference);
        assert_eq!(parse_reference("{}"), Parsed::NotAReference);
        assert_eq!(parse_reference("{ a.b }"), Parsed::NotAReference);
        assert_eq!(parse_reference("{Foo.bar}"), Parsed::NotAReference);
        assert!(matches!(
            parse_reference("{a.layer2.std:3}"),
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
        assert_eq!(
            NumberFormat::Scientific(1).format(Value::Real(f64::INFINITY)),
            "∞"
        );
        assert_eq!(
            NumberFormat::Percent(1).format(Value::Real(f64::NAN)),
            "NaN"
        );
    }

    #[test]
    fn final_loss_averages_the_tail() {
        let loss: Vec<f64> = (0..100).map(|i| if i < 50 { 9.0 } else { 1.0 }).collect();
        assert_eq!(final_loss(&loss), 1.0);
        assert_eq!(final_loss(&[2.0, 4.0]), 3.0);
    }
}
