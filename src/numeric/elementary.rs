//! `exp`, `tanh` and `ln` from `+ − × ÷` and bit operations only.
//!
//! Why not `f64::exp`: it calls the platform's C library, whose last bits differ between
//! operating systems and (glibc picks an FMA variant at run time) between CPUs. The `libm` crate
//! fixes that, but at ~16 ns a call it was the largest cost of a sigmoid experiment. IEEE 754
//! defines `+ − × ÷` exactly, so functions built from them alone give the same bits everywhere —
//! and the compiler can vectorise them. The tests hold them to ≤ 1 ulp of `libm` for `exp` and a
//! tiny absolute error for `tanh`.
//!
//! Method: Cody–Waite range reduction `x = k·ln 2 + r`, `|r| ≤ ln 2 / 2`, then the Taylor series
//! of `e^r − 1` to degree 13 (truncation error below 5·10⁻¹⁸), then scaling by `2^k` through the
//! exponent bits.

use super::lanes::Values;

/// `ln 2` split so that `k · LN2_HI` is exact for every `|k| < 2^11`.
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// 1.5·2^52, see [`round_to_integer`].
const ROUND_TO_INT: f64 = 6_755_399_441_055_744.0;
/// Above this, `e^x` overflows to infinity.
const EXP_OVERFLOW: f64 = 709.782_712_893_384;
/// Below this, `e^x` underflows to zero.
const EXP_UNDERFLOW: f64 = -745.133_219_101_941_1;

