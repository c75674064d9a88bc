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
//!
//! With `batchnorm = true` each layer's weighted sums are normalized over the samples (the
//! batch) before the activation, with γ = 1 and β = 0 as at the start of training, so the
//! activation sees x̂ itself ([`batchnorm`](super::batchnorm) has the formula). Nothing more is
//! drawn.

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::batchnorm::{self, BatchStats};
use super::chunks::CHUNK_ROWS;
use super::gaussian::GaussianStream;
use super::kernels::{Lhs, Path, Rhs, product};
use super::network::{Activation, Init, LabelledInit, dense_forward_then};
use super::scratch;
use super::stats::{Binning, FirstPass, LayerStats, finish_layer_stats};
use crate::schema::{KindSchema, Value, Values};

/// The network the activation, gradient and depth experiments run: `layers` dense layers of
/// `nodes` units without bias, fed `samples` rows of standard normal input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkParams {
    pub init: Init,
    pub activation: Activation,
    /// Number of hidden layers.
    pub layers: usize,
    /// Units per layer; also the number of input features.
    pub nodes: usize,
    /// Rows of the input matrix.
    pub samples: usize,
    /// Normalize every hidden layer over the samples before the activation
    /// ([`batchnorm`](super::batchnorm)).
    pub batchnorm: bool,
}

impl NetworkParams {
    /// From the checked keys of a block ([`keys::INIT`], [`keys::STD`], …).
    pub fn from_values(values: &Values) -> Self {
        NetworkParams {
            init: init_of(values),
            activation: activation_of(values),
            layers: values.count("layers"),
            nodes: values.count("nodes"),
            samples: values.count("samples"),
            batchnorm: batchnorm_of(values),
        }
    }
}

/// Everything that determines an activation experiment's result, except the seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivationParams {
    pub network: NetworkParams,
    /// Histogram bins over `range`.
    pub bins: usize,
    /// Histogram range `[lo, hi]`.
    pub range: (f64, f64),
}

impl ActivationParams {
    /// The keys of `kind = "activations"`, besides the ones every kind takes.
    pub const SCHEMA: KindSchema = KindSchema {
        runs: "the forward pass",
        figure: "a histogram of each layer's activations",
        table: "per-layer statistics",
        keys: &[
            keys::INIT,
            keys::STD,
            keys::ACTIVATION,
            keys::LAYERS,
            keys::NODES,
            keys::SAMPLES,
            keys::BINS,
            keys::RANGE,
            keys::Y_MAX,
            keys::BATCHNORM,
        ],
        size: keys::NETWORK_SIZE,
        notes: "",
    };

    pub fn from_values(values: &Values) -> Self {
        ActivationParams {
            network: NetworkParams::from_values(values),
            bins: values.count("bins"),
            range: values.try_range("range").expect("`range` has a default"),
        }
    }

    /// The classic experiment of *Deep Learning from Scratch* §6.2 (the schema's defaults), for
    /// the given scheme.
    pub fn classic(init: Init, activation: Activation) -> Self {
        let mut values = Values::defaults(Self::SCHEMA.keys);
        values.insert("init", Value::Text(init.name().to_string()), None);
        if let Init::Normal { std } = init {
            values.insert("std", Value::Number(std), None);
        }
        values.insert(
            "activation",
            Value::Text(activation.name().to_string()),
            None,
        );
        Self::from_values(&values)
    }

    pub fn binning(&self) -> Binning {
        Binning {
            bins: self.bins,
            lo: self.range.0,
            hi: self.range.1,
        }
    }
}

/// The weight scheme of a block or a compared scheme: `init`, and `std` for the normal one.
pub fn init_of(values: &Values) -> Init {
    match values.text("init") {
        "zero" => Init::Zero,
        "normal" => Init::Normal {
            std: values.number("std"),
        },
        "xavier" => Init::Xavier,
        "he" => Init::He,
        other => unreachable!("the checker accepts only Init::NAMES, not {other}"),
    }
}

/// The `activation` key.
pub fn activation_of(values: &Values) -> Activation {
    let name = values.text("activation");
    Activation::from_name(name)
        .unwrap_or_else(|| unreachable!("the checker accepts only Activation::NAMES, not {name}"))
}

/// The `batchnorm` key (false when the kind or scheme does not give it).
pub fn batchnorm_of(values: &Values) -> bool {
    values.try_bool("batchnorm").unwrap_or(false)
}

/// The compared schemes of a block (`compare = [{ init = "he", label = "he" }, …]`); a scheme
/// without its own `batchnorm` takes the block's.
pub fn compared_schemes(values: &Values) -> Vec<LabelledInit> {
    let block_batchnorm = batchnorm_of(values);
    values
        .schemes("compare")
        .iter()
        .map(|scheme| LabelledInit {
            label: scheme.text("label").to_string(),
            init: init_of(scheme),
            batchnorm: scheme.try_bool("batchnorm").unwrap_or(block_batchnorm),
        })
        .collect()
}

