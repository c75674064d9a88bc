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
//! `{explore.tanh.s0_1.layer5.std}`        one frame of a sweep: activation, σ (0.1), layer
//! `{explore.relu.he.layer5.std}`           … at a mark
//! `{explore.he.weight_std}`                a stop's σ
//! `{sigmoid-std1.seed}`                    a parameter of the experiment
//! ```
//!
//! A code span counts as a reference when it is `{`, an id, a dot, and `}`; anything else stays
//! code. What the path may name depends on the experiment's kind, so it is resolved against the
//! page's directives ([`resolve`]) before anything runs.

use crate::diagnostic::suggest;
use crate::format::NumberFormat;
use crate::model::ExperimentSpec;
use crate::model::target::{GradientStat, Param, RunStat, Stat, Target};
use crate::numeric::sweep::{Stop, SweepParams};
use crate::numeric::{Experiment, Kind};

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

/// A reference that cannot be resolved: the message and a hint.
type Problem = (String, String);

/// Resolves the part after the id against the experiment it names. `Err((message, hint))`.
pub fn resolve(spec: &ExperimentSpec, path: &[String]) -> Result<Target, Problem> {
    let experiment = &spec.experiment;
    let kind = experiment.kind();
    let param = |name: &str| {
        Param::ALL
            .iter()
            .find(|(n, p)| *n == name && p.applies_to(experiment))
            .map(|(_, p)| Target::Param(*p))
    };
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    match (experiment, path.as_slice()) {
        (_, [name]) if param(name).is_some() => Ok(param(name).expect("checked")),
        (Experiment::Activations(_), [layer, stat]) => {
            let layer = layer_of(spec, layer)?;
            let stat = statistic(kind, stat, &Stat::ALL)?;
            Ok(Target::Layer { layer, stat })
        }
        (Experiment::Gradients(_), ["loss"]) => Ok(Target::GradientLoss),
        (Experiment::Gradients(_), [layer, stat]) => {
            let layer = layer_of(spec, layer)?;
            let stat = statistic(kind, stat, &GradientStat::ALL)?;
            Ok(Target::Gradient { layer, stat })
        }
        (Experiment::Depth(_), [label, layer, stat]) => {
            let run = run_of(spec, label)?;
            let layer = layer_of(spec, layer)?;
            statistic(kind, stat, &[("std", ())])?;
            Ok(Target::DepthStd { run, layer })
        }
        (Experiment::Training(_), [label, stat]) => {
            let run = run_of(spec, label)?;
            let stat = statistic(kind, stat, &RunStat::ALL)?;
            Ok(Target::Run { run, stat })
        }
        (Experiment::Sweep(params), [stop, "weight_std"]) => {
            let stop = stop_of(spec, params, stop)?;
            Ok(Target::SweepStd { stop })
        }
        (Experiment::Sweep(params), [activation, stop, layer, stat]) => {
            let activation = activation_of(spec, params, activation)?;
            let stop = stop_of(spec, params, stop)?;
            let layer = layer_of(spec, layer)?;
            let stat = statistic(kind, stat, &Stat::ALL)?;
            let frame = activation * params.stops().len() + stop;
            Ok(Target::SweepLayer { frame, layer, stat })
        }
        (Experiment::Training(_), [label, layer, stat]) => {
            let run = run_of(spec, label)?;
            let layer = layer_of(spec, layer)?;
            statistic(kind, stat, &[("distinct_units", ())])?;
            Ok(Target::DistinctUnits { run, layer })
        }
        (_, [name]) => {
            let names: Vec<&str> = Param::ALL
                .iter()
                .filter(|(_, p)| p.applies_to(experiment))
                .map(|(n, _)| *n)
                .collect();
            Err(unknown(kind, "parameter", name, &names))
        }
        _ => Err((
            format!("cannot read the reference for a {kind} experiment"),
            reference_forms(kind).to_string(),
        )),
    }
}

/// What the references to an experiment of `kind` look like.
fn reference_forms(kind: Kind) -> &'static str {
    match kind {
        Kind::Activations => "write {id.layerN.statistic} or {id.parameter}",
        Kind::Gradients => "write {id.layerN.grad_rms}, {id.loss} or {id.parameter}",
        Kind::Depth => "write {id.label.layerN.std} or {id.parameter}",
        Kind::Training => {
            "write {id.label.test_accuracy}, {id.label.layerN.distinct_units} or {id.parameter}"
        }
        Kind::Sweep => {
            "write {id.activation.σ.layerN.statistic} with σ as s0_1 for 0.1 or a mark (he), e.g. {id.relu.he.layer5.std}; {id.σ.weight_std}; or {id.parameter}"
        }
    }
}

/// The statistic `name` of `table`.
fn statistic<T: Copy>(kind: Kind, name: &str, table: &[(&str, T)]) -> Result<T, Problem> {
    match table.iter().find(|(n, _)| *n == name) {
        Some(&(_, stat)) => Ok(stat),
        None => {
            let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
            Err(unknown(kind, "statistic", name, &names))
        }
    }
}

fn unknown(kind: Kind, what: &str, name: &str, known: &[&str]) -> Problem {
    let names = known.join(", ");
    let hint = match suggest(name, known) {
        Some(close) => format!("did you mean `{close}`? {what}s: {names}"),
        None => format!("{what}s of a {kind} experiment: {names}"),
    };
    (format!("unknown {what} `{name}`"), hint)
}

/// `layerN`, checked against the experiment's layers.
fn layer_of(spec: &ExperimentSpec, segment: &str) -> Result<usize, Problem> {
    let layers = spec.experiment.layers();
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
}

/// The activation `segment` of a sweep, by position.
fn activation_of(
    spec: &ExperimentSpec,
    params: &SweepParams,
    segment: &str,
) -> Result<usize, Problem> {
    params
        .activations
        .iter()
        .position(|a| a.name() == segment)
        .ok_or_else(|| {
            let names: Vec<&str> = params.activations.iter().map(|a| a.name()).collect();
            (
                format!("sweep \"{}\" has no activation `{segment}`", spec.id),
                format!("its activations: {}", names.join(", ")),
            )
        })
}

/// The stop of a sweep's σ axis `segment` names (`s0_1`, or a mark), by position.
fn stop_of(spec: &ExperimentSpec, params: &SweepParams, segment: &str) -> Result<usize, Problem> {
    let stops = params.stops();
    stops
        .iter()
        .position(|stop| stop.is_named(segment))
        .ok_or_else(|| {
            let keys: Vec<String> = stops.iter().map(Stop::key).collect();
            let message = match segment
                .strip_prefix('s')
                .map(|n| n.replace('_', ".").parse::<f64>())
            {
                Some(Ok(std)) => format!("sweep \"{}\" has no σ = {std}", spec.id),
                _ => format!("`{segment}` is not a σ of sweep \"{}\"", spec.id),
            };
            (
                message,
                format!(
                    "name σ with s and _ for the point (s0_01 is 0.01), or a mark; its σ: {}",
                    keys.join(", ")
                ),
            )
        })
}

/// The compared scheme labelled `segment`, by position.
fn run_of(spec: &ExperimentSpec, segment: &str) -> Result<usize, Problem> {
    let labels: Vec<&str> = spec
        .experiment
        .runs()
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    labels.iter().position(|l| *l == segment).ok_or_else(|| {
        (
            format!(
                "experiment \"{}\" compares no scheme labelled `{segment}`",
                spec.id
            ),
            format!("its schemes: {}", labels.join(", ")),
        )
    })
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
}
