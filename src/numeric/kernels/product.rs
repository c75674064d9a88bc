//! The matrix product with a fixed summation order, on every [`Path`].
//!
//! Why not `ndarray::ArrayBase::dot`: it hands the product to `matrixmultiply`, which picks an
//! FMA kernel from the CPU it finds and splits the inner sum in its own way, so the low bits of
//! the result — and with them a histogram count now and then — would depend on the reader's CPU.
//!
//! Here every output element is, on every path,
//! `((0 + a[i,0]·b[0,j]) + a[i,1]·b[1,j]) + … + a[i,n-1]·b[n-1,j]`: each product rounded, then
//! each sum rounded, in index order, starting from +0. The paths differ only in how many output
//! elements they compute at once:
//! - portable: 4 × 4 tiles of sums held in registers (SSE2 on baseline x86-64);
//! - AVX2: 4 rows × 8 columns (two 4-lane vectors per row);
//! - AVX-512: 4 rows × up to 32 columns (four 8-lane vectors per row; five for the last 40).
//!
//! On AVX-512 a product whose left operand is mostly exact zeros (a ReLU layer's output, the
//! deltas behind it) skips those terms, row by row: for `a[i,k] = ±0` and a finite `b[k,j]`
//! the term is ±0, and adding ±0 to a sum that started at +0 never changes it (such a sum is
//! never −0: in round-to-nearest only −0 + −0 gives −0). So each sum is the same bits; when `b`
//! has an infinity or NaN, every term is taken. That kernel reads a whole row of `b` per term,
//! so it wants rows on 64-byte boundaries (a load straddling two cache lines costs two): an
//! unaligned `b` is first copied into an aligned [`PackedMatrix`].
//!
//! Within a tile the `k` loop is outermost, so each sum still adds its products in `k` order;
//! a loaded `a` value feeds a whole row of sums and a loaded row of `b` feeds every row of the
//! tile.
//!
//! Both operands are read in place where their layout allows: the left one ([`Lhs`]) through
//! strides, so a transpose is free; the right one ([`Rhs`]) in panels of 8 columns, either
//! straight from a row-major matrix (the last, partial panel read with masked loads) or from a
//! [`PackedMatrix`], which copies any other view (a transpose, say) into a row-major matrix
//! whose rows are padded to whole panels.

use ndarray::ArrayView2;

use super::{InstructionSet, Path};

/// Columns per packed panel: one AVX-512 vector, two AVX2 vectors, two portable tiles.
const PANEL: usize = 8;
/// Rows of every register tile.
const TILE_ROWS: usize = 4;

/// The right-hand operand `b` (`inner × cols`) copied row-major with each row padded to a
/// whole number of [`PANEL`]s, so the kernels read any layout of `b` (a transpose included) as
/// they read a row-major matrix, and never need a masked load. The padding columns are zeros,
/// whose sums are computed and dropped.
#[derive(Debug, Clone, Default)]
pub struct PackedMatrix {
    inner: usize,
    cols: usize,
    /// The rows start at `rows[start]`, a multiple of 64 bytes in memory, so that no vector
    /// load straddles two cache lines.
    rows: Vec<f64>,
    start: usize,
}

impl PackedMatrix {
    pub fn new(b: ArrayView2<f64>) -> Self {
        let mut packed = PackedMatrix::default();
        packed.pack(b);
        packed
    }

    /// Values per padded row.
    fn padded_cols(&self) -> usize {
        self.cols.next_multiple_of(PANEL)
    }

    /// Packs `b` into this buffer, reusing its allocation.
    pub fn pack(&mut self, b: ArrayView2<f64>) {
        let (inner, cols) = b.dim();
        self.inner = inner;
        self.cols = cols;
        let padded = self.padded_cols();
        // Every value, padding included, is written below: no need to clear the old ones.
        self.rows.resize(inner * padded + PANEL - 1, 0.0);
        self.start = self.rows.as_ptr().align_offset(64).min(PANEL - 1);
        if inner == 0 || cols == 0 {
            return;
        }
        let rows = &mut self.rows[self.start..self.start + inner * padded];
        for packed_row in rows.chunks_exact_mut(padded) {
            packed_row[cols..].fill(0.0);
        }
        let strides = b.strides();
        let data = b
            .as_slice_memory_order()
            .filter(|data| strides.iter().all(|&s| s >= 0) && data.as_ptr() == b.as_ptr());
        match (data, strides) {
            // Row-major: a copy of each row.
            (Some(data), &[row_stride, 1]) => {
                let row_stride = row_stride as usize;
                for (k, packed_row) in rows.chunks_exact_mut(padded).enumerate() {
                    packed_row[..cols]
                        .copy_from_slice(&data[k * row_stride..k * row_stride + cols]);
                }
            }
            // The transpose of a row-major matrix: each column is a run of one matrix row.
            (Some(data), &[1, col_stride]) => {
                let col_stride = col_stride as usize;
                for c in 0..cols {
                    let run = &data[c * col_stride..c * col_stride + inner];
                    for (packed_row, &value) in rows.chunks_exact_mut(padded).zip(run) {
                        packed_row[c] = value;
                    }
                }
            }
            _ => {
                for (k, packed_row) in rows.chunks_exact_mut(padded).enumerate() {
                    for (c, value) in packed_row[..cols].iter_mut().enumerate() {
                        *value = b[[k, c]];
                    }
                }
            }
        }
    }

