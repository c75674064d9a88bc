//! Maps over elements and sums down columns, each compiled per [`Path`] by `multiversion!`.
//!
//! Every function applies a caller's scalar closure element by element. Nothing here combines
//! two elements of the same output: a map touches each element once, and a column fold adds
//! row after row into that column's own accumulator, in row order. So the compiler can only
//! vectorise *across* elements or columns, and each one sees the scalar operations in the scalar
//! order — the same bits at any width. The closures must be pure arithmetic on their arguments
//! (no running state), which is all the callers pass.

use super::multiversion;

multiversion! {
    /// `values[i] = f(values[i])`.
    pub fn map_in_place<F: Fn(f64) -> f64>(values: &mut [f64], f: F) {
        for value in values {
            *value = f(*value);
        }
    }
}

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
        for row in rows.chunks_exact(width) {
            for ((acc, &v), &c) in accumulators.iter_mut().zip(row).zip(centers) {
                *acc = f(*acc, v, c);
            }
        }
    }
}
