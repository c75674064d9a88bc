//! Back-propagated gradients: the activation experiment's network, topped with a linear layer to
//! `classes` outputs and softmax cross-entropy against random labels, then backpropagation to
//! every hidden layer. What reaches each layer, ∂L/∂a, shows whether gradients vanish on the way
//! to the input (as in Glorot & Bengio 2010, fig. 7).
//!
//! # Draw order
//!
//! One `ChaCha8Rng::seed_from_u64(seed)`, one normal stream: the input (`samples × nodes`), each
//! hidden layer's weights, the output layer's weights (`nodes × classes`, same scheme, fan-in
//! `nodes`), all row by row; then one label per sample, uniform over the classes (`u32`). The
//! input and hidden weights are therefore the same numbers as the activation experiment with
//! the same seed draws.

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Uniform};
use serde::{Deserialize, Serialize};

use super::gaussian::GaussianStream;
use super::mlp::Mlp;
use super::network::{Activation, Init};
use super::stats::{Binning, Placement};

/// Everything that determines a gradient experiment, except the seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradientParams {
    pub init: Init,
    pub activation: Activation,
    pub layers: usize,
    pub nodes: usize,
    pub samples: usize,
    /// Outputs of the final linear layer (and label values).
    pub classes: usize,
    /// Bins of the gradient histograms.
    pub bins: usize,
    /// Range of the gradient histograms; `None` picks a symmetric range from the data.
    pub range: Option<(f64, f64)>,
}

/// The gradient reaching one hidden layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientLayer {
    pub layer: usize,
    /// Root mean square of ∂L/∂a over all samples and units.
    pub grad_rms: f64,
    /// Mean of |∂L/∂a|.
    pub grad_mean_abs: f64,
    /// Share of the layer's gradient values (one per sample and unit) smaller in magnitude than
    /// 1% of the layer's RMS: how much of the backward signal is practically zero. About 0.8% for
    /// a normal distribution; high when saturated units block it.
    pub grad_tiny_frac: f64,
    pub counts: Vec<u64>,
    pub edges: Vec<f64>,
    pub below: u64,
    pub above: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientResult {
    /// Mean softmax cross-entropy over the samples (≈ ln(classes) when the output is uninformed).
    pub loss: f64,
    /// The histogram range used (the automatic one when none was given).
    pub range: (f64, f64),
    pub layers: Vec<GradientLayer>,
}

/// Runs the forward pass, the loss and the backward pass. Pure.
pub fn run_gradients(params: &GradientParams, seed: u64) -> GradientResult {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = GaussianStream::new();
    let (samples, nodes) = (params.samples, params.nodes);

    let mut input = Array2::zeros((samples, nodes));
    normal.fill_scaled(
        &mut rng,
        input.as_slice_mut().expect("freshly allocated, row-major"),
        1.0,
    );
    let mut weights: Vec<Array2<f64>> = (0..params.layers)
        .map(|_| {
            params
                .init
                .draw_weights(nodes, nodes, &mut rng, &mut normal)
        })
        .collect();
    weights.push(
        params
            .init
            .draw_weights(nodes, params.classes, &mut rng, &mut normal),
    );
    let label_distribution = Uniform::new(0u32, params.classes as u32).expect("at least one class");
    let labels: Vec<u32> = (0..samples)
        .map(|_| label_distribution.sample(&mut rng))
        .collect();

    // No biases: the hidden layers are exactly the activation experiment's.
    let mlp = Mlp {
        weights,
        biases: None,
        activation: params.activation,
    };
    let forward = mlp.forward(input.view());
    let gradients = mlp.backward(input.view(), &forward, &labels);

    let grads = &gradients.hidden_pre_activation;
    let rms: Vec<f64> = grads.iter().map(|g| root_mean_square(g.view())).collect();
    let range = params.range.unwrap_or_else(|| {
        let bound = nice_bound(3.0 * rms.iter().copied().fold(0.0, f64::max));
        (-bound, bound)
    });
    let binning = Binning {
        bins: params.bins,
        lo: range.0,
        hi: range.1,
    };
    let layers = grads
        .iter()
        .zip(&rms)
        .enumerate()
        .map(|(index, (grad, &grad_rms))| {
            let mut counts = vec![0u64; binning.bins];
            let (mut below, mut above, mut abs_sum, mut tiny) = (0, 0, 0.0, 0u64);
            for &g in grad.iter() {
                abs_sum += g.abs();
                tiny += u64::from(g.abs() < 0.01 * grad_rms);
                match binning.place(g) {
                    Placement::Bin(i) => counts[i] += 1,
                    Placement::Below => below += 1,
                    Placement::Above | Placement::NotANumber => above += 1,
                }
            }
            GradientLayer {
                layer: index + 1,
                grad_rms,
                grad_mean_abs: abs_sum / grad.len() as f64,
                grad_tiny_frac: tiny as f64 / grad.len() as f64,
                counts,
                edges: binning.edges(),
                below,
                above,
            }
        })
        .collect();
    GradientResult {
        loss: gradients.loss,
        range,
        layers,
    }
}

fn root_mean_square(values: ArrayView2<f64>) -> f64 {
    let sum_of_squares: f64 = values.iter().map(|v| v * v).sum();
    (sum_of_squares / values.len() as f64).sqrt()
}

/// The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ `value` (by multiplications only).
fn nice_bound(value: f64) -> f64 {
    if !(value > 0.0 && value.is_finite()) {
        return 1.0;
    }
    let mut scale = 1.0;
    while scale > value {
        scale /= 10.0;
    }
    while scale * 10.0 <= value {
        scale *= 10.0;
    }
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * scale)
        .find(|&bound| bound >= value)
        .expect("10 × scale exceeds value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_bounds() {
        assert_eq!(nice_bound(0.7), 1.0);
        assert_eq!(nice_bound(1.0), 1.0);
        assert_eq!(nice_bound(1.3), 2.0);
        assert_eq!(nice_bound(0.00023), 0.00025);
        assert_eq!(nice_bound(0.0), 1.0);
    }
}
