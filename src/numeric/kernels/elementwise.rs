//! Maps over elements and sums down columns, each compiled per [`Path`] by `multiversion!`.
//!
//! Every function applies a caller's scalar closure element by element. Nothing here combines
//! two elements of the same output: a map touches each element once, and a column fold adds
//! row after row into that column's own accumulator, in row order. So the compiler can only
//! vectorise *across* elements or columns, and each one sees the scalar operations in the scalar
//! order — the same bits at any width. The closures must be pure arithmetic on their arguments
//! (no running state), which is all the callers pass.

use super::multiversion;
use crate::numeric::lanes::Block;

multiversion! {
    /// `values[i] = f(values[i])`.
    pub fn map_in_place<F: Fn(f64) -> f64>(values: &mut [f64], f: F) {
        for value in values {
            *value = f(*value);
        }
    }
}

multiversion! {
    /// `values[i] = f(values[i])`, computed [`MAP_BLOCK`] values at a time by a function
    /// written over [`Block`]s (operation by operation across the block, see `lanes`). The
    /// last, partial block is padded with zeros, whose results are dropped.
    pub fn map_blocks_in_place<F: BlockMap>(values: &mut [f64], f: F) {
        let mut blocks = values.chunks_exact_mut(MAP_BLOCK);
        for block in &mut blocks {
            let mapped = f.map_block(Block(block.try_into().expect("a block")));
            block.copy_from_slice(&mapped.0);
        }
        let rest = blocks.into_remainder();
        if !rest.is_empty() {
            let mut padded = [0.0; MAP_BLOCK];
            padded[..rest.len()].copy_from_slice(rest);
            let mapped = f.map_block(Block(padded));
            rest.copy_from_slice(&mapped.0[..rest.len()]);
        }
    }
}

/// A function of each value of a block, for [`map_blocks_in_place`]. Implementations mark
/// `map_block` `#[inline(always)]`, so that it is compiled into each instruction set's loop (a
/// closure around such a function was not inlined, and ran as baseline SSE2).
pub trait BlockMap {
    fn map_block(&self, block: Block<MAP_BLOCK>) -> Block<MAP_BLOCK>;
}

/// Values per block of [`map_blocks_in_place`]: eight AVX-512 vectors, enough independent work
/// per operation to keep the vector units busy. Measured in whole experiments on one thread:
/// 32 and 128 were slower than 64 for both sigmoid and tanh (best of about 300: tanh 4.66 ms at
/// 64, 4.81 at 32, 4.80 at 128).
pub const MAP_BLOCK: usize = 64;

multiversion! {
    /// `values[i] = f(values[i], other[i])`.
    pub fn zip_in_place<F: Fn(f64, f64) -> f64>(values: &mut [f64], other: &[f64], f: F) {
        assert_eq!(values.len(), other.len(), "lengths differ");
        for (value, &o) in values.iter_mut().zip(other) {
            *value = f(*value, o);
        }
    }
}

multiversion! {
    /// For each row of `rows` (rows of `accumulators.len()` values), in order:
    /// `accumulators[j] = f(accumulators[j], row[j])`.
    pub fn fold_columns<F: Fn(f64, f64) -> f64>(accumulators: &mut [f64], rows: &[f64], f: F) {
        let width = accumulators.len();
        if width == 0 {
            return;
        }
        assert_eq!(rows.len() % width, 0, "not a whole number of rows");
        for row in rows.chunks_exact(width) {
            for (acc, &v) in accumulators.iter_mut().zip(row) {
                *acc = f(*acc, v);
            }
        }
    }
}

multiversion! {
    /// Like [`fold_columns`], with a per-column constant:
    /// `accumulators[j] = f(accumulators[j], row[j], centers[j])`.
    ///
    /// Columns go in blocks of [`FOLD_BLOCK`] whose accumulators stay in registers from the
    /// first row to the last (each column still in row order); the columns left over go in
    /// blocks of 16, 8, 4, 2 and 1 the same way.
    pub fn fold_columns_around<F: Fn(f64, f64, f64) -> f64>(
        accumulators: &mut [f64],
        rows: &[f64],
        centers: &[f64],
        f: F,
    ) {
        let width = accumulators.len();
        assert_eq!(centers.len(), width, "one center per column");
        if width == 0 {
            return;
        }
        assert_eq!(rows.len() % width, 0, "not a whole number of rows");
        let mut start = 0;
        while start + FOLD_BLOCK <= width {
            fold_column_block::<FOLD_BLOCK, F>(accumulators, rows, centers, start, &f);
            start += FOLD_BLOCK;
        }
        for narrower in [16, 8, 4, 2, 1] {
            if start + narrower <= width {
                match narrower {
                    16 => fold_column_block::<16, F>(accumulators, rows, centers, start, &f),
                    8 => fold_column_block::<8, F>(accumulators, rows, centers, start, &f),
                    4 => fold_column_block::<4, F>(accumulators, rows, centers, start, &f),
                    2 => fold_column_block::<2, F>(accumulators, rows, centers, start, &f),
                    _ => fold_column_block::<1, F>(accumulators, rows, centers, start, &f),
                }
                start += narrower;
            }
        }
    }
}

