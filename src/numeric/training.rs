//! Training: a multilayer perceptron on a labelled data set with mini-batch SGD, once per
//! compared scheme, logging the loss and measuring accuracy and the number of distinct hidden
//! units at the end. After *Deep Learning from Scratch*'s `weight_init_compare.py`.
//!
//! # Randomness
//!
//! Two streams of `ChaCha8Rng::seed_from_u64(seed)`, so that every compared scheme sees the same
//! split and the same batches:
//! - stream 0 (the default): a Fisher–Yates shuffle of the sample indices (the first
//!   `⌊n · test_fraction⌋` are the test set, the rest the training set), then, for each
//!   iteration, `batch` training indices drawn uniformly with replacement (`u32`);
//! - stream 1: the weights, layer by layer, row by row, from the normal stream (biases start at
//!   zero).
//!
//! A scheme with batch normalization ([`batchnorm`](super::batchnorm)) learns γ and β by the same
//! SGD steps, and keeps running statistics for the accuracies measured after training. Its
//! weights are drawn exactly as without, so a scheme with and one without start from the same
//! numbers when their `init` and `std` agree.
//!
//! With `plot = "accuracy"` each step also records the share of its batch classified right
//! (from the forward pass the step makes anyway, with the batch's statistics).

use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Uniform};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::activations::{activation_of, compared_schemes, keys};
use super::batchnorm::BatchNorm;
use super::gaussian::GaussianStream;
use super::mlp::{Mlp, Workspace};
use super::network::{Activation, Init, LabelledInit, is_false};
use crate::format::power_of_ten;
use crate::limits;
use crate::schema::{Blame, Fallback, Key, KindSchema, Lit, SchemesType, SizeRule, Type, Values};

/// Samples as rows of features in `[0, 1]`, with integer labels `0 … classes − 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub features: Array2<f64>,
    pub labels: Vec<u32>,
    pub classes: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrainingParams {
    pub activation: Activation,
    pub hidden_layers: usize,
    pub nodes: usize,
    pub learning_rate: f64,
    pub batch: usize,
    pub iterations: usize,
    pub test_fraction: f64,
    pub runs: Vec<LabelledInit>,
    pub plot: Plot,
}

/// What a training figure shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plot {
    /// The smoothed loss of each scheme.
    Loss,
    /// The smoothed batch accuracy, one panel per weight scheme with a curve with and one
    /// without batch normalization; below, the final test accuracy against σ.
    Accuracy,
}

impl Plot {
    pub const NAMES: [&'static str; 2] = ["loss", "accuracy"];

    pub fn name(self) -> &'static str {
        match self {
            Plot::Loss => "loss",
            Plot::Accuracy => "accuracy",
        }
    }
}

