//! The work budget: what each experiment will cost, estimated from its parameters before anything
//! runs, and the bounds that keep any accepted book's cold build within about 20 seconds.
//!
//! The directive's own limits bound each size alone (`nodes ≤ 2048`, …); their products can still
//! ask for minutes of work or gigabytes of memory (eight compared schemes × 200 layers × 5000
//! samples). Here every experiment gets a [`Cost`]:
//!
//! - **work**, in multiply-adds: the matrix products' multiply-adds, plus every other kind of step
//!   converted at what it costs relative to one multiply-add on the reference machine (2 cores,
//!   0.2–0.36 ns per multiply-add on one core): an element-wise step (activation function,
//!   statistics, histogram) counts [`ELEMENT`], a normally distributed random number [`DRAW`],
//!   starting a row of a product [`ROW`], a training step's bookkeeping [`STEP`] per layer, and
//!   drawing and rendering a figure [`FIGURE`];
//! - **memory**, in bytes: the largest set of arrays alive at once.
//!
//! An experiment may use at most [`MAX_WORK`] and [`MAX_MEMORY`]; the book's distinct experiments
//! (an experiment repeated on another page runs once) at most [`MAX_WORK`] and
//! [`MAX_BOOK_MEMORY`] together. [`MAX_WORK`] is about 16 s of one core, so the slowest book
//! accepted builds in about that time even on one free core (see README, "The work budget").
//!
//! Adding a kind of experiment adds one arm to [`experiment_cost`].

use crate::diagnostic::Diagnostics;
use crate::model::ParsedBook;
use crate::numeric::depth::DepthParams;
use crate::numeric::gradients::GradientParams;
use crate::numeric::sweep::SweepParams;
use crate::numeric::training::{Dataset, TrainingParams};
use crate::numeric::{ActivationParams, Experiment};

/// Work of one element-wise step, in multiply-adds (about 15 ns).
pub const ELEMENT: u128 = 48;
/// Work of drawing one normally distributed number (about 21 ns: ChaCha8, Marsaglia's polar
/// method, a logarithm).
pub const DRAW: u128 = 72;
/// Work of starting one row of a matrix product (about 25 ns, in the thinnest networks).
pub const ROW: u128 = 80;
/// Work of one training step's bookkeeping, per layer (about 1.5 µs when measured, with a step
/// allocating its arrays; less now that the steps reuse one workspace: the estimate errs high).
pub const STEP: u128 = 5_000;
/// Work of drawing one figure and placing it on its page (about 1 ms).
pub const FIGURE: u128 = 3_000_000;

/// Most work one experiment, and the whole book, may take: 8·10¹⁰ multiply-adds. With the wide
/// kernels the slowest shape measured runs 0.2 ns per unit on one core of the reference machine
/// (README, "The work budget"), so this is about 16 s of one core.
pub const MAX_WORK: u128 = 80_000_000_000;
/// Element-wise steps batch normalization adds per value of a hidden layer: statistics,
/// normalizing, a copy, scale and shift forward; two column sums and the gradient backward.
const BATCHNORM_FORWARD: u128 = 5;
const BATCHNORM_BACKWARD: u128 = 3;
/// Most memory one experiment may hold at once: 1 GiB.
pub const MAX_MEMORY: u128 = 1 << 30;
/// Most memory the book's experiments may hold together (as if all ran at once): 2 GiB.
pub const MAX_BOOK_MEMORY: u128 = 2 << 30;

const F64: u128 = 8;

/// The estimated cost of running an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    /// Multiply-adds, or their equivalent in other steps.
    pub work: u128,
    /// Bytes of the largest set of arrays alive at once.
    pub memory: u128,
}

impl Cost {
    fn plus(self, other: Cost) -> Cost {
        Cost {
            work: self.work.saturating_add(other.work),
            memory: self.memory.saturating_add(other.memory),
        }
    }

    fn times(self, count: usize) -> Cost {
        Cost {
            work: self.work.saturating_mul(count as u128),
            memory: self.memory.saturating_mul(count as u128),
        }
    }
}

