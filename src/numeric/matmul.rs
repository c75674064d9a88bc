//! Matrix product with a fixed summation order.
//!
//! Why not `ndarray::ArrayBase::dot`: it hands the product to `matrixmultiply`, which picks an
//! FMA/AVX kernel at run time from the CPU it finds. Fused multiply-adds round once instead of
//! twice, and the kernels split the inner sum differently, so the low bits of the result — and
//! with them a histogram count now and then — would depend on the reader's CPU.
//!
//! Here every output element is computed as
//! `((0 + x[i,0]·w[0,j]) + x[i,1]·w[1,j]) + … + x[i,n-1]·w[n-1,j]`, each product rounded, then
//! each sum rounded, in index order. Rust never contracts `a * b + c` into an FMA on its own, so
//! this is the same sequence of IEEE-754 operations on every CPU, optimisation level and thread
//! count.
//!
//! It is still fast: `out` is computed in 4 × 4 tiles whose 16 sums stay in registers for the
//! whole inner loop, so each loaded `x` and `w` value feeds four sums. The compiler vectorises
//! across a tile's columns (independent sums) without reordering any single sum.

use ndarray::{ArrayView2, ArrayViewMut2};

/// Rows of the register tile.
const TILE_ROWS: usize = 4;
/// Columns of the register tile: 4 × 4 sums fit the 16 SSE2 registers with room for operands.
const TILE_COLS: usize = 4;

/// The right-hand matrix `w` (`n × p`) re-laid out in panels of [`TILE_COLS`] columns, each panel
/// `n × TILE_COLS` and contiguous, so the inner loop reads it sequentially. The last panel is
/// padded with zero columns, whose results are computed and dropped.
#[derive(Debug, Clone)]
pub struct PackedMatrix {
    rows: usize,
    cols: usize,
    panels: Vec<f64>,
}

impl PackedMatrix {
    pub fn new(w: ArrayView2<f64>) -> Self {
        let (rows, cols) = w.dim();
        let panel_count = cols.div_ceil(TILE_COLS);
        let mut panels = vec![0.0; panel_count * rows * TILE_COLS];
        if rows == 0 {
            return PackedMatrix { rows, cols, panels };
        }
        for (panel_index, panel) in panels.chunks_mut(rows * TILE_COLS).enumerate() {
            for (k, packed_row) in panel.chunks_mut(TILE_COLS).enumerate() {
                for (c, value) in packed_row.iter_mut().enumerate() {
                    let col = panel_index * TILE_COLS + c;
                    if col < cols {
                        *value = w[[k, col]];
                    }
                }
            }
        }
        PackedMatrix { rows, cols, panels }
    }

    /// `out_rows = x_rows · w` for a band of rows: `x_rows` holds whole rows of length
    /// `w`'s row count, `out_rows` the matching rows of length its column count.
    pub fn multiply_rows(&self, x_rows: &[f64], out_rows: &mut [f64]) {
        let (n, p) = (self.rows, self.cols);
        let Some(m) = x_rows.len().checked_div(n) else {
            // No inner dimension: every sum is empty.
            out_rows.fill(0.0);
            return;
        };
        assert_eq!(x_rows.len(), m * n, "x is not a whole number of rows");
        assert_eq!(out_rows.len(), m * p, "out does not match x");
        // Row blocks outside, panels inside: a block's rows of `x` stay in L1 while the packed
        // matrix streams through once per block.
        let panels: Vec<&[f64]> = self.panels.chunks(n * TILE_COLS).collect();
        let full_rows = m - m % TILE_ROWS;
        for row in (0..full_rows).step_by(TILE_ROWS) {
            let x_block = &x_rows[row * n..(row + TILE_ROWS) * n];
            for (panel_index, panel) in panels.iter().enumerate() {
                let col = panel_index * TILE_COLS;
                let width = TILE_COLS.min(p - col);
                let sums = register_tile(x_block, panel, n);
                for (r, row_sums) in sums.iter().enumerate() {
                    let start = (row + r) * p + col;
                    out_rows[start..start + width].copy_from_slice(&row_sums[..width]);
                }
            }
        }
        for row in full_rows..m {
            let x_row = &x_rows[row * n..(row + 1) * n];
            for (panel_index, panel) in panels.iter().enumerate() {
                let col = panel_index * TILE_COLS;
                for c in 0..TILE_COLS.min(p - col) {
                    let mut sum = 0.0;
                    for (k, &x_rk) in x_row.iter().enumerate() {
                        sum += x_rk * panel[k * TILE_COLS + c];
                    }
                    out_rows[row * p + col + c] = sum;
                }
            }
        }
    }
}