/// The keys of the network, shared by the kinds that run it (each kind lists the ones it takes,
/// and may narrow a bound or change a default).
pub mod keys {
    use crate::format::power_of_ten;
    use crate::limits;
    use crate::numeric::network::{Activation, Init};
    use crate::schema::{
        Blame, Condition, Fallback, Key, Lit, SchemesType, SizeRule, Type, Values,
    };

    pub const INIT: Key = Key {
        name: "init",
        ty: Type::Choice(&Init::NAMES),
        default: Fallback::Required,
        doc: "weight scheme; n is the fan-in: xavier N(0, 1/n), he N(0, 2/n)",
        example: None,
        flag: true,
    };

    /// `std` goes with `init = "normal"` and with no other scheme.
    pub const STD_CONDITION: Condition = Condition {
        key: "init",
        is: "normal",
        needs: "its standard deviation",
        otherwise: "xavier and he derive it from the fan-in",
    };

    pub const STD: Key = Key {
        name: "std",
        ty: Type::Number {
            above: limits::STD.0,
            max: limits::STD.1,
        },
        default: Fallback::Conditional(&STD_CONDITION),
        doc: "weight standard deviation for `init = \"normal\"`",
        example: Some(Lit::Number(0.01)),
        flag: true,
    };

    pub const ACTIVATION: Key = Key {
        name: "activation",
        ty: Type::Choice(&Activation::NAMES),
        default: Fallback::Required,
        doc: "applied after each layer",
        example: None,
        flag: true,
    };

    pub const LAYERS: Key = Key {
        name: "layers",
        ty: Type::Integer {
            min: limits::LAYERS.0,
            max: limits::LAYERS.1,
        },
        default: Fallback::Value(Lit::Int(5)),
        doc: "hidden layers",
        example: None,
        flag: true,
    };

    pub const NODES: Key = Key {
        name: "nodes",
        ty: Type::Integer {
            min: limits::NODES.0,
            max: limits::NODES.1,
        },
        default: Fallback::Value(Lit::Int(100)),
        doc: "units per layer (and input features)",
        example: None,
        flag: true,
    };

    pub const SAMPLES: Key = Key {
        name: "samples",
        ty: Type::Integer {
            min: limits::SAMPLES.0,
            max: limits::SAMPLES.1,
        },
        default: Fallback::Value(Lit::Int(1000)),
        doc: "input rows",
        example: None,
        flag: true,
    };

    pub const BINS: Key = Key {
        name: "bins",
        ty: Type::Integer {
            min: limits::BINS.0,
            max: limits::BINS.1,
        },
        default: Fallback::Value(Lit::Int(30)),
        doc: "histogram bins",
        example: None,
        flag: true,
    };

    pub const RANGE: Key = Key {
        name: "range",
        ty: Type::Range {
            magnitude: limits::RANGE_MAGNITUDE,
        },
        default: Fallback::Value(Lit::Range(0.0, 1.0)),
        doc: "histogram range",
        example: None,
        flag: true,
    };

    pub const Y_MAX: Key = Key {
        name: "y_max",
        ty: Type::Integer {
            min: limits::Y_MAX.0,
            max: limits::Y_MAX.1,
        },
        default: Fallback::None,
        doc: "cut the histograms' y axis at this count; taller bars are marked and labelled with their true count",
        example: None,
        flag: true,
    };

    /// A compared scheme's name in the legend and in references.
    pub const LABEL: Key = Key {
        name: "label",
        ty: Type::Label,
        default: Fallback::SameAs("init"),
        doc: "names the scheme in the figure's legend and in references",
        example: Some(Lit::Text("small")),
        flag: false,
    };

    pub const BATCHNORM: Key = Key {
        name: "batchnorm",
        ty: Type::Bool,
        default: Fallback::Value(Lit::Bool(false)),
        doc: "batch normalization: after each hidden layer's weighted sum, normalize every unit over the batch (ε = 10⁻⁷), scale by γ (starts at 1) and shift by β (starts at 0), then apply the activation",
        example: None,
        flag: true,
    };

    /// A compared scheme's own `batchnorm`.
    pub const SCHEME_BATCHNORM: Key = Key {
        default: Fallback::Derived("the block's `batchnorm`"),
        doc: "batch normalization for this scheme alone",
        flag: false,
        ..BATCHNORM
    };

    /// The keys of one compared scheme.
    pub const SCHEME_KEYS: &[Key] = &[INIT, STD, SCHEME_BATCHNORM, LABEL];

    pub const COMPARE: Key = Key {
        name: "compare",
        ty: Type::Schemes(&SchemesType {
            keys: SCHEME_KEYS,
            max: limits::COMPARE,
        }),
        default: Fallback::Required,
        doc: "the weight schemes to compare, each a table of the scheme keys below",
        example: Some(Lit::Verbatim("[{ init = \"xavier\" }, { init = \"he\" }]")),
        flag: false,
    };