/// What a training experiment's cost depends on beyond its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataShape {
    pub rows: usize,
    pub features: usize,
    pub classes: usize,
}

impl DataShape {
    pub fn of_dataset(dataset: &Dataset) -> Self {
        DataShape {
            rows: dataset.labels.len(),
            features: dataset.features.ncols(),
            classes: dataset.classes,
        }
    }
}

/// The cost of one experiment. A training experiment's depends on its data set; without one
/// (`None`), the data is taken to be as wide as the hidden layers, with no rows to evaluate.
pub fn experiment_cost(experiment: &Experiment, data: Option<DataShape>) -> Cost {
    let run = match experiment {
        Experiment::Activations(p) => activations(p),
        Experiment::Gradients(p) => gradients(p),
        Experiment::Depth(p) => depth(p),
        Experiment::Training(p) => training(p, data),
        Experiment::Sweep(p) => sweep(p),
    };
    run.plus(Cost {
        work: FIGURE,
        memory: 0,
    })
}

/// The product of the arguments, saturating (so no parameter can make it wrap).
fn product(factors: &[usize]) -> u128 {
    factors
        .iter()
        .fold(1u128, |acc, &f| acc.saturating_mul(f as u128))
}

/// An activation experiment: see [`forward_pass`].
fn activations(p: &ActivationParams) -> Cost {
    let network = &p.network;
    forward_pass(network.samples, network.nodes, network.layers).plus(normalizing(
        network.batchnorm,
        network.samples,
        network.nodes,
        network.layers,
        BATCHNORM_FORWARD,
    ))
}

/// What batch normalization adds to `steps` element-wise passes over `l` layers of `s × n`
/// values (nothing without it).
fn normalizing(on: bool, s: usize, n: usize, l: usize, steps: u128) -> Cost {
    if !on {
        return Cost::default();
    }
    Cost {
        work: product(&[s, n, l])
            .saturating_mul(steps)
            .saturating_mul(ELEMENT),
        // The normalized values of a layer (the experiment kinds keep them for the backward pass
        // only in training and gradients, counted there).
        memory: 0,
    }
}

/// A forward pass of `s` samples through `l` square layers of `n` nodes, with the statistics of
/// every activation and fresh weights per layer.
fn forward_pass(s: usize, n: usize, l: usize) -> Cost {
    let madds = product(&[s, n, n, l]);
    let elements = product(&[s, n, l]);
    let draws = product(&[s, n]).saturating_add(product(&[n, n, l]));
    Cost {
        work: madds
            .saturating_add(elements.saturating_mul(ELEMENT))
            .saturating_add(draws.saturating_mul(DRAW))
            .saturating_add(product(&[s, l]).saturating_mul(ROW)),
        // Input and output matrices, one weight matrix.
        memory: F64.saturating_mul(product(&[2, s, n]).saturating_add(product(&[n, n]))),
    }
}

/// Forward through `layers` square layers and a softmax layer of `classes`, then backward: the
/// backward pass does two products for each of the forward pass's one.
fn gradients(p: &GradientParams) -> Cost {
    let network = &p.network;
    let (s, n, l, c) = (network.samples, network.nodes, network.layers, p.classes);
    let normalized = normalizing(
        network.batchnorm,
        s,
        n,
        l,
        BATCHNORM_FORWARD + BATCHNORM_BACKWARD,
    );
    let normalized = Cost {
        // x̂ of every layer is kept for the backward pass.
        memory: if network.batchnorm {
            F64.saturating_mul(product(&[l, s, n]))
        } else {
            0
        },
        ..normalized
    };
    let forward = product(&[s, n, n, l]).saturating_add(product(&[s, n, c]));
    let elements = product(&[4, s, n, l]).saturating_add(product(&[3, s, c]));
    let draws = product(&[s, n])
        .saturating_add(product(&[n, n, l]))
        .saturating_add(product(&[n, c]));
    Cost {
        work: forward
            .saturating_mul(3)
            .saturating_add(elements.saturating_mul(ELEMENT))
            .saturating_add(draws.saturating_mul(DRAW))
            .saturating_add(product(&[3, s, l + 1]).saturating_mul(ROW)),
        // Every layer's activations and gradients are kept; all weights and their gradients.
        memory: F64.saturating_mul(
            product(&[2 * l + 3, s, n])
                .saturating_add(product(&[2, n, n, l]))
                .saturating_add(product(&[2, n, c]))
                .saturating_add(product(&[2, s, c])),
        ),
    }
    .plus(normalized)
}