/// `e^r − 1` for `|r| ≤ ln 2 / 2`, Taylor to degree 13 in Horner form. Starting from the
/// smallest terms keeps the rounding error near one ulp; leaving out the leading 1 keeps full
/// relative precision for tiny `r`.
#[inline(always)]
fn expm1_reduced<V: Values>(r: V) -> V {
    // 1/k! for k = 2..13
    const INV_FACTORIAL: [f64; 12] = [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let mut poly = V::splat(INV_FACTORIAL[11]);
    for &c in INV_FACTORIAL[..11].iter().rev() {
        poly = V::splat(c) + r * poly;
    }
    r + r * (r * poly)
}

/// Adds and subtracts 1.5·2^52: rounds a double of magnitude < 2^51 to the nearest integer.
#[inline(always)]
fn round_to_integer<V: Values>(x: V) -> V {
    (x + V::splat(ROUND_TO_INT)) - V::splat(ROUND_TO_INT)
}

/// `2^k` for an integral `k` in `[-1022, 1023]`, built in the exponent bits. Adding
/// `1023 + 1.5·2^52` puts `k + 1023` in the low mantissa bits; shifting left by 52 moves it into
/// the exponent field and drops the rest.
#[inline(always)]
fn power_of_two<V: Values>(k: V) -> V {
    (k + V::splat(1023.0 + ROUND_TO_INT)).map(|biased| f64::from_bits(biased.to_bits() << 52))
}

/// `e^x = 2^k · e^r` with `x = k·ln 2 + r`, returned as `(k, e^r − 1)`.
#[inline(always)]
fn reduce<V: Values>(x: V) -> (V, V) {
    let k = round_to_integer(x * V::splat(std::f64::consts::LOG2_E));
    let r = (x - k * V::splat(LN2_HI)) - k * V::splat(LN2_LO);
    (k, expm1_reduced(r))
}

/// `e^x`, of one value or of a [`Block`](super::lanes::Block) of them. Branch-free for one value
/// (comparisons compile to selects), so loops over it vectorise; NaN propagates through the
/// arithmetic.
#[inline(always)]
pub fn exp<V: Values>(x: V) -> V {
    // The result is `(1 + em1) · 2^k` rounded once. When 2^k is a normal double, one product
    // does that. Beyond, 2^k is taken as 2^k1 · 2^k2 with both halves normal: the first product
    // is exact, the second rounds once, also when the result is subnormal or overflows. The two
    // ways round the same exact value once, so they agree to the bit.
    //
    // A block whose every x is within ±708 takes the shorter way: there k = round(x / ln 2)
    // is within ±1022, and the clamp below would change nothing.
    if x.all_for_a_shortcut(|x| (-708.0..=708.0).contains(&x)) {
        let (k, em1) = reduce(x);
        return (V::splat(1.0) + em1) * power_of_two(k);
    }
    // Beyond these the result is 0 or ∞ anyway; clamping keeps k within [-1075, 1024].
    let x = x.map(|x| {
        if x < EXP_UNDERFLOW {
            EXP_UNDERFLOW - 1.0
        } else if x > EXP_OVERFLOW {
            EXP_OVERFLOW + 1.0
        } else {
            x
        }
    });
    let (k, em1) = reduce(x);
    let k1 = round_to_integer(k * V::splat(0.5) - V::splat(0.25));
    let k2 = k - k1;
    (V::splat(1.0) + em1) * power_of_two(k1) * power_of_two(k2)
}

/// `e^x − 1` for `x` in `[0, 40]`, accurate also for tiny `x`.
#[inline(always)]
fn expm1_small_range<V: Values>(x: V) -> V {
    let (k, em1) = reduce(x);
    // 2^k·(1 + em1) − 1 = 2^k·em1 + (2^k − 1): both terms exact for k ≤ 53, one rounding.
    let scale = power_of_two(k);
    scale * em1 + (scale - V::splat(1.0))
}

/// `tanh(x) = (e^{2x} − 1) / (e^{2x} + 1)`, written with `expm1` so small `x` keep their
/// relative precision. Branch-free like [`exp`].
#[inline(always)]
pub fn tanh<V: Values>(x: V) -> V {
    // tanh(20) = 1 − 8.5·10⁻¹⁸, which is 1.0 in double precision.
    let magnitude = x.map(|x| {
        let magnitude = x.abs();
        if magnitude > 20.0 { 20.0 } else { magnitude }
    });
    let e = expm1_small_range(V::splat(2.0) * magnitude);
    (e / (e + V::splat(2.0))).zip(x, f64::copysign)
}

/// `1 / (1 + e^−x)`.
#[inline(always)]
pub fn sigmoid<V: Values>(x: V) -> V {
    V::splat(1.0) / (V::splat(1.0) + exp(-x))
}

/// `ln x` for a positive, normal, finite `x`: exactly the bits of `libm::log` (the musl and
/// FreeBSD algorithm), operation for operation, without its branches for zero, negative,
/// subnormal, infinite and NaN arguments, so that loops over it vectorise.
///
/// Why a copy: the normal draws take one logarithm per pair, and `libm::log`'s branches kept
/// that loop scalar — half of their time. Every operation below is the one `libm` performs, in
/// its order (Rust does not fuse or reorder them), so the results are its bits; a test holds the
/// two together.
#[inline(always)]
pub fn ln_of_normal(x: f64) -> f64 {
    const LG1: f64 = 6.666_666_666_666_735e-1;
    const LG2: f64 = 3.999_999_999_940_942e-1;
    const LG3: f64 = 2.857_142_874_366_239e-1;
    const LG4: f64 = 2.222_219_843_214_978_4e-1;
    const LG5: f64 = 1.818_357_216_161_805e-1;
    const LG6: f64 = 1.531_383_769_920_937_3e-1;
    const LG7: f64 = 1.479_819_860_511_658_6e-1;
    /// 2^52: `2^52 + e` has the integer `e < 2^52` in its low mantissa bits.
    const TWO_TO_52: f64 = 4_503_599_627_370_496.0;
    debug_assert!(x >= f64::MIN_POSITIVE && x.is_finite(), "ln_of_normal({x})");
    let bits = x.to_bits();
    // Reduce x into [√2/2, √2): the high word shifted so that the exponent counts from √2/2.
    let high = (bits >> 32) + (0x3ff0_0000 - 0x3fe6_a09e);
    let biased_exponent = high >> 20;
    let high = (high & 0x000f_ffff) + 0x3fe6_a09e;
    let x = f64::from_bits((high << 32) | (bits & 0xffff_ffff));
    // `k as f64` for k = biased_exponent − 1023, through the mantissa (both steps exact).
    let dk = f64::from_bits(TWO_TO_52.to_bits() | biased_exponent) - (TWO_TO_52 + 1023.0);

    let f = x - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps_apart(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    /// Deterministic pseudo-random doubles in `[lo, hi)`.
    fn sweep(lo: f64, hi: f64, count: u64) -> impl Iterator<Item = f64> {
        (0..count).map(move |i| {
            let h = (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            lo + (hi - lo) * ((h >> 11) as f64 / (1u64 << 53) as f64)
        })
    }

    #[test]
    fn exp_is_within_one_ulp_of_libm() {
        let mut worst = 0;
        for x in sweep(-745.0, 709.7, 200_000)
            .chain(sweep(-5.0, 5.0, 200_000))
            .chain(sweep(-1e-6, 1e-6, 10_000))
        {
            let (ours, reference) = (exp(x), libm::exp(x));
            if reference >= f64::MIN_POSITIVE {
                worst = worst.max(ulps_apart(ours, reference));
            } else {
                // Subnormal results carry fewer bits; compare absolutely.
                assert!(
                    (ours - reference).abs() <= 2.0 * f64::from_bits(1),
                    "exp({x})"
                );
            }
        }
        assert!(worst <= 1, "worst error {worst} ulp");
    }

    #[test]
    fn exp_special_values() {
        assert_eq!(exp(0.0), 1.0);
        assert!(ulps_apart(exp(1.0), std::f64::consts::E) <= 1);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(-746.0), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert!(exp(709.78).is_finite());
    }

    /// The same functions over blocks give each value's bits. The runs are chosen so that many
    /// blocks take `exp`'s one-product shortcut right up to its ends (|x| ≤ 708: k down to
    /// −1021 and up to 1021), and many just beyond them.
    #[test]
    fn blocks_give_the_bits_of_single_values() {
        use crate::numeric::lanes::Block;
        const N: usize = 64;
        let runs = [
            (-708.0, -707.0),
            (-708.0, -700.0),
            (-745.2, -700.0),
            (707.0, 708.0),
            (700.0, 708.0),
            (700.0, 710.0),
            (-40.0, 40.0),
            (-1e-3, 1e-3),
        ];
        let mut values: Vec<f64> = runs
            .iter()
            .flat_map(|&(lo, hi)| sweep(lo, hi, 64 * N as u64))
            .collect();
        values.extend([0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN]);
        values.extend([f64::MIN_POSITIVE, 5e-324, 1e300, -1e300]);
        type Both = (&'static str, fn(f64) -> f64, fn(Block<N>) -> Block<N>);
        let functions: [Both; 3] = [
            ("exp", exp, exp),
            ("tanh", tanh, tanh),
            ("sigmoid", sigmoid, sigmoid),
        ];
        for (name, one, block) in functions {
            for chunk in values.chunks(N) {
                let mut padded = [0.0; N];
                padded[..chunk.len()].copy_from_slice(chunk);
                let blockwise = block(Block(padded));
                for (&x, y) in chunk.iter().zip(blockwise.0) {
                    assert_eq!(one(x).to_bits(), y.to_bits(), "{name}({x:e})");
                }
            }
        }
    }

    #[test]
    fn tanh_matches_libm() {
        for x in sweep(-25.0, 25.0, 200_000).chain(sweep(-0.5, 0.5, 100_000)) {
            let (ours, reference) = (tanh(x), libm::tanh(x));
            assert!(
                (ours - reference).abs() <= 4.0 * f64::EPSILON * reference.abs().max(1e-300),
                "tanh({x}) = {ours}, libm {reference}"
            );
        }
        for x in sweep(-1e-8, 1e-8, 10_000) {
            assert!(ulps_apart(tanh(x), libm::tanh(x)) <= 2, "tiny x = {x}");
        }
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(tanh(-30.0), -1.0);
        assert_eq!(tanh(f64::INFINITY), 1.0);
        assert!(tanh(f64::NAN).is_nan());
    }

    #[test]
    fn ln_of_normal_is_libms_log_bit_for_bit() {
        let check = |x: f64| {
            if x < f64::MIN_POSITIVE {
                // Subnormal: outside what `ln_of_normal` is for.
                return;
            }
            assert_eq!(
                ln_of_normal(x).to_bits(),
                libm::log(x).to_bits(),
                "ln({x:e})"
            );
        };
        for x in sweep(0.0, 1.0, 300_000)
            .chain(sweep(0.999, 1.001, 50_000))
            .chain(sweep(1.0, 1e6, 50_000))
            .filter(|&x| x >= f64::MIN_POSITIVE)
        {
            check(x);
        }
        // Every binade, around √2/2 and √2 where the reduction changes k, and the ends.
        for e in -1022..=1023 {
            let p = 2f64.powi(e);
            for m in [
                1.0,
                1.5,
                std::f64::consts::FRAC_1_SQRT_2,
                std::f64::consts::SQRT_2,
            ] {
                check(p * m);
                check(f64::from_bits((p * m).to_bits() + 1));
                check(f64::from_bits((p * m).to_bits() - 1));
            }
        }
        for x in [
            f64::MIN_POSITIVE,
            f64::MAX,
            1.0,
            2.0,
            2f64.powi(-102),
            1.0 - f64::EPSILON / 2.0,
        ] {
            check(x);
        }
    }
}
