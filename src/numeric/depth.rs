//! Depth: the activation experiment through many layers, for several schemes at once, keeping
//! only each layer's activation standard deviation. Shows whether the signal's scale survives
//! depth (He et al. 2015: Xavier loses a factor 1/√2 per ReLU layer; He keeps it).
//!
//! Each scheme runs as its own activation experiment with the directive's seed, so all see the
//! same input matrix (it is drawn first).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::activations::{ActivationParams, run_activations};
use super::network::{Activation, Init, LabelledInit};

#[derive(Debug, Clone, PartialEq)]
pub struct DepthParams {
    pub activation: Activation,
    pub layers: usize,
    pub nodes: usize,
    pub samples: usize,
    pub runs: Vec<LabelledInit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepthSeries {
    pub label: String,
    #[serde(flatten)]
    pub init: Init,
    /// Standard deviation of the activations of layers 1, 2, …
    pub std: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepthResult {
    pub series: Vec<DepthSeries>,
}

/// Runs every scheme (in parallel). Pure.
pub fn run_depth(params: &DepthParams, seed: u64) -> DepthResult {
    let series = params
        .runs
        .par_iter()
        .map(|run| {
            let activation_params = ActivationParams {
                init: run.init,
                activation: params.activation,
                layers: params.layers,
                nodes: params.nodes,
                samples: params.samples,
                bins: 1,
                range: (0.0, 1.0),
            };
            let result = run_activations(&activation_params, seed);
            DepthSeries {
                label: run.label.clone(),
                init: run.init,
                std: result.layers.iter().map(|layer| layer.std).collect(),
            }
        })
        .collect();
    DepthResult { series }
}
