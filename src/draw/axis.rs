//! Axes with their own ticks, and the plot frame that maps values to pixels.
//!
//! Ticks are chosen here with plain arithmetic rather than by plotters' tick finder, which calls
//! the platform's `log10`/`powf`; the log axis maps through the pure-Rust `libm`. Every
//! coordinate is rounded to whole pixels by the same arithmetic on every machine.

use super::scene::{Align, Label, Mark};
use super::{AXIS_COLOUR, GRID_COLOUR, TICK_LENGTH, TICK_PX, TICK_TEXT_GAP};
use crate::format::{superscript, without_negative_zero};
use crate::numeric::nice;

/// A linear axis with its own "nice" ticks: steps of 1, 2, 2.5 or 5 times a power of ten, found
/// with multiplications only.
#[derive(Debug, Clone)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    decimals: usize,
    /// Tiny ticks are labelled in units of 10^unit_exponent (−5 0 5 with "×10⁻⁴" beside the
    /// axis) rather than as 0.0005; 0 when labels are plain numbers.
    unit_exponent: i32,
}

impl Axis {
    pub fn new(lo: f64, hi: f64, max_ticks: usize) -> Self {
        let span = hi - lo;
        // Smallest step of the form m·10^e giving at most `max_ticks` intervals.
        let mut exponent: i32 = -12;
        let (mantissa, exponent) = 'search: loop {
            for mantissa in nice::MANTISSAS {
                let step = nice::step(mantissa, exponent);
                if span / step <= max_ticks as f64 || exponent > 300 {
                    break 'search (mantissa, exponent);
                }
            }
            exponent += 1;
        };
        let step = nice::step(mantissa, exponent);
        let first = (lo / step).ceil() as i64;
        let last = (hi / step).floor() as i64;
        let ticks = (first..=last).map(|k| k as f64 * step).collect();
        // Decimals needed: a step of 25·10^-2 = 0.25 needs 2.
        let decimals = (i32::from(mantissa == 25) - exponent).max(0) as usize;
        let (decimals, unit_exponent) = if decimals > 3 {
            (usize::from(mantissa == 25), exponent)
        } else {
            (decimals, 0)
        };
        Axis {
            lo,
            hi,
            ticks,
            decimals,
            unit_exponent,
        }
    }

    /// A value in words outside the axis: its label, with the unit when it is not 1 ("5×10⁻⁴").
    pub fn value_text(&self, value: f64) -> String {
        if self.unit_exponent == 0 {
            self.label(value)
        } else {
            format!(
                "{}×10{}",
                self.label(value),
                superscript(&self.unit_exponent.to_string())
            )
        }
    }

    /// " (×10⁻⁴)" when labels are in a unit other than 1, for the axis description.
    pub fn unit_suffix(&self) -> String {
        if self.unit_exponent == 0 {
            String::new()
        } else {
            format!(" (×10{})", superscript(&self.unit_exponent.to_string()))
        }
    }

    pub fn label(&self, value: f64) -> String {
        let value = if self.unit_exponent == 0 {
            value
        } else {
            value / nice::step(10, self.unit_exponent)
        };
        without_negative_zero(format!("{value:.*}", self.decimals))
    }
}

/// A base-10 logarithmic axis over whole decades, with a tick at each power of ten (or every
/// few on a long axis). Maps with `libm::log10`, so a value lands on the same pixel everywhere.
#[derive(Debug, Clone)]
pub struct LogAxis {
    /// Exponents of the decades at the ends.
    low_exponent: i32,
    high_exponent: i32,
}

impl LogAxis {
    /// The smallest span of whole decades containing `[lo, hi]` (both positive).
    pub fn covering(lo: f64, hi: f64) -> Self {
        let low_exponent = libm::floor(libm::log10(lo)) as i32;
        let mut high_exponent = libm::ceil(libm::log10(hi)) as i32;
        if high_exponent <= low_exponent {
            high_exponent = low_exponent + 1;
        }
        LogAxis {
            low_exponent,
            high_exponent,
        }
    }
}

/// A base-10 logarithmic axis from a little below `lo` to a little above `hi` (any positive
/// numbers, not whole decades): a linear [`Axis`] over the values' logarithms, taken with `libm`.
/// Its ticks are at 1, 2 and 5 times a power of ten on a span of up to three decades (a sweep's
/// σ from 0.01 to 2), at powers of ten on a longer one, and at every few on a very long one.
#[derive(Debug, Clone)]
pub struct LogSpan {
    /// Over log10 of the values.
    log: Axis,
    ticks: Vec<f64>,
}

