//! A sweep of the weight scale: the activation experiment at many standard deviations σ (and,
//! optionally, for several activations), every frame made from the same random draws. It is what
//! the σ explorer lets a reader move through.
//!
//! # Draw order (part of the reproducibility promise)
//!
//! One `ChaCha8Rng::seed_from_u64(seed)` per sweep feeds one [`GaussianStream`]. From that stream,
//! once for the whole sweep, in this order:
//! 1. the input `x` (`samples × nodes`), row by row;
//! 2. layer 1's unit-variance weights `G₁` (`nodes × nodes`, row by row), then `G₂`, …, up to
//!    `G_layers`.
//!
//! That is the order, and the number, of the draws of one activation experiment. The frame
//! (activation f, σ) runs the network on `x` with the weights `W_k = σ·G_k`, each weight the one
//! IEEE product `g × σ` — exactly the product an activation experiment with `init = "normal"`
//! and `std = σ` makes of the same draws. So every frame is, bit for bit, the standalone
//! activation experiment with the same seed, network and σ; a frame at a mark is also the
//! `init = "xavier"` (or `"he"`) experiment, whose σ is computed by the same function. Between
//! two frames only the scale changes. (In numpy: `x = g[:s*n].reshape(s, n)`, then
//! `G_k = g[s*n + (k-1)*n*n : s*n + k*n*n].reshape(n, n)` for the stream `g`, and `W_k = σ * G_k`.)
//!
//! Frames run in parallel; each is a pure function of the shared draws and its (f, σ).

use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::activations::{ActivationParams, NetworkParams, draw_input, forward_statistics, keys};
use super::gaussian::GaussianStream;
use super::network::{Activation, Init};
use super::stats::LayerStats;
use crate::limits;
use crate::schema::{
    Blame, Fallback, Key, KindSchema, ListType, Lit, SizeRule, Type, Value, Values,
};

/// A named weight scale shown as a labelled stop on the σ axis; its σ depends on the fan-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    /// σ = 1/√n.
    Xavier,
    /// σ = √(2/n).
    He,
}

impl Mark {
    pub const ALL: [Mark; 2] = [Mark::Xavier, Mark::He];
    pub const NAMES: [&'static str; 2] = ["xavier", "he"];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Mark> {
        Self::ALL.into_iter().find(|mark| mark.name() == name)
    }

    /// The scheme whose σ the mark shows.
    pub fn init(self) -> Init {
        match self {
            Mark::Xavier => Init::Xavier,
            Mark::He => Init::He,
        }
    }

    /// Its σ for layers of `nodes` inputs: the very number the scheme draws its weights with.
    pub fn std(self, nodes: usize) -> f64 {
        self.init().weight_std(nodes)
    }
}

/// One position on the σ axis: a listed σ, or a mark's, or both when they are the same number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stop {
    pub std: f64,
    pub mark: Option<Mark>,
}

impl Stop {
    /// How references, file names and the page's address name the stop: the mark's name
    /// (`he`), or σ with `_` for the decimal point (`s0_01` for 0.01).
    pub fn key(&self) -> String {
        match self.mark {
            Some(mark) => mark.name().to_string(),
            None => sigma_key(self.std),
        }
    }

    /// Whether `key` names this stop: its [`Stop::key`], or its σ as `sX_Y` also when it is a mark.
    pub fn is_named(&self, key: &str) -> bool {
        key == self.key() || key == sigma_key(self.std)
    }
}

/// `s0_01` for σ = 0.01: Rust's shortest decimal form (never an exponent), `.` as `_`.
pub fn sigma_key(std: f64) -> String {
    format!("s{std}").replace('.', "_")
}