/// One activation experiment per compared scheme (they may all run at once).
fn depth(p: &DepthParams) -> Cost {
    p.runs
        .iter()
        .map(|run| {
            forward_pass(p.samples, p.nodes, p.layers).plus(normalizing(
                run.batchnorm,
                p.samples,
                p.nodes,
                p.layers,
                BATCHNORM_FORWARD,
            ))
        })
        .fold(Cost::default(), Cost::plus)
}

/// A forward pass per frame (they may all run at once), each drawn as a figure of its own, and
/// the input and unit-variance weights all frames share. (A frame scales the shared weights
/// rather than drawing its own; counting its pass's draws keeps the estimate on the safe side.)
fn sweep(p: &SweepParams) -> Cost {
    let (s, n, l) = (p.samples, p.nodes, p.layers);
    let frames = p.stops().len().saturating_mul(p.activations.len());
    let shared = Cost {
        work: 0,
        memory: F64.saturating_mul(product(&[s, n]).saturating_add(product(&[l, n, n]))),
    };
    let frame = forward_pass(s, n, l).plus(Cost {
        work: FIGURE,
        memory: 0,
    });
    frame.times(frames).plus(shared)
}

/// Mini-batch SGD per compared scheme (they may all run at once), then the accuracy on every row.
fn training(p: &TrainingParams, data: Option<DataShape>) -> Cost {
    let data = data.unwrap_or(DataShape {
        rows: 0,
        features: p.nodes,
        classes: p.nodes,
    });
    let (h, n, b, t) = (p.hidden_layers, p.nodes, p.batch, p.iterations);
    let (rows, f, c) = (data.rows, data.features, data.classes);
    // Multiply-adds of one forward pass of one row; also the number of weights.
    let per_row = product(&[f, n])
        .saturating_add(product(&[h.saturating_sub(1), n, n]))
        .saturating_add(product(&[n, c]));
    let per_step = product(&[3, b])
        .saturating_mul(per_row)
        .saturating_add(per_row)
        .saturating_add(
            product(&[b, 2 * h, n])
                .saturating_add(product(&[b, f + 2 * c]))
                .saturating_mul(ELEMENT),
        )
        .saturating_add(product(&[3, b, h + 1]).saturating_mul(ROW))
        .saturating_add(product(&[h + 1]).saturating_mul(STEP));
    let evaluation = product(&[rows])
        .saturating_mul(per_row)
        .saturating_add(product(&[rows, h, n]).saturating_mul(ELEMENT));
    let per_run = Cost {
        // The steps, the evaluation, and the initial weights.
        work: product(&[t])
            .saturating_mul(per_step)
            .saturating_add(evaluation)
            .saturating_add(per_row.saturating_mul(DRAW)),
        // Weights, gradients and the step's copy; the batch's activations; the evaluation's
        // activations of every row; the loss curve.
        memory: F64.saturating_mul(
            product(&[3])
                .saturating_mul(per_row)
                .saturating_add(product(&[2 * h + 2, b, n.max(c)]))
                .saturating_add(product(&[rows, h, n]))
                .saturating_add(product(&[t])),
        ),
    };
    let shared = Cost {
        // The batches' indices are drawn up front.
        work: product(&[t, b]).saturating_mul(ELEMENT),
        // The indices of every batch, and the training and test rows gathered from the data.
        memory: F64.saturating_mul(product(&[t, b]).saturating_add(product(&[2, rows, f]))),
    };
    // Batch normalization: its passes over every hidden value of every step and of the
    // evaluation, and x̂ of the batch kept per layer.
    let normalized = Cost {
        work: product(&[t, b, h, n])
            .saturating_mul(BATCHNORM_FORWARD + BATCHNORM_BACKWARD)
            .saturating_add(product(&[rows, h, n]).saturating_mul(BATCHNORM_FORWARD))
            .saturating_mul(ELEMENT),
        memory: F64.saturating_mul(product(&[h, b, n])),
    };
    p.runs
        .iter()
        .map(|run| {
            if run.batchnorm {
                per_run.plus(normalized)
            } else {
                per_run
            }
        })
        .fold(Cost::default(), Cost::plus)
        .plus(shared)
}

