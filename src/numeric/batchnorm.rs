//! Batch normalization (Ioffe & Szegedy 2015; *Deep Learning from Scratch* §6.3): after a hidden
//! layer's affine map, every unit is normalized over the rows of the batch, then scaled and
//! shifted by a learned γ and β, then passed through the activation. Whatever the scale of the
//! weights, each unit's input to the activation starts with mean 0 and variance 1.
//!
//! # The formula, in the order it is computed
//!
//! For a batch of `n` rows, unit `j`, and `a_ij` the affine map's output (`x · W + b`):
//! 1. `μ_j = (Σ_i a_ij) / n`, the sum taken over the rows in row order;
//! 2. `σ²_j = (Σ_i (a_ij − μ_j)²) / n`, in row order (the biased variance, as the book);
//! 3. `s_j = √(σ²_j + ε)` with `ε = 1e-7`;
//! 4. `x̂_ij = (a_ij − μ_j) / s_j`;
//! 5. `y_ij = γ_j · x̂_ij + β_j`, then `z_ij = f(y_ij)`. γ starts at 1 and β at 0.
//!
//! Training also keeps running statistics, updated after every step's forward pass:
//! `m_j ← 0.9 · m_j + (1 − 0.9) · μ_j` and `v_j ← 0.9 · v_j + (1 − 0.9) · σ²_j` (each product
//! rounded, then the sum), both starting at 0 as in the book's implementation. Inference (the
//! accuracies measured after training) uses `m_j` and `v_j` in steps 3–4 in place of the batch's
//! `μ_j` and `σ²_j`, so a sample's prediction does not depend on the other samples.
//!
//! # Backward
//!
//! With `g_ij = ∂L/∂y_ij` (the gradient after the activation's derivative):
//! - `∂L/∂β_j = Σ_i g_ij` and `∂L/∂γ_j = Σ_i g_ij · x̂_ij`, in row order;
//! - `∂L/∂a_ij = (γ_j / s_j) · ((g_ij − ∂L/∂β_j / n) − x̂_ij · (∂L/∂γ_j / n))`, with `γ_j / s_j`
//!   computed once per unit. This is the exact derivative through `μ`, `σ²` and `s` (ε
//!   included), written compactly; `tests` in `mlp.rs` check it against finite differences.
//!
//! Every step is per element or a per-column sum in row order (the kernels of
//! [`elementwise`]), so the results are the same bits on every kernel path and thread count.

use super::kernels::{Path, elementwise};

/// ε under the square root: keeps a unit whose values are all equal from dividing by zero.
pub const EPSILON: f64 = 1e-7;
/// Weight of the old value in the running statistics.
pub const MOMENTUM: f64 = 0.9;

/// One layer's learned scale and shift, and its running statistics for inference.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchNorm {
    pub gamma: Vec<f64>,
    pub beta: Vec<f64>,
    pub running_mean: Vec<f64>,
    pub running_var: Vec<f64>,
}

/// One batch's per-unit statistics: what the backward pass and the running statistics need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchStats {
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
    /// `s_j = √(σ²_j + ε)`.
    pub std: Vec<f64>,
}

impl BatchStats {
    pub fn new(units: usize) -> Self {
        BatchStats {
            mean: vec![0.0; units],
            var: vec![0.0; units],
            std: vec![0.0; units],
        }
    }
}

impl BatchNorm {
    /// γ = 1, β = 0; running statistics 0.
    pub fn new(units: usize) -> Self {
        BatchNorm {
            gamma: vec![1.0; units],
            beta: vec![0.0; units],
            running_mean: vec![0.0; units],
            running_var: vec![0.0; units],
        }
    }

    /// Step 5 before the activation: `values[i][j] = γ_j · values[i][j] + β_j`.
    pub fn scale_and_shift(&self, path: Path, values: &mut [f64]) {
        elementwise::map_rows_around(path, values, &self.gamma, &self.beta, |x, g, b| g * x + b);
    }

    /// Steps 3–4 with the running statistics: `values` (the affine outputs) become x̂ as
    /// inference sees it. `std` is scratch, one value per unit.
    pub fn normalize_with_running(&self, path: Path, values: &mut [f64], std: &mut [f64]) {
        for (s, &v) in std.iter_mut().zip(&self.running_var) {
            *s = (v + EPSILON).sqrt();
        }
        elementwise::map_rows_around(path, values, &self.running_mean, std, |a, m, s| (a - m) / s);
    }

    /// The running statistics after one more batch.
    pub fn update_running(&mut self, stats: &BatchStats) {
        let keep = MOMENTUM;
        let take = 1.0 - MOMENTUM;
        for (m, &mu) in self.running_mean.iter_mut().zip(&stats.mean) {
            *m = keep * *m + take * mu;
        }
        for (v, &var) in self.running_var.iter_mut().zip(&stats.var) {
            *v = keep * *v + take * var;
        }
    }
}