/// The σ axis: the listed values (increasing) and the marks' σ, merged in increasing order. A mark
/// whose σ equals a listed value exactly labels that stop instead of adding one.
pub fn stops(stds: &[f64], marks: &[Mark], nodes: usize) -> Vec<Stop> {
    let mut stops: Vec<Stop> = stds.iter().map(|&std| Stop { std, mark: None }).collect();
    for &mark in marks {
        let std = mark.std(nodes);
        match stops.iter_mut().find(|stop| stop.std == std) {
            Some(stop) => stop.mark = Some(mark),
            None => stops.push(Stop {
                std,
                mark: Some(mark),
            }),
        }
    }
    stops.sort_by(|a, b| a.std.total_cmp(&b.std));
    stops
}

/// Everything that determines a sweep's result, except the seed.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepParams {
    /// The activations swept, in the order given (one, or a second axis).
    pub activations: Vec<Activation>,
    /// The listed σ values, increasing.
    pub stds: Vec<f64>,
    pub marks: Vec<Mark>,
    pub layers: usize,
    pub nodes: usize,
    pub samples: usize,
    pub bins: usize,
    /// The histogram range of every frame; `None`: each activation's own ([`default_range`]).
    pub range: Option<(f64, f64)>,
}

/// The histogram range of a frame when the block gives none: where the activation's values lie
/// (sigmoid in [0, 1], tanh in [−1, 1]) and, for ReLU, [0, 2], which holds He's activations
/// and shows the others vanish below it or run off above it.
pub fn default_range(activation: Activation) -> (f64, f64) {
    match activation {
        Activation::Sigmoid => (0.0, 1.0),
        Activation::Tanh => (-1.0, 1.0),
        Activation::Relu => (0.0, 2.0),
    }
}

/// The keys of a sweep that differ from the activation experiment's.
pub mod sweep_keys {
    use super::*;

    const STD_LIST: ListType = ListType {
        item: Type::Number {
            above: limits::STD.0,
            max: limits::STD.1,
        },
        min: limits::SWEEP_STDS.0,
        max: limits::SWEEP_STDS.1,
        increasing: true,
        single: false,
    };

    pub const STD: Key = Key {
        name: "std",
        ty: Type::List(&STD_LIST),
        default: Fallback::Required,
        doc: "the swept weight scales σ (weights N(0, σ²))",
        example: Some(Lit::List(&[
            Lit::Number(0.01),
            Lit::Number(0.1),
            Lit::Number(1.0),
        ])),
        flag: true,
    };

    const ACTIVATION_LIST: ListType = ListType {
        item: Type::Choice(&Activation::NAMES),
        min: 1,
        max: Activation::NAMES.len(),
        increasing: false,
        single: true,
    };

    pub const ACTIVATION: Key = Key {
        name: "activation",
        ty: Type::List(&ACTIVATION_LIST),
        default: Fallback::Required,
        doc: "applied after each layer; a list sweeps the activations too",
        example: Some(Lit::List(&[Lit::Text("sigmoid"), Lit::Text("relu")])),
        flag: true,
    };

    const MARK_LIST: ListType = ListType {
        item: Type::Choice(&Mark::NAMES),
        min: 1,
        max: Mark::NAMES.len(),
        increasing: false,
        single: true,
    };

    pub const MARKS: Key = Key {
        name: "marks",
        ty: Type::List(&MARK_LIST),
        default: Fallback::None,
        doc: "schemes shown as labelled stops on the σ axis, at their σ for `nodes` (xavier 1/√n, he √(2/n))",
        example: Some(Lit::List(&[Lit::Text("xavier"), Lit::Text("he")])),
        flag: true,
    };

    pub const RANGE: Key = Key {
        default: Fallback::Derived("sigmoid [0, 1], tanh [-1, 1], relu [0, 2]"),
        doc: "histogram range of every frame",
        ..keys::RANGE
    };

    /// Each frame is a network the size rules of an activation experiment allow; all frames
    /// together do at most one experiment's budget of work.
    pub const SIZE: SizeRule = SizeRule {
        doc: size_doc,
        check: size,
        blame: Blame::FurthestAboveDefault(&["nodes", "samples", "layers"]),
        advice: "or sweep fewer σ values or activations",
    };

