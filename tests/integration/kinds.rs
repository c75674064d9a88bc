//! The gradient, depth and training experiments: known behaviour, symmetry, determinism.

use std::path::Path;

use initbook::data::load_dataset;
use initbook::numeric::depth::{DepthParams, run_depth};
use initbook::numeric::gradients::{GradientParams, GradientResult, run_gradients};
use initbook::numeric::network::LabelledInit;
use initbook::numeric::training::{
    Dataset, TrainingParams, TrainingResult, TrainingRun, run_training,
};
use initbook::numeric::{Activation, Init, NetworkParams};

const SEEDS: [u64; 3] = [1, 2, 42];

fn digits() -> Dataset {
    load_dataset(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        Path::new("content/data/digits.csv.gz"),
    )
    .unwrap()
    .dataset
}

fn scheme(label: &str, init: Init) -> LabelledInit {
    LabelledInit {
        label: label.to_string(),
        init,
        batchnorm: false,
    }
}

fn gradients(init: Init, activation: Activation, seed: u64) -> GradientResult {
    run_gradients(
        &GradientParams {
            network: NetworkParams {
                init,
                activation,
                layers: 5,
                nodes: 100,
                samples: 1000,
                batchnorm: false,
            },
            classes: 10,
            bins: 30,
            range: None,
        },
        seed,
    )
}

#[test]
fn the_digits_load_as_described() {
    let data = digits();
    assert_eq!(data.features.dim(), (1797, 64));
    assert_eq!(data.classes, 10);
    assert!(data.features.iter().all(|&v| (0.0..=1.0).contains(&v)));
    assert!(
        data.features.iter().any(|&v| v == 1.0),
        "scaled by the largest pixel value"
    );
}

#[test]
fn small_weights_make_the_gradient_vanish_toward_the_input() {
    for seed in SEEDS {
        let result = gradients(Init::Normal { std: 0.01 }, Activation::Sigmoid, seed);
        let rms: Vec<f64> = result.layers.iter().map(|l| l.grad_rms).collect();
        for pair in rms.windows(2) {
            // About √n·σ·σ'(0) = 1/40 per layer.
            let ratio = pair[0] / pair[1];
            assert!((0.015..0.04).contains(&ratio), "seed {seed}: {rms:?}");
        }
        assert!(
            (result.loss - 10f64.ln()).abs() < 0.01,
            "an uninformed output"
        );
    }
}

#[test]
fn xavier_tanh_gradients_reach_every_layer() {
    for seed in SEEDS {
        let result = gradients(Init::Xavier, Activation::Tanh, seed);
        let (first, last) = (&result.layers[0], &result.layers[4]);
        assert!(
            first.grad_rms / last.grad_rms > 0.25,
            "seed {seed}: {} vs {}",
            first.grad_rms,
            last.grad_rms
        );
        assert!(
            result.layers.iter().all(|l| l.grad_tiny_frac < 0.05),
            "seed {seed}"
        );
    }
}

#[test]
fn std_one_sigmoid_gradients_keep_their_size_but_concentrate() {
    for seed in SEEDS {
        let result = gradients(Init::Normal { std: 1.0 }, Activation::Sigmoid, seed);
        let (first, last) = (&result.layers[0], &result.layers[4]);
        let ratio = first.grad_rms / last.grad_rms;
        assert!(
            (0.5..2.0).contains(&ratio),
            "seed {seed}: the RMS holds, ratio {ratio}"
        );
        for layer in &result.layers {
            assert!(
                layer.grad_tiny_frac > 0.25,
                "seed {seed} layer {}: {}",
                layer.layer,
                layer.grad_tiny_frac
            );
        }
        assert!(
            result.loss > 4.0,
            "seed {seed}: confident random predictions, loss {}",
            result.loss
        );
    }
}

#[test]
fn depth_xavier_decays_by_root_two_and_he_holds() {
    let params = DepthParams {
        activation: Activation::Relu,
        layers: 30,
        nodes: 100,
        samples: 300,
        runs: vec![scheme("xavier", Init::Xavier), scheme("he", Init::He)],
    };
    for seed in SEEDS {
        let result = run_depth(&params, seed);
        let (xavier, he) = (&result.series[0].std, &result.series[1].std);
        // (1/√2)^29 ≈ 4.3e-5 from layer 1 to layer 30.
        let decay = xavier[29] / xavier[0];
        let per_layer = decay.powf(1.0 / 29.0);
        assert!(
            (0.65..0.76).contains(&per_layer),
            "seed {seed}: {per_layer}"
        );
        // He keeps the scale in expectation; each layer's one weight matrix moves it by some
        // percent, so over 30 layers it drifts, but with no geometric decay.
        let he_per_layer = (he[29] / he[0]).powf(1.0 / 29.0);
        assert!((0.9..1.1).contains(&he_per_layer), "seed {seed}: {he:?}");
    }
}

