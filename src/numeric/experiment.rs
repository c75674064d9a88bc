//! The kinds of experiment, behind one type: what a directive describes and what running it
//! gives.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::activations::{ActivationParams, ActivationResult, run_activations};
use super::depth::{DepthParams, DepthResult, run_depth};
use super::gradients::{GradientParams, GradientResult, run_gradients};
use super::network::{Init, LabelledInit};
use super::training::{Dataset, TrainingParams, TrainingResult, run_training};

/// Everything that determines an experiment's result, except the seed (and, for training, the
/// data set).
#[derive(Debug, Clone, PartialEq)]
pub enum Experiment {
    Activations(ActivationParams),
    Gradients(GradientParams),
    Depth(DepthParams),
    Training(TrainingParams),
}

/// What running an experiment gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Activations(ActivationResult),
    Gradients(GradientResult),
    Depth(DepthResult),
    Training(TrainingResult),
}

impl Experiment {
    pub const KINDS: [&'static str; 4] = ["activations", "gradients", "depth", "training"];

    pub fn kind(&self) -> &'static str {
        match self {
            Experiment::Activations(_) => "activations",
            Experiment::Gradients(_) => "gradients",
            Experiment::Depth(_) => "depth",
            Experiment::Training(_) => "training",
        }
    }

    /// Hidden layers of the network.
    pub fn layers(&self) -> usize {
        match self {
            Experiment::Activations(p) => p.layers,
            Experiment::Gradients(p) => p.layers,
            Experiment::Depth(p) => p.layers,
            Experiment::Training(p) => p.hidden_layers,
        }
    }

    /// The compared schemes of a depth or training experiment.
    pub fn runs(&self) -> &[LabelledInit] {
        match self {
            Experiment::Depth(p) => &p.runs,
            Experiment::Training(p) => &p.runs,
            _ => &[],
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

/// Serialised flat, in a fixed key order, `kind` first: what `run --json` and `figures.json`
/// print as `params`.
impl Serialize for Experiment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", self.kind())?;
        match self {
            Experiment::Activations(p) => {
                serialize_init(&mut map, &p.init, p.nodes)?;
                map.serialize_entry("activation", p.activation.name())?;
                map.serialize_entry("layers", &p.layers)?;
                map.serialize_entry("nodes", &p.nodes)?;
                map.serialize_entry("samples", &p.samples)?;
                map.serialize_entry("bins", &p.bins)?;
                map.serialize_entry("range", &[p.range.0, p.range.1])?;
            }
            Experiment::Gradients(p) => {
                serialize_init(&mut map, &p.init, p.nodes)?;
                map.serialize_entry("activation", p.activation.name())?;
                map.serialize_entry("layers", &p.layers)?;
                map.serialize_entry("nodes", &p.nodes)?;
                map.serialize_entry("samples", &p.samples)?;
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
            }
        }
        map.end()
    }
}
