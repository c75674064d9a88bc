//! What an inline reference (`{id.layer5.std:.2}`) points at within its experiment, checked
//! against the experiment's kind by the parse stage and read from the outcome by the render
//! stage.

use crate::format::{Number, NumberFormat};
use crate::numeric::sweep::Stop;
use crate::numeric::{Experiment, Init, LayerStats, NetworkParams, Outcome};

use super::ExperimentSpec;

/// A reference found in a lesson, resolved against its experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct StatRef {
    /// Byte span of the whole code span in the Markdown file.
    pub span: std::ops::Range<usize>,
    pub experiment: String,
    pub target: Target,
    pub format: NumberFormat,
}

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

    pub fn value(self, stats: &LayerStats) -> Number {
        match self {
            Stat::Mean => Number::Real(stats.mean),
            Stat::Std => Number::Real(stats.std),
            Stat::Min => Number::Real(stats.min),
            Stat::Max => Number::Real(stats.max),
            Stat::UnitStd => Number::Real(stats.unit_std),
            Stat::UnitMeanStd => Number::Real(stats.unit_mean_std),
            Stat::ZeroFrac => Number::Real(stats.zero_frac),
            Stat::EdgeFrac => Number::Real(stats.edge_frac),
            Stat::DerivMean => Number::Real(stats.deriv_mean),
            Stat::Below => Number::Count(stats.below),
            Stat::Above => Number::Count(stats.above),
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
    /// The scheme's weight standard deviation (`std` of `init = "normal"`; NaN for the others,
    /// whose std depends on the layer's fan-in).
    Std,
}

impl RunStat {
    pub const ALL: [(&'static str, RunStat); 5] = [
        ("train_accuracy", RunStat::TrainAccuracy),
        ("test_accuracy", RunStat::TestAccuracy),
        ("initial_loss", RunStat::InitialLoss),
        ("final_loss", RunStat::FinalLoss),
        ("std", RunStat::Std),
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
    /// Training: the SGD step size.
    LearningRate,
    /// The weights' standard deviation (`std` for normal, 1/√n for Xavier…).
    WeightStd,
    /// Training: the sizes of the two parts of the data set.
    TrainSamples,
    TestSamples,
    /// A sweep's frames: σ values (and marks) times activations.
    Frames,
}

impl Param {
    pub const ALL: [(&'static str, Param); 12] = [
        ("seed", Param::Seed),
        ("layers", Param::Layers),
        ("nodes", Param::Nodes),
        ("samples", Param::Samples),
        ("bins", Param::Bins),
        ("iterations", Param::Iterations),
        ("batch", Param::Batch),
        ("learning_rate", Param::LearningRate),
        ("weight_std", Param::WeightStd),
        ("train_samples", Param::TrainSamples),
        ("test_samples", Param::TestSamples),
        ("frames", Param::Frames),
    ];

    /// Whether experiments of this kind have the parameter.
    pub fn applies_to(self, experiment: &Experiment) -> bool {
        matches!(
            (self, experiment),
            (Param::Seed | Param::Layers | Param::Nodes, _)
                | (
                    Param::Samples,
                    Experiment::Activations(_)
                        | Experiment::Gradients(_)
                        | Experiment::Depth(_)
                        | Experiment::Sweep(_)
                )
                | (
                    Param::Bins,
                    Experiment::Activations(_) | Experiment::Gradients(_) | Experiment::Sweep(_)
                )
                | (
                    Param::WeightStd,
                    Experiment::Activations(_) | Experiment::Gradients(_)
                )
                | (Param::Frames, Experiment::Sweep(_))
                | (
                    Param::Iterations
                        | Param::Batch
                        | Param::LearningRate
                        | Param::TrainSamples
                        | Param::TestSamples,
                    Experiment::Training(_)
                )
        )
    }

    fn value(self, spec: &ExperimentSpec, outcome: &Outcome) -> Number {
        let count = |n: usize| Number::Count(n as u64);
        let weight_std = |network: &NetworkParams| {
            Number::Real(match network.init {
                Init::Normal { std } => std,
                other => other.weight_std(network.nodes),
            })
        };
        match (self, &spec.experiment, outcome) {
            (Param::Seed, _, _) => Number::Count(spec.seed),
            (Param::Layers, experiment, _) => count(experiment.layers()),
            (Param::Nodes, Experiment::Activations(p), _) => count(p.network.nodes),
            (Param::Nodes, Experiment::Gradients(p), _) => count(p.network.nodes),
            (Param::Nodes, Experiment::Depth(p), _) => count(p.nodes),
            (Param::Nodes, Experiment::Training(p), _) => count(p.nodes),
            (Param::Nodes, Experiment::Sweep(p), _) => count(p.nodes),
            (Param::Samples, Experiment::Sweep(p), _) => count(p.samples),
            (Param::Bins, Experiment::Sweep(p), _) => count(p.bins),
            (Param::Frames, Experiment::Sweep(p), _) => count(p.frames().len()),
            (Param::Samples, Experiment::Activations(p), _) => count(p.network.samples),
            (Param::Samples, Experiment::Gradients(p), _) => count(p.network.samples),
            (Param::Samples, Experiment::Depth(p), _) => count(p.samples),
            (Param::Bins, Experiment::Activations(p), _) => count(p.bins),
            (Param::Bins, Experiment::Gradients(p), _) => count(p.bins),
            (Param::WeightStd, Experiment::Activations(p), _) => weight_std(&p.network),
            (Param::WeightStd, Experiment::Gradients(p), _) => weight_std(&p.network),
            (Param::Iterations, Experiment::Training(p), _) => count(p.iterations),
            (Param::Batch, Experiment::Training(p), _) => count(p.batch),
            (Param::LearningRate, Experiment::Training(p), _) => Number::Real(p.learning_rate),
            (Param::TrainSamples, _, Outcome::Training(r)) => count(r.train_samples),
            (Param::TestSamples, _, Outcome::Training(r)) => count(r.test_samples),
            _ => unreachable!("resolve() only accepts parameters of the experiment's kind"),
        }
    }
}

/// What a reference points at within its experiment, checked against its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Param(Param),
    Layer {
        layer: usize,
        stat: Stat,
    },
    Gradient {
        layer: usize,
        stat: GradientStat,
    },
    GradientLoss,
    DepthStd {
        run: usize,
        layer: usize,
    },
    Run {
        run: usize,
        stat: RunStat,
    },
    DistinctUnits {
        run: usize,
        layer: usize,
    },
    /// A statistic of one layer of one frame of a sweep (frames in the sweep's order).
    SweepLayer {
        frame: usize,
        layer: usize,
        stat: Stat,
    },
    /// The σ of one stop of a sweep's σ axis (a mark's, computed for the sweep's `nodes`).
    SweepStd {
        stop: usize,
    },
}

impl Target {
    /// The number, read from the experiment's outcome.
    pub fn value(self, spec: &ExperimentSpec, outcome: &Outcome) -> Number {
        match (self, outcome) {
            (Target::Param(param), _) => param.value(spec, outcome),
            (Target::Layer { layer, stat }, Outcome::Activations(r)) => {
                stat.value(&r.layers[layer - 1])
            }
            (Target::Gradient { layer, stat }, Outcome::Gradients(r)) => {
                let layer = &r.layers[layer - 1];
                Number::Real(match stat {
                    GradientStat::Rms => layer.grad_rms,
                    GradientStat::MeanAbs => layer.grad_mean_abs,
                    GradientStat::TinyFrac => layer.grad_tiny_frac,
                })
            }
            (Target::GradientLoss, Outcome::Gradients(r)) => Number::Real(r.loss),
            (Target::DepthStd { run, layer }, Outcome::Depth(r)) => {
                Number::Real(r.series[run].std[layer - 1])
            }
            (Target::Run { run, stat }, Outcome::Training(r)) => {
                let run = &r.runs[run];
                Number::Real(match stat {
                    RunStat::TrainAccuracy => run.train_accuracy,
                    RunStat::TestAccuracy => run.test_accuracy,
                    RunStat::InitialLoss => run.loss.first().copied().unwrap_or(f64::NAN),
                    RunStat::FinalLoss => final_loss(&run.loss),
                    RunStat::Std => match run.init {
                        Init::Normal { std } => std,
                        _ => f64::NAN,
                    },
                })
            }
            (Target::DistinctUnits { run, layer }, Outcome::Training(r)) => {
                Number::Count(r.runs[run].distinct_units[layer - 1] as u64)
            }
            (Target::SweepLayer { frame, layer, stat }, Outcome::Sweep(r)) => {
                stat.value(&r.frames[frame].layers[layer - 1])
            }
            (Target::SweepStd { stop }, _) => Number::Real(sweep_stops(spec)[stop].std),
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
            Target::SweepLayer { frame, layer, stat } => {
                let Experiment::Sweep(params) = &spec.experiment else {
                    unreachable!("resolve() gives sweep targets to sweeps only")
                };
                let (activation, stop) = params.frames()[frame];
                format!(
                    "{}, σ = {}, layer {layer}, {}",
                    activation.name(),
                    stop.std,
                    name_of(&Stat::ALL, stat)
                )
            }
            Target::SweepStd { stop } => {
                let stop = sweep_stops(spec)[stop];
                match stop.mark {
                    Some(mark) => format!("σ of {}", mark.name()),
                    None => "σ".to_string(),
                }
            }
        }
    }
}

/// The σ axis of a sweep.
fn sweep_stops(spec: &ExperimentSpec) -> Vec<Stop> {
    match &spec.experiment {
        Experiment::Sweep(params) => params.stops(),
        _ => unreachable!("resolve() gives sweep targets to sweeps only"),
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

impl Target {
    /// The format a reference gets when it names none: counts whole, the rest with 3 decimals.
    pub fn default_format(self) -> NumberFormat {
        let is_count = matches!(
            self,
            Target::Layer {
                stat: Stat::Below | Stat::Above,
                ..
            } | Target::SweepLayer {
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
                        | Param::Frames
                )
        );
        if is_count {
            NumberFormat::Fixed(0)
        } else {
            NumberFormat::Fixed(3)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_loss_averages_the_tail() {
        let loss: Vec<f64> = (0..100).map(|i| if i < 50 { 9.0 } else { 1.0 }).collect();
        assert_eq!(final_loss(&loss), 1.0);
        assert_eq!(final_loss(&[2.0, 4.0]), 3.0);
    }
}