/// [`fold_columns_around`] for columns `start..start + W`, the accumulators held in a local
/// array (registers) from the first row to the last. Inlined into each version.
#[inline(always)]
fn fold_column_block<const W: usize, F: Fn(f64, f64, f64) -> f64>(
    accumulators: &mut [f64],
    rows: &[f64],
    centers: &[f64],
    start: usize,
    f: &F,
) {
    let width = accumulators.len();
    let end = start + W;
    let mut block: [f64; W] = accumulators[start..end].try_into().expect("a block");
    let block_centers: &[f64; W] = centers[start..end].try_into().expect("a block");
    for row in rows.chunks_exact(width) {
        let row: &[f64; W] = row[start..end].try_into().expect("a block");
        for j in 0..W {
            block[j] = f(block[j], row[j], block_centers[j]);
        }
    }
    accumulators[start..end].copy_from_slice(&block);
}

/// Columns per register block of [`fold_columns_around`]: four AVX-512 vectors.
const FOLD_BLOCK: usize = 32;

multiversion! {
    /// For each row of `values` (rows of `a.len()` values), with per-column constants:
    /// `row[j] = f(row[j], a[j], b[j])`.
    pub fn map_rows_around<F: Fn(f64, f64, f64) -> f64>(
        values: &mut [f64],
        a: &[f64],
        b: &[f64],
        f: F,
    ) {
        let width = a.len();
        assert_eq!(b.len(), width, "one constant per column");
        if width == 0 {
            return;
        }
        assert_eq!(values.len() % width, 0, "not a whole number of rows");
        for row in values.chunks_exact_mut(width) {
            for ((value, &a), &b) in row.iter_mut().zip(a).zip(b) {
                *value = f(*value, a, b);
            }
        }
    }
}

multiversion! {
    /// Like [`fold_columns`], over two matrices of the same shape read side by side:
    /// `accumulators[j] = f(accumulators[j], rows[i][j], others[i][j])`, row after row.
    pub fn fold_columns_zip<F: Fn(f64, f64, f64) -> f64>(
        accumulators: &mut [f64],
        rows: &[f64],
        others: &[f64],
        f: F,
    ) {
        let width = accumulators.len();
        assert_eq!(rows.len(), others.len(), "shapes differ");
        if width == 0 {
            return;
        }
        assert_eq!(rows.len() % width, 0, "not a whole number of rows");
        for (row, other) in rows.chunks_exact(width).zip(others.chunks_exact(width)) {
            for ((acc, &v), &o) in accumulators.iter_mut().zip(row).zip(other) {
                *acc = f(*acc, v, o);
            }
        }
    }
}

multiversion! {
    /// For each row of `values` and the matching row of `other`, with three per-column
    /// constants: `row[j] = f(row[j], other_row[j], a[j], b[j], c[j])`.
    pub fn zip_rows_around<F: Fn(f64, f64, f64, f64, f64) -> f64>(
        values: &mut [f64],
        other: &[f64],
        a: &[f64],
        b: &[f64],
        c: &[f64],
        f: F,
    ) {
        let width = a.len();
        assert!(b.len() == width && c.len() == width, "one constant per column");
        assert_eq!(values.len(), other.len(), "shapes differ");
        if width == 0 {
            return;
        }
        assert_eq!(values.len() % width, 0, "not a whole number of rows");
        for (row, other) in values.chunks_exact_mut(width).zip(other.chunks_exact(width)) {
            for ((((value, &o), &a), &b), &c) in row.iter_mut().zip(other).zip(a).zip(b).zip(c) {
                *value = f(*value, o, a, b, c);
            }
        }
    }
}
