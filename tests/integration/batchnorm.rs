//! Batch normalization: the claims of the lesson (`content/08-batch-norm.md`) for several
//! seeds, and a golden value for one training run with it.
//!
//! The experiments are the lesson's own blocks, read from the book, with the seed replaced.

use std::path::Path;

use initbook::book::load_book;
use initbook::data::load_dataset;
use initbook::hash::sha256_hex;
use initbook::manifest::canonical_data;
use initbook::model::ParsedBook;
use initbook::numeric::training::{Dataset, TrainingParams, TrainingResult, run_training};
use initbook::numeric::{Experiment, Outcome, run_experiment};
use initbook::parse::parse_book;

const SEEDS: [u64; 3] = [1, 2, 42];

fn book() -> ParsedBook {
    parse_book(&load_book(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()).unwrap()
}

fn digits() -> Dataset {
    load_dataset(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        Path::new("content/data/digits.csv.gz"),
    )
    .unwrap()
    .dataset
}

/// The lesson's experiment `id`, run with `seed`.
fn run(book: &ParsedBook, id: &str, seed: u64, data: &Dataset) -> Outcome {
    let spec = book.find_experiment(id).unwrap_or_else(|| panic!("{id}"));
    run_experiment(&spec.experiment, seed, Some(data))
}

#[test]
fn normalized_sigmoid_activations_spread_across_the_interval_for_both_scales() {
    let (book, data) = (book(), digits());
    for seed in SEEDS {
        for (normalized, plain) in [
            ("bn-sigmoid-std1", "plain-sigmoid-std1"),
            ("bn-sigmoid-std-small", "plain-sigmoid-std-small"),
        ] {
            let Outcome::Activations(bn) = run(&book, normalized, seed, &data) else {
                panic!("activations")
            };
            let Outcome::Activations(without) = run(&book, plain, seed, &data) else {
                panic!("activations")
            };
            for (layer, old) in bn.layers.iter().zip(&without.layers) {
                let at = format!("{normalized}, seed {seed}, layer {}", layer.layer);
                // Spread across (0, 1): reaching near both ends, a wide std, nothing piled at
                // the edges.
                assert!(layer.min < 0.05 && layer.max > 0.95, "{at}: {layer:?}");
                assert!(layer.std > 0.2 && layer.unit_std > 0.2, "{at}: {layer:?}");
                assert!(layer.edge_frac < 0.01, "{at}: {}", layer.edge_frac);
                // What it repairs: σ = 1 piles up at the edges, σ = 0.01 collapses.
                assert!(
                    old.edge_frac > 0.3 || old.std < 0.03,
                    "{plain}, seed {seed}: {old:?}"
                );
            }
        }
    }
}

#[test]
fn normalized_gradients_reach_every_layer_at_a_similar_size() {
    let (book, data) = (book(), digits());
    for seed in SEEDS {
        let rms = |id: &str| -> Vec<f64> {
            let Outcome::Gradients(result) = run(&book, id, seed, &data) else {
                panic!("gradients")
            };
            result.layers.iter().map(|l| l.grad_rms).collect()
        };
        let spread = |values: &[f64]| {
            values.iter().copied().fold(0.0, f64::max)
                / values.iter().copied().fold(f64::INFINITY, f64::min)
        };
        let (with, without) = (rms("bn-grad-std-small"), rms("plain-grad-std-small"));
        assert!(spread(&with) < 10.0, "seed {seed}: {with:?}");
        assert!(spread(&without) > 1e5, "seed {seed}: {without:?}");
    }
}

/// Scales whose run reaches 80 % test accuracy, without and with batch normalization.
fn scales_learning(result: &TrainingResult) -> (usize, usize) {
    let count = |bn: bool| {
        result
            .runs
            .iter()
            .filter(|r| r.batchnorm == bn && r.test_accuracy >= 0.8)
            .count()
    };
    (count(false), count(true))
}

#[test]
fn with_batch_normalization_many_more_scales_learn() {
    let (book, data) = (book(), digits());
    let spec = book.find_experiment("scales").unwrap();
    let Experiment::Training(params) = &spec.experiment else {
        panic!("training")
    };
    assert_eq!(params.runs.len(), 32);
    assert_eq!(params.runs.iter().filter(|r| r.batchnorm).count(), 16);
    for seed in SEEDS {
        let result = run_training(params, &data, seed);
        let (without, with) = scales_learning(&result);
        eprintln!("seed {seed}: {without} scales reach 80% without, {with} with");
        assert!(
            with >= without + 5,
            "seed {seed}: {without} without, {with} with"
        );
        // Only a narrow band learns without: the smallest scales stay near chance.
        let smallest = result.runs.iter().find(|r| r.label == "plain-16").unwrap();
        assert!(smallest.test_accuracy < 0.2, "seed {seed}");
        // With it, the same smallest scale learns well above chance.
        let smallest = result.runs.iter().find(|r| r.label == "bn-16").unwrap();
        assert!(smallest.test_accuracy > 0.5, "seed {seed}");
        // Batches of 4 (as many digits seen) do worse than the sweep's batches.
        let Outcome::Training(small) = run(&book, "small-batch", seed, &data) else {
            panic!("training")
        };
        let sweep = result.runs.iter().find(|r| r.label == "bn-8").unwrap();
        assert!(
            small.runs[0].test_accuracy < sweep.test_accuracy,
            "seed {seed}: {} against {}",
            small.runs[0].test_accuracy,
            sweep.test_accuracy
        );
    }
}

/// A small training run with batch normalization: its data hash is pinned, like the golden
/// vectors of the forward pass.
#[test]
fn a_normalized_training_run_matches_its_golden_value() {
    let book = book();
    let Experiment::Training(params) = &book.find_experiment("scales").unwrap().experiment else {
        panic!("training")
    };
    let params = TrainingParams {
        hidden_layers: 2,
        nodes: 20,
        batch: 16,
        iterations: 30,
        runs: params
            .runs
            .iter()
            .filter(|r| r.label == "bn-8" || r.label == "plain-8")
            .cloned()
            .collect(),
        ..params.clone()
    };
    let result = Outcome::Training(run_training(&params, &digits(), 42));
    assert_eq!(
        sha256_hex(&canonical_data(&result)),
        "383104cebf73b1217601147ea64fad4c5008c550e8eae116d34db7af9b51538c"
    );
}