    /// `samples × nodes` and `samples × nodes² × layers`, blamed on the key furthest above its
    /// default.
    pub const NETWORK_SIZE: SizeRule = SizeRule {
        doc: network_size_doc,
        check: network_size,
        blame: Blame::FurthestAboveDefault(&["nodes", "samples", "layers"]),
        advice: "the classic experiment is 1000 samples × 100 nodes × 5 layers",
    };

    fn network_size(values: &Values) -> Option<String> {
        let (layers, nodes, samples) = network_sizes(values)?;
        limits::size_problem(layers, nodes, samples)
    }

    /// `(layers, nodes, samples)`, when all three are valid.
    pub fn network_sizes(values: &Values) -> Option<(usize, usize, usize)> {
        Some((
            values.try_count("layers")?,
            values.try_count("nodes")?,
            values.try_count("samples")?,
        ))
    }

    fn network_size_doc() -> String {
        format!(
            "`samples × nodes ≤ {}`, `samples × nodes² × layers ≤ {}` multiply-adds",
            power_of_ten(limits::MATRIX_ELEMENTS),
            power_of_ten(limits::WORK)
        )
    }
}
/// The statistics of every layer, in layer order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivationResult {
    pub layers: Vec<LayerStats>,
}

/// Runs the experiment. Pure: the result depends on `params` and `seed` only.
pub fn run_activations(params: &ActivationParams, seed: u64) -> ActivationResult {
    let network = &params.network;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = GaussianStream::new();
    let input = draw_input(network.samples, network.nodes, &mut rng, &mut normal);
    // Drawn just before use so that only one weight matrix is alive at a time; the draw order is
    // the same as drawing them all up front.
    let layers = forward_statistics(input, network, &params.binning(), |_| {
        network
            .init
            .draw_weights(network.nodes, network.nodes, &mut rng, &mut normal)
    });
    ActivationResult { layers }
}

/// The input matrix (`samples × nodes`, row by row): the first draws of an experiment's stream.
pub fn draw_input(
    samples: usize,
    nodes: usize,
    rng: &mut ChaCha8Rng,
    normal: &mut GaussianStream,
) -> Array2<f64> {
    let mut input = scratch::overwritten_matrix(samples, nodes);
    normal.fill_scaled(rng, input.as_slice_mut().expect("row-major"), 1.0);
    input
}

/// The forward pass of `network` from `input`, with every layer's statistics. `weights(k)` gives
/// layer k's weights (1-based), and is called once per layer, in layer order.
pub fn forward_statistics(
    mut input: Array2<f64>,
    network: &NetworkParams,
    binning: &Binning,
    mut weights: impl FnMut(usize) -> Array2<f64>,
) -> Vec<LayerStats> {
    // Every layer writes all of `output` (the product fills it) before anything reads it.
    let (rows, cols) = input.dim();
    let mut output = scratch::overwritten_matrix(rows, cols);
    let mut batch_stats = BatchStats::new(network.nodes);
    let mut layers = Vec::with_capacity(network.layers);
    for layer in 1..=network.layers {
        let weights = weights(layer);
        // The first statistics pass runs on each band of rows right after it is computed,
        // while it is still in cache.
        let first_pass =
            |rows: &[f64]| FirstPass::of_rows(rows, network.nodes, network.activation, binning);
        let first_passes = if network.batchnorm {
            normalized_layer(
                input.view(),
                weights.view(),
                network.activation,
                &mut output,
                &mut batch_stats,
            );
            output
                .as_slice()
                .expect("row-major")
                .par_chunks(CHUNK_ROWS * network.nodes)
                .map(first_pass)
                .collect()
        } else {
            dense_forward_then(
                input.view(),
                weights.view(),
                None,
                network.activation,
                &mut output,
                first_pass,
            )
        };
        layers.push(finish_layer_stats(
            layer,
            output.view(),
            first_passes,
            binning,
        ));
        std::mem::swap(&mut input, &mut output);
    }
    scratch::recycle(input);
    scratch::recycle(output);
    layers
}

/// One layer with batch normalization: `z = f(x̂)` where x̂ normalizes `input · weights` over
/// the rows (γ = 1, β = 0: the scale and shift would change nothing but the sign of a zero).
fn normalized_layer(
    input: ArrayView2<f64>,
    weights: ArrayView2<f64>,
    activation: Activation,
    z: &mut Array2<f64>,
    stats: &mut BatchStats,
) {
    let path = Path::fastest();
    let (rows, inner) = input.dim();
    let cols = weights.ncols();
    let z = z.as_slice_mut().expect("row-major output");
    product::multiply_in_parallel(
        path,
        Lhs::row_major(input.as_slice().expect("row-major input"), rows, inner),
        Rhs::row_major(weights.as_slice().expect("row-major weights"), inner, cols),
        z,
    );
    batchnorm::normalize_batch(path, z, stats);
    activation.apply_in_place(path, z);
}
