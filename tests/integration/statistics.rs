//! The known behaviour of each initialization scheme, checked on the numeric core with tolerances
//! that hold across seeds.

use initbook::numeric::{Activation, ActivationParams, ActivationResult, Init, run_activations};

const SEEDS: [u64; 4] = [1, 2, 3, 42];

fn run_classic(init: Init, activation: Activation, seed: u64) -> ActivationResult {
    run_activations(&ActivationParams::classic(init, activation), seed)
}

fn run_with_range(
    init: Init,
    activation: Activation,
    range: (f64, f64),
    seed: u64,
) -> ActivationResult {
    let params = ActivationParams {
        range,
        ..ActivationParams::classic(init, activation)
    };
    run_activations(&params, seed)
}

#[test]
fn every_activation_is_counted_once() {
    for (init, activation) in [
        (Init::Normal { std: 1.0 }, Activation::Sigmoid),
        (Init::He, Activation::Relu),
        (Init::Xavier, Activation::Tanh),
    ] {
        let result = run_classic(init, activation, 42);
        assert_eq!(result.layers.len(), 5);
        for layer in &result.layers {
            let counted: u64 = layer.counts.iter().sum::<u64>() + layer.below + layer.above;
            assert_eq!(
                counted, 100_000,
                "{init:?} {activation:?} layer {}",
                layer.layer
            );
            assert_eq!(layer.nan, 0);
            assert_eq!(layer.counts.len(), 30);
            assert_eq!(layer.edges.len(), 31);
        }
    }
}

#[test]
fn zero_init_makes_every_activation_equal() {
    for seed in SEEDS {
        for (activation, value) in [
            (Activation::Sigmoid, 0.5),
            (Activation::Tanh, 0.0),
            (Activation::Relu, 0.0),
        ] {
            for layer in run_classic(Init::Zero, activation, seed).layers {
                assert_eq!((layer.min, layer.max), (value, value), "{activation:?}");
                assert_eq!(layer.std, 0.0);
                assert_eq!(layer.unit_std, 0.0);
            }
        }
    }
}

#[test]
fn std_one_saturates_the_sigmoid() {
    for seed in SEEDS {
        for layer in run_classic(Init::Normal { std: 1.0 }, Activation::Sigmoid, seed).layers {
            assert!(
                layer.edge_frac > 0.5,
                "seed {seed} layer {}: {}",
                layer.layer,
                layer.edge_frac
            );
            assert!(
                layer.deriv_mean < 0.1,
                "seed {seed}: σ' mean {}",
                layer.deriv_mean
            );
            assert!(layer.std > 0.4, "spread to both ends: {}", layer.std);
        }
    }
}

#[test]
fn std_small_collapses_the_sigmoid_to_one_half() {
    for seed in SEEDS {
        let result = run_classic(Init::Normal { std: 0.01 }, Activation::Sigmoid, seed);
        for layer in &result.layers {
            assert!(
                (layer.mean - 0.5).abs() < 0.01,
                "seed {seed}: mean {}",
                layer.mean
            );
            assert!(layer.std < 0.03, "seed {seed}: std {}", layer.std);
            assert!((layer.deriv_mean - 0.25).abs() < 0.001);
        }
        // What remains is a per-unit offset; the input's influence is gone by layer 5.
        let last = &result.layers[4];
        assert!(
            last.unit_std < 1e-6,
            "seed {seed}: unit std {}",
            last.unit_std
        );
        assert!(
            last.unit_mean_std > 0.005,
            "seed {seed}: {}",
            last.unit_mean_std
        );
    }
}

#[test]
fn small_tanh_weights_halve_the_spread_per_layer() {
    // √n·σ = 10 × 0.05 = 1/2 in tanh's linear region.
    for seed in SEEDS {
        let result = run_with_range(
            Init::Normal { std: 0.05 },
            Activation::Tanh,
            (-1.0, 1.0),
            seed,
        );
        for pair in result.layers.windows(2).skip(1) {
            let ratio = pair[1].std / pair[0].std;
            assert!((0.45..0.55).contains(&ratio), "seed {seed}: ratio {ratio}");
        }
    }
}

#[test]
fn xavier_keeps_tanh_spread_and_input_dependent() {
    for seed in SEEDS {
        let result = run_with_range(Init::Xavier, Activation::Tanh, (-1.0, 1.0), seed);
        for layer in &result.layers {
            assert!(layer.std > 0.25, "seed {seed}: std {}", layer.std);
            assert!(
                layer.unit_std / layer.std > 0.95,
                "seed {seed}: {}",
                layer.unit_std
            );
            assert!(layer.mean.abs() < 0.02);
        }
    }
}

#[test]
fn xavier_with_sigmoid_spreads_across_units_not_samples() {
    for seed in SEEDS {
        let last = &run_classic(Init::Xavier, Activation::Sigmoid, seed).layers[4];
        assert!(
            last.std > 0.08,
            "seed {seed}: the histogram looks spread: {}",
            last.std
        );
        assert!(
            last.unit_std < 0.005,
            "seed {seed}: but not across samples: {}",
            last.unit_std
        );
        assert!(last.unit_mean_std / last.std > 0.95, "seed {seed}");
    }
}

#[test]
fn he_keeps_the_relu_spread_constant() {
    for seed in SEEDS {
        let stds: Vec<f64> = run_classic(Init::He, Activation::Relu, seed)
            .layers
            .iter()
            .map(|l| l.std)
            .collect();
        let (lo, hi) = stds.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &s| {
            (lo.min(s), hi.max(s))
        });
        // Each layer's single weight matrix moves its gain by some percent; no trend with depth.
        assert!(lo > 0.6 && hi < 1.1, "seed {seed}: {stds:?}");
        assert!(hi / lo < 1.4, "seed {seed}: the band is narrow: {stds:?}");
    }
}

#[test]
fn xavier_shrinks_relu_by_about_one_over_root_two() {
    for seed in SEEDS {
        let result = run_classic(Init::Xavier, Activation::Relu, seed);
        for pair in result.layers.windows(2) {
            let ratio = pair[1].std / pair[0].std;
            assert!((0.55..0.85).contains(&ratio), "seed {seed}: ratio {ratio}");
        }
        let overall = result.layers[4].std / result.layers[0].std;
        assert!(
            (0.15..0.35).contains(&overall),
            "seed {seed}: {overall} vs (1/√2)⁴ = 0.25"
        );
    }
}

#[test]
fn relu_switches_off_half_the_units() {
    for seed in SEEDS {
        for layer in run_classic(Init::He, Activation::Relu, seed).layers {
            // About half; per-unit offsets in deeper layers move it by some percent.
            assert!(
                (layer.zero_frac - 0.5).abs() < 0.1,
                "seed {seed}: {}",
                layer.zero_frac
            );
            // ReLU's slope is 1 exactly where the output is positive.
            assert!((layer.deriv_mean + layer.zero_frac - 1.0).abs() < 1e-12);
        }
    }
}

#[test]
fn small_weights_make_relu_vanish() {
    for seed in SEEDS {
        let last = &run_classic(Init::Normal { std: 0.01 }, Activation::Relu, seed).layers[4];
        assert!(last.std < 1e-5, "seed {seed}: {}", last.std);
    }
}
