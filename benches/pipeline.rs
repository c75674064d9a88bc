//! Speed of the two things an author waits for: one experiment, and the whole book.
//!
//! `cargo bench --bench pipeline`. Targets on the 2-core reference machine: one classic
//! 1000 × 100 × 5 experiment ≤ 10 ms; the whole tutorial ≤ 150 ms (in memory, as `build` does
//! before writing). Measured numbers are in README.md.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use initbook::numeric::{Activation, ActivationParams, Init, run_activations};

fn one_experiment(c: &mut Criterion) {
    let mut group = c.benchmark_group("experiment 1000×100×5");
    for (name, init, activation) in [
        (
            "sigmoid std 1",
            Init::Normal { std: 1.0 },
            Activation::Sigmoid,
        ),
        ("tanh xavier", Init::Xavier, Activation::Tanh),
        ("relu he", Init::He, Activation::Relu),
    ] {
        let params = ActivationParams::classic(init, activation);
        group.bench_function(name, |b| b.iter(|| run_activations(&params, 42)));
    }
    group.finish();
}

fn whole_book(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut group = c.benchmark_group("book");
    group.sample_size(30);
    group.bench_function("build the tutorial", |b| {
        b.iter(|| initbook::build_site(root).unwrap())
    });
    group.bench_function("check the tutorial", |b| {
        b.iter(|| initbook::check_book(root).unwrap())
    });
    group.finish();
}

criterion_group!(benches, one_experiment, whole_book);
criterion_main!(benches);