impl LogSpan {
    pub fn new(lo: f64, hi: f64) -> Self {
        let (log_lo, log_hi) = (libm::log10(lo), libm::log10(hi));
        // 3% of the span (of a decade at least) on either side, so the first and last points
        // clear the frame.
        let pad = 0.03 * (log_hi - log_lo).max(1.0);
        let log = Axis::new(log_lo - pad, log_hi + pad, 1);
        let decades = log.hi - log.lo;
        let mantissas: &[u32] = if decades <= 3.5 { &[10, 20, 50] } else { &[10] };
        // At most about eight labelled decades.
        let stride = (libm::ceil(decades / 8.0) as i32).max(1);
        let mut ticks = Vec::new();
        for exponent in libm::floor(log.lo) as i32..=libm::ceil(log.hi) as i32 {
            if exponent.rem_euclid(stride) != 0 {
                continue;
            }
            for &mantissa in mantissas {
                let tick = nice::step(mantissa, exponent);
                if (log.lo..=log.hi).contains(&libm::log10(tick)) {
                    ticks.push(tick);
                }
            }
        }
        LogSpan { log, ticks }
    }

    /// A tick's label: decimals from 0.0001 to 10000 ("0.02", "5"), else a power of ten ("10⁻⁶",
    /// "2×10⁻⁶").
    pub fn label(&self, tick: f64) -> String {
        let exponent = libm::floor(libm::log10(tick) + 1e-9) as i32;
        if (-4..5).contains(&exponent) {
            let decimals = (-exponent).max(0) as usize;
            format!("{tick:.decimals$}")
        } else {
            let power = format!("10{}", superscript(&exponent.to_string()));
            let mantissa = libm::round(tick / nice::decade(exponent));
            if mantissa == 1.0 {
                power
            } else {
                format!("{mantissa}×{power}")
            }
        }
    }
}

/// Either kind of axis, as a frame uses it.
#[derive(Debug, Clone)]
pub enum Scale {
    Linear(Axis),
    Log(LogAxis),
    LogSpan(LogSpan),
}

impl Scale {
    /// Where `value` lies between the ends of the axis: 0 at the low end, 1 at the high end.
    pub fn fraction(&self, value: f64) -> f64 {
        match self {
            Scale::Linear(axis) => (value - axis.lo) / (axis.hi - axis.lo),
            Scale::Log(axis) => {
                let span = f64::from(axis.high_exponent - axis.low_exponent);
                (libm::log10(value) - f64::from(axis.low_exponent)) / span
            }
            Scale::LogSpan(axis) => {
                (libm::log10(value) - axis.log.lo) / (axis.log.hi - axis.log.lo)
            }
        }
    }

    /// The ticks with their labels, low to high.
    pub fn ticks(&self) -> Vec<(f64, String)> {
        match self {
            Scale::Linear(axis) => axis.ticks.iter().map(|&t| (t, axis.label(t))).collect(),
            Scale::Log(axis) => {
                // At most about eight labelled decades: skip some on long axes.
                let decades = (axis.high_exponent - axis.low_exponent) as usize;
                let stride = decades.div_ceil(8).max(1);
                (axis.low_exponent..=axis.high_exponent)
                    .filter(|e| ((e - axis.low_exponent) as usize).is_multiple_of(stride))
                    .map(|e| {
                        (
                            nice::decade(e),
                            format!("10{}", superscript(&e.to_string())),
                        )
                    })
                    .collect()
            }
            Scale::LogSpan(axis) => axis.ticks.iter().map(|&t| (t, axis.label(t))).collect(),
        }
    }

    /// The widest tick label, estimated, at the tick font size.
    pub fn widest_label(&self) -> f64 {
        self.ticks()
            .iter()
            .map(|(_, text)| super::measure::text_width(text, TICK_PX))
            .fold(0.0, f64::max)
    }

    /// Half the width of the first and of the last tick label: how far they reach beyond the
    /// ends of a horizontal axis.
    pub fn end_label_halves(&self) -> (f64, f64) {
        let ticks = self.ticks();
        let half = |t: Option<&(f64, String)>| {
            t.map_or(0.0, |(_, text)| {
                super::measure::text_width(text, TICK_PX) / 2.0
            })
        };
        (half(ticks.first()), half(ticks.last()))
    }
}

/// A plot area in pixels and the scales mapped onto it.
#[derive(Debug, Clone)]
pub struct Frame {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
    pub x: Scale,
    pub y: Scale,
}

impl Frame {
    pub fn x_px(&self, value: f64) -> i32 {
        let fraction = self.x.fraction(value);
        (f64::from(self.left) + f64::from(self.right - self.left) * fraction).round() as i32
    }

    pub fn y_px(&self, value: f64) -> i32 {
        let fraction = self.y.fraction(value);
        (f64::from(self.bottom) + f64::from(self.top - self.bottom) * fraction).round() as i32
    }

    /// Horizontal grid lines at the y ticks (and vertical ones at the x ticks if `x_grid`).
    pub fn grid(&self, x_grid: bool) -> Vec<Mark> {
        let mut marks: Vec<Mark> = self
            .y
            .ticks()
            .iter()
            .map(|(v, _)| {
                let y = self.y_px(*v);
                Mark::line(vec![(self.left, y), (self.right, y)], GRID_COLOUR, 1)
            })
            .collect();
        if x_grid {
            marks.extend(self.x.ticks().iter().map(|(v, _)| {
                let x = self.x_px(*v);
                Mark::line(vec![(x, self.top), (x, self.bottom)], GRID_COLOUR, 1)
            }));
        }
        marks
    }