/// `out = x · w`, summing each element in index order (see the module docs).
///
/// Shapes: `x` is `m × n`, `w` is `n × p`, `out` is `m × p`. `x` and `out` must be in standard
/// (row-major, contiguous) layout; `w` may be any view (it is packed anyway), such as a
/// transpose. Panics on a shape or layout mismatch, which is a programming error.
pub fn matmul_fixed_order(x: ArrayView2<f64>, w: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) {
    assert_eq!(x.ncols(), w.nrows(), "inner dimensions differ");
    assert_eq!(out.dim(), (x.nrows(), w.ncols()), "output shape");
    let x = x.as_slice().expect("x must be contiguous and row-major");
    let out = out
        .as_slice_mut()
        .expect("out must be contiguous and row-major");
    PackedMatrix::new(w).multiply_rows(x, out);
}

/// A copy of `a` transposed, in standard layout (for products with `aᵀ`).
pub fn transposed(a: ArrayView2<f64>) -> ndarray::Array2<f64> {
    a.t().as_standard_layout().into_owned()
}

/// A `TILE_ROWS × TILE_COLS` block of sums held in registers across the whole `k` loop. Each of
/// the 16 sums still adds its products in `k` order.
#[inline(always)]
fn register_tile(x_block: &[f64], panel: &[f64], n: usize) -> [[f64; TILE_COLS]; TILE_ROWS] {
    let mut sums = [[0.0f64; TILE_COLS]; TILE_ROWS];
    let (x0, rest) = x_block.split_at(n);
    let (x1, rest) = rest.split_at(n);
    let (x2, x3) = rest.split_at(n);
    // Zipped iterators instead of indexing: no bounds checks in the hot loop.
    let x_columns = x0.iter().zip(x1).zip(x2).zip(x3);
    for (w_k, (((&a0, &a1), &a2), &a3)) in panel.chunks_exact(TILE_COLS).zip(x_columns) {
        let x_k = [a0, a1, a2, a3];
        for r in 0..TILE_ROWS {
            for c in 0..TILE_COLS {
                sums[r][c] += x_k[r] * w_k[c];
            }
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// The definition, written as plainly as possible: each element summed in index order.
    fn reference_product(x: &Array2<f64>, w: &Array2<f64>) -> Array2<f64> {
        let (m, n) = x.dim();
        let p = w.ncols();
        Array2::from_shape_fn((m, p), |(i, j)| {
            let mut sum = 0.0;
            for k in 0..n {
                sum += x[[i, k]] * w[[k, j]];
            }
            sum
        })
    }

    /// Deterministic, irregular values with many significant bits, so that any change in
    /// summation order would show in the low bits.
    fn awkward_matrix(rows: usize, cols: usize, salt: u64) -> Array2<f64> {
        Array2::from_shape_fn((rows, cols), |(i, j)| {
            let h =
                (i as u64 * 7919 + j as u64 * 104_729 + salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            ((h >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 3.7
        })
    }

    #[test]
    fn bit_identical_to_the_index_order_definition() {
        // Shapes chosen to hit full row blocks, a partial last block, and several column blocks.
        for &(m, n, p) in &[
            (1, 1, 1),
            (4, 3, 5),
            (7, 13, 11),
            (9, 100, 100),
            (5, 6, 1100),
        ] {
            let x = awkward_matrix(m, n, 1);
            let w = awkward_matrix(n, p, 2);
            let mut out = Array2::from_elem((m, p), f64::NAN);
            matmul_fixed_order(x.view(), w.view(), out.view_mut());
            let expected = reference_product(&x, &w);
            for (a, b) in out.iter().zip(expected.iter()) {
                assert_eq!(a.to_bits(), b.to_bits(), "shape {m}×{n}×{p}");
            }
        }
    }

    #[test]
    fn empty_inner_dimension_gives_zeros() {
        let x = Array2::<f64>::zeros((3, 0));
        let w = Array2::<f64>::zeros((0, 2));
        let mut out = Array2::from_elem((3, 2), 1.0);
        matmul_fixed_order(x.view(), w.view(), out.view_mut());
        assert!(out.iter().all(|&v| v == 0.0));
    }
}