    fn size(values: &Values) -> Option<String> {
        let (layers, nodes, samples) = keys::network_sizes(values)?;
        if let Some(problem) = limits::size_problem(layers, nodes, samples) {
            return Some(problem);
        }
        let stds = numbers(values.try_list("std")?);
        let activations = values.try_list("activation")?.len();
        let stops = stops(&stds, &marks_of(values), nodes).len();
        let frames = stops * activations;
        let work = frames as u128 * samples as u128 * (nodes as u128).pow(2) * layers as u128;
        (work > limits::SWEEP_WORK).then(|| {
            format!(
                "{frames} frames ({stops} σ × {activations} activation{}) × samples × nodes² × layers = {work} multiply-adds is too large (at most {})",
                if activations == 1 { "" } else { "s" },
                limits::SWEEP_WORK
            )
        })
    }

    fn size_doc() -> String {
        format!(
            "each frame as an activation experiment's, and `frames × samples × nodes² × layers ≤ {}` multiply-adds for the whole sweep (frames: the σ values and marks, times the activations). The sweeps of one page may show at most {} frames together, and draw at most {} MB of SVG (checked once drawn)",
            crate::format::power_of_ten(limits::SWEEP_WORK),
            limits::FRAMES_PER_PAGE,
            limits::SWEEP_SVG_PER_PAGE / 1_000_000
        )
    }
}

/// The numbers of a checked list of numbers.
fn numbers(items: &[Value]) -> Vec<f64> {
    items
        .iter()
        .map(|item| match item {
            Value::Number(x) => *x,
            other => unreachable!("the checker reads `std` items as numbers, not {other:?}"),
        })
        .collect()
}

/// The words of a checked list of words.
fn words(items: &[Value]) -> impl Iterator<Item = &str> {
    items.iter().map(|item| match item {
        Value::Text(word) => word.as_str(),
        other => unreachable!("the checker reads these items as words, not {other:?}"),
    })
}

/// The `marks` of a block (none when absent).
fn marks_of(values: &Values) -> Vec<Mark> {
    words(values.try_list("marks").unwrap_or_default())
        .map(|name| {
            Mark::from_name(name)
                .unwrap_or_else(|| unreachable!("the checker accepts only Mark::NAMES, not {name}"))
        })
        .collect()
}

impl SweepParams {
    /// The keys of `kind = "sweep"`, besides the ones every kind takes.
    pub const SCHEMA: KindSchema = KindSchema {
        runs: "the forward pass at every σ in `std` (and mark), for every activation, all from one draw of inputs and unit weights",
        figure: "an explorer: radios (and, with JavaScript, a slider) pick σ and the activation; the frame's histograms, its statistics, and each activation's last-layer std against σ",
        table: "std, share in the outer bins and unit std per layer, of the chosen frame",
        keys: &[
            sweep_keys::STD,
            sweep_keys::ACTIVATION,
            sweep_keys::MARKS,
            keys::LAYERS,
            keys::NODES,
            keys::SAMPLES,
            keys::BINS,
            sweep_keys::RANGE,
            keys::Y_MAX,
        ],
        size: sweep_keys::SIZE,
        notes: "A sweep draws its inputs and unit-variance weights once and multiplies the weights by each σ, so each frame equals the activation experiment with `init = \"normal\"`, `std = σ` and the same seed, bit for bit.",
    };

    pub fn from_values(values: &Values) -> Self {
        SweepParams {
            activations: words(values.list("activation"))
                .map(|name| {
                    Activation::from_name(name).unwrap_or_else(|| {
                        unreachable!("the checker accepts only Activation::NAMES, not {name}")
                    })
                })
                .collect(),
            stds: numbers(values.list("std")),
            marks: marks_of(values),
            layers: values.count("layers"),
            nodes: values.count("nodes"),
            samples: values.count("samples"),
            bins: values.count("bins"),
            range: values.try_range("range"),
        }
    }

    /// The σ axis (see [`stops`]).
    pub fn stops(&self) -> Vec<Stop> {
        stops(&self.stds, &self.marks, self.nodes)
    }