    /// The axis lines on the left and at the bottom, with tick marks outside the plot.
    pub fn axes(&self) -> Vec<Mark> {
        let mut marks = vec![
            Mark::line(
                vec![(self.left, self.top), (self.left, self.bottom)],
                AXIS_COLOUR,
                1,
            ),
            Mark::line(
                vec![(self.left, self.bottom), (self.right, self.bottom)],
                AXIS_COLOUR,
                1,
            ),
        ];
        for (v, _) in self.y.ticks() {
            let y = self.y_px(v);
            marks.push(Mark::line(
                vec![(self.left - TICK_LENGTH, y), (self.left, y)],
                AXIS_COLOUR,
                1,
            ));
        }
        for (v, _) in self.x.ticks() {
            let x = self.x_px(v);
            marks.push(Mark::line(
                vec![(x, self.bottom), (x, self.bottom + TICK_LENGTH)],
                AXIS_COLOUR,
                1,
            ));
        }
        marks
    }

    /// The x tick labels, centred under their ticks, their tops `below` pixels under the plot.
    pub fn x_labels(&self, below: i32) -> Vec<Label> {
        let y = self.bottom + below + (super::measure::ABOVE_EM * TICK_PX).ceil() as i32;
        self.x
            .ticks()
            .into_iter()
            .map(|(v, text)| Label::new(text, (self.x_px(v), y), TICK_PX, Align::Middle))
            .collect()
    }

    /// The y tick labels, right-aligned beside their ticks.
    pub fn y_labels(&self) -> Vec<Label> {
        let x = self.left - TICK_LENGTH - TICK_TEXT_GAP;
        self.y
            .ticks()
            .into_iter()
            .map(|(v, text)| Label::new(text, (x, self.y_px(v)), TICK_PX, Align::End))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks() {
        let axis = Axis::new(0.0, 1.0, 4);
        assert_eq!(axis.ticks, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(axis.label(0.25), "0.25");
        let axis = Axis::new(-1.0, 1.0, 4);
        assert_eq!(axis.ticks, vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert_eq!(axis.label(-0.5), "-0.5");
        let axis = Axis::new(0.0, 27_000.0, 5);
        assert_eq!(axis.ticks, vec![0.0, 10_000.0, 20_000.0]);
        assert_eq!(axis.label(20_000.0), "20000");
    }

    #[test]
    fn tiny_ticks_are_labelled_in_a_unit() {
        let axis = Axis::new(-0.0005, 0.0005, 2);
        assert_eq!(axis.label(-0.0005), "-5");
        assert_eq!(axis.value_text(0.0005), "5×10⁻⁴");
        assert_eq!(axis.unit_suffix(), " (×10⁻⁴)");
    }

    #[test]
    fn log_spans_tick_at_one_two_five_or_at_decades() {
        let axis = LogSpan::new(0.01, 2.0);
        assert_eq!(axis.ticks, [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]);
        let scale = Scale::LogSpan(axis);
        let labels: Vec<String> = scale.ticks().into_iter().map(|(_, l)| l).collect();
        assert_eq!(
            labels,
            ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2"]
        );
        // The ends clear the frame; a decade is as long anywhere on the axis.
        let (first, last) = (scale.fraction(0.01), scale.fraction(2.0));
        assert!(first > 0.0 && last < 1.0, "{first} {last}");
        let decade = |v: f64| scale.fraction(v * 10.0) - scale.fraction(v);
        assert!((decade(0.01) - decade(0.1)).abs() < 1e-12);
        // Six decades: powers of ten only; tiny and huge ones as powers.
        let long = LogSpan::new(1e-7, 0.1);
        assert_eq!(long.ticks.len(), 7, "{:?}", long.ticks);
        assert_eq!(long.label(1e-7), "10⁻⁷");
        assert_eq!(long.label(2e-6), "2×10⁻⁶");
        assert_eq!(long.label(1e-3), "0.001");
        // Sixty decades: every eighth or so, still a handful of labels.
        let huge = LogSpan::new(1e-40, 1e20);
        assert!((4..=10).contains(&huge.ticks.len()), "{:?}", huge.ticks);
    }

    #[test]
    fn frames_map_values_to_pixels() {
        let frame = Frame {
            left: 10,
            top: 20,
            right: 110,
            bottom: 220,
            x: Scale::Linear(Axis::new(0.0, 1.0, 4)),
            y: Scale::Log(LogAxis::covering(0.002, 0.5)),
        };
        assert_eq!(
            (frame.x_px(0.0), frame.x_px(0.5), frame.x_px(1.0)),
            (10, 60, 110)
        );
        // Decades 10⁻³ … 10⁰: 10⁻² is a third of the way up.
        assert_eq!(
            (frame.y_px(0.001), frame.y_px(0.01), frame.y_px(1.0)),
            (220, 153, 20)
        );
        let labels: Vec<String> = frame.y_labels().into_iter().map(|l| l.text).collect();
        assert_eq!(labels, ["10⁻³", "10⁻²", "10⁻¹", "10⁰"]);
    }
}
