//! The kinds of experiment, behind one type: what a directive describes and what running it
//! gives.

use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::activations::{ActivationParams, ActivationResult, NetworkParams, run_activations};
use super::depth::{DepthParams, DepthResult, run_depth};
use super::gradients::{GradientParams, GradientResult, run_gradients};
use super::network::{Init, LabelledInit};
use super::sweep::{SweepParams, SweepResult, run_sweep};
use super::training::{Dataset, Plot, TrainingParams, TrainingResult, run_training};
use crate::schema::{KindSchema, Values};

/// What an experiment does: the `kind` key of a directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Activations,
    Gradients,
    Depth,
    Training,
    Sweep,
}

impl Kind {
    /// Every kind, in the order the reference lists them.
    pub const ALL: [Kind; 5] = [
        Kind::Activations,
        Kind::Gradients,
        Kind::Depth,
        Kind::Training,
        Kind::Sweep,
    ];
    /// Their names, as a directive writes them (in the order of [`Kind::ALL`]).
    pub const NAMES: [&'static str; 5] = ["activations", "gradients", "depth", "training", "sweep"];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The keys this kind takes besides the ones every kind takes, their bounds and defaults,
    /// its size bound, and what it is for the reference.
    pub fn schema(self) -> &'static KindSchema {
        match self {
            Kind::Activations => &ActivationParams::SCHEMA,
            Kind::Gradients => &GradientParams::SCHEMA,
            Kind::Depth => &DepthParams::SCHEMA,
            Kind::Training => &TrainingParams::SCHEMA,
            Kind::Sweep => &SweepParams::SCHEMA,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that determines an experiment's result, except the seed (and, for training, the
/// data set).
#[derive(Debug, Clone, PartialEq)]
pub enum Experiment {
    Activations(ActivationParams),
    Gradients(GradientParams),
    Depth(DepthParams),
    Training(TrainingParams),
    Sweep(SweepParams),
}

/// What running an experiment gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Activations(ActivationResult),
    Gradients(GradientResult),
    Depth(DepthResult),
    Training(TrainingResult),
    Sweep(SweepResult),
}

impl Experiment {
    pub fn kind(&self) -> Kind {
        match self {
            Experiment::Activations(_) => Kind::Activations,
            Experiment::Gradients(_) => Kind::Gradients,
            Experiment::Depth(_) => Kind::Depth,
            Experiment::Training(_) => Kind::Training,
            Experiment::Sweep(_) => Kind::Sweep,
        }
    }

    /// The experiment a block's checked keys describe. `values` holds every key of the kind's
    /// schema the checker accepted, defaults filled in.
    pub fn from_values(kind: Kind, values: &Values) -> Experiment {
        match kind {
            Kind::Activations => Experiment::Activations(ActivationParams::from_values(values)),
            Kind::Gradients => Experiment::Gradients(GradientParams::from_values(values)),
            Kind::Depth => Experiment::Depth(DepthParams::from_values(values)),
            Kind::Training => Experiment::Training(TrainingParams::from_values(values)),
            Kind::Sweep => Experiment::Sweep(SweepParams::from_values(values)),
        }
    }

    /// Hidden layers of the network.
    pub fn layers(&self) -> usize {
        match self {
            Experiment::Activations(p) => p.network.layers,
            Experiment::Gradients(p) => p.network.layers,
            Experiment::Depth(p) => p.layers,
            Experiment::Training(p) => p.hidden_layers,
            Experiment::Sweep(p) => p.layers,
        }
    }

    /// The compared schemes of a depth or training experiment.
    pub fn runs(&self) -> &[LabelledInit] {
        match self {
            Experiment::Depth(p) => &p.runs,
            Experiment::Training(p) => &p.runs,
            Experiment::Activations(_) | Experiment::Gradients(_) | Experiment::Sweep(_) => &[],
        }
    }
}

/// Runs an experiment. Pure: the result depends on the arguments only. `data` is the data set of
/// a training experiment.
pub fn run_experiment(experiment: &Experiment, seed: u64, data: Option<&Dataset>) -> Outcome {
    match experiment {
        Experiment::Activations(p) => Outcome::Activations(run_activations(p, seed)),
        Experiment::Gradients(p) => Outcome::Gradients(run_gradients(p, seed)),
        Experiment::Depth(p) => Outcome::Depth(run_depth(p, seed)),
        Experiment::Training(p) => Outcome::Training(run_training(
            p,
            data.expect("the load stage supplies a training experiment's data set"),
            seed,
        )),
        Experiment::Sweep(p) => Outcome::Sweep(run_sweep(p, seed)),
    }
}

fn serialize_init<M: SerializeMap>(
    map: &mut M,
    init: &Init,
    fan_in: usize,
) -> Result<(), M::Error> {
    map.serialize_entry("init", init.name())?;
    if let Init::Normal { std } = init {
        map.serialize_entry("std", std)?;
    }
    map.serialize_entry("weight_std", &init.weight_std(fan_in))
}

fn serialize_network<M: SerializeMap>(
    map: &mut M,
    network: &NetworkParams,
) -> Result<(), M::Error> {
    serialize_init(map, &network.init, network.nodes)?;
    map.serialize_entry("activation", network.activation.name())?;
    map.serialize_entry("layers", &network.layers)?;
    map.serialize_entry("nodes", &network.nodes)?;
    map.serialize_entry("samples", &network.samples)?;
    // Only when on, so experiments without it keep their parameters' bytes.
    if network.batchnorm {
        map.serialize_entry("batchnorm", &true)?;
    }
    Ok(())
}

/// Serialised flat, in a fixed key order, `kind` first: what `run --json` and `figures.json`
/// print as `params`.
impl Serialize for Experiment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", self.kind().name())?;
        match self {
            Experiment::Activations(p) => {
                serialize_network(&mut map, &p.network)?;
                map.serialize_entry("bins", &p.bins)?;
                map.serialize_entry("range", &[p.range.0, p.range.1])?;
            }
            Experiment::Gradients(p) => {
                serialize_network(&mut map, &p.network)?;
                map.serialize_entry("classes", &p.classes)?;
                map.serialize_entry("bins", &p.bins)?;
                map.serialize_entry("range", &p.range.map(|(lo, hi)| [lo, hi]))?;
            }
            Experiment::Depth(p) => {
                map.serialize_entry("activation", p.activation.name())?;
                map.serialize_entry("layers", &p.layers)?;
                map.serialize_entry("nodes", &p.nodes)?;
                map.serialize_entry("samples", &p.samples)?;
                map.serialize_entry("compare", &p.runs)?;
            }
            Experiment::Training(p) => {
                map.serialize_entry("activation", p.activation.name())?;
                map.serialize_entry("layers", &p.hidden_layers)?;
                map.serialize_entry("nodes", &p.nodes)?;
                map.serialize_entry("learning_rate", &p.learning_rate)?;
                map.serialize_entry("batch", &p.batch)?;
                map.serialize_entry("iterations", &p.iterations)?;
                map.serialize_entry("test_fraction", &p.test_fraction)?;
                map.serialize_entry("compare", &p.runs)?;
                if p.plot != Plot::Loss {
                    map.serialize_entry("plot", p.plot.name())?;
                }
            }
            Experiment::Sweep(p) => {
                map.serialize_entry("std", &p.stds)?;
                let marks: Vec<&str> = p.marks.iter().map(|m| m.name()).collect();
                map.serialize_entry("marks", &marks)?;
                let activations: Vec<&str> = p.activations.iter().map(|a| a.name()).collect();
                map.serialize_entry("activation", &activations)?;
                map.serialize_entry("layers", &p.layers)?;
                map.serialize_entry("nodes", &p.nodes)?;
                map.serialize_entry("samples", &p.samples)?;
                map.serialize_entry("bins", &p.bins)?;
                let ranges: Vec<[f64; 2]> = p
                    .activations
                    .iter()
                    .map(|&a| {
                        let (lo, hi) = p.range_of(a);
                        [lo, hi]
                    })
                    .collect();
                map.serialize_entry("range", &ranges)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_follow_the_variants() {
        for (kind, name) in Kind::ALL.into_iter().zip(Kind::NAMES) {
            assert_eq!(kind.name(), name);
            assert_eq!(Kind::from_name(name), Some(kind));
        }
        assert_eq!(Kind::from_name("trainig"), None);
    }
}
