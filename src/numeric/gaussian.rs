//! Standard normal samples that are the same bits on every machine.
//!
//! Why not `rand_distr::StandardNormal`: its ziggurat computes tail samples with `ln` and tests
//! acceptance with `exp` through `num_traits::Float`. As soon as any crate in the build enables
//! `num-traits/std` (ndarray and plotters both do), those calls go to the platform's C maths
//! library, whose last bits differ between operating systems and, with glibc's FMA variants,
//! between CPUs. A reader on another machine would then get a slightly different figure.
//!
//! So we use the Marsaglia polar method, whose only transcendental is a logarithm: the pure-Rust
//! `libm` crate's, repeated operation for operation in a vectorisable form
//! ([`ln_of_normal`]); `sqrt` is exactly rounded by IEEE 754 everywhere. Uniforms come
//! from `rand_distr`'s `Uniform` arithmetic (written out here, held to it by a test), which is
//! plain integer and float arithmetic.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::elementary::ln_of_normal;
use super::kernels::compact::compact_accepted;
use super::kernels::keystream::KeyStream;
use super::kernels::{Path, elementwise, multiversion};
#[cfg(test)]
use rand_distr::{Distribution, Uniform};

/// Candidate pairs drawn and tested together by [`GaussianStream::fill_scaled`].
const BATCH: usize = 128;

/// An endless stream of N(0, 1) values drawn from one RNG.
///
/// The polar method makes values in pairs; the second of a pair is kept and returned by the
/// next call. So the stream of values depends only on the RNG's stream, not on how the caller
/// groups its calls — matrices drawn one after another see one continuous sequence.
#[derive(Debug, Clone, Default)]
pub struct GaussianStream {
    pending: Option<f64>,
}

impl GaussianStream {
    pub fn new() -> Self {
        GaussianStream { pending: None }
    }

    /// The next standard normal value.
    pub fn next<R: Rng + ?Sized>(&mut self, rng: &mut R) -> f64 {
        if let Some(value) = self.pending.take() {
            return value;
        }
        loop {
            let u = symmetric_unit(rng.next_u64());
            let v = symmetric_unit(rng.next_u64());
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let factor = polar_factor(s);
                self.pending = Some(v * factor);
                return u * factor;
            }
        }
    }

    /// Fills `values` in order with the next standard normal values, each multiplied by `scale`:
    /// the same values as calling [`next`](Self::next) for each, from the same RNG draws.
    ///
    /// Faster than that: candidate pairs are drawn in batches, tested together, the accepted
    /// ones compacted, and their logarithms taken in one tight loop. A batch never holds more
    /// candidates than pairs still needed, so it never draws a number `next` would not have
    /// drawn, and the RNG is left exactly where `next` would leave it.
    pub fn fill_scaled(&mut self, rng: &mut ChaCha8Rng, values: &mut [f64], scale: f64) {
        let mut values = values;
        if let Some(value) = self.pending.take() {
            match values.split_first_mut() {
                Some((first, rest)) => {
                    *first = value * scale;
                    values = rest;
                }
                None => {
                    self.pending = Some(value);
                    return;
                }
            }
        }
        // Four 32-bit words per candidate pair: `next_u64` is two words, the low one first.
        let mut words = [0u32; 4 * BATCH];
        let mut us = [0.0; BATCH];
        let mut vs = [0.0; BATCH];
        // The pairs' `s = u² + v²`, then, in place, the accepted ones' factors.
        let mut factors = [0.0; BATCH];
        let path = Path::fastest();
        let mut key_stream = KeyStream::new(path, rng);
        while !values.is_empty() {
            let batch = values.len().div_ceil(2).min(BATCH);
            key_stream.fill(&mut words[..4 * batch]);
            candidate_pairs(
                path,
                &words[..4 * batch],
                &mut us[..batch],
                &mut vs[..batch],
                &mut factors[..batch],
            );
            let count = compact_accepted(
                path,
                &mut us[..batch],
                &mut vs[..batch],
                &mut factors[..batch],
            );
            elementwise::map_in_place(path, &mut factors[..count], polar_factor);
            // Whole pairs, then, if `values` ends inside the last pair, its first value (the
            // second waits in `pending`).
            let pairs = count.min(values.len() / 2);
            let (filled, rest) = std::mem::take(&mut values).split_at_mut(2 * pairs);
            scale_pairs(
                path,
                filled,
                &us[..pairs],
                &vs[..pairs],
                &factors[..pairs],
                scale,
            );
            values = rest;
            if pairs < count {
                assert!(
                    count == pairs + 1 && values.len() == 1,
                    "a batch holds no more pairs than values needed"
                );
                let (u, v, factor) = (us[pairs], vs[pairs], factors[pairs]);
                values[0] = u * factor * scale;
                self.pending = Some(v * factor);
                values = &mut [];
            }
        }
    }
}