    /// Frees the buffer if it is above [`MAX_KEPT_BYTES`].
    fn release_if_big(&mut self) {
        if self.rows.capacity() * size_of::<f64>() > MAX_KEPT_BYTES {
            *self = PackedMatrix::default();
        }
    }

    /// Packs the operand `b` (any [`Rhs`]) into this buffer, reusing its allocation.
    fn pack_rhs(&mut self, b: Rhs) {
        let (inner, cols) = (b.inner, b.cols);
        self.inner = inner;
        self.cols = cols;
        let padded = self.padded_cols();
        self.rows.resize(inner * padded + PANEL - 1, 0.0);
        self.start = self.rows.as_ptr().align_offset(64).min(PANEL - 1);
        let rows = &mut self.rows[self.start..self.start + inner * padded];
        for (k, packed_row) in rows.chunks_exact_mut(padded.max(1)).enumerate() {
            let from = k * b.row_stride;
            packed_row[..cols].copy_from_slice(&b.data[from..from + cols]);
            packed_row[cols..].fill(0.0);
        }
    }

    /// This matrix as the right operand of a product.
    pub fn rhs(&self) -> Rhs<'_> {
        Rhs {
            data: &self.rows[self.start..self.start + self.inner * self.padded_cols()],
            inner: self.inner,
            cols: self.cols,
            row_stride: self.padded_cols(),
            padded: true,
        }
    }

    /// `out = lhs · b`: [`multiply`] with this matrix on the right.
    pub fn multiply(&self, path: Path, lhs: Lhs, out: &mut [f64]) {
        multiply(path, lhs, self.rhs(), out);
    }

    /// [`multiply_in_parallel`] with this matrix on the right.
    pub fn multiply_in_parallel(&self, path: Path, lhs: Lhs, out: &mut [f64]) {
        multiply_in_parallel(path, lhs, self.rhs(), out);
    }
}

/// `out = lhs · rhs`, `out` row-major with a row for each of `lhs`'s and a column for each of
/// `rhs`'s.
///
/// Panics if the shapes do not match, which is a programming error.
pub fn multiply(path: Path, lhs: Lhs, rhs: Rhs, out: &mut [f64]) {
    multiply_knowing(path, lhs, rhs, out, None);
}

/// [`multiply`], given whether every value of `rhs` is finite when the caller knows it.
fn multiply_knowing(path: Path, lhs: Lhs, rhs: Rhs, out: &mut [f64], rhs_finite: Option<bool>) {
    assert_eq!(lhs.inner, rhs.inner, "inner dimensions differ");
    assert_eq!(out.len(), lhs.rows * rhs.cols, "output shape");
    if rhs.inner == 0 {
        // Every sum is empty.
        out.fill(0.0);
        return;
    }
    if out.is_empty() {
        return;
    }
    match path.instruction_set() {
        InstructionSet::Portable => multiply_portable(rhs, lhs, out),
        // SAFETY: a `Path` naming these features exists only when the CPU has them.
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx2 => unsafe { x86::multiply_avx2(rhs, lhs, out) },
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx512 => {
            // SAFETY: as above.
            x86::NONZEROS.with_borrow_mut(|nonzeros| {
                // SAFETY (all three calls): as above.
                if !unsafe { x86::find_nonzeros_worth_skipping(rhs, lhs, rhs_finite, nonzeros) } {
                    unsafe { x86::multiply_avx512(rhs, lhs, out) }
                } else if rhs.rows_aligned() {
                    unsafe { x86::multiply_avx512_skipping_zeros(rhs, lhs, out, nonzeros) }
                } else {
                    ALIGNED.with_borrow_mut(|aligned| {
                        aligned.pack_rhs(rhs);
                        unsafe {
                            x86::multiply_avx512_skipping_zeros(aligned.rhs(), lhs, out, nonzeros)
                        };
                        aligned.release_if_big();
                    })
                }
                nonzeros.release_if_big();
            })
        }
    }
}

/// Bytes a per-thread buffer of the products may keep between calls; a bigger one (a big
/// experiment's) is freed after its call rather than held for the life of the thread.
const MAX_KEPT_BYTES: usize = 4 << 20;