impl TrainingParams {
    /// The keys of `kind = "training"`, besides the ones every kind takes.
    pub const SCHEMA: KindSchema = KindSchema {
        runs: "mini-batch SGD on `data`, once per scheme in `compare`",
        figure: "the smoothed training loss per scheme",
        table: "final loss, train/test accuracy, distinct hidden units per layer",
        keys: &[
            Key {
                default: Fallback::Value(Lit::Text("relu")),
                ..keys::ACTIVATION
            },
            Key {
                ty: Type::Integer {
                    min: limits::TRAINING_LAYERS.0,
                    max: limits::TRAINING_LAYERS.1,
                },
                default: Fallback::Value(Lit::Int(4)),
                ..keys::LAYERS
            },
            Key {
                ty: Type::Integer {
                    min: limits::TRAINING_NODES.0,
                    max: limits::TRAINING_NODES.1,
                },
                doc: "units per hidden layer",
                ..keys::NODES
            },
            Key {
                name: "learning_rate",
                ty: Type::Number {
                    above: limits::LEARNING_RATE.0,
                    max: limits::LEARNING_RATE.1,
                },
                default: Fallback::Value(Lit::Number(0.01)),
                doc: "SGD step size",
                example: None,
                flag: true,
            },
            Key {
                name: "batch",
                ty: Type::Integer {
                    min: limits::BATCH.0,
                    max: limits::BATCH.1,
                },
                default: Fallback::Value(Lit::Int(128)),
                doc: "samples per mini-batch, drawn uniformly with replacement",
                example: None,
                flag: true,
            },
            Key {
                name: "iterations",
                ty: Type::Integer {
                    min: limits::ITERATIONS.0,
                    max: limits::ITERATIONS.1,
                },
                default: Fallback::Value(Lit::Int(1000)),
                doc: "SGD steps",
                example: None,
                flag: true,
            },
            Key {
                name: "test_fraction",
                ty: Type::Number {
                    above: limits::TEST_FRACTION.0,
                    max: limits::TEST_FRACTION.1,
                },
                default: Fallback::Value(Lit::Number(0.2)),
                doc: "share of the data set held out for testing",
                example: None,
                flag: true,
            },
            Key {
                name: "data",
                ty: Type::Path,
                default: Fallback::Required,
                doc: "the data set, relative to `content/` (see below)",
                example: Some(Lit::Verbatim(
                    "\"data/digits.csv.gz\" (relative to content/)",
                )),
                flag: false,
            },
            Key {
                ty: Type::Schemes(&SchemesType {
                    keys: keys::SCHEME_KEYS,
                    max: limits::TRAINING_COMPARE,
                }),
                ..keys::COMPARE
            },
            keys::BATCHNORM,
            Key {
                name: "plot",
                ty: Type::Choice(&Plot::NAMES),
                default: Fallback::Value(Lit::Text("loss")),
                doc: "what the figure shows: `loss` curves, or `accuracy`: batch-accuracy curves in one panel per weight scheme (with and without batch normalization together) and the final test accuracy against σ",
                example: None,
                flag: false,
            },
            Key {
                name: "smooth",
                ty: Type::Integer {
                    min: limits::SMOOTH.0,
                    max: limits::SMOOTH.1,
                },
                default: Fallback::Value(Lit::Int(25)),
                doc: "moving-average window of the figure's loss curves",
                example: None,
                flag: true,
            },
        ],
        size: SizeRule {
            doc: training_size_doc,
            check: training_size,
            blame: Blame::FirstGiven(&["iterations", "batch", "nodes", "layers"]),
            advice: "",
        },
        notes: "`data` is a CSV file, optionally gzip-compressed (`.gz`): numbers per row, the last one the label 0 … 999; features are divided by the largest absolute value in the file, so non-negative data lands in [0, 1]; at least two different labels, and `test_fraction` must leave samples on both sides. Biases start at zero.",
    };

    pub fn from_values(values: &Values) -> Self {
        TrainingParams {
            activation: activation_of(values),
            hidden_layers: values.count("layers"),
            nodes: values.count("nodes"),
            learning_rate: values.number("learning_rate"),
            batch: values.count("batch"),
            iterations: values.count("iterations"),
            test_fraction: values.number("test_fraction"),
            runs: compared_schemes(values),
            plot: match values.text("plot") {
                "accuracy" => Plot::Accuracy,
                _ => Plot::Loss,
            },
        }
    }
}

fn training_size(values: &Values) -> Option<String> {
    let work = limits::training_work(
        values.try_count("layers")?,
        values.try_count("nodes")?,
        values.try_count("batch")?,
        values.try_count("iterations")?,
    );
    (work > limits::TRAINING_WORK).then(|| {
        format!(
            "about {work} multiply-adds per training run is too much (at most {})",
            limits::TRAINING_WORK
        )
    })
}

