//! Every kernel path this CPU supports gives the portable path's bits, on the same inputs.
//!
//! The rule (see `src/numeric/kernels/mod.rs`): a wide path may compute several independent
//! elements at once, but each element must see the same IEEE operations in the same order and
//! nothing fused. These tests hold each path to that on ragged shapes (edges of every tile and
//! vector width) and on special values: ±0, ±∞, NaN, subnormals, overflowing sums.
//!
//! NaN results are compared as "both NaN": IEEE 754 leaves the sign and payload of a NaN open
//! (x86 makes a negative one, `f64::NAN` is positive, and a commuted operand picks the other's
//! payload), and nothing initbook writes shows them. Every other value is compared bit for bit.

use initbook::numeric::kernels::{Lhs, PackedMatrix, Path, Rhs, elementwise, product};
use initbook::numeric::stats::{Binning, FirstPass, finish_layer_stats};
use initbook::numeric::{Activation, elementary};
use ndarray::{Array2, ArrayView2};

/// The same bits, or both NaN.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn assert_same(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(same(a, e), "{what}: element {i} is {a:e}, expected {e:e}");
    }
}

/// The wide paths; the tests compare each with [`Path::PORTABLE`].
fn wide_paths() -> Vec<Path> {
    let paths: Vec<Path> = Path::supported()
        .into_iter()
        .filter(|&p| p != Path::PORTABLE)
        .collect();
    // Say which paths were proven, so a run on a machine without AVX shows it.
    eprintln!("wide kernel paths on this CPU: {paths:?}");
    paths
}

