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
//!
//! With `batchnorm = true` every hidden layer normalizes over the samples (γ = 1, β = 0), and
//! ∂L/∂a is the gradient of the weighted sums *before* the normalization: what the layer's
//! weights receive.

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Uniform};
use serde::{Deserialize, Serialize};

use super::activations::{NetworkParams, keys};
use super::batchnorm::BatchNorm;
use super::gaussian::GaussianStream;
use super::mlp::Mlp;
use super::nice;
use super::stats::{Binning, Placement};
use crate::format::power_of_ten;
use crate::limits;
use crate::schema::{Fallback, Key, KindSchema, Lit, SizeRule, Type, Values};

/// Everything that determines a gradient experiment, except the seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradientParams {
    pub network: NetworkParams,
    /// Outputs of the final linear layer (and label values).
    pub classes: usize,
    /// Bins of the gradient histograms.
    pub bins: usize,
    /// Range of the gradient histograms; `None` picks a symmetric range from the data.
    pub range: Option<(f64, f64)>,
}

impl GradientParams {
    /// The keys of `kind = "gradients"`, besides the ones every kind takes.
    pub const SCHEMA: KindSchema = KindSchema {
        runs: "forward, then a linear layer to `classes` outputs, softmax cross-entropy against seeded random labels, and backpropagation",
        figure: "a histogram of ∂L/∂a per layer, and its RMS per layer on a log scale",
        table: "per-layer RMS, mean \\|∂L/∂a\\|, share of values below 1% of the RMS",
        keys: &[
            keys::INIT,
            keys::STD,
            keys::ACTIVATION,
            keys::LAYERS,
            keys::NODES,
            keys::SAMPLES,
            CLASSES,
            keys::BINS,
            Key {
                default: Fallback::Derived("symmetric around 0, from the data"),
                ..keys::RANGE
            },
            keys::Y_MAX,
            keys::BATCHNORM,
        ],
        size: SizeRule {
            doc: gradient_size_doc,
            check: gradient_size,
            ..keys::NETWORK_SIZE
        },
        notes: "",
    };

    pub fn from_values(values: &Values) -> Self {
        GradientParams {
            network: NetworkParams::from_values(values),
            classes: values.count("classes"),
            bins: values.count("bins"),
            range: values.try_range("range"),
        }
    }
}

const CLASSES: Key = Key {
    name: "classes",
    ty: Type::Integer {
        min: limits::CLASSES.0,
        max: limits::CLASSES.1,
    },
    default: Fallback::Value(Lit::Int(10)),
    doc: "outputs of the softmax layer",
    example: None,
    flag: true,
};

fn gradient_size(values: &Values) -> Option<String> {
    let (layers, nodes, samples) = keys::network_sizes(values)?;
    limits::gradient_size_problem(layers, nodes, samples)
}

fn gradient_size_doc() -> String {
    format!(
        "{}, and `layers × samples × nodes ≤ {}` activations kept for the backward pass",
        (keys::NETWORK_SIZE.doc)(),
        power_of_ten(limits::STORED_ELEMENTS)
    )
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
    /// Values that are NaN (after an overflow), counted apart as in the activation statistics.
    /// Left out of the JSON when zero, so results without NaN serialise as they always have.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub nan: u64,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
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
    let network = &params.network;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = GaussianStream::new();
    let (samples, nodes) = (network.samples, network.nodes);

    let mut input = Array2::zeros((samples, nodes));
    normal.fill_scaled(
        &mut rng,
        input.as_slice_mut().expect("freshly allocated, row-major"),
        1.0,
    );
    let mut weights: Vec<Array2<f64>> = (0..network.layers)
        .map(|_| {
            network
                .init
                .draw_weights(nodes, nodes, &mut rng, &mut normal)
        })
        .collect();
    weights.push(
        network
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
        activation: network.activation,
        batchnorm: network
            .batchnorm
            .then(|| (0..network.layers).map(|_| BatchNorm::new(nodes)).collect()),
    };
    let forward = mlp.forward(input.view());
    let gradients = mlp.backward(input.view(), &forward, &labels);

    let grads = &gradients.hidden_pre_activation;
    let rms: Vec<f64> = grads.iter().map(|g| root_mean_square(g.view())).collect();
    let range = params.range.unwrap_or_else(|| {
        let bound = nice::at_least(3.0 * rms.iter().copied().fold(0.0, f64::max));
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
            gradient_layer(index + 1, grad.view(), grad_rms, &binning)
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

/// The statistics and histogram of the gradient reaching layer `layer`.
fn gradient_layer(
    layer: usize,
    grad: ArrayView2<f64>,
    grad_rms: f64,
    binning: &Binning,
) -> GradientLayer {
    let mut counts = vec![0u64; binning.bins];
    let (mut below, mut above, mut nan, mut abs_sum, mut tiny) = (0, 0, 0, 0.0, 0u64);
    for &g in grad.iter() {
        abs_sum += g.abs();
        tiny += u64::from(g.abs() < 0.01 * grad_rms);
        match binning.place(g) {
            Placement::Bin(i) => counts[i] += 1,
            Placement::Below => below += 1,
            Placement::Above => above += 1,
            Placement::NotANumber => nan += 1,
        }
    }
    GradientLayer {
        layer,
        grad_rms,
        grad_mean_abs: abs_sum / grad.len() as f64,
        grad_tiny_frac: tiny as f64 / grad.len() as f64,
        counts,
        edges: binning.edges(),
        below,
        above,
        nan,
    }
}