fn train(
    runs: Vec<LabelledInit>,
    activation: Activation,
    layers: usize,
    nodes: usize,
    rate: f64,
    iterations: usize,
    seed: u64,
) -> TrainingResult {
    let params = TrainingParams {
        activation,
        hidden_layers: layers,
        nodes,
        learning_rate: rate,
        batch: 64,
        iterations,
        test_fraction: 0.2,
        runs,
        plot: initbook::numeric::training::Plot::Loss,
    };
    run_training(&params, &digits(), seed)
}

#[test]
fn equal_weights_stay_equal_through_training() {
    let result = train(
        vec![scheme("zero", Init::Zero), scheme("xavier", Init::Xavier)],
        Activation::Sigmoid,
        3,
        30,
        1.0,
        150,
        42,
    );
    let (zero, random) = (&result.runs[0], &result.runs[1]);
    assert_eq!(zero.distinct_units, vec![1, 1, 1]);
    assert_eq!(random.distinct_units, vec![30, 30, 30]);
    assert!(zero.loss.iter().zip(&random.loss).any(|(a, b)| a != b));
}

#[test]
fn he_beats_small_weights_on_digits_for_several_seeds() {
    for seed in SEEDS {
        let result = train(
            vec![
                scheme("small", Init::Normal { std: 0.01 }),
                scheme("he", Init::He),
            ],
            Activation::Relu,
            4,
            50,
            0.01,
            300,
            seed,
        );
        let (small, he) = (&result.runs[0], &result.runs[1]);
        assert!(
            small.test_accuracy < 0.2,
            "seed {seed}: small weights learn nothing: {}",
            small.test_accuracy
        );
        assert!(
            he.test_accuracy > small.test_accuracy + 0.4,
            "seed {seed}: {} vs {}",
            he.test_accuracy,
            small.test_accuracy
        );
    }
}

#[test]
fn training_is_deterministic_across_runs_and_threads() {
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                train(
                    vec![scheme("xavier", Init::Xavier), scheme("he", Init::He)],
                    Activation::Relu,
                    2,
                    40,
                    0.05,
                    60,
                    7,
                )
            })
    };
    let one = run(1);
    let json = |r: &TrainingResult| serde_json::to_string(r).unwrap();
    assert_eq!(json(&one), json(&run(2)));
    assert_eq!(json(&one), json(&run(1)));
}

/// Threads take turns of a few steps on the schemes, lending each their own step buffers
/// (`training.rs`): with more schemes than threads, with fewer, with and without batch
/// normalization side by side, each scheme must come out exactly as if it were trained alone.
#[test]
fn schemes_sharing_threads_train_as_if_alone() {
    let with_norm = |label: &str, init: Init| LabelledInit {
        batchnorm: true,
        ..scheme(label, init)
    };
    let schemes = vec![
        scheme("xavier", Init::Xavier),
        with_norm("he-bn", Init::He),
        scheme("small", Init::Normal { std: 0.01 }),
        with_norm("xavier-bn", Init::Xavier),
        scheme("he", Init::He),
    ];
    let params = |runs: Vec<LabelledInit>| TrainingParams {
        activation: Activation::Relu,
        hidden_layers: 2,
        nodes: 24,
        learning_rate: 0.05,
        batch: 16,
        // Not a whole number of turns: the last turn is short.
        iterations: 61,
        test_fraction: 0.2,
        runs,
        plot: initbook::numeric::training::Plot::Accuracy,
    };
    let data = digits();
    let on_threads = |threads: usize, runs: Vec<LabelledInit>| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run_training(&params(runs), &data, 3))
    };
    let json = |r: &TrainingRun| serde_json::to_string(r).unwrap();
    let alone: Vec<String> = schemes
        .iter()
        .map(|s| json(&on_threads(1, vec![s.clone()]).runs[0]))
        .collect();
    for threads in [1, 2, 3, 8] {
        let together = on_threads(threads, schemes.clone());
        assert_eq!(together.runs.len(), schemes.len());
        for (run, alone) in together.runs.iter().zip(&alone) {
            assert_eq!(&json(run), alone, "{} on {threads} threads", run.label);
            assert_eq!(run.loss.len(), 61);
            assert_eq!(run.batch_accuracy.len(), 61);
        }
    }
}