    /// Every frame: each activation (in the order given) at each stop (σ increasing). A sweep's
    /// result lists its frames in this order.
    pub fn frames(&self) -> Vec<(Activation, Stop)> {
        let stops = self.stops();
        self.activations
            .iter()
            .flat_map(|&activation| stops.iter().map(move |&stop| (activation, stop)))
            .collect()
    }

    /// The histogram range of the frames of `activation`.
    pub fn range_of(&self, activation: Activation) -> (f64, f64) {
        self.range.unwrap_or_else(|| default_range(activation))
    }

    /// The standalone activation experiment a frame equals (see the module docs).
    pub fn frame_experiment(&self, activation: Activation, std: f64) -> ActivationParams {
        ActivationParams {
            network: NetworkParams {
                init: Init::Normal { std },
                activation,
                layers: self.layers,
                nodes: self.nodes,
                samples: self.samples,
                batchnorm: false,
            },
            bins: self.bins,
            range: self.range_of(activation),
        }
    }
}

/// One frame of a sweep: an activation at one σ, and the statistics of every layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepFrame {
    pub activation: Activation,
    pub std: f64,
    /// The scheme this σ is, when it is a mark.
    pub mark: Option<Mark>,
    /// In layer order, as an activation experiment's.
    pub layers: Vec<LayerStats>,
}

impl SweepFrame {
    /// The frame's position on the σ axis.
    pub fn stop(&self) -> Stop {
        Stop {
            std: self.std,
            mark: self.mark,
        }
    }

    /// Names the frame among its sweep's (`tanh-s0_1`, `relu-he`): its figure file and its ids.
    pub fn name(&self) -> String {
        format!("{}-{}", self.activation.name(), self.stop().key())
    }
}

/// The frames, in the order of [`SweepParams::frames`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    pub frames: Vec<SweepFrame>,
}

/// Runs the sweep (see the module docs for the draws). Pure: the result depends on `params` and
/// `seed` only.
pub fn run_sweep(params: &SweepParams, seed: u64) -> SweepResult {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = GaussianStream::new();
    let nodes = params.nodes;
    let input = draw_input(params.samples, nodes, &mut rng, &mut normal);
    // Unit variance: each value is the stream's own (`g × 1` is `g`).
    let unit = Init::Normal { std: 1.0 };
    let unit_weights: Vec<Array2<f64>> = (0..params.layers)
        .map(|_| unit.draw_weights(nodes, nodes, &mut rng, &mut normal))
        .collect();
    let frames = params
        .frames()
        .into_par_iter()
        .map(|(activation, stop)| {
            let experiment = params.frame_experiment(activation, stop.std);
            let layers = forward_statistics(
                input.clone(),
                &experiment.network,
                &experiment.binning(),
                |layer| unit_weights[layer - 1].mapv(|g| g * stop.std),
            );
            SweepFrame {
                activation,
                std: stop.std,
                mark: stop.mark,
                layers,
            }
        })
        .collect();
    SweepResult { frames }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_join_the_axis_in_order_and_label_an_equal_value() {
        let stops = stops(&[0.05, 0.1, 1.0], &[Mark::He, Mark::Xavier], 100);
        let found: Vec<(f64, Option<Mark>)> = stops.iter().map(|s| (s.std, s.mark)).collect();
        // Xavier's 1/√100 is the number 0.1 exactly; He's √(2/100) is a stop of its own.
        assert_eq!(
            found,
            [
                (0.05, None),
                (0.1, Some(Mark::Xavier)),
                ((2.0f64 / 100.0).sqrt(), Some(Mark::He)),
                (1.0, None)
            ]
        );
        assert_eq!(Mark::from_name("he"), Some(Mark::He));
        let keys: Vec<String> = stops.iter().map(Stop::key).collect();
        assert_eq!(keys, ["s0_05", "xavier", "he", "s1"]);
        assert!(stops[1].is_named("s0_1") && stops[1].is_named("xavier"));
        assert_eq!(sigma_key(0.0125), "s0_0125");
        assert_eq!(Mark::He.name(), "he");
    }
}