/// The total over the schemes is the work budget's (`budget.rs`): it counts every scheme, with
/// and without batch normalization, and says so in its error.
fn training_size_doc() -> String {
    format!(
        "about `3 (layers + 1) nodes² × batch × iterations ≤ {}` multiply-adds per scheme; all schemes together within the work budget",
        power_of_ten(limits::TRAINING_WORK)
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRun {
    pub label: String,
    #[serde(flatten)]
    pub init: Init,
    #[serde(default, skip_serializing_if = "is_false")]
    pub batchnorm: bool,
    /// The mini-batch loss at every iteration. A diverging run's loss overflows to infinity and
    /// then NaN; JSON has neither, so both are written as `null` and read back as NaN (every
    /// reader treats them alike: charts skip them, data hashes see the `null`).
    #[serde(deserialize_with = "losses_with_nulls")]
    pub loss: Vec<f64>,
    /// With `plot = "accuracy"`: the share of each iteration's batch classified right, before
    /// its step (empty otherwise, and then left out of the JSON).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batch_accuracy: Vec<f64>,
    pub train_accuracy: f64,
    pub test_accuracy: f64,
    /// Per hidden layer, the number of units with distinct incoming weights after training.
    pub distinct_units: Vec<usize>,
}

/// Reads a loss curve whose non-finite values JSON wrote as `null`.
fn losses_with_nulls<'de, D: serde::Deserializer<'de>>(reader: D) -> Result<Vec<f64>, D::Error> {
    let values: Vec<Option<f64>> = Deserialize::deserialize(reader)?;
    Ok(values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingResult {
    pub train_samples: usize,
    pub test_samples: usize,
    pub runs: Vec<TrainingRun>,
}

/// Trains one network per compared scheme, the schemes taking turns on the rayon pool's threads
/// (see `Shared`). Pure: the result does not depend on the threads.
pub fn run_training(params: &TrainingParams, data: &Dataset, seed: u64) -> TrainingResult {
    let samples = data.labels.len();
    let mut data_rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..samples).collect();
    // Fisher–Yates, from the last position down.
    for i in (1..samples).rev() {
        let j = Uniform::new(0u32, i as u32 + 1)
            .expect("non-empty range")
            .sample(&mut data_rng) as usize;
        order.swap(i, j);
    }
    let test_count = (samples as f64 * params.test_fraction) as usize;
    let (test_indices, train_indices) = order.split_at(test_count);
    let batches: Vec<Vec<usize>> = {
        let pick = Uniform::new(0u32, train_indices.len() as u32).expect("a training set");
        (0..params.iterations)
            .map(|_| {
                (0..params.batch)
                    .map(|_| train_indices[pick.sample(&mut data_rng) as usize])
                    .collect()
            })
            .collect()
    };
    let (train_x, train_y) = gather(data, train_indices);
    let (test_x, test_y) = gather(data, test_indices);

    let learners: Vec<Shared> = params
        .runs
        .iter()
        .map(|run| Shared {
            steps_done: AtomicUsize::new(0),
            learner: Mutex::new(Learner::new(params, run, data, seed)),
        })
        .collect();
    // With at least as many schemes as threads, every thread trains schemes, each keeping its
    // products to itself; with fewer, the idle threads take bands of the products.
    let threads = rayon::current_num_threads();
    let parallel_products = learners.len() < threads;
    (0..learners.len().min(threads))
        .into_par_iter()
        .for_each(|_| {
            let mut buffers = StepBuffers::new(params, data);
            while let Some((shared, mut learner)) = next_turn(&learners, batches.len()) {
                let from = learner.steps_done();
                let to = (from + STEPS_PER_TURN).min(batches.len());
                let turn = &batches[from..to];
                learner.take_steps(data, turn, params, &mut buffers, parallel_products);
                shared.steps_done.store(to, Ordering::Relaxed);
            }
            // The gradients are as large as the weights: freed before the evaluation's
            // forward passes over every row (the budget's memory estimate assumes so).
            drop(buffers);
        });
    let runs = learners
        .into_par_iter()
        .map(|shared| {
            let learner = shared.learner.into_inner().expect("no step panicked");
            learner.finish(&train_x, &train_y, &test_x, &test_y)
        })
        .collect();
    TrainingResult {
        train_samples: train_indices.len(),
        test_samples: test_indices.len(),
        runs,
    }
}

/// Steps a scheme takes per turn on a thread: enough that handing its buffers to another
/// core now and then costs nothing measurable (a turn is a few milliseconds), few enough that
/// the schemes finish close together.
const STEPS_PER_TURN: usize = 8;

/// One scheme's training in progress: its network and what it has logged.
struct Learner<'a> {
    run: &'a LabelledInit,
    mlp: Mlp,
    loss: Vec<f64>,
    batch_accuracy: Vec<f64>,
    record_accuracy: bool,
}

/// What a step writes and nothing after it reads: a thread's buffers, lent to every learner it
/// takes a turn on (so they stay in that core's cache, and memory holds at most one set of
/// each kind per thread, not one per scheme). All of a training's networks have one shape,
/// with or without batch normalization: one workspace for each, made at first use.
struct StepBuffers {
    batch_x: Array2<f64>,
    batch_y: Vec<u32>,
    /// Indexed by whether the network normalizes its batches.
    workspaces: [Option<Workspace>; 2],
}

impl StepBuffers {
    fn new(params: &TrainingParams, data: &Dataset) -> Self {
        StepBuffers {
            batch_x: Array2::zeros((params.batch, data.features.ncols())),
            batch_y: vec![0; params.batch],
            workspaces: [None, None],
        }
    }
}

impl<'a> Learner<'a> {
    fn new(params: &TrainingParams, run: &'a LabelledInit, data: &Dataset, seed: u64) -> Self {
        let record_accuracy = params.plot == Plot::Accuracy;
        Learner {
            run,
            mlp: initial_network(params, run, data, seed),
            loss: Vec::with_capacity(params.iterations),
            batch_accuracy: Vec::with_capacity(if record_accuracy {
                params.iterations
            } else {
                0
            }),
            record_accuracy,
        }
    }

    /// One SGD step per batch of `batches`, which follow the ones already taken.
    fn take_steps(
        &mut self,
        data: &Dataset,
        batches: &[Vec<usize>],
        params: &TrainingParams,
        buffers: &mut StepBuffers,
        parallel_products: bool,
    ) {
        let StepBuffers {
            batch_x,
            batch_y,
            workspaces,
        } = buffers;
        let workspace = workspaces[usize::from(self.mlp.batchnorm.is_some())]
            .get_or_insert_with(|| Workspace::new(&self.mlp, params.batch));
        workspace.parallel_products = parallel_products;
        for batch in batches {
            gather_into(data, batch, batch_x, batch_y);
            let loss =
                self.mlp
                    .train_step(batch_x.view(), batch_y, params.learning_rate, workspace);
            self.loss.push(loss);
            if self.record_accuracy {
                self.batch_accuracy
                    .push(Mlp::batch_accuracy(workspace, batch_y));
            }
        }
    }

    /// Steps taken so far: one loss logged each.
    fn steps_done(&self) -> usize {
        self.loss.len()
    }

    /// The trained network's accuracies and distinct units, with the logged curves.
    fn finish(
        self,
        train_x: &Array2<f64>,
        train_y: &[u32],
        test_x: &Array2<f64>,
        test_y: &[u32],
    ) -> TrainingRun {
        TrainingRun {
            label: self.run.label.clone(),
            init: self.run.init,
            batchnorm: self.run.batchnorm,
            train_accuracy: self.mlp.accuracy(train_x.view(), train_y),
            test_accuracy: self.mlp.accuracy(test_x.view(), test_y),
            distinct_units: self.mlp.distinct_units(),
            loss: self.loss,
            batch_accuracy: self.batch_accuracy,
        }
    }
}

/// A scheme's learner as the threads share it: each turn, a thread takes the least advanced
/// learner that has steps left and that no other thread holds. With more schemes than threads
/// every thread stays busy until the last turns, and the schemes finish about together. Which
/// thread takes which turn depends on timing; what a learner computes does not (the kernels
/// give the same bits on every thread, and each learner's steps run in order).
struct Shared<'a> {
    /// Steps done, read without the lock to choose by.
    steps_done: AtomicUsize,
    learner: Mutex<Learner<'a>>,
}

/// The least advanced learner with steps left (of `steps`) that no other thread holds.
fn next_turn<'s, 'a>(
    learners: &'s [Shared<'a>],
    steps: usize,
) -> Option<(&'s Shared<'a>, MutexGuard<'s, Learner<'a>>)> {
    // Read once each: a key that changed during the sort would break its order.
    let mut candidates: Vec<(usize, &Shared)> = learners
        .iter()
        .map(|shared| (shared.steps_done.load(Ordering::Relaxed), shared))
        .filter(|&(done, _)| done < steps)
        .collect();
    candidates.sort_by_key(|&(done, _)| done);
    candidates.into_iter().find_map(|(_, shared)| {
        let learner = shared.learner.try_lock().ok()?;
        // Another thread may have finished it since its progress was read.
        (learner.steps_done() < steps).then_some((shared, learner))
    })
}