/// What the book's experiments cost together, distinct ones counted once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BookCost {
    pub total: Cost,
    pub experiments: usize,
}

/// One line on how much of the budget the book uses, for `initbook check`.
pub fn describe(cost: &BookCost) -> String {
    let percent = |used: u128, limit: u128| used as f64 / limit as f64 * 100.0;
    format!(
        "work budget: {} multiply-adds for {} distinct experiments ({:.0}% of {}), memory {} ({:.0}% of {})",
        magnitude(cost.total.work),
        cost.experiments,
        percent(cost.total.work, MAX_WORK),
        magnitude(MAX_WORK),
        bytes(cost.total.memory),
        percent(cost.total.memory, MAX_BOOK_MEMORY),
        bytes(MAX_BOOK_MEMORY)
    )
}

/// `42 000 000 000` → `4.2·10¹⁰`, for messages.
pub fn magnitude(value: u128) -> String {
    if value < 10_000 {
        return value.to_string();
    }
    let exponent = value.ilog10();
    let mantissa = value as f64 / 10f64.powi(exponent as i32);
    let superscript: String = exponent
        .to_string()
        .chars()
        .map(|d| {
            "⁰¹²³⁴⁵⁶⁷⁸⁹"
                .chars()
                .nth(d as usize - '0' as usize)
                .unwrap_or(d)
        })
        .collect();
    format!("{mantissa:.1}·10{superscript}")
}

/// Bytes as MiB or GiB, for messages.
pub fn bytes(value: u128) -> String {
    if value >= 1 << 30 {
        format!("{:.1} GiB", value as f64 / (1u128 << 30) as f64)
    } else {
        format!("{:.1} MiB", value as f64 / (1u128 << 20) as f64)
    }
}

/// Why `cost` is over an experiment's budget, if it is.
pub fn experiment_problem(cost: Cost) -> Option<String> {
    if cost.work > MAX_WORK {
        Some(format!(
            "this experiment is estimated at {} multiply-adds of work, more than the {} one experiment may take (about {} s on one core)",
            magnitude(cost.work),
            magnitude(MAX_WORK),
            seconds(cost.work)
        ))
    } else if cost.memory > MAX_MEMORY {
        Some(format!(
            "this experiment is estimated to need {} of memory, more than the {} one experiment may use",
            bytes(cost.memory),
            bytes(MAX_MEMORY)
        ))
    } else {
        None
    }
}

/// Seconds of one reference core for `work`.
fn seconds(work: u128) -> String {
    format!("{:.0}", work as f64 * 0.2e-9)
}

