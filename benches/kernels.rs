//! The kernels one by one, on every path this CPU supports (see `src/numeric/kernels/mod.rs`):
//! how much each instruction set buys, at the shapes the experiments use.
//!
//! `cargo bench -p initbook-benches --bench kernels`. Each group has one entry per path (`portable`, `avx2`,
//! `avx512`); all paths give the same bits (`tests/integration/kernel_paths.rs`).

use criterion::{Criterion, criterion_group, criterion_main};
use initbook::numeric::Activation;
use initbook::numeric::gaussian::GaussianStream;
use initbook::numeric::kernels::{Lhs, PackedMatrix, Path};
use initbook::numeric::stats::{Binning, FirstPass};
use ndarray::Array2;
use rand::SeedableRng;

fn normal_matrix(rows: usize, cols: usize, seed: u64, scale: f64) -> Array2<f64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut matrix = Array2::zeros((rows, cols));
    GaussianStream::new().fill_scaled(&mut rng, matrix.as_slice_mut().unwrap(), scale);
    matrix
}

fn products(c: &mut Criterion) {
    // The activation experiment's layer, a training batch's layer, and a weight gradient (the
    // transpose of the batch's activations times the deltas); then the two products training
    // spends its time on, whose left operand is a ReLU layer's output (half exact zeros, which
    // the AVX-512 path skips).
    for (name, m, n, p, transposed, relu) in [
        ("product 1000×100 · 100×100", 1000, 100, 100, false, false),
        ("product 128×100 · 100×100", 128, 100, 100, false, false),
        ("product (128×100)ᵀ · 128×100", 100, 128, 100, true, false),
        ("ReLU product 128×100 · 100×100", 128, 100, 100, false, true),
        (
            "ReLU product (128×100)ᵀ · 128×100",
            100,
            128,
            100,
            true,
            true,
        ),
    ] {
        let mut a = normal_matrix(
            if transposed { n } else { m },
            if transposed { m } else { n },
            1,
            1.0,
        );
        if relu {
            Activation::Relu.apply_in_place(Path::PORTABLE, a.as_slice_mut().unwrap());
        }
        let b = normal_matrix(n, p, 2, 0.1);
        let lhs = if transposed {
            Lhs::transpose_of(a.as_slice().unwrap(), n, m)
        } else {
            Lhs::row_major(a.as_slice().unwrap(), m, n)
        };
        let packed = PackedMatrix::new(b.view());
        let mut out = vec![0.0; m * p];
        let mut group = c.benchmark_group(name);
        for path in Path::supported() {
            group.bench_function(path.name(), |bench| {
                bench.iter(|| packed.multiply(path, lhs, &mut out))
            });
        }
        group.finish();
    }
}

fn activations(c: &mut Criterion) {
    let sums = normal_matrix(1000, 100, 3, 3.0);
    for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
        let mut group = c.benchmark_group(format!("{} of 1000×100", activation.name()));
        for path in Path::supported() {
            let mut values = sums.as_slice().unwrap().to_vec();
            group.bench_function(path.name(), |bench| {
                bench.iter(|| {
                    values.copy_from_slice(sums.as_slice().unwrap());
                    activation.apply_in_place(path, &mut values)
                })
            });
        }
        group.finish();
    }
}

fn first_statistics_pass(c: &mut Criterion) {
    let mut z = normal_matrix(64, 100, 4, 3.0);
    Activation::Sigmoid.apply_in_place(Path::PORTABLE, z.as_slice_mut().unwrap());
    let binning = Binning {
        bins: 30,
        lo: 0.0,
        hi: 1.0,
    };
    let mut group = c.benchmark_group("first statistics pass, 64×100 sigmoid");
    for path in Path::supported() {
        group.bench_function(path.name(), |bench| {
            bench.iter(|| {
                FirstPass::of_rows_on(
                    path,
                    z.as_slice().unwrap(),
                    100,
                    Activation::Sigmoid,
                    &binning,
                )
            })
        });
    }
    group.finish();
}

fn normal_draws(c: &mut Criterion) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut stream = GaussianStream::new();
    let mut values = vec![0.0; 150_000];
    c.bench_function(
        "150 000 normal draws (an experiment's input and weights)",
        |bench| bench.iter(|| stream.fill_scaled(&mut rng, &mut values, 1.0)),
    );
}

criterion_group!(
    benches,
    products,
    activations,
    first_statistics_pass,
    normal_draws
);
criterion_main!(benches);
