//! One activation-distribution experiment: random inputs through a deep network, with the
//! statistics of every layer's activations.
//!
//! # Draw order (part of the reproducibility promise)
//!
//! One `ChaCha8Rng::seed_from_u64(seed)` per experiment feeds one [`GaussianStream`]. From that
//! stream, in this order:
//! 1. the input `x` (`samples × nodes`), row by row;
//! 2. layer 1's weights (`nodes × nodes`, row by row, scaled by the scheme's std), then layer 2's,
//!    and so on. The zero scheme draws nothing.
//!
//! Changing this order changes every figure; the golden tests in `tests/` pin it.

use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::gaussian::GaussianStream;
use super::network::{Activation, Init, dense_forward_then};
use super::stats::{Binning, FirstPass, LayerStats, finish_layer_stats};

/// Everything that determines an experiment's result, except the seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivationParams {
    pub init: Init,
    pub activation: Activation,
    /// Number of hidden layers.
    pub layers: usize,
    /// Units per layer; also the number of input features.
    pub nodes: usize,
    /// Rows of the input matrix.
    pub samples: usize,
    /// Histogram bins over `range`.
    pub bins: usize,
    /// Histogram range `[lo, hi]`.
    pub range: (f64, f64),
}

impl ActivationParams {
    /// The classic experiment of *Deep Learning from Scratch* §6.2, for the given scheme.
    pub fn classic(init: Init, activation: Activation) -> Self {
        ActivationParams {
            init,
            activation,
            layers: 5,
            nodes: 100,
            samples: 1000,
            bins: 30,
            range: (0.0, 1.0),
        }
    }

    pub fn binning(&self) -> Binning {
        Binning {
            bins: self.bins,
            lo: self.range.0,
            hi: self.range.1,
        }
    }

    /// Multiply-adds of the forward pass: the cost bound checked before running.
    pub fn work(&self) -> u128 {
        self.samples as u128 * self.nodes as u128 * self.nodes as u128 * self.layers as u128
    }
}

/// The statistics of every layer, in layer order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivationResult {
    pub layers: Vec<LayerStats>,
}

/// Runs the experiment. Pure: the result depends on `params` and `seed` only.
pub fn run_activations(params: &ActivationParams, seed: u64) -> ActivationResult {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = GaussianStream::new();
    let shape = (params.samples, params.nodes);

    let mut input = Array2::zeros(shape);
    normal.fill_scaled(
        &mut rng,
        input.as_slice_mut().expect("freshly allocated, row-major"),
        1.0,
    );
    let mut output = Array2::zeros(shape);
    let binning = params.binning();

    let mut layers = Vec::with_capacity(params.layers);
    for layer in 1..=params.layers {
        // Drawn just before use so that only one weight matrix is alive at a time; the draw order
        // is the same as drawing them all up front.
        let weights = params
            .init
            .draw_weights(params.nodes, params.nodes, &mut rng, &mut normal);
        // The first statistics pass runs on each band of rows right after it is computed,
        // while it is still in cache.
        let first_passes = dense_forward_then(
            input.view(),
            weights.view(),
            None,
            params.activation,
            &mut output,
            |rows| FirstPass::of_rows(rows, params.nodes, params.activation, &binning),
        );
        layers.push(finish_layer_stats(
            layer,
            output.view(),
            first_passes,
            &binning,
        ));
        std::mem::swap(&mut input, &mut output);
    }
    ActivationResult { layers }
}
