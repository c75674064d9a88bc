//! Speed of the two things an author waits for: one experiment, and the whole book.
//!
//! `cargo bench --bench pipeline`. Targets on the 2-core reference machine: one classic
//! 1000 × 100 × 5 experiment ≤ 10 ms; the training lesson's experiments ≤ 3 s cold. The whole
//! tutorial (in memory, as `build` does before writing) is measured too. Numbers are in
//! README.md.

mod common;

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
    group.sample_size(10);
    group.bench_function("build the tutorial", |b| {
        b.iter(|| initbook::build_site(root).unwrap())
    });
    group.bench_function("check the tutorial", |b| {
        b.iter(|| initbook::check_book(root).unwrap())
    });
    group.finish();
}

/// The training lesson's experiments together (one experiment, three trained networks), cold:
/// the data set is read and parsed each time, as a build does.
fn training_lesson(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let book = initbook::parse::parse_book(&initbook::book::load_book(root).unwrap()).unwrap();
    let lesson = book
        .lessons
        .iter()
        .find(|l| l.slug == "07-training")
        .expect("the training lesson");
    let mut group = c.benchmark_group("training lesson");
    group.sample_size(10);
    group.bench_function("its experiments, cold", |b| {
        b.iter(|| {
            for spec in &lesson.experiments {
                let data = spec.data.as_ref().map(|source| {
                    initbook::data::load_dataset(
                        root,
                        &std::path::Path::new("content").join(&source.path),
                    )
                    .unwrap()
                });
                initbook::numeric::run_experiment(
                    &spec.experiment,
                    spec.seed,
                    data.as_ref().map(|file| &file.dataset),
                );
            }
        })
    });
    group.finish();
}

/// What an editor waits for between saving and seeing the page: a rebuild in memory with a warm
/// result cache, as `initbook serve` does it. Targets: nothing changed ≤ 20 ms, a prose edit
/// ≤ 50 ms.
fn rebuilds(c: &mut Criterion) {
    let book = common::copy_of_the_tutorial();
    let cache = initbook::cache::Cache::for_book(book.path());
    initbook::build_site_with(book.path(), &cache, &|_, _| {}).unwrap();

    let mut group = c.benchmark_group("rebuild, warm cache");
    group.bench_function("nothing changed", |b| {
        b.iter(|| initbook::build_site_with(book.path(), &cache, &|_, _| {}).unwrap())
    });
    let lesson = book.path().join("content/02-zero.md");
    let original = std::fs::read_to_string(&lesson).unwrap();
    let edited = original.replace("The simplest idea", "The most obvious idea");
    let mut flip = false;
    group.bench_function("after a prose edit", |b| {
        b.iter(|| {
            flip = !flip;
            std::fs::write(&lesson, if flip { &edited } else { &original }).unwrap();
            initbook::build_site_with(book.path(), &cache, &|_, _| {}).unwrap()
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    one_experiment,
    whole_book,
    training_lesson,
    rebuilds
);
criterion_main!(benches);