multiversion! {
    /// Each candidate pair `(u, v)` from its four random words, and `s = u² + v²`.
    fn candidate_pairs(words: &[u32], us: &mut [f64], vs: &mut [f64], squares: &mut [f64]) {
        let next_u64 = |low: u32, high: u32| u64::from(low) | (u64::from(high) << 32);
        for (((pair, u), v), s) in words.chunks_exact(4).zip(us).zip(vs).zip(squares) {
            *u = symmetric_unit(next_u64(pair[0], pair[1]));
            *v = symmetric_unit(next_u64(pair[2], pair[3]));
            *s = *u * *u + *v * *v;
        }
    }
}

multiversion! {
    /// `values[2i] = u_i · factor_i · scale`, `values[2i + 1] = v_i · factor_i · scale`.
    fn scale_pairs(values: &mut [f64], us: &[f64], vs: &[f64], factors: &[f64], scale: f64) {
        for (((pair, &u), &v), &factor) in values.chunks_exact_mut(2).zip(us).zip(vs).zip(factors) {
            pair[0] = u * factor * scale;
            pair[1] = v * factor * scale;
        }
    }
}

/// A uniform value in `[-1, 1)` from 64 random bits, exactly as `rand_distr`'s
/// `Uniform::new(-1.0, 1.0)` makes it (its scale is 2 and its offset −1): the top 52 bits as
/// the mantissa of a number in `[1, 2)`, minus 1, times 2, minus 1. Written out so the batched
/// draw can use it; a test holds it to `Uniform`.
#[inline(always)]
fn symmetric_unit(bits: u64) -> f64 {
    let one_to_two = f64::from_bits((bits >> 12) | (1023 << 52));
    (one_to_two - 1.0) * 2.0 + -1.0
}

/// The polar method's `√(−2 ln s / s)` for an accepted `s` (in (0, 1), and at least 2⁻¹⁰²
/// since `u` and `v` are multiples of 2⁻⁵¹: a normal number). `ln` gives `libm::log`'s bits, in
/// a form that vectorises; `sqrt` is exact everywhere.
#[inline(always)]
fn polar_factor(s: f64) -> f64 {
    (-2.0 * ln_of_normal(s) / s).sqrt()
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
    fn symmetric_unit_is_rand_distrs_uniform() {
        let uniform = Uniform::new(-1.0, 1.0).unwrap();
        let mut ours = ChaCha8Rng::seed_from_u64(4);
        let mut theirs = ours.clone();
        for _ in 0..100_000 {
            let value: f64 = uniform.sample(&mut theirs);
            assert_eq!(symmetric_unit(ours.next_u64()).to_bits(), value.to_bits());
        }
    }

    /// The batched fill against one `next` at a time, for lengths around the batch size and
    /// odd ones (a value left pending), with the RNG left at the same place.
    #[test]
    fn fill_scaled_is_next_times_scale() {
        for lengths in [
            &[1usize][..],
            &[2, 3],
            &[255, 256, 257, 1],
            &[1000, 3, 0, 7],
        ] {
            let mut rng = ChaCha8Rng::seed_from_u64(11);
            let mut stream = GaussianStream::new();
            let mut reference_rng = rng.clone();
            let mut reference = GaussianStream::new();
            for &len in lengths {
                let mut filled = vec![0.0; len];
                stream.fill_scaled(&mut rng, &mut filled, 0.37);
                for value in filled {
                    let expected = reference.next(&mut reference_rng) * 0.37;
                    assert_eq!(value.to_bits(), expected.to_bits(), "{lengths:?}");
                }
            }
            assert_eq!(rng.next_u64(), reference_rng.next_u64(), "{lengths:?}");
        }
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