/// Checks every experiment of the book, and their total, against the budget. Problems are
/// reported at the experiment's `id`; the total at the experiment that takes it over.
/// `data_shape` gives the shape of a training experiment's data set, by its path as written.
pub fn check_book(
    book: &ParsedBook,
    data_shape: &dyn Fn(&str) -> Option<DataShape>,
) -> Result<BookCost, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut seen: Vec<(&Experiment, u64, Option<&str>)> = Vec::new();
    let mut total = Cost::default();
    let mut over_total = false;
    for (lesson, spec) in book.experiments() {
        let data_path = spec.data.as_ref().map(|d| d.path.as_str());
        let key = (&spec.experiment, spec.seed, data_path);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let data = data_path.and_then(data_shape);
        let cost = experiment_cost(&spec.experiment, data);
        let at = |message: String, hint: &str| {
            lesson
                .source
                .error(spec.origin().id_span.clone(), message)
                .with_hint(hint)
        };
        if let Some(problem) = experiment_problem(cost) {
            diagnostics.push(at(problem, HINT));
            continue;
        }
        total = total.plus(cost);
        if over_total {
            continue;
        }
        if total.work > MAX_WORK {
            over_total = true;
            diagnostics.push(at(
                format!(
                    "with this experiment the book's experiments are estimated at {} multiply-adds of work, more than the {} a book may take (about {} s on one core)",
                    magnitude(total.work),
                    magnitude(MAX_WORK),
                    seconds(total.work)
                ),
                "make this or earlier experiments smaller, or split the book",
            ));
        } else if total.memory > MAX_BOOK_MEMORY {
            over_total = true;
            diagnostics.push(at(
                format!(
                    "with this experiment the book's experiments are estimated to need {} of memory together, more than the {} a book may use",
                    bytes(total.memory),
                    bytes(MAX_BOOK_MEMORY)
                ),
                "make this or earlier experiments smaller, or split the book",
            ));
        }
    }
    diagnostics.into_result(BookCost {
        total,
        experiments: seen.len(),
    })
}

const HINT: &str = "lower samples, nodes, layers, batch, iterations or the number of compared schemes (README: \"The work budget\")";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::{Activation, Init};

    fn classic() -> ActivationParams {
        ActivationParams::classic(Init::He, Activation::Relu)
    }

    #[test]
    fn the_classic_experiment_is_cheap_and_costs_grow_with_size() {
        let cost = experiment_cost(&Experiment::Activations(classic()), None);
        assert!(cost.work > 50_000_000, "{cost:?}");
        assert!(cost.work < 100_000_000, "{cost:?}");
        assert!(cost.memory < 4 << 20, "{cost:?}");
        let mut deeper = classic();
        deeper.network.layers = 50;
        assert!(experiment_cost(&Experiment::Activations(deeper), None).work > cost.work * 5);
    }

    #[test]
    fn a_sweep_costs_a_forward_pass_and_a_figure_per_frame() {
        let network = classic().network;
        let sweep = SweepParams {
            activations: vec![Activation::Sigmoid, Activation::Relu],
            stds: vec![0.01, 0.1, 1.0],
            marks: vec![crate::numeric::sweep::Mark::He],
            layers: network.layers,
            nodes: network.nodes,
            samples: network.samples,
            bins: 30,
            range: None,
        };
        let cost = experiment_cost(&Experiment::Sweep(sweep.clone()), None);
        // Four σ (three and He's) × two activations.
        let pass = experiment_cost(&Experiment::Activations(classic()), None);
        assert_eq!(cost.work, pass.work * 8 + FIGURE);
        let one_frame = SweepParams {
            activations: vec![Activation::Sigmoid],
            stds: vec![0.01],
            marks: Vec::new(),
            ..sweep
        };
        let single = experiment_cost(&Experiment::Sweep(one_frame), None);
        assert_eq!(single.work, pass.work + FIGURE);
        assert!(cost.memory > pass.memory * 8, "{cost:?}");
    }

    #[test]
    fn huge_parameters_saturate_instead_of_wrapping() {
        let mut huge = classic();
        huge.network.layers = usize::MAX;
        huge.network.nodes = usize::MAX;
        huge.network.samples = usize::MAX;
        let cost = experiment_cost(&Experiment::Activations(huge), None);
        assert_eq!(cost.work, u128::MAX);
        assert!(experiment_problem(cost).unwrap().contains("multiply-adds"));
    }

    #[test]
    fn magnitudes_read_well() {
        assert_eq!(magnitude(999), "999");
        assert_eq!(magnitude(50_000_000_000), "5.0·10¹⁰");
        assert_eq!(magnitude(123_456_789), "1.2·10⁸");
        assert_eq!(bytes(3 << 29), "1.5 GiB");
    }
}