thread_local! {
    /// A copy of a right operand with aligned rows, for the kernel that skips zeros: one for a
    /// single product, one shared by the bands of a parallel one.
    static ALIGNED: std::cell::RefCell<PackedMatrix> = std::cell::RefCell::new(PackedMatrix::default());
    static BAND_ALIGNED: std::cell::RefCell<PackedMatrix> =
        std::cell::RefCell::new(PackedMatrix::default());
}

/// [`multiply`] in bands of rows on the rayon pool, when the product is big enough to pay for
/// it. Each band is computed exactly as it would be alone (a row's sums never depend on the
/// other rows), so the split changes no bit.
pub fn multiply_in_parallel(path: Path, lhs: Lhs, rhs: Rhs, out: &mut [f64]) {
    use rayon::prelude::*;
    /// Multiply-adds per band: about 15 µs of work, well above rayon's cost per task.
    const BAND_WORK: usize = 1 << 18;
    let row_work = rhs.inner * rhs.cols;
    let band_rows = BAND_WORK
        .div_ceil(row_work.max(1))
        .next_multiple_of(TILE_ROWS);
    if lhs.rows <= band_rows || rhs.cols == 0 {
        multiply(path, lhs, rhs, out);
        return;
    }
    // Checked, and if need be aligned, once for all bands rather than by each (only the
    // AVX-512 path asks).
    let wide = path.instruction_set() != InstructionSet::Portable;
    let rhs_finite = wide.then(|| rhs.is_finite());
    let mut bands = |rhs: Rhs| {
        out.par_chunks_mut(band_rows * rhs.cols)
            .enumerate()
            .for_each(|(band, out)| {
                let start = band * band_rows;
                let rows = lhs.row_range(start, start + out.len() / rhs.cols);
                multiply_knowing(path, rows, rhs, out, rhs_finite);
            })
    };
    if wide && !rhs.rows_aligned() && lhs.mostly_zeros() {
        // The bands only read it, and being aligned they never pack again. Taken out of its
        // cell for the bands' time rather than borrowed: while this thread waits for a band
        // another took, rayon may hand it other work, a parallel product among it, which then
        // finds the cell empty (and allocates) instead of finding it borrowed (and panicking).
        let mut aligned = BAND_ALIGNED.take();
        aligned.pack_rhs(rhs);
        bands(aligned.rhs());
        aligned.release_if_big();
        BAND_ALIGNED.set(aligned);
    } else {
        bands(rhs);
    }
}

/// The right operand of a product, `inner × cols`, as the kernels read it: in panels of
/// [`PANEL`] columns, row `k` of panel `q` starting at `data[q · PANEL + k · row_stride]`.
#[derive(Debug, Clone, Copy)]
pub struct Rhs<'a> {
    data: &'a [f64],
    inner: usize,
    cols: usize,
    row_stride: usize,
    /// Whether the last panel is padded to [`PANEL`] columns (packed). If not, its missing
    /// columns are not there to read.
    padded: bool,
}

impl<'a> Rhs<'a> {
    /// A row-major `inner × cols` matrix, read in place.
    pub fn row_major(data: &'a [f64], inner: usize, cols: usize) -> Self {
        assert_eq!(data.len(), inner * cols, "not a {inner} × {cols} matrix");
        Rhs {
            data,
            inner,
            cols,
            row_stride: cols,
            padded: false,
        }
    }

    fn panels(&self) -> usize {
        self.cols.div_ceil(PANEL)
    }

    /// Whether every row starts on a 64-byte boundary, so that no vector load of a panel
    /// straddles two cache lines (what the row-wise kernel that skips zeros needs to be fast).
    fn rows_aligned(&self) -> bool {
        self.row_stride.is_multiple_of(PANEL) && (self.data.as_ptr() as usize).is_multiple_of(64)
    }

    /// Whether every value is finite (packing pads with zeros, which are): whether the largest
    /// exponent field falls short of all ones. A running maximum, so the loop vectorises
    /// without an early exit, two instructions a vector.
    fn is_finite(&self) -> bool {
        const EXPONENT: u64 = 0x7ff0_0000_0000_0000;
        let largest = self
            .data
            .iter()
            .fold(0u64, |largest, v| largest.max(v.to_bits() & EXPONENT));
        largest != EXPONENT
    }

    /// How many values of each row of panel `q` may be read: all [`PANEL`] when padded, else
    /// the columns that exist.
    fn readable(&self, q: usize) -> usize {
        if self.padded {
            PANEL
        } else {
            PANEL.min(self.cols - q * PANEL)
        }
    }

    /// Where row `k` of panel `q` starts in `data`. Its first [`readable`](Self::readable)
    /// values are in `data`: the constructors lay the operand out so.
    #[inline(always)]
    fn offset(&self, q: usize, k: usize) -> usize {
        q * PANEL + k * self.row_stride
    }

