//! Standard normal samples that are the same bits on every machine.
//!
//! Why not `rand_distr::StandardNormal`: its ziggurat computes tail samples with `ln` and tests
//! acceptance with `exp` through `num_traits::Float`. As soon as any crate in the build enables
//! `num-traits/std` (ndarray and plotters both do), those calls go to the platform's C maths
//! library, whose last bits differ between operating systems and, with glibc's FMA variants,
//! between CPUs. A reader on another machine would then get a slightly different figure.
//!
//! So we use the Marsaglia polar method, whose only transcendental is a logarithm, and take it
//! from the pure-Rust `libm` crate; `sqrt` is exactly rounded by IEEE 754 everywhere. Uniforms come
//! from `rand_distr`'s `Uniform`, which is plain integer and float arithmetic.

use rand::Rng;
use rand_distr::{Distribution, Uniform};

/// An endless stream of N(0, 1) values drawn from one RNG.
///
/// The polar method makes values in pairs; the second of a pair is kept and returned by the
/// next call. So the stream of values depends only on the RNG's stream, not on how the caller
/// groups its calls — matrices drawn one after another see one continuous sequence.
#[derive(Debug, Clone)]
pub struct GaussianStream {
    pending: Option<f64>,
    unit_interval: Uniform<f64>,
}

impl Default for GaussianStream {
    fn default() -> Self {
        Self::new()
    }
}

impl GaussianStream {
    pub fn new() -> Self {
        GaussianStream {
            pending: None,
            unit_interval: Uniform::new(-1.0, 1.0).expect("-1 < 1 is a valid range"),
        }
    }

    /// The next standard normal value.
    pub fn next<R: Rng + ?Sized>(&mut self, rng: &mut R) -> f64 {
        if let Some(value) = self.pending.take() {
            return value;
        }
        loop {
            let u = self.unit_interval.sample(rng);
            let v = self.unit_interval.sample(rng);
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let factor = (-2.0 * libm::log(s) / s).sqrt();
                self.pending = Some(v * factor);
                return u * factor;
            }
        }
    }

    /// Fills `values` in order with the next standard normal values, each multiplied by `scale`.
    pub fn fill_scaled<R: Rng + ?Sized>(&mut self, rng: &mut R, values: &mut [f64], scale: f64) {
        for value in values {
            *value = self.next(rng) * scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn moments_match_the_standard_normal() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut stream = GaussianStream::new();
        let n = 200_000;
        let values: Vec<f64> = (0..n).map(|_| stream.next(&mut rng)).collect();
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
        let within_one = values.iter().filter(|v| v.abs() < 1.0).count() as f64 / n as f64;
        // Standard errors: mean 0.0022, variance 0.0032, P(|z|<1) 0.001.
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.015, "variance {var}");
        assert!(
            (within_one - 0.6827).abs() < 0.005,
            "P(|z|<1) = {within_one}"
        );
    }

    #[test]
    fn grouping_of_calls_does_not_change_the_stream() {
        let draw = |chunks: &[usize]| {
            let mut rng = ChaCha8Rng::seed_from_u64(9);
            let mut stream = GaussianStream::new();
            let mut out = Vec::new();
            for &len in chunks {
                let mut buf = vec![0.0; len];
                stream.fill_scaled(&mut rng, &mut buf, 1.0);
                out.extend(buf);
            }
            out
        };
        assert_eq!(draw(&[10]), draw(&[3, 3, 4]));
    }
}
