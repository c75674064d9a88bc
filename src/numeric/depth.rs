//! Depth: the activation experiment through many layers, for several schemes at once, keeping
//! only each layer's activation standard deviation. Shows whether the signal's scale survives
//! depth (He et al. 2015: Xavier loses a factor 1/√2 per ReLU layer; He keeps it).
//!
//! Each scheme runs as its own activation experiment with the directive's seed, so all see the
//! same input matrix (it is drawn first).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::activations::{
    ActivationParams, NetworkParams, activation_of, compared_schemes, keys, run_activations,
};
use super::network::{Activation, Init, LabelledInit, is_false};
use crate::limits;
use crate::schema::{Fallback, Key, KindSchema, Lit, Type, Values};

/// The network of an activation experiment without its scheme, run once per compared scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct DepthParams {
    pub activation: Activation,
    pub layers: usize,
    pub nodes: usize,
    pub samples: usize,
    pub runs: Vec<LabelledInit>,
}

impl DepthParams {
    /// The keys of `kind = "depth"`, besides the ones every kind takes.
    pub const SCHEMA: KindSchema = KindSchema {
        runs: "the forward pass for each scheme in `compare`, many layers deep",
        figure: "each layer's activation std per scheme, on a log scale",
        table: "std at a few layers",
        keys: &[
            keys::ACTIVATION,
            Key {
                ty: Type::Integer {
                    min: limits::DEPTH_LAYERS.0,
                    max: limits::DEPTH_LAYERS.1,
                },
                default: Fallback::Value(Lit::Int(50)),
                ..keys::LAYERS
            },
            keys::NODES,
            keys::SAMPLES,
            keys::COMPARE,
            keys::BATCHNORM,
        ],
        size: keys::NETWORK_SIZE,
        notes: "",
    };

    pub fn from_values(values: &Values) -> Self {
        DepthParams {
            activation: activation_of(values),
            layers: values.count("layers"),
            nodes: values.count("nodes"),
            samples: values.count("samples"),
            runs: compared_schemes(values),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepthSeries {
    pub label: String,
    #[serde(flatten)]
    pub init: Init,
    #[serde(default, skip_serializing_if = "is_false")]
    pub batchnorm: bool,
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
            // Only the std is kept: one bin is the cheapest histogram.
            let activation_params = ActivationParams {
                network: NetworkParams {
                    init: run.init,
                    activation: params.activation,
                    layers: params.layers,
                    nodes: params.nodes,
                    samples: params.samples,
                    batchnorm: run.batchnorm,
                },
                bins: 1,
                range: (0.0, 1.0),
            };
            let result = run_activations(&activation_params, seed);
            DepthSeries {
                label: run.label.clone(),
                init: run.init,
                batchnorm: run.batchnorm,
                std: result.layers.iter().map(|layer| layer.std).collect(),
            }
        })
        .collect();
    DepthResult { series }
}
