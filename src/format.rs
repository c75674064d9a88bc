//! Numbers as the site prints them: in the prose (`{id.layer5.std:.2}`), in statistics tables and
//! on axis labels. One set of rules everywhere: NaN and infinities in words, exponents as
//! superscripts, and never a "-0".

use std::fmt::Write;

/// A number read from an outcome: a real statistic, or a count (printed whole by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Real(f64),
    Count(u64),
}

/// How to print a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// `:.N` — N decimals. The default for real numbers is 3; counts print whole.
    Fixed(usize),
    /// `:.N%` — times 100, N decimals, a percent sign.
    Percent(usize),
    /// `:.Ne` — scientific, N decimals in the mantissa.
    Scientific(usize),
}

impl NumberFormat {
    pub fn format(self, value: Number) -> String {
        let real = match value {
            Number::Count(n) if matches!(self, NumberFormat::Fixed(0)) => return n.to_string(),
            Number::Count(n) => n as f64,
            Number::Real(x) => x,
        };
        // An overflowed or diverged experiment: say so rather than print digits.
        if real.is_nan() {
            return "NaN".to_string();
        }
        if real.is_infinite() {
            return if real > 0.0 { "∞" } else { "−∞" }.to_string();
        }
        let mut out = String::new();
        match self {
            NumberFormat::Fixed(decimals) => write!(out, "{real:.decimals$}"),
            NumberFormat::Percent(decimals) => write!(out, "{:.decimals$}%", real * 100.0),
            NumberFormat::Scientific(decimals) => {
                // 1.2e-4 → 1.2 × 10⁻⁴, which reads better in prose.
                let text = format!("{real:.decimals$e}");
                let (mantissa, exponent) = text.split_once('e').expect("{:e} always has an e");
                write!(out, "{mantissa} × 10{}", superscript(exponent))
            }
        }
        .expect("writing to a String cannot fail");
        without_negative_zero(out)
    }
}

/// An exponent in superscript digits: "-4" → "⁻⁴". Other characters are kept.
pub fn superscript(exponent: &str) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    exponent
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0'..='9' => DIGITS[c as usize - '0' as usize],
            other => other,
        })
        .collect()
}

/// A number printed with a minus sign that rounds to zero ("-0.000", "-0.0%") is zero: drop the
/// sign.
pub fn without_negative_zero(mut text: String) -> String {
    if text.starts_with('-') && text[1..].chars().all(|c| matches!(c, '0' | '.' | '%')) {
        text.remove(0);
    }
    text
}

/// A bound as the reference writes it: 10000000 → "10⁷", 20000000 → "2·10⁷"; other numbers as
/// they are.
pub fn power_of_ten(n: u128) -> String {
    let text = n.to_string();
    let zeros = text.len() - text.trim_end_matches('0').len();
    let mantissa = &text[..text.len() - zeros];
    match (mantissa, zeros) {
        (_, 0..=2) => text,
        ("1", _) => format!("10{}", superscript(&zeros.to_string())),
        (m, _) if m.len() == 1 => format!("{m}·10{}", superscript(&zeros.to_string())),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(
            NumberFormat::Fixed(3).format(Number::Real(0.12345)),
            "0.123"
        );
        assert_eq!(
            NumberFormat::Percent(1).format(Number::Real(0.12345)),
            "12.3%"
        );
        assert_eq!(
            NumberFormat::Scientific(1).format(Number::Real(0.000123)),
            "1.2 × 10⁻⁴"
        );
        assert_eq!(NumberFormat::Fixed(0).format(Number::Count(42)), "42");
        assert_eq!(NumberFormat::Fixed(2).format(Number::Real(-0.0001)), "0.00");
        assert_eq!(
            NumberFormat::Scientific(1).format(Number::Real(f64::INFINITY)),
            "∞"
        );
        assert_eq!(
            NumberFormat::Percent(1).format(Number::Real(f64::NAN)),
            "NaN"
        );
    }

    #[test]
    fn superscripts_and_negative_zero() {
        assert_eq!(superscript("-12"), "⁻¹²");
        assert_eq!(superscript("+3"), "+³");
        assert_eq!(without_negative_zero("-0.00".to_string()), "0.00");
        assert_eq!(without_negative_zero("-0.5".to_string()), "-0.5");
        assert_eq!(without_negative_zero("-0".to_string()), "0");
    }

    #[test]
    fn powers_of_ten() {
        assert_eq!(power_of_ten(10_000_000), "10⁷");
        assert_eq!(power_of_ten(20_000_000), "2·10⁷");
        assert_eq!(power_of_ten(200_000_000_000), "2·10¹¹");
        assert_eq!(power_of_ten(250), "250");
        assert_eq!(power_of_ten(12_000), "12000");
    }
}
