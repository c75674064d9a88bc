//! "Nice" numbers — 1, 2, 2.5 and 5 times a power of ten — found with multiplications and
//! divisions only (no platform `log10` or `powf`), so they are the same bits on every machine.
//! The automatic range of a gradient histogram and the ticks of every drawn axis use them.
//!
//! Each function keeps the exact arithmetic it has always had: a different order of the same
//! operations can round differently, and that would move a histogram edge or an axis tick.

/// The mantissas of the nice numbers, in tenths: 1, 2, 2.5 and 5.
pub const MANTISSAS: [u32; 4] = [10, 20, 25, 50];

/// `mantissa / 10 · 10^exponent`, correctly rounded: the power of ten is an exact product of
/// integers (up to 10²²), divided once.
pub fn step(mantissa: u32, exponent: i32) -> f64 {
    let mut scale = 1.0f64;
    for _ in 0..exponent.unsigned_abs() {
        scale *= 10.0;
    }
    if exponent >= 0 {
        f64::from(mantissa) * scale / 10.0
    } else {
        f64::from(mantissa) / (scale * 10.0)
    }
}

/// `10^exponent` by repeated multiplication or division by 10, starting from 1.
pub fn decade(exponent: i32) -> f64 {
    let mut value = 1.0f64;
    for _ in 0..exponent.unsigned_abs() {
        value = if exponent >= 0 {
            value * 10.0
        } else {
            value / 10.0
        };
    }
    value
}

/// The smallest nice number ≥ `value`; 1 for zero, negative or non-finite values.
pub fn at_least(value: f64) -> f64 {
    if !(value > 0.0 && value.is_finite()) {
        return 1.0;
    }
    let mut scale = 1.0;
    while scale > value {
        scale /= 10.0;
    }
    while scale * 10.0 <= value {
        scale *= 10.0;
    }
    MANTISSAS
        .into_iter()
        .chain([100])
        .map(|tenths| f64::from(tenths) / 10.0 * scale)
        .find(|&bound| bound >= value)
        .expect("10 × scale exceeds value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_nice_number_at_least() {
        assert_eq!(at_least(0.7), 1.0);
        assert_eq!(at_least(1.0), 1.0);
        assert_eq!(at_least(1.3), 2.0);
        assert_eq!(at_least(0.00023), 0.00025);
        assert_eq!(at_least(0.0), 1.0);
        assert_eq!(at_least(f64::NAN), 1.0);
    }

    #[test]
    fn steps_and_decades() {
        assert_eq!(step(25, -1), 0.25);
        assert_eq!(step(25, -2), 0.025);
        assert_eq!(step(50, 3), 5000.0);
        assert_eq!(decade(3), 1000.0);
        assert_eq!(decade(-1), 0.1);
        assert_eq!(decade(0), 1.0);
    }
}
