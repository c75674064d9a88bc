//! Per-layer statistics of a matrix of activations (rows = samples, columns = units).
//!
//! Every sum runs in a fixed order (row-major within each chunk of [`CHUNK_ROWS`] rows, chunks in
//! order), so the results are the same bits on every run, machine and thread count.

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::chunks::CHUNK_ROWS;
use super::kernels::{Path, elementwise, multiversion, tally::tally};
use super::network::Activation;

/// Histogram bins over a closed range `[lo, hi]`, like numpy's `histogram`: bins are half-open
/// `[edge_i, edge_{i+1})` except the last, which includes `hi`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binning {
    pub bins: usize,
    pub lo: f64,
    pub hi: f64,
}

impl Binning {
    /// The `bins + 1` bin edges.
    pub fn edges(&self) -> Vec<f64> {
        let width = self.hi - self.lo;
        (0..=self.bins)
            .map(|i| {
                if i == self.bins {
                    self.hi
                } else {
                    self.lo + width * (i as f64 / self.bins as f64)
                }
            })
            .collect()
    }

    /// Where `value` falls.
    #[inline]
    pub fn place(&self, value: f64) -> Placement {
        let position = (value - self.lo) * (self.bins as f64 / (self.hi - self.lo));
        if position >= 0.0 && position < self.bins as f64 {
            // The common case; the comparisons also rule out NaN.
            Placement::Bin(position as usize)
        } else if value.is_nan() {
            Placement::NotANumber
        } else if value < self.lo {
            Placement::Below
        } else if value > self.hi {
            Placement::Above
        } else {
            // In range but rounded onto an end: `hi` itself, or a value a hair inside `lo`.
            Placement::Bin(if position < 1.0 { 0 } else { self.bins - 1 })
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Below,
    Bin(usize),
    Above,
    NotANumber,
}

/// What one layer's activations look like. Field docs double as the statistic reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerStats {
    /// 1-based layer number.
    pub layer: usize,
    /// Mean of all activations of the layer.
    pub mean: f64,
    /// Standard deviation of all activations (population, divides by the count).
    pub std: f64,
    pub min: f64,
    pub max: f64,
    /// Mean over units of each unit's standard deviation across the samples: how much a unit's
    /// output depends on the input. Near 0 means every input gives the same activation vector.
    pub unit_std: f64,
    /// Standard deviation across units of each unit's mean over the samples: how much units
    /// differ from one another regardless of the input.
    pub unit_mean_std: f64,
    /// Share of activations exactly 0 (dead ReLU units, or the zero init).
    pub zero_frac: f64,
    /// Share of activations in the first or the last bin, or outside the range.
    pub edge_frac: f64,
    /// Mean of the activation function's derivative f'(a) over all activations: the factor by
    /// which, on average, this layer scales a gradient passing back through it.
    pub deriv_mean: f64,
    /// Histogram counts over the range.
    pub counts: Vec<u64>,
    /// The `bins + 1` bin edges.
    pub edges: Vec<f64>,
    /// Activations below the range.
    pub below: u64,
    /// Activations above the range.
    pub above: u64,
    /// Activations that are NaN (only after an overflow to ±inf; zero for sane parameters).
    pub nan: u64,
}

/// The statistics from first passes already made over each chunk of [`CHUNK_ROWS`] rows (in
/// chunk order) — the forward pass makes them while the chunk is still in cache — plus a second
/// pass over `z` for the spreads.
pub fn finish_layer_stats(
    layer: usize,
    z: ArrayView2<f64>,
    chunks: Vec<FirstPass>,
    binning: &Binning,
) -> LayerStats {
    let (samples, units) = z.dim();
    let z = z.as_slice().expect("activations are row-major");
    let count = (samples * units) as f64;
    let first = chunks
        .into_iter()
        .reduce(FirstPass::merge)
        .unwrap_or_else(|| FirstPass::empty(units, binning.bins));
    let path = Path::fastest();
    let sum: f64 = first.unit_sums.iter().sum();
    let mean = sum / count;
    let unit_means: Vec<f64> = first.unit_sums.iter().map(|s| s / samples as f64).collect();

    // Second pass for the spreads: squared deviations from the means of the first pass.
    let unit_squared_deviation = z
        .par_chunks(CHUNK_ROWS * units)
        .map(|rows| squared_deviations(path, rows, &unit_means))
        .collect::<Vec<_>>()
        .into_iter()
        .reduce(add_in_place)
        .unwrap_or_else(|| vec![0.0; units]);
    // Around the overall mean: Σ(v − mean)² = Σ_units [Σ(v − m_j)² + n·(m_j − mean)²].
    let squared_deviation: f64 = unit_squared_deviation
        .iter()
        .zip(&unit_means)
        .map(|(sq, m)| sq + samples as f64 * (m - mean) * (m - mean))
        .sum();
    let unit_std = unit_squared_deviation
        .iter()
        .map(|sq| (sq / samples as f64).sqrt())
        .sum::<f64>()
        / units as f64;
    let unit_mean_std = (unit_means
        .iter()
        .map(|m| (m - mean) * (m - mean))
        .sum::<f64>()
        / units as f64)
        .sqrt();

    let counts = first.counts;
    let outer_bins = if binning.bins == 1 {
        counts[0]
    } else {
        counts[0] + counts[binning.bins - 1]
    };
    LayerStats {
        layer,
        mean,
        std: (squared_deviation / count).sqrt(),
        min: first.min,
        max: first.max,
        unit_std,
        unit_mean_std,
        zero_frac: first.zeros as f64 / count,
        edge_frac: (outer_bins + first.below + first.above) as f64 / count,
        deriv_mean: first.unit_deriv_sums.iter().sum::<f64>() / count,
        counts,
        edges: binning.edges(),
        below: first.below,
        above: first.above,
        nan: first.nan,
    }
}

/// What one pass over a chunk of rows gathers. Sums are kept per unit (column) — the inner loops
/// then vectorise — and reduced over units at the end.
pub struct FirstPass {
    unit_sums: Vec<f64>,
    unit_deriv_sums: Vec<f64>,
    min: f64,
    max: f64,
    zeros: u64,
    counts: Vec<u64>,
    below: u64,
    above: u64,
    nan: u64,
}

thread_local! {
    /// The histogram codes of one chunk, see [`FirstPass::of_rows_on`].
    static CODES: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Bytes of codes a thread keeps between chunks: a chunk of 64 rows × 1000 units is 256 KB; a
/// larger one's buffer is freed after its chunk.
const MAX_KEPT_CODE_BYTES: usize = 1 << 20;

impl FirstPass {
    fn empty(units: usize, bins: usize) -> Self {
        FirstPass {
            unit_sums: vec![0.0; units],
            unit_deriv_sums: vec![0.0; units],
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            zeros: 0,
            counts: vec![0; bins],
            below: 0,
            above: 0,
            nan: 0,
        }
    }

    /// The first pass over a chunk of rows (`units` values each), on the fastest kernel path.
    pub fn of_rows(rows: &[f64], units: usize, activation: Activation, binning: &Binning) -> Self {
        Self::of_rows_on(Path::fastest(), rows, units, activation, binning)
    }

    /// [`of_rows`](Self::of_rows) on a given kernel path. Each statistic is what one scan in
    /// row-major order gives; the per-unit sums run down each column in row order.
    pub fn of_rows_on(
        path: Path,
        rows: &[f64],
        units: usize,
        activation: Activation,
        binning: &Binning,
    ) -> Self {
        let mut pass = FirstPass::empty(units, binning.bins);
        if units == 0 || rows.is_empty() {
            return pass;
        }
        let bins = binning.bins;
        // Codes past the bins; NaN and values rounded onto an end of the range are `unsure`,
        // left to `Binning::place`.
        let (below, above, unsure) = (bins, bins + 1, bins + 2);
        let [below, above, unsure] = [below, above, unsure].map(|code| {
            u32::try_from(code).unwrap_or_else(|_| panic!("{bins} bins: more than u32 codes"))
        });
        let (lo, hi, bins_f) = (binning.lo, binning.hi, bins as f64);
        let scale = bins_f / (hi - lo);
        let bin_code = move |v: f64| {
            // The same operations as `Binning::place`.
            let position = (v - lo) * scale;
            if position >= 0.0 && position < bins_f {
                // SAFETY: 0 ≤ position < bins < 2³². Unlike `as`, this need not saturate, so
                // the conversion vectorises.
                unsafe { position.to_int_unchecked::<i32>() as u32 }
            } else if v < lo {
                below
            } else if v > hi {
                above
            } else {
                unsure
            }
        };
        let mut columns = ColumnScan {
            sums: std::mem::take(&mut pass.unit_sums),
            derivative_sums: std::mem::take(&mut pass.unit_deriv_sums),
            mins: vec![f64::INFINITY; units],
            maxs: vec![f64::NEG_INFINITY; units],
            zeros: vec![0; units],
        };
        // The codes of every value, in a per-thread buffer reused from chunk to chunk: the scan
        // writes each before anything reads it. (A fresh zeroed one per chunk cost 2 MB of
        // memset per experiment.)
        CODES.with_borrow_mut(|buffer| {
            if buffer.len() < rows.len() {
                buffer.resize(rows.len(), 0);
            }
            let codes = &mut buffer[..rows.len()];
            // One instantiation per activation, so the derivative's match is not in the loop.
            match activation {
                Activation::Sigmoid => scan_columns(path, rows, &mut columns, codes, move |v| {
                    (Activation::Sigmoid.derivative_from_output(v), bin_code(v))
                }),
                Activation::Tanh => scan_columns(path, rows, &mut columns, codes, move |v| {
                    (Activation::Tanh.derivative_from_output(v), bin_code(v))
                }),
                Activation::Relu => scan_columns(path, rows, &mut columns, codes, move |v| {
                    (Activation::Relu.derivative_from_output(v), bin_code(v))
                }),
            }
            pass.min = extreme_in_scan_order(rows, &columns.mins, |v, m| v < m);
            pass.max = extreme_in_scan_order(rows, &columns.maxs, |v, m| v > m);
            pass.zeros = columns.zeros.iter().sum();
            pass.unit_sums = columns.sums;
            pass.unit_deriv_sums = columns.derivative_sums;

            let mut counts = vec![0; bins + 3];
            tally(path, codes, &mut counts);
            pass.counts.copy_from_slice(&counts[..bins]);
            pass.below = counts[below as usize];
            pass.above = counts[above as usize];
            // Few, if any: the scan stops at the last.
            let mut unsure_left = counts[unsure as usize];
            for (&v, &code) in rows.iter().zip(codes.iter()) {
                if unsure_left == 0 {
                    break;
                }
                if code == unsure {
                    unsure_left -= 1;
                    match binning.place(v) {
                        Placement::Bin(i) => pass.counts[i] += 1,
                        Placement::Below => pass.below += 1,
                        Placement::Above => pass.above += 1,
                        Placement::NotANumber => pass.nan += 1,
                    }
                }
            }
            if buffer.capacity() * size_of::<u32>() > MAX_KEPT_CODE_BYTES {
                *buffer = Vec::new();
            }
        });
        pass
    }

    /// `self` covers the rows before `later`'s.
    fn merge(mut self, later: FirstPass) -> FirstPass {
        self.unit_sums = add_in_place(self.unit_sums, later.unit_sums);
        self.unit_deriv_sums = add_in_place(self.unit_deriv_sums, later.unit_deriv_sums);
        self.min = self.min.min(later.min);
        self.max = self.max.max(later.max);
        self.zeros += later.zeros;
        for (count, later) in self.counts.iter_mut().zip(later.counts) {
            *count += later;
        }
        self.below += later.below;
        self.above += later.above;
        self.nan += later.nan;
        self
    }
}

/// Per unit, the sum of squared deviations from that unit's mean over these rows.
fn squared_deviations(path: Path, rows: &[f64], unit_means: &[f64]) -> Vec<f64> {
    let mut squared = vec![0.0; unit_means.len()];
    elementwise::fold_columns_around(path, &mut squared, rows, unit_means, |sq, v, m| {
        sq + (v - m) * (v - m)
    });
    squared
}

/// Per-column results of [`scan_columns`].
struct ColumnScan {
    sums: Vec<f64>,
    derivative_sums: Vec<f64>,
    mins: Vec<f64>,
    maxs: Vec<f64>,
    zeros: Vec<u64>,
}

multiversion! {
    /// One pass over `rows` (rows of `columns.sums.len()` values): per column, row after row,
    /// the sum of the values and of `f(v).0`, the extremes (`if v < min { min = v }`: the first
    /// of equal values stays, NaN never enters) and the number of zeros; per value, the code
    /// `f(v).1`. Every column is independent of the others, so the pass vectorises across them.
    ///
    /// Columns go in blocks of [`SCAN_BLOCK`] whose running values stay in registers for the
    /// whole pass (the order within each column is still row order). The columns left over go
    /// in one more such block that ends at the last column and overlaps the one before: its
    /// first lanes redo columns already scanned, writing the same codes, and only its new
    /// columns' running values are kept. (Scanned through memory one row at a time, the 4 left
    /// of 100 columns took a quarter of the pass; in narrower blocks, the compiler kept the
    /// codes' comparisons as branches.) Fewer columns than a block go in blocks of 8, 4, 2
    /// and 1.
    fn scan_columns<F: Fn(f64) -> (f64, u32)>(
        rows: &[f64],
        columns: &mut ColumnScan,
        codes: &mut [u32],
        f: F,
    ) {
        let width = columns.sums.len();
        let mut start = 0;
        while start + SCAN_BLOCK <= width {
            scan_column_block::<SCAN_BLOCK, F>(rows, width, start, 0, columns, codes, &f);
            start += SCAN_BLOCK;
        }
        if start == width {
            return;
        }
        if width >= SCAN_BLOCK {
            let overlap = width - start;
            let last = width - SCAN_BLOCK;
            let keep = SCAN_BLOCK - overlap;
            scan_column_block::<SCAN_BLOCK, F>(rows, width, last, keep, columns, codes, &f);
            return;
        }
        for narrower in [8, 4, 2, 1] {
            if start + narrower <= width {
                match narrower {
                    8 => scan_column_block::<8, F>(rows, width, start, 0, columns, codes, &f),
                    4 => scan_column_block::<4, F>(rows, width, start, 0, columns, codes, &f),
                    2 => scan_column_block::<2, F>(rows, width, start, 0, columns, codes, &f),
                    _ => scan_column_block::<1, F>(rows, width, start, 0, columns, codes, &f),
                }
                start += narrower;
            }
        }
    }
}

/// Columns per register block of [`scan_columns`]: two AVX-512 vectors of each running value.
const SCAN_BLOCK: usize = 16;

/// [`scan_columns`] for columns `start..start + W`, the running values held in local arrays
/// (registers) from the first row to the last; those of the first `skip` columns (already
/// scanned by an overlapping block) are not written back. Inlined into each `scan_columns`
/// version.
#[inline(always)]
fn scan_column_block<const W: usize, F: Fn(f64) -> (f64, u32)>(
    rows: &[f64],
    width: usize,
    start: usize,
    skip: usize,
    columns: &mut ColumnScan,
    codes: &mut [u32],
    f: &F,
) {
    let end = start + W;
    let block = |values: &[f64]| -> [f64; W] { values[start..end].try_into().expect("a block") };
    let mut sums = block(&columns.sums);
    let mut derivative_sums = block(&columns.derivative_sums);
    let mut mins = block(&columns.mins);
    let mut maxs = block(&columns.maxs);
    let mut zeros: [u64; W] = columns.zeros[start..end].try_into().expect("a block");
    for (row, row_codes) in rows.chunks_exact(width).zip(codes.chunks_exact_mut(width)) {
        let row: &[f64; W] = row[start..end].try_into().expect("a block");
        let row_codes: &mut [u32; W] = (&mut row_codes[start..end]).try_into().expect("a block");
        for j in 0..W {
            let v = row[j];
            let (derivative, code) = f(v);
            sums[j] += v;
            derivative_sums[j] += derivative;
            mins[j] = if v < mins[j] { v } else { mins[j] };
            maxs[j] = if v > maxs[j] { v } else { maxs[j] };
            zeros[j] += u64::from(v == 0.0);
            row_codes[j] = code;
        }
    }
    let kept = start + skip..end;
    columns.sums[kept.clone()].copy_from_slice(&sums[skip..]);
    columns.derivative_sums[kept.clone()].copy_from_slice(&derivative_sums[skip..]);
    columns.mins[kept.clone()].copy_from_slice(&mins[skip..]);
    columns.maxs[kept.clone()].copy_from_slice(&maxs[skip..]);
    columns.zeros[kept].copy_from_slice(&zeros[skip..]);
}

/// The extreme of `rows` that a scan in row-major order finds with `better(v, best)`, from
/// each column's own extreme (found in row order). Across columns the extreme value is the same
/// whatever the order; only the sign of a zero can depend on which of equal values comes first,
/// and when the columns disagree on it, a rescan settles it.
fn extreme_in_scan_order(
    rows: &[f64],
    column_extremes: &[f64],
    better: fn(f64, f64) -> bool,
) -> f64 {
    let extreme = column_extremes[1..]
        .iter()
        .fold(
            column_extremes[0],
            |best, &e| if better(e, best) { e } else { best },
        );
    let signs_differ = column_extremes
        .iter()
        .any(|&e| e == extreme && e.to_bits() != extreme.to_bits());
    if signs_differ {
        *rows
            .iter()
            .find(|&&v| v == extreme)
            .expect("the extreme is one of the values")
    } else {
        extreme
    }
}

fn add_in_place(mut earlier: Vec<f64>, later: Vec<f64>) -> Vec<f64> {
    for (a, b) in earlier.iter_mut().zip(later) {
        *a += b;
    }
    earlier
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn binning_follows_numpy_conventions() {
        let b = Binning {
            bins: 4,
            lo: 0.0,
            hi: 1.0,
        };
        assert_eq!(b.edges(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(b.place(0.0), Placement::Bin(0));
        assert_eq!(b.place(0.25), Placement::Bin(1));
        assert_eq!(b.place(0.9999), Placement::Bin(3));
        assert_eq!(b.place(1.0), Placement::Bin(3), "the last bin is closed");
        assert_eq!(b.place(-0.1), Placement::Below);
        assert_eq!(b.place(1.1), Placement::Above);
        assert_eq!(b.place(f64::NAN), Placement::NotANumber);
        assert_eq!(b.place(f64::INFINITY), Placement::Above);
    }

    #[test]
    fn statistics_of_a_small_matrix() {
        // Two samples × three units.
        let z = array![[0.0, 0.5, 1.0], [0.0, 0.5, 0.5]];
        let binning = Binning {
            bins: 2,
            lo: 0.0,
            hi: 1.0,
        };
        // Two chunks' first passes (one row each), merged in order, as the forward pass makes them.
        let rows = z.as_slice().unwrap();
        let chunks = rows
            .chunks(3)
            .map(|row| FirstPass::of_rows(row, 3, Activation::Relu, &binning))
            .collect();
        let s = finish_layer_stats(1, z.view(), chunks, &binning);
        assert_eq!(s.layer, 1);
        assert!((s.mean - 2.5 / 6.0).abs() < 1e-15);
        let var = [0.0, 0.5, 1.0, 0.0, 0.5, 0.5]
            .iter()
            .map(|v: &f64| (v - 2.5 / 6.0).powi(2))
            .sum::<f64>()
            / 6.0;
        assert!((s.std - var.sqrt()).abs() < 1e-15);
        assert_eq!((s.min, s.max), (0.0, 1.0));
        // Unit stds: 0, 0, 0.25 → mean 1/12.
        assert!((s.unit_std - 0.25 / 3.0).abs() < 1e-15);
        // Unit means: 0, 0.5, 0.75 → population std around their mean 5/12.
        let m = 1.25 / 3.0;
        let expected = (((0.0 - m) * (0.0 - m) + (0.5 - m) * (0.5 - m) + (0.75 - m) * (0.75 - m))
            / 3.0_f64)
            .sqrt();
        assert!((s.unit_mean_std - expected).abs() < 1e-15);
        assert_eq!(s.counts, vec![2, 4]);
        assert_eq!((s.below, s.above, s.nan), (0, 0, 0));
        assert!((s.zero_frac - 2.0 / 6.0).abs() < 1e-15);
        assert_eq!(s.edge_frac, 1.0, "two bins: every value is in an outer bin");
        assert!(
            (s.deriv_mean - 4.0 / 6.0).abs() < 1e-15,
            "ReLU: share of positive values"
        );
    }
}