fn initial_network(params: &TrainingParams, run: &LabelledInit, data: &Dataset, seed: u64) -> Mlp {
    let init = run.init;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    let mut normal = GaussianStream::new();
    let mut sizes = vec![data.features.ncols()];
    sizes.extend(std::iter::repeat_n(params.nodes, params.hidden_layers));
    sizes.push(data.classes);
    let weights = sizes
        .windows(2)
        .map(|pair| init.draw_weights(pair[0], pair[1], &mut rng, &mut normal))
        .collect();
    let biases = sizes[1..].iter().map(|&n| Array1::zeros(n)).collect();
    Mlp {
        weights,
        biases: Some(biases),
        activation: params.activation,
        batchnorm: run.batchnorm.then(|| {
            (0..params.hidden_layers)
                .map(|_| BatchNorm::new(params.nodes))
                .collect()
        }),
    }
}

/// The rows `indices` of the data set, in that order, into `features` and `labels`.
fn gather_into(data: &Dataset, indices: &[usize], features: &mut Array2<f64>, labels: &mut [u32]) {
    for ((mut row, label), &i) in features.rows_mut().into_iter().zip(labels).zip(indices) {
        row.assign(&data.features.row(i));
        *label = data.labels[i];
    }
}

/// The rows `indices` of the data set, in that order.
fn gather(data: &Dataset, indices: &[usize]) -> (Array2<f64>, Vec<u32>) {
    let features = data.features.select(ndarray::Axis(0), indices);
    let labels = indices.iter().map(|&i| data.labels[i]).collect();
    (features.as_standard_layout().into_owned(), labels)
}