    /// Value `c` of row `k` of panel `q`, for `c < readable(q)`.
    #[inline(always)]
    fn at(&self, q: usize, k: usize, c: usize) -> f64 {
        debug_assert!(k < self.inner && c < self.readable(q));
        // SAFETY: see `offset`; `c` is within the readable values.
        unsafe { *self.data.get_unchecked(self.offset(q, k) + c) }
    }
}

/// The left operand of a product: `rows × inner` values read through strides, so a row-major
/// matrix, a band of its rows and its transpose are all operands without a copy.
#[derive(Debug, Clone, Copy)]
pub struct Lhs<'a> {
    data: &'a [f64],
    rows: usize,
    inner: usize,
    row_stride: usize,
    inner_stride: usize,
}

impl<'a> Lhs<'a> {
    /// A row-major `rows × inner` matrix.
    pub fn row_major(data: &'a [f64], rows: usize, inner: usize) -> Self {
        assert_eq!(data.len(), rows * inner, "not a {rows} × {inner} matrix");
        Lhs {
            data,
            rows,
            inner,
            row_stride: inner,
            inner_stride: 1,
        }
    }

    /// The transpose of the row-major `data_rows × data_cols` matrix `data`: an operand with
    /// `data_cols` rows and inner dimension `data_rows`.
    pub fn transpose_of(data: &'a [f64], data_rows: usize, data_cols: usize) -> Self {
        assert_eq!(
            data.len(),
            data_rows * data_cols,
            "not a {data_rows} × {data_cols} matrix"
        );
        Lhs {
            data,
            rows: data_cols,
            inner: data_rows,
            row_stride: 1,
            inner_stride: data_cols,
        }
    }

    /// Whether a sample of the values (the first of its storage) is at least 30% exact zeros:
    /// when skipping them may pay.
    fn mostly_zeros(&self) -> bool {
        let sample = &self.data[..self.data.len().min(512)];
        let zeros = sample.iter().filter(|&&v| v == 0.0).count();
        10 * zeros >= 3 * sample.len() && !sample.is_empty()
    }

    /// Rows `start..end` of this operand.
    pub fn row_range(self, start: usize, end: usize) -> Self {
        assert!(start <= end && end <= self.rows, "row range out of bounds");
        let offset = (start * self.row_stride).min(self.data.len());
        Lhs {
            data: &self.data[offset..],
            rows: end - start,
            ..self
        }
    }

    /// Element `(i, k)`.
    #[inline(always)]
    fn at(&self, i: usize, k: usize) -> f64 {
        debug_assert!(i < self.rows && k < self.inner);
        // SAFETY: the constructors check that `data` holds a whole `rows × inner` matrix at
        // these strides, and `row_range` keeps that true, so every `(i, k)` in range is inside.
        unsafe {
            *self
                .data
                .get_unchecked(i * self.row_stride + k * self.inner_stride)
        }
    }
}