/// Deterministic, irregular values with many significant bits, so a change of summation order
/// would show in the low bits.
fn awkward(count: usize, salt: u64) -> Vec<f64> {
    (0..count as u64)
        .map(|i| {
            let h = (i * 7919 + salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            ((h >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 3.7
        })
        .collect()
}

const SPECIALS: [f64; 12] = [
    0.0,
    -0.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    f64::MIN_POSITIVE,
    -f64::MIN_POSITIVE / 3.0, // subnormal
    5e-324,                   // the smallest subnormal
    1e308,
    -1e308,
    1.0,
    -1.0,
];

/// `awkward` values with a special value every `every` elements.
fn with_specials(count: usize, salt: u64, every: usize) -> Vec<f64> {
    let mut values = awkward(count, salt);
    for (i, value) in values.iter_mut().enumerate().skip(salt as usize % every) {
        if i % every == 0 {
            *value = SPECIALS[(i / every + salt as usize) % SPECIALS.len()];
        }
    }
    values
}

/// The product by its definition: each element summed from +0 in index order.
fn reference_product(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Vec<f64> {
    let (m, n) = a.dim();
    let p = b.ncols();
    let mut out = Vec::with_capacity(m * p);
    for i in 0..m {
        for j in 0..p {
            let mut sum = 0.0;
            for k in 0..n {
                sum += a[[i, k]] * b[[k, j]];
            }
            out.push(sum);
        }
    }
    out
}

/// Shapes `(m, n, p)` that hit full and partial row tiles, every panel remainder of 8 columns,
/// AVX-512 groups of 1–4 panels, an inner dimension of 1, and the experiments' own sizes.
const SHAPES: [(usize, usize, usize); 14] = [
    (1, 1, 1),
    (4, 3, 5),
    (7, 13, 11),
    (5, 1, 9),
    (3, 2, 17),
    (9, 100, 100),
    (64, 100, 100),
    (130, 64, 10),
    (6, 7, 24),
    (11, 5, 33),
    (2, 9, 40),
    (13, 31, 65),
    (5, 6, 300),
    (128, 100, 10),
];

#[test]
fn products_are_bit_identical_on_every_path() {
    let paths = wide_paths();
    for (shape_index, &(m, n, p)) in SHAPES.iter().enumerate() {
        let salt = shape_index as u64;
        for specials in [false, true] {
            let make = |count, salt| {
                if specials {
                    with_specials(count, salt, 7)
                } else {
                    awkward(count, salt)
                }
            };
            let a = Array2::from_shape_vec((m, n), make(m * n, salt)).unwrap();
            let b = Array2::from_shape_vec((n, p), make(n * p, salt + 100)).unwrap();
            let expected = reference_product(a.view(), b.view());
            let what = format!("{m}×{n}×{p}, specials {specials}");

            let packed = PackedMatrix::new(b.view());
            let lhs = Lhs::row_major(a.as_slice().unwrap(), m, n);
            let mut portable = vec![f64::NAN; m * p];
            packed.multiply(Path::PORTABLE, lhs, &mut portable);
            assert_same(&portable, &expected, &format!("portable {what}"));
            // The right operand read in place: its last panel is partial, not padded.
            let in_place = Rhs::row_major(b.as_slice().unwrap(), n, p);
            let mut out = vec![f64::NAN; m * p];
            product::multiply(Path::PORTABLE, lhs, in_place, &mut out);
            assert_same(&out, &portable, &format!("portable, rhs in place {what}"));

            // The left operand as the transpose of a stored matrix, and the right one packed
            // from a transposed view: the backward pass's two layouts.
            let a_transposed = a.t().as_standard_layout().into_owned();
            let lhs_t = Lhs::transpose_of(a_transposed.as_slice().unwrap(), n, m);
            let b_transposed = b.t().as_standard_layout().into_owned();
            let packed_t = PackedMatrix::new(b_transposed.t());

            for &path in &paths {
                let mut out = vec![f64::NAN; m * p];
                packed.multiply(path, lhs, &mut out);
                assert_same(&out, &portable, &format!("{path} {what}"));

                let mut out = vec![f64::NAN; m * p];
                packed_t.multiply(path, lhs_t, &mut out);
                assert_same(
                    &out,
                    &portable,
                    &format!("{path} transposed operands {what}"),
                );

                let mut out = vec![f64::NAN; m * p];
                packed.multiply_in_parallel(path, lhs, &mut out);
                assert_same(&out, &portable, &format!("{path} in parallel {what}"));

                let mut out = vec![f64::NAN; m * p];
                product::multiply(path, lhs_t, in_place, &mut out);
                assert_same(&out, &portable, &format!("{path} rhs in place {what}"));
            }
        }
    }
}

/// A left operand mostly of exact zeros (a ReLU layer's output) sends the AVX-512 path to its
/// kernel that skips zero terms: the same bits as taking them, −0 and NaN terms included, and
/// every term taken when the right operand holds an infinity or NaN.
#[test]
fn products_skipping_zero_terms_are_bit_identical() {
    let paths: Vec<Path> = std::iter::once(Path::PORTABLE)
        .chain(wide_paths())
        .collect();
    // Wide enough for the row-wise kernel (at least 6 panels), with a partial last panel, and
    // past 16 panels (two row tiles); inner sizes whose blocks of `b` fit L1 in tiles of 7 and
    // 6 panels (100), 5 and 4 (120, 300), 9 and 8 (33).
    for (shape_index, &(m, n, p)) in [
        (9, 100, 100),
        (64, 100, 100),
        (130, 64, 45),
        (5, 33, 130),
        (128, 100, 100),
        (3, 20, 200),
        (7, 120, 100),
        (6, 300, 70),
    ]
    .iter()
    .enumerate()
    {
        let salt = shape_index as u64 + 40;
        let mut a = awkward(m * n, salt);
        for (i, value) in a.iter_mut().enumerate() {
            if i % 2 == 0 || i % 7 == 3 {
                *value = 0.0;
            } else if i % 10 == 1 {
                *value = -0.0;
            }
        }
        a[n + 1] = f64::NAN;
        for rhs_special in [None, Some(f64::INFINITY), Some(-f64::NAN)] {
            let mut b_values = awkward(n * p, salt + 100);
            if let Some(special) = rhs_special {
                b_values[n * p / 2] = special;
            }
            let a = Array2::from_shape_vec((m, n), a.clone()).unwrap();
            let b = Array2::from_shape_vec((n, p), b_values).unwrap();
            let expected = reference_product(a.view(), b.view());
            let what = format!("{m}×{n}×{p}, zeros, rhs special {rhs_special:?}");
            let lhs = Lhs::row_major(a.as_slice().unwrap(), m, n);
            let a_transposed = a.t().as_standard_layout().into_owned();
            let lhs_t = Lhs::transpose_of(a_transposed.as_slice().unwrap(), n, m);
            let packed = PackedMatrix::new(b.view());
            let in_place = Rhs::row_major(b.as_slice().unwrap(), n, p);
            for &path in &paths {
                for (layout, lhs) in [("rows", lhs), ("transpose", lhs_t)] {
                    let mut out = vec![f64::NAN; m * p];
                    packed.multiply(path, lhs, &mut out);
                    assert_same(&out, &expected, &format!("{path} {layout}, packed {what}"));
                    let mut out = vec![f64::NAN; m * p];
                    product::multiply(path, lhs, in_place, &mut out);
                    assert_same(
                        &out,
                        &expected,
                        &format!("{path} {layout}, in place {what}"),
                    );
                    let mut out = vec![f64::NAN; m * p];
                    product::multiply_in_parallel(path, lhs, in_place, &mut out);
                    assert_same(
                        &out,
                        &expected,
                        &format!("{path} {layout}, parallel {what}"),
                    );
                }
            }
        }
    }
}

#[test]
fn a_band_of_rows_is_computed_as_in_the_whole() {
    let (m, n, p) = (37, 19, 21);
    let a = awkward(m * n, 3);
    let b = Array2::from_shape_vec((n, p), awkward(n * p, 4)).unwrap();
    let packed = PackedMatrix::new(b.view());
    let lhs = Lhs::row_major(&a, m, n);
    for path in Path::supported() {
        let mut whole = vec![0.0; m * p];
        packed.multiply(path, lhs, &mut whole);
        for (start, end) in [(0, 1), (3, 9), (5, 37), (36, 37)] {
            let mut band = vec![0.0; (end - start) * p];
            packed.multiply(path, lhs.row_range(start, end), &mut band);
            assert_same(
                &band,
                &whole[start * p..end * p],
                &format!("{path} rows {start}..{end}"),
            );
        }
    }
}

#[test]
fn an_empty_inner_dimension_gives_zeros_on_every_path() {
    let b = Array2::<f64>::zeros((0, 5));
    let packed = PackedMatrix::new(b.view());
    for path in Path::supported() {
        let mut out = vec![f64::NAN; 3 * 5];
        packed.multiply(path, Lhs::row_major(&[], 3, 0), &mut out);
        assert!(out.iter().all(|v| v.to_bits() == 0), "{path}");
    }
}

/// Inputs for the maps: a sweep through the range where `exp` is finite (and past both ends),
/// tiny values, and the special values, with a length that leaves a remainder for every width.
fn map_inputs() -> Vec<f64> {
    let mut values: Vec<f64> = (0..4001).map(|i| -800.0 + 0.4 * i as f64).collect();
    values.extend(awkward(1003, 9).iter().map(|v| v * 10.0));
    values.extend(awkward(101, 10).iter().map(|v| v * 1e-9));
    values.extend(SPECIALS);
    values.extend([709.78, 709.79, -745.13, -745.14, 20.0, -20.0, 19.999_999]);
    values
}

#[test]
fn activations_are_bit_identical_on_every_path() {
    let paths = wide_paths();
    let inputs = map_inputs();
    for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
        let scalar: Vec<f64> = inputs.iter().map(|&a| activation.apply(a)).collect();
        let mut portable = inputs.clone();
        activation.apply_in_place(Path::PORTABLE, &mut portable);
        assert_same(&portable, &scalar, &format!("portable {activation:?}"));
        for &path in &paths {
            let mut values = inputs.clone();
            activation.apply_in_place(path, &mut values);
            assert_same(&values, &portable, &format!("{path} {activation:?}"));
        }
    }
}

#[test]
fn exp_is_bit_identical_on_every_path() {
    let inputs = map_inputs();
    let scalar: Vec<f64> = inputs.iter().map(|&x| elementary::exp(x)).collect();
    for path in Path::supported() {
        let mut values = inputs.clone();
        elementwise::map_in_place(path, &mut values, elementary::exp);
        assert_same(&values, &scalar, &format!("{path} exp"));
    }
}

#[test]
fn derivatives_and_updates_are_bit_identical_on_every_path() {
    let paths = wide_paths();
    let gradients = with_specials(1037, 5, 11);
    let outputs = with_specials(1037, 6, 13);
    for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
        let mut portable = gradients.clone();
        activation.scale_by_derivative(Path::PORTABLE, &mut portable, &outputs);
        let scalar: Vec<f64> = gradients
            .iter()
            .zip(&outputs)
            .map(|(&g, &z)| g * activation.derivative_from_output(z))
            .collect();
        assert_same(&portable, &scalar, &format!("portable {activation:?}'"));
        for &path in &paths {
            let mut values = gradients.clone();
            activation.scale_by_derivative(path, &mut values, &outputs);
            assert_same(&values, &portable, &format!("{path} {activation:?}'"));
        }
    }
    // The SGD step's update.
    let rate = 0.013;
    let mut portable = outputs.clone();
    elementwise::zip_in_place(Path::PORTABLE, &mut portable, &gradients, |w, g| {
        w - rate * g
    });
    for &path in &paths {
        let mut values = outputs.clone();
        elementwise::zip_in_place(path, &mut values, &gradients, |w, g| w - rate * g);
        assert_same(&values, &portable, &format!("{path} update"));
    }
}

#[test]
fn column_sums_are_bit_identical_on_every_path() {
    // 32 and 100: whole register blocks of columns, and blocks with columns left over.
    // Widths that leave every narrower block (63 = 32 + 16 + 8 + 4 + 2 + 1).
    for width in [1, 3, 8, 13, 32, 63, 100] {
        let rows = with_specials(width * 23, width as u64, 17);
        let centers = awkward(width, 77);
        let mut scalar_sums = vec![0.0; width];
        let mut scalar_squares = vec![0.0; width];
        for row in rows.chunks_exact(width) {
            for j in 0..width {
                scalar_sums[j] += row[j];
                scalar_squares[j] += (row[j] - centers[j]) * (row[j] - centers[j]);
            }
        }
        for path in Path::supported() {
            let mut sums = vec![0.0; width];
            elementwise::fold_columns(path, &mut sums, &rows, |s, v| s + v);
            assert_same(&sums, &scalar_sums, &format!("{path} sums, width {width}"));
            let mut squares = vec![0.0; width];
            elementwise::fold_columns_around(path, &mut squares, &rows, &centers, |s, v, c| {
                s + (v - c) * (v - c)
            });
            assert_same(
                &squares,
                &scalar_squares,
                &format!("{path} squares, width {width}"),
            );
        }
    }
}

/// The first statistics pass as it was written before it had kernels: one scan in row-major
/// order. Returns what the pass's statistics show: `(min, max, zeros, counts, below, above, nan)`.
fn scan(values: &[f64], binning: &Binning) -> (f64, f64, u64, Vec<u64>, u64, u64, u64) {
    use initbook::numeric::stats::Placement;
    let (mut min, mut max, mut zeros) = (f64::INFINITY, f64::NEG_INFINITY, 0);
    let mut counts = vec![0; binning.bins];
    let (mut below, mut above, mut nan) = (0, 0, 0);
    for &v in values {
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
        zeros += u64::from(v == 0.0);
        match binning.place(v) {
            Placement::Bin(i) => counts[i] += 1,
            Placement::Below => below += 1,
            Placement::Above => above += 1,
            Placement::NotANumber => nan += 1,
        }
    }
    (min, max, zeros, counts, below, above, nan)
}

#[test]
fn statistics_are_the_scans_on_every_path() {
    let binning = Binning {
        bins: 7,
        lo: -1.0,
        hi: 1.0,
    };
    // Values on and next to the bin edges and the range's ends, zeros of both signs placed so
    // that a column-wise minimum would meet them in another order than the row-major scan.
    let edges = [
        -1.0,
        1.0,
        -1.0 - f64::EPSILON,
        1.0 + f64::EPSILON,
        f64::from_bits((-1.0f64).to_bits() - 1),
        f64::from_bits(1.0f64.to_bits() - 1),
        -5.0 / 7.0,
        3.0 / 7.0,
        1e-300,
    ];
    let mut cases: Vec<(usize, Vec<f64>)> = vec![
        (3, vec![5.0, 5.0, -0.0, 0.0, 5.0, 5.0]),
        (3, vec![5.0, 5.0, 0.0, -0.0, 5.0, 5.0]),
        (2, vec![-3.0, -0.0, 0.0, -3.0]),
        (2, vec![-0.0, -7.0, -7.0, 0.0]),
        (4, vec![f64::NAN; 8]),
    ];
    let mut mixed = with_specials(100 * 9, 1, 5);
    for (i, value) in mixed.iter_mut().enumerate().step_by(3) {
        *value = edges[i % edges.len()];
    }
    cases.push((100, mixed));
    cases.push((13, awkward(13 * 64, 2)));
    // Exactly one register block of columns; a last block overlapping the one before by 15
    // and by 1 column (17, 31); fewer columns than a block in narrower ones (13, 4, 3, 2).
    cases.push((16, awkward(16 * 64, 3)));
    cases.push((17, awkward(17 * 64, 5)));
    cases.push((31, awkward(31 * 64, 4)));

    for (units, values) in cases {
        let rows = values.len() / units;
        let z = Array2::from_shape_vec((rows, units), values.clone()).unwrap();
        let (min, max, zeros, counts, below, above, nan) = scan(&values, &binning);
        let mut shown = Vec::new();
        for path in Path::supported() {
            let pass = FirstPass::of_rows_on(path, &values, units, Activation::Tanh, &binning);
            let stats = finish_layer_stats(1, z.view(), vec![pass], &binning);
            let what = format!("{path}, {units} units: {values:?}");
            assert!(same(stats.min, min), "min {} vs {min}: {what}", stats.min);
            assert!(same(stats.max, max), "max {} vs {max}: {what}", stats.max);
            assert_eq!(
                (stats.zero_frac * values.len() as f64).round() as u64,
                zeros,
                "{what}"
            );
            assert_eq!(
                (&stats.counts, stats.below, stats.above, stats.nan),
                (&counts, below, above, nan),
                "{what}"
            );
            // Everything else the statistics show, as text (`Debug` prints −0 and NaN).
            shown.push((path, format!("{stats:?}")));
        }
        for (path, text) in &shown[1..] {
            assert_eq!(text, &shown[0].1, "{path} against portable");
        }
    }
}

#[test]
fn batch_normalization_is_bit_identical_on_every_path() {
    use initbook::numeric::batchnorm::{self, BatchNorm, BatchStats, NormGradients};
    for width in [1, 3, 8, 13, 100] {
        let rows = 37;
        let values = awkward(width * rows, width as u64 + 3);
        let upstream = awkward(width * rows, width as u64 + 9);
        let mut bn = BatchNorm::new(width);
        bn.gamma = awkward(width, 5);
        bn.beta = awkward(width, 6);
        let run = |path: Path| {
            let mut normalized = values.clone();
            let mut stats = BatchStats::new(width);
            batchnorm::normalize_batch(path, &mut normalized, &mut stats);
            let mut scaled = normalized.clone();
            bn.scale_and_shift(path, &mut scaled);
            let mut gradients = upstream.clone();
            let mut out = NormGradients::new(width);
            batchnorm::backward(
                path,
                &mut gradients,
                &normalized,
                &bn.gamma,
                &stats,
                &mut out,
            );
            let mut running = BatchNorm {
                running_var: stats.var.clone(),
                running_mean: stats.mean.clone(),
                ..bn.clone()
            };
            running.update_running(&stats);
            let mut inference = values.clone();
            let mut std = vec![0.0; width];
            running.normalize_with_running(path, &mut inference, &mut std);
            [
                normalized, scaled, gradients, out.gamma, out.beta, stats.std, inference,
            ]
        };
        let portable = run(Path::PORTABLE);
        for path in Path::supported() {
            for (got, want) in run(path).iter().zip(&portable) {
                assert_same(
                    got,
                    want,
                    &format!("{path} batch normalization, width {width}"),
                );
            }
        }
    }
}

/// ChaCha8's key stream, computed sixteen blocks at a time on AVX-512
/// (`kernels/keystream.rs`): the words `rand_chacha` hands out one by one, from any position
/// (within a block, near the block counter's 32-bit carry and its 64-bit wrap), for any
/// grouping of the requests, on every stream; and the generator left where `next_u32` would
/// leave it.
#[test]
fn the_key_stream_is_rand_chachas_on_every_path() {
    use initbook::numeric::kernels::keystream::KeyStream;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    let generators = [
        ChaCha8Rng::seed_from_u64(42),
        ChaCha8Rng::seed_from_u64(7),
        ChaCha8Rng::from_seed(std::array::from_fn(|i| (i * 37 + 11) as u8)),
    ];
    let word_positions: [u128; 7] = [
        0,
        5,
        16,
        16 * 300 + 9,
        // The low counter word carries inside a run of sixteen blocks.
        16 * ((1 << 32) - 3) + 7,
        16 * ((1 << 32) - 16),
        // The 64-bit block counter wraps.
        16 * (u128::from(u64::MAX) - 4) + 3,
    ];
    let requests = [0usize, 1, 15, 16, 17, 255, 256, 257, 600, 3, 512, 4];
    for path in Path::supported() {
        for generator in &generators {
            for stream in [0, 1, 0xdead_beef_0123_4567] {
                for &position in &word_positions {
                    let mut rng = generator.clone();
                    rng.set_stream(stream);
                    rng.set_word_pos(position);
                    let mut reference = rng.clone();
                    let what = format!("{path}, stream {stream:#x}, word {position}");
                    {
                        let mut key_stream = KeyStream::new(path, &mut rng);
                        for &len in &requests {
                            let mut words = vec![0u32; len];
                            key_stream.fill(&mut words);
                            let expected: Vec<u32> =
                                (0..len).map(|_| reference.next_u32()).collect();
                            assert_eq!(words, expected, "{what}, {len} words");
                        }
                    }
                    assert_eq!(
                        rng.get_word_pos(),
                        reference.get_word_pos(),
                        "{what}: position after"
                    );
                    for _ in 0..40 {
                        assert_eq!(rng.next_u32(), reference.next_u32(), "{what}: words after");
                    }
                }
            }
        }
    }
}

/// Parallel products inside parallel work, as the book runs them (experiments side by side,
/// each splitting its products into bands), on more threads than cores: every result right.
/// A thread that waits for a band may run another product meanwhile, which must not trip over
/// the per-thread buffer the first one uses (an unaligned right operand is copied into one for
/// the zero-skipping kernel). Whether that nesting happens depends on timing, so this is a
/// stress test of it, not a proof; `multiply_in_parallel` takes the buffer out of its cell
/// for the bands' time, which rules the clash out.
#[test]
fn parallel_products_nest_inside_parallel_work() {
    use rayon::prelude::*;
    let (m, n, p) = (256, 100, 100);
    let mut a = awkward(m * n, 90);
    for (i, value) in a.iter_mut().enumerate() {
        if i % 2 == 0 {
            *value = 0.0;
        }
    }
    // 100 columns: rows 800 bytes apart, not on 64-byte boundaries.
    let b = awkward(n * p, 91);
    let lhs = Lhs::row_major(&a, m, n);
    let rhs = Rhs::row_major(&b, n, p);
    let mut expected = vec![0.0; m * p];
    product::multiply(Path::PORTABLE, lhs, rhs, &mut expected);
    // More threads than cores: a waiting thread finds other threads' products to take.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(8)
        .build()
        .unwrap();
    let results: Vec<Vec<f64>> = pool.install(|| {
        (0..200)
            .into_par_iter()
            .map(|_| {
                let mut out = vec![f64::NAN; m * p];
                product::multiply_in_parallel(Path::fastest(), lhs, rhs, &mut out);
                out
            })
            .collect()
    });
    for out in &results {
        assert_same(out, &expected, "nested parallel product");
    }
}