/// Steps 1–4 on a batch: `values` (rows of `stats.mean.len()` units, the affine outputs)
/// become x̂ in place; `stats` receives μ, σ² and s.
pub fn normalize_batch(path: Path, values: &mut [f64], stats: &mut BatchStats) {
    let units = stats.mean.len();
    let rows = values.len().checked_div(units).unwrap_or(0);
    let n = rows as f64;
    stats.mean.fill(0.0);
    elementwise::fold_columns(path, &mut stats.mean, values, |sum, v| sum + v);
    for mean in &mut stats.mean {
        *mean /= n;
    }
    stats.var.fill(0.0);
    elementwise::fold_columns_around(path, &mut stats.var, values, &stats.mean, |sum, v, m| {
        sum + (v - m) * (v - m)
    });
    for (var, std) in stats.var.iter_mut().zip(&mut stats.std) {
        *var /= n;
        *std = (*var + EPSILON).sqrt();
    }
    elementwise::map_rows_around(path, values, &stats.mean, &stats.std, |a, m, s| (a - m) / s);
}

/// The gradients of one layer's γ and β, and the backward pass's scratch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NormGradients {
    /// `∂L/∂γ_j`.
    pub gamma: Vec<f64>,
    /// `∂L/∂β_j`.
    pub beta: Vec<f64>,
    /// `γ_j / s_j`.
    scale: Vec<f64>,
}

impl NormGradients {
    pub fn new(units: usize) -> Self {
        NormGradients {
            gamma: vec![0.0; units],
            beta: vec![0.0; units],
            scale: vec![0.0; units],
        }
    }
}

/// The backward pass through steps 1–5. On entry `gradients` holds `∂L/∂y` (rows of units);
/// on return `∂L/∂a`. Writes `∂L/∂γ` and `∂L/∂β` into `out`.
pub fn backward(
    path: Path,
    gradients: &mut [f64],
    normalized: &[f64],
    gamma: &[f64],
    stats: &BatchStats,
    out: &mut NormGradients,
) {
    let NormGradients {
        gamma: d_gamma,
        beta: d_beta,
        scale,
    } = out;
    let units = gamma.len();
    let rows = gradients.len().checked_div(units).unwrap_or(0);
    let n = rows as f64;
    d_beta.fill(0.0);
    elementwise::fold_columns(path, d_beta, gradients, |sum, g| sum + g);
    d_gamma.fill(0.0);
    elementwise::fold_columns_zip(path, d_gamma, gradients, normalized, |sum, g, x| {
        sum + g * x
    });
    for ((s, &g), &std) in scale.iter_mut().zip(gamma).zip(&stats.std) {
        *s = g / std;
    }
    elementwise::zip_rows_around(
        path,
        gradients,
        normalized,
        d_beta,
        d_gamma,
        scale,
        |g, x, db, dg, s| s * ((g - db / n) - x * (dg / n)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_comes_out_with_mean_zero_and_variance_one() {
        // Three units, four rows, very different scales.
        let mut values = vec![
            1.0, 100.0, -0.001, //
            2.0, 300.0, 0.003, //
            3.0, 200.0, 0.001, //
            4.0, 400.0, -0.003,
        ];
        let mut stats = BatchStats::new(3);
        normalize_batch(Path::PORTABLE, &mut values, &mut stats);
        assert_eq!(stats.mean, vec![2.5, 250.0, 0.0]);
        assert_eq!(stats.var[0], 1.25);
        for j in 0..3 {
            let column: Vec<f64> = values.iter().skip(j).step_by(3).copied().collect();
            let mean = column.iter().sum::<f64>() / 4.0;
            let var = column.iter().map(|x| x * x).sum::<f64>() / 4.0;
            assert!(mean.abs() < 1e-12, "unit {j}: mean {mean}");
            // ε matters only for the tiny unit (variance 5e-6 against ε = 1e-7).
            let expected = stats.var[j] / (stats.var[j] + EPSILON);
            assert!((var - expected).abs() < 1e-12, "unit {j}: variance {var}");
        }
    }

    #[test]
    fn running_statistics_move_a_tenth_of_the_way() {
        let mut bn = BatchNorm::new(1);
        let stats = BatchStats {
            mean: vec![2.0],
            var: vec![4.0],
            std: vec![2.0],
        };
        bn.update_running(&stats);
        assert!((bn.running_mean[0] - 0.2).abs() < 1e-15);
        assert!((bn.running_var[0] - 0.4).abs() < 1e-15);
        bn.update_running(&stats);
        assert!((bn.running_mean[0] - 0.38).abs() < 1e-15);
    }
}