/// The portable path: 4 × 4 tiles of sums; the compiler keeps them in registers and may pair
/// neighbouring columns in one SSE2 register — columns are independent sums. Columns of a
/// partial, unpadded panel are summed one by one.
fn multiply_portable(b: Rhs, a: Lhs, out: &mut [f64]) {
    const TILE_COLS: usize = 4;
    let (m, n, p) = (a.rows, b.inner, b.cols);
    let full_rows = m - m % TILE_ROWS;
    for q in 0..b.panels() {
        for half in [0, TILE_COLS] {
            let col = q * PANEL + half;
            if col >= p {
                break;
            }
            let width = TILE_COLS.min(p - col);
            let tiled_rows = if half + TILE_COLS <= b.readable(q) {
                full_rows
            } else {
                0
            };
            for row in (0..tiled_rows).step_by(TILE_ROWS) {
                let mut sums = [[0.0f64; TILE_COLS]; TILE_ROWS];
                for k in 0..n {
                    let b_k: [f64; TILE_COLS] = std::array::from_fn(|c| b.at(q, k, half + c));
                    let a_k = [
                        a.at(row, k),
                        a.at(row + 1, k),
                        a.at(row + 2, k),
                        a.at(row + 3, k),
                    ];
                    for r in 0..TILE_ROWS {
                        for c in 0..TILE_COLS {
                            sums[r][c] += a_k[r] * b_k[c];
                        }
                    }
                }
                for (r, row_sums) in sums.iter().enumerate() {
                    let start = (row + r) * p + col;
                    out[start..start + width].copy_from_slice(&row_sums[..width]);
                }
            }
            for row in tiled_rows..m {
                for c in 0..width {
                    let mut sum = 0.0;
                    for k in 0..n {
                        sum += a.at(row, k) * b.at(q, k, half + c);
                    }
                    out[row * p + col + c] = sum;
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The wide register tiles. Only `_mm*_mul_pd` and `_mm*_add_pd`: never an FMA. Loads of a
    //! partial panel are masked, so columns that are not there are never touched.

    use std::arch::x86_64::*;

    use super::{Lhs, PANEL, Rhs, TILE_ROWS};

    /// AVX2: one panel (two 4-lane vectors) × [`TILE_ROWS`] rows per tile, 8 sums in
    /// registers, 2 loads of `b` and 4 broadcasts of `a` per `k`.
    #[target_feature(enable = "avx2")]
    pub(super) fn multiply_avx2(b: Rhs, a: Lhs, out: &mut [f64]) {
        let m = a.rows;
        let full_rows = m - m % TILE_ROWS;
        for q in 0..b.panels() {
            if b.readable(q) == PANEL {
                for row in (0..full_rows).step_by(TILE_ROWS) {
                    tile_avx2::<TILE_ROWS, false>(b, a, row, q, out);
                }
                for row in full_rows..m {
                    tile_avx2::<1, false>(b, a, row, q, out);
                }
            } else {
                for row in (0..full_rows).step_by(TILE_ROWS) {
                    tile_avx2::<TILE_ROWS, true>(b, a, row, q, out);
                }
                for row in full_rows..m {
                    tile_avx2::<1, true>(b, a, row, q, out);
                }
            }
        }
    }

    /// Rows `row..row + R` × panel `q`; `MASKED` for a panel with fewer than 8 readable columns.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn tile_avx2<const R: usize, const MASKED: bool>(
        b: Rhs,
        a: Lhs,
        row: usize,
        q: usize,
        out: &mut [f64],
    ) {
        let readable = b.readable(q) as i64;
        let lane = |i: i64| if i < readable { -1 } else { 0 };
        let low = _mm256_setr_epi64x(lane(0), lane(1), lane(2), lane(3));
        let high = _mm256_setr_epi64x(lane(4), lane(5), lane(6), lane(7));
        let base = b.data.as_ptr().wrapping_add(b.offset(q, 0));
        let mut sums = [[_mm256_setzero_pd(); 2]; R];
        for k in 0..b.inner {
            let b_k = base.wrapping_add(k * b.row_stride);
            // SAFETY: the first `readable` values of the row are in `b.data` (`Rhs::offset`);
            // unmasked loads happen only when all 8 are, masked ones read no other lane.
            let (b0, b1) = unsafe {
                if MASKED {
                    (
                        _mm256_maskload_pd(b_k, low),
                        _mm256_maskload_pd(b_k.wrapping_add(4), high),
                    )
                } else {
                    (_mm256_loadu_pd(b_k), _mm256_loadu_pd(b_k.add(4)))
                }
            };
            for (r, row_sums) in sums.iter_mut().enumerate() {
                let a_rk = _mm256_set1_pd(a.at(row + r, k));
                row_sums[0] = _mm256_add_pd(row_sums[0], _mm256_mul_pd(a_rk, b0));
                row_sums[1] = _mm256_add_pd(row_sums[1], _mm256_mul_pd(a_rk, b1));
            }
        }
        let p = b.cols;
        let col = q * PANEL;
        let width = PANEL.min(p - col);
        for (r, row_sums) in sums.iter().enumerate() {
            let start = (row + r) * p + col;
            let target = &mut out[start..start + width];
            if width == PANEL {
                // SAFETY: `target` holds two vectors of 4.
                unsafe {
                    _mm256_storeu_pd(target.as_mut_ptr(), row_sums[0]);
                    _mm256_storeu_pd(target.as_mut_ptr().add(4), row_sums[1]);
                }
            } else {
                let mut values = [0.0f64; PANEL];
                // SAFETY: `values` holds two vectors of 4.
                unsafe {
                    _mm256_storeu_pd(values.as_mut_ptr(), row_sums[0]);
                    _mm256_storeu_pd(values.as_mut_ptr().add(4), row_sums[1]);
                }
                for (t, v) in target.iter_mut().zip(values) {
                    *t = v;
                }
            }
        }
    }

    /// Panels per AVX-512 tile: 4 × 4 vectors = 16 sums in registers (of 32), 4 loads of `b`
    /// and 4 broadcasts of `a` per `k`. When 5 panels are left they go in one tile of 20 sums
    /// (a last tile of one panel would hold only 4 sums, too few to hide the add's latency).
    const VECTORS: usize = 4;

    #[target_feature(enable = "avx512f")]
    pub(super) fn multiply_avx512(b: Rhs, a: Lhs, out: &mut [f64]) {
        let m = a.rows;
        let full_rows = m - m % TILE_ROWS;
        let panels = b.panels();
        let mut q = 0;
        while q < panels {
            let left = panels - q;
            let width = if left == VECTORS + 1 {
                left
            } else {
                VECTORS.min(left)
            };
            for row in (0..full_rows).step_by(TILE_ROWS) {
                match width {
                    5 => tile_avx512::<TILE_ROWS, 5>(b, a, row, q, out),
                    4 => tile_avx512::<TILE_ROWS, 4>(b, a, row, q, out),
                    3 => tile_avx512::<TILE_ROWS, 3>(b, a, row, q, out),
                    2 => tile_avx512::<TILE_ROWS, 2>(b, a, row, q, out),
                    _ => tile_avx512::<TILE_ROWS, 1>(b, a, row, q, out),
                }
            }
            for row in full_rows..m {
                match width {
                    5 => tile_avx512::<1, 5>(b, a, row, q, out),
                    4 => tile_avx512::<1, 4>(b, a, row, q, out),
                    3 => tile_avx512::<1, 3>(b, a, row, q, out),
                    2 => tile_avx512::<1, 2>(b, a, row, q, out),
                    _ => tile_avx512::<1, 1>(b, a, row, q, out),
                }
            }
            q += width;
        }
    }

    /// Which of a vector's 8 lanes to load or store, the first `count`.
    fn first_lanes(count: usize) -> __mmask8 {
        u8::MAX >> (PANEL - count)
    }

    /// Rows `row..row + R` × panels `q..q + V`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn tile_avx512<const R: usize, const V: usize>(
        b: Rhs,
        a: Lhs,
        row: usize,
        q: usize,
        out: &mut [f64],
    ) {
        let mut bases = [b.data.as_ptr(); V];
        let mut readable = [0; V];
        for v in 0..V {
            bases[v] = b.data.as_ptr().wrapping_add(b.offset(q + v, 0));
            readable[v] = first_lanes(b.readable(q + v));
        }
        let mut sums = [[_mm512_setzero_pd(); V]; R];
        for k in 0..b.inner {
            let mut b_k = [_mm512_setzero_pd(); V];
            for v in 0..V {
                // SAFETY: the lanes loaded are the row's readable values, which are in `b.data`
                // (`Rhs::offset`); a masked-off lane is not read.
                b_k[v] = unsafe {
                    _mm512_maskz_loadu_pd(readable[v], bases[v].wrapping_add(k * b.row_stride))
                };
            }
            for (r, row_sums) in sums.iter_mut().enumerate() {
                let a_rk = _mm512_set1_pd(a.at(row + r, k));
                for (sum, &b_kv) in row_sums.iter_mut().zip(&b_k) {
                    *sum = _mm512_add_pd(*sum, _mm512_mul_pd(a_rk, b_kv));
                }
            }
        }
        let p = b.cols;
        for (r, row_sums) in sums.iter().enumerate() {
            for (v, &sum) in row_sums.iter().enumerate() {
                let col = (q + v) * PANEL;
                let width = PANEL.min(p - col);
                let start = (row + r) * p + col;
                let target = &mut out[start..start + width];
                // SAFETY: `target` holds `width` values, the lanes stored.
                unsafe { _mm512_mask_storeu_pd(target.as_mut_ptr(), first_lanes(width), sum) };
            }
        }
    }

    /// Panels of `b` below which skipping zeros is not tried (the dense tiles do as well), and
    /// at most 16 per row-wise tile (with the broadcast and the loads, within the 32
    /// registers).
    const MIN_ROW_PANELS: usize = 6;
    const MAX_ROW_PANELS: usize = 16;
    /// Bytes of `b` a row-wise tile covers at most, so that its block stays in L1 (48 KiB on
    /// the machines measured) while every row of `a` passes over it: 100 rows of 13 panels are
    /// 83 KiB, and streaming them from L2 once per row made the kernel a fifth slower.
    const L1_BLOCK_BYTES: usize = 32 << 10;
    /// The narrowest row-wise tile: 4 panels still keep 4 independent sums per add latency.
    const MIN_TILE_PANELS: usize = 4;

    /// Each row's non-zero inner indices, ascending: `indices[i · inner ..][.. counts[i]]`.
    /// Kept per thread and reused, so finding them allocates nothing.
    #[derive(Default)]
    pub(super) struct NonZeros {
        indices: Vec<u32>,
        counts: Vec<u32>,
    }

    impl NonZeros {
        /// Frees the buffers if they are above [`MAX_KEPT_BYTES`](super::MAX_KEPT_BYTES).
        pub(super) fn release_if_big(&mut self) {
            if self.indices.capacity() * size_of::<u32>() > super::MAX_KEPT_BYTES {
                *self = NonZeros::default();
            }
        }
    }

    thread_local! {
        pub(super) static NONZEROS: std::cell::RefCell<NonZeros> =
            std::cell::RefCell::new(NonZeros::default());
    }

    /// Finds the non-zero terms of each row of `a` into `nonzeros` and says true, when skipping
    /// the others pays and is exact (`b` finite, checked here unless the caller knows).
    #[target_feature(enable = "avx512f")]
    pub(super) fn find_nonzeros_worth_skipping(
        b: Rhs,
        a: Lhs,
        b_finite: Option<bool>,
        nonzeros: &mut NonZeros,
    ) -> bool {
        let n = a.inner;
        if b.panels() < MIN_ROW_PANELS || n >= u32::MAX as usize || a.rows == 0 {
            return false;
        }
        if !a.mostly_zeros() || !b_finite.unwrap_or_else(|| b.is_finite()) {
            return false;
        }
        // Only grows; every index read is written below first.
        if nonzeros.indices.len() < a.rows * n {
            nonzeros.indices.resize(a.rows * n, 0);
        }
        nonzeros.counts.clear();
        nonzeros.counts.resize(a.rows, 0);
        let zero = _mm512_setzero_pd();
        if a.inner_stride == 1 {
            for (i, count) in nonzeros.counts.iter_mut().enumerate() {
                let row_indices = &mut nonzeros.indices[i * n..(i + 1) * n];
                // Contiguous: 16 values compared at once, the non-zero ones' indices
                // compressed into place.
                let row = &a.data[i * a.row_stride..i * a.row_stride + n];
                let mut found = 0;
                let mut k = 0;
                let step = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
                while k + 16 <= n {
                    // SAFETY: `k + 16 <= n`: both loads are inside the row.
                    let (low, high) = unsafe {
                        (
                            _mm512_loadu_pd(row.as_ptr().add(k)),
                            _mm512_loadu_pd(row.as_ptr().add(k + 8)),
                        )
                    };
                    // Not-equal is true for NaN, as `!=` is: a NaN term is kept.
                    let mask = u16::from(_mm512_cmpneq_pd_mask(low, zero))
                        | (u16::from(_mm512_cmpneq_pd_mask(high, zero)) << 8);
                    let ks = _mm512_add_epi32(_mm512_set1_epi32(k as i32), step);
                    // SAFETY: at most 16 indices land at `found..`, and `found <= k`, so
                    // they stay within the row's `n ≥ k + 16` slots.
                    unsafe {
                        _mm512_mask_compressstoreu_epi32(
                            row_indices.as_mut_ptr().add(found).cast(),
                            mask,
                            ks,
                        )
                    };
                    found += mask.count_ones() as usize;
                    k += 16;
                }
                for (k, &value) in row.iter().enumerate().skip(k) {
                    row_indices[found] = k as u32;
                    found += usize::from(value != 0.0);
                }
                *count = found as u32;
            }
        } else if a.row_stride == 1 {
            // A transpose: for each `k` the rows' values are one contiguous run. For 8 rows and
            // 8 `k`s at a time, the runs' non-zero masks (a byte per `k`, a bit per row) make
            // an 8 × 8 bit matrix; transposed, its bytes are the rows' masks over those `k`s,
            // and each row's indices are compressed into place. (Appending row by row as the
            // runs' bits came, a branch per non-zero value, took half as long as the product.)
            let step = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0);
            for block in (0..a.rows).step_by(8) {
                let width = (a.rows - block).min(8);
                let lanes = first_lanes(width);
                let mut found = [0usize; 8];
                for k0 in (0..n).step_by(8) {
                    let mut masks = 0u64;
                    for i in 0..(n - k0).min(8) {
                        let at = (k0 + i) * a.inner_stride + block;
                        // SAFETY: the `width` values from `at` are rows `block..block + width`
                        // of inner index `k0 + i`, all inside `data` (see `Lhs::at`); the
                        // lanes past them are masked off and not read.
                        let values =
                            unsafe { _mm512_maskz_loadu_pd(lanes, a.data.as_ptr().add(at)) };
                        // Not-equal is true for NaN, as `!=` is: a NaN term is kept.
                        masks |= u64::from(_mm512_cmpneq_pd_mask(values, zero)) << (8 * i);
                    }
                    let by_row = transpose_bit_matrix(masks);
                    let ks = _mm512_add_epi32(_mm512_set1_epi32(k0 as i32), step);
                    for (j, found) in found.iter_mut().enumerate().take(width) {
                        let mask = (by_row >> (8 * j)) as u8;
                        // SAFETY: row `block + j` has `n` slots and at most `k0` of them are
                        // taken (`found ≤ k0`); the store writes `popcount(mask) ≤ n − k0`.
                        unsafe {
                            _mm512_mask_compressstoreu_epi32(
                                nonzeros
                                    .indices
                                    .as_mut_ptr()
                                    .add((block + j) * n + *found)
                                    .cast(),
                                u16::from(mask),
                                ks,
                            )
                        };
                        *found += mask.count_ones() as usize;
                    }
                }
                for (count, &found) in nonzeros.counts[block..block + width].iter_mut().zip(&found)
                {
                    *count = found as u32;
                }
            }
        } else {
            for (i, count) in nonzeros.counts.iter_mut().enumerate() {
                let row_indices = &mut nonzeros.indices[i * n..(i + 1) * n];
                // Branch-free compaction: every index is written, only non-zero ones advance.
                let mut found = 0;
                for k in 0..n {
                    row_indices[found] = k as u32;
                    found += usize::from(a.at(i, k) != 0.0);
                }
                *count = found as u32;
            }
        }
        true
    }

    /// The transpose of an 8 × 8 bit matrix held as 8 bytes, byte `i` bit `j` being entry
    /// `(i, j)`: three rounds of swapping off-diagonal blocks (2 × 2 bits, then 4 × 4 of them,
    /// then 8 × 8), each a masked exchange.
    fn transpose_bit_matrix(mut x: u64) -> u64 {
        let t = (x ^ (x >> 7)) & 0x00aa_00aa_00aa_00aa;
        x ^= t ^ (t << 7);
        let t = (x ^ (x >> 14)) & 0x0000_cccc_0000_cccc;
        x ^= t ^ (t << 14);
        let t = (x ^ (x >> 28)) & 0x0000_0000_f0f0_f0f0;
        x ^ t ^ (t << 28)
    }

    /// Each row's sums over its non-zero terms only, in `k` order, the panels in row tiles of
    /// 4 to 16 (balanced): one tile of panels after another, every row through each (the
    /// tile's block of `b` then stays in L1).
    #[target_feature(enable = "avx512f")]
    pub(super) fn multiply_avx512_skipping_zeros(
        b: Rhs,
        a: Lhs,
        out: &mut [f64],
        nonzeros: &NonZeros,
    ) {
        let n = a.inner;
        let panels = b.panels();
        let fit = (L1_BLOCK_BYTES / (n * PANEL * size_of::<f64>()).max(1))
            .clamp(MIN_TILE_PANELS, MAX_ROW_PANELS);
        let tiles = (panels / fit).max(panels.div_ceil(MAX_ROW_PANELS));
        let mut q = 0;
        for t in 0..tiles {
            let width = panels / tiles + usize::from(t < panels % tiles);
            for row in 0..a.rows {
                let terms = &nonzeros.indices[row * n..row * n + nonzeros.counts[row] as usize];
                match width {
                    16 => row_tile_avx512::<16>(b, a, row, q, terms, out),
                    15 => row_tile_avx512::<15>(b, a, row, q, terms, out),
                    14 => row_tile_avx512::<14>(b, a, row, q, terms, out),
                    13 => row_tile_avx512::<13>(b, a, row, q, terms, out),
                    12 => row_tile_avx512::<12>(b, a, row, q, terms, out),
                    11 => row_tile_avx512::<11>(b, a, row, q, terms, out),
                    10 => row_tile_avx512::<10>(b, a, row, q, terms, out),
                    9 => row_tile_avx512::<9>(b, a, row, q, terms, out),
                    8 => row_tile_avx512::<8>(b, a, row, q, terms, out),
                    7 => row_tile_avx512::<7>(b, a, row, q, terms, out),
                    6 => row_tile_avx512::<6>(b, a, row, q, terms, out),
                    5 => row_tile_avx512::<5>(b, a, row, q, terms, out),
                    4 => row_tile_avx512::<4>(b, a, row, q, terms, out),
                    other => unreachable!("a tile of {other} panels"),
                }
            }
            q += width;
        }
    }

    /// Row `row` × panels `q..q + V`: the sums, from +0, of the terms `k` of `terms` (ascending).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn row_tile_avx512<const V: usize>(
        b: Rhs,
        a: Lhs,
        row: usize,
        q: usize,
        terms: &[u32],
        out: &mut [f64],
    ) {
        let p = b.cols;
        let mut sums = [_mm512_setzero_pd(); V];
        // One pointer and one mask, so nothing is reloaded from the stack per term: only the
        // matrix's last panel can have fewer than 8 readable values, and it can only be the
        // tile's last.
        let base = b.data.as_ptr().wrapping_add(b.offset(q, 0));
        let last = first_lanes(b.readable(q + V - 1));
        for &k in terms {
            let k = k as usize;
            let a_k = _mm512_set1_pd(a.at(row, k));
            let row_k = base.wrapping_add(k * b.row_stride);
            for (v, sum) in sums.iter_mut().enumerate() {
                let at = row_k.wrapping_add(v * PANEL);
                // SAFETY: as in `tile_avx512`: only the row's readable values are loaded, all 8
                // of every panel but the last.
                let b_kv = unsafe {
                    if v + 1 < V {
                        _mm512_loadu_pd(at)
                    } else {
                        _mm512_maskz_loadu_pd(last, at)
                    }
                };
                *sum = _mm512_add_pd(*sum, _mm512_mul_pd(a_k, b_kv));
            }
        }
        for (v, &sum) in sums.iter().enumerate() {
            let col = (q + v) * PANEL;
            let width = PANEL.min(p - col);
            let target = &mut out[row * p + col..row * p + col + width];
            // SAFETY: `target` holds `width` values, the lanes stored.
            unsafe { _mm512_mask_storeu_pd(target.as_mut_ptr(), first_lanes(width), sum) };
        }
    }
}
