//! Speed of what an author waits for: one experiment, one training run, the whole book.
//!
//! `cargo bench -p initbook-benches --bench pipeline`. Targets on the 2-core reference machine: one classic
//! 1000 × 100 × 5 experiment ≤ 5 ms on one core; the training lesson's experiment 3.5× faster
//! than before the wide kernels. The books are built in memory, as `build` does before writing,
//! cold (no result cache) and cached. Numbers are in README.md; the kernels alone are in
//! `benches/kernels.rs`, the comparison with mdBook and numpy in `benches/compare.rs`.

mod common;

use std::path::Path;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use initbook::numeric::{Activation, ActivationParams, Init, run_activations};

fn one_experiment(c: &mut Criterion) {
    let one_thread = one_thread();
    for (group_name, single) in [
        ("experiment 1000×100×5", false),
        ("experiment 1000×100×5, one thread", true),
    ] {
        let mut group = c.benchmark_group(group_name);
        for (name, init, activation) in CLASSIC_SCHEMES {
            let params = ActivationParams::classic(init, activation);
            group.bench_function(name, |b| {
                if single {
                    // Timed on the pool's thread, a whole batch of runs at a time: handing each
                    // run over to that thread and waiting for it took 0.1–0.15 ms, which is no
                    // part of the experiment.
                    b.iter_custom(|runs| {
                        one_thread.install(|| {
                            let start = Instant::now();
                            for _ in 0..runs {
                                std::hint::black_box(run_activations(&params, 42));
                            }
                            start.elapsed()
                        })
                    })
                } else {
                    b.iter(|| run_activations(&params, 42))
                }
            });
        }
        group.finish();
    }
}

const CLASSIC_SCHEMES: [(&str, Init, Activation); 3] = [
    (
        "sigmoid std 1",
        Init::Normal { std: 1.0 },
        Activation::Sigmoid,
    ),
    ("tanh xavier", Init::Xavier, Activation::Tanh),
    ("relu he", Init::He, Activation::Relu),
];

fn whole_book(c: &mut Criterion) {
    let root = &common::repo();
    let mut group = c.benchmark_group("book");
    group.sample_size(10);
    group.bench_function("build the tutorial, cold", |b| {
        b.iter(|| initbook::build_site(root).unwrap())
    });
    let benchmark = tempfile::tempdir().unwrap();
    common::write_benchmark_book(benchmark.path());
    let benchmark_book = benchmark.path().join("initbook");
    group.bench_function("build the benchmark book, cold", |b| {
        b.iter(|| initbook::build_site(&benchmark_book).unwrap())
    });
    let cache = initbook::cache::Cache::for_book(&benchmark_book);
    initbook::build_site_with(&benchmark_book, &cache, &|_, _| {}).unwrap();
    group.bench_function("build the benchmark book, cached", |b| {
        b.iter(|| initbook::build_site_with(&benchmark_book, &cache, &|_, _| {}).unwrap())
    });
    group.bench_function("check the tutorial", |b| {
        b.iter(|| initbook::check_book(root).unwrap())
    });
    group.finish();
}

/// The training lesson's experiments together (one experiment, three trained networks), cold:
/// the data set is read and parsed each time, as a build does.
fn training_lesson(c: &mut Criterion) {
    let root = &common::repo();
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
    let data = initbook::data::load_dataset(root, Path::new("content/data/digits.csv.gz")).unwrap();
    let Some(initbook::numeric::Experiment::Training(params)) = lesson
        .experiments
        .iter()
        .map(|spec| &spec.experiment)
        .find(|e| e.kind() == initbook::numeric::Kind::Training)
        .cloned()
    else {
        panic!("the training lesson trains");
    };
    // One of the three networks, alone (the last, He: the one that learns most).
    if let Some(run) = params.runs.last() {
        let one_run = initbook::numeric::training::TrainingParams {
            runs: vec![run.clone()],
            ..params.clone()
        };
        group.bench_function(
            format!("one training run ({}), one thread", run.label),
            |b| {
                b.iter(|| {
                    one_thread().install(|| {
                        initbook::numeric::training::run_training(&one_run, &data.dataset, 42)
                    })
                })
            },
        );
    }
    group.finish();
}

fn one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
}

/// What an editor waits for between saving and seeing the page: a rebuild in memory with a warm
/// result cache, as `initbook serve` does it (`Rebuilder`). Targets: nothing changed ≤ 20 ms, a
/// prose edit ≤ 50 ms.
fn rebuilds(c: &mut Criterion) {
    use initbook::{Rebuild, Rebuilder};
    let book = common::copy_of_the_tutorial();
    let cache = initbook::cache::Cache::for_book(book.path());
    let mut rebuilder = Rebuilder::new(book.path(), cache);
    rebuilder.rebuild().unwrap();

    let mut group = c.benchmark_group("rebuild, warm cache");
    group.bench_function("nothing changed", |b| {
        b.iter(|| {
            let rebuild = rebuilder.rebuild().unwrap();
            assert!(matches!(rebuild, Rebuild::Unchanged));
        })
    });
    let lesson = book.path().join("content/02-zero.md");
    let original = std::fs::read_to_string(&lesson).unwrap();
    let edited = original.replace("The simplest idea", "The most obvious idea");
    assert_ne!(original, edited, "the edit changes the lesson");
    let mut flip = false;
    group.bench_function("after a prose edit", |b| {
        b.iter(|| {
            flip = !flip;
            std::fs::write(&lesson, if flip { &edited } else { &original }).unwrap();
            let rebuild = rebuilder.rebuild().unwrap();
            assert!(matches!(rebuild, Rebuild::Built(_)));
            rebuild
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
