//! Keeping the accepted candidates of the normal sampler: moving values, no arithmetic, so every
//! path gives the same result; they differ only in speed.

use super::{InstructionSet, Path};

/// Moves the candidate pairs `(us[i], vs[i])` whose `squares[i] = u² + v²` lies strictly
/// between 0 and 1 (the polar method's acceptance; NaN is rejected) to the front of the three
/// slices, in order, and returns how many there are. What is left behind them is unspecified.
///
/// Panics if the slices differ in length.
pub fn compact_accepted(path: Path, us: &mut [f64], vs: &mut [f64], squares: &mut [f64]) -> usize {
    assert!(
        us.len() == vs.len() && vs.len() == squares.len(),
        "one square per pair"
    );
    match path.instruction_set() {
        // SAFETY: a `Path` naming AVX-512 exists only when the CPU has it.
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx512 => unsafe { x86::compact_avx512(us, vs, squares) },
        _ => compact_from(us, vs, squares, 0, 0),
    }
}

/// The candidates from `first` on, after `count ≤ first` kept ones, one by one and branch-free:
/// every candidate is copied down, only accepted ones advance. Returns the new count.
fn compact_from(
    us: &mut [f64],
    vs: &mut [f64],
    squares: &mut [f64],
    first: usize,
    mut count: usize,
) -> usize {
    for i in first..squares.len() {
        let s = squares[i];
        us[count] = us[i];
        vs[count] = vs[i];
        squares[count] = s;
        count += usize::from(s > 0.0 && s < 1.0);
    }
    count
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Eight candidates at a time: the acceptance mask, then each slice's accepted values
    /// compressed into place. The store never passes the vector just read (`count ≤ i`).
    #[target_feature(enable = "avx512f,popcnt")]
    pub(super) fn compact_avx512(us: &mut [f64], vs: &mut [f64], squares: &mut [f64]) -> usize {
        let len = squares.len();
        let (zero, one) = (_mm512_setzero_pd(), _mm512_set1_pd(1.0));
        let mut count = 0;
        let mut i = 0;
        while i + 8 <= len {
            // SAFETY: `i + 8 ≤ len` for the loads; the compressed stores write
            // `popcount(accepted) ≤ 8` values from `count ≤ i`, so inside each slice.
            unsafe {
                let s = _mm512_loadu_pd(squares.as_ptr().add(i));
                // Ordered comparisons: false for NaN, as `s > 0.0 && s < 1.0` is.
                let accepted = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(s, zero)
                    & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(s, one);
                let u = _mm512_loadu_pd(us.as_ptr().add(i));
                let v = _mm512_loadu_pd(vs.as_ptr().add(i));
                _mm512_mask_compressstoreu_pd(us.as_mut_ptr().add(count).cast(), accepted, u);
                _mm512_mask_compressstoreu_pd(vs.as_mut_ptr().add(count).cast(), accepted, v);
                _mm512_mask_compressstoreu_pd(squares.as_mut_ptr().add(count).cast(), accepted, s);
                count += accepted.count_ones() as usize;
            }
            i += 8;
        }
        super::compact_from(us, vs, squares, i, count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_keeps_the_same_pairs() {
        for len in [0, 1, 7, 8, 9, 64, 127, 128] {
            let squares: Vec<f64> = (0..len)
                .map(|i: usize| match i % 11 {
                    0 => 0.0,
                    1 => 1.0,
                    2 => f64::NAN,
                    3 => -0.0,
                    4 => 1.5,
                    5 => f64::MIN_POSITIVE,
                    6 => 1.0 - f64::EPSILON / 2.0,
                    _ => (i as f64 * 0.37) % 1.3,
                })
                .collect();
            let us: Vec<f64> = (0..len).map(|i| i as f64).collect();
            let vs: Vec<f64> = (0..len).map(|i| -(i as f64)).collect();
            let kept: Vec<usize> = (0..len)
                .filter(|&i| squares[i] > 0.0 && squares[i] < 1.0)
                .collect();
            for path in Path::supported() {
                let (mut u, mut v, mut s) = (us.clone(), vs.clone(), squares.clone());
                let count = compact_accepted(path, &mut u, &mut v, &mut s);
                assert_eq!(count, kept.len(), "{path}, {len} candidates");
                for (slot, &i) in kept.iter().enumerate() {
                    assert_eq!(
                        (u[slot], v[slot], s[slot].to_bits()),
                        (us[i], vs[i], squares[i].to_bits()),
                        "{path}, {len} candidates, slot {slot}"
                    );
                }
            }
        }
    }
}
