//! Draw stage: experiment results → SVG text. Knows nothing about pages.
//!
//! Determinism: plotters' SVG backend alone (no `ttf` feature), so text is never measured with the
//! machine's fonts; axis ticks are chosen here with plain arithmetic instead of plotters' own
//! tick finder, which calls the platform's `log10`/`powf`. Every coordinate is rounded to whole
//! pixels by the same arithmetic on every machine.

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::numeric::ExperimentResult;
use crate::parse::ExperimentSpec;

/// Figure width in SVG pixels; pages scale it to the text column.
const WIDTH: u32 = 820;
/// Height of one row of panels.
const ROW_HEIGHT: u32 = 250;
/// Panels per row, at most.
const MAX_COLUMNS: usize = 5;
const FONT: &str = "sans-serif";
const BAR_COLOUR: RGBColor = RGBColor(0x2f, 0x6d, 0xb5);
const AXIS_COLOUR: RGBColor = RGBColor(0x44, 0x44, 0x44);
const GRID_COLOUR: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const NOTE_COLOUR: RGBColor = RGBColor(0xa0, 0x3c, 0x1e);

/// One histogram panel per layer, all on a shared y scale, as an SVG document.
pub fn draw_histograms(spec: &ExperimentSpec, result: &ExperimentResult) -> String {
    let layers = &result.layers;
    let columns = layers.len().clamp(1, MAX_COLUMNS);
    let rows = layers.len().div_ceil(columns).max(1);
    let height = ROW_HEIGHT * rows as u32;
    let (lo, hi) = spec.params.range;
    let tallest = layers
        .iter()
        .flat_map(|layer| layer.counts.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let x_axis = Axis::new(lo, hi, 2);
    let y_top = match spec.y_max {
        Some(y_max) if y_max < tallest => y_max as f64,
        _ => tallest as f64 * 1.08,
    };
    let y_axis = Axis::new(0.0, y_top, 4);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)
            .expect("drawing into a String cannot fail");
        let panels = root.split_evenly((rows, columns));
        for (index, (panel, layer)) in panels.iter().zip(layers).enumerate() {
            let first_in_row = index % columns == 0;
            let mut chart = ChartBuilder::on(panel)
                .caption(format!("Layer {}", layer.layer), (FONT, 21).into_font())
                .margin_top(4)
                .margin_left(if first_in_row { 4 } else { 0 })
                .margin_right(10)
                .margin_bottom(4)
                .x_label_area_size(44)
                .y_label_area_size(if first_in_row { 66 } else { 22 })
                .build_cartesian_2d(x_axis.clone(), y_axis.clone())
                .expect("the panel is large enough for its label areas");
            // The axes format their own tick labels; only the first panel of a row labels y.
            let no_label = |_: &f64| String::new();
            let mut mesh = chart.configure_mesh();
            mesh.disable_x_mesh()
                .bold_line_style(GRID_COLOUR)
                .axis_style(AXIS_COLOUR)
                .label_style((FONT, 16).into_font().color(&AXIS_COLOUR))
                .axis_desc_style((FONT, 17).into_font().color(&AXIS_COLOUR))
                .x_desc("activation");
            if first_in_row {
                mesh.y_desc("count");
            } else {
                mesh.y_label_formatter(&no_label);
            }
            mesh.draw().expect("drawing into a String cannot fail");

            let edges = &layer.edges;
            let mut clipped = Vec::new();
            chart
                .draw_series(
                    layer
                        .counts
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| **c > 0)
                        .map(|(bin, &count)| {
                            let height = count as f64;
                            if height > y_top {
                                clipped.push((bin, count));
                            }
                            Rectangle::new(
                                [(edges[bin], 0.0), (edges[bin + 1], height.min(y_top))],
                                BAR_COLOUR.filled(),
                            )
                        }),
                )
                .expect("drawing into a String cannot fail");

            // Cut bars get a white break near the top and their true count beside them.
            let note_style = |h| {
                TextStyle::from((FONT, 15).into_font())
                    .color(&NOTE_COLOUR)
                    .pos(Pos::new(h, VPos::Top))
            };
            for (row, &(bin, count)) in clipped.iter().enumerate() {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(edges[bin], y_top * 0.90), (edges[bin + 1], y_top * 0.93)],
                        WHITE.filled(),
                    )))
                    .expect("drawing into a String cannot fail");
                // Neighbouring cut bars stack their labels instead of overprinting them.
                let label_x = edges[clipped.last().map_or(bin, |&(last, _)| last) + 1];
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!(" {count}"),
                        (label_x, y_top * (1.0 - 0.08 * row as f64)),
                        note_style(HPos::Left),
                    )))
                    .expect("drawing into a String cannot fail");
            }

            // Values outside the range are not in any bar; say how many, so nothing hides.
            let mut notes = Vec::new();
            if layer.below > 0 {
                notes.push(format!("{} below {}", layer.below, x_axis.label(lo)));
            }
            if layer.above > 0 {
                notes.push(format!("{} above {}", layer.above, x_axis.label(hi)));
            }
            let first_row = clipped.len();
            for (line, note) in notes.iter().enumerate() {
                let y = y_top * (1.0 - 0.08 * (first_row + line) as f64);
                chart
                    .draw_series(std::iter::once(Text::new(
                        note.clone(),
                        (hi, y),
                        note_style(HPos::Right),
                    )))
                    .expect("drawing into a String cannot fail");
            }
        }
        root.present().expect("drawing into a String cannot fail");
    }
    label_svg(svg, &spec.id, &spec.caption, &spec.alt)
}

/// Gives the SVG an accessible name and description: `role="img"`, `<title>`, `<desc>`.
fn label_svg(svg: String, id: &str, title: &str, description: &str) -> String {
    let open_end = svg.find('>').expect("plotters writes an <svg> element");
    let (open, rest) = svg.split_at(open_end);
    format!(
        "{open} role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>{}",
        escape_xml(title),
        escape_xml(description),
        &rest[1..]
    )
}

pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A linear axis with its own "nice" ticks: steps of 1, 2, 2.5 or 5 times a power of ten, found
/// with multiplications only.
#[derive(Debug, Clone)]
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    decimals: usize,
}

impl Axis {
    fn new(lo: f64, hi: f64, max_ticks: usize) -> Self {
        let span = hi - lo;
        // Smallest step of the form m·10^e giving at most `max_ticks` intervals.
        let mut exponent: i32 = -12;
        let (mantissa, exponent) = 'search: loop {
            for mantissa in [10, 20, 25, 50] {
                let step = step_value(mantissa, exponent);
                if span / step <= max_ticks as f64 || exponent > 300 {
                    break 'search (mantissa, exponent);
                }
            }
            exponent += 1;
        };
        let step = step_value(mantissa, exponent);
        let first = (lo / step).ceil() as i64;
        let last = (hi / step).floor() as i64;
        let ticks = (first..=last).map(|k| k as f64 * step).collect();
        // Decimals needed: a step of 25·10^-2 = 0.25 needs 2.
        let decimals = (i32::from(mantissa == 25) - exponent).max(0) as usize;
        Axis {
            lo,
            hi,
            ticks,
            decimals,
        }
    }

    fn label(&self, value: f64) -> String {
        let text = format!("{value:.*}", self.decimals);
        if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
            text[1..].to_string()
        } else {
            text
        }
    }
}

/// `mantissa / 10 · 10^exponent`, computed by exact multiplications and divisions of integers.
fn step_value(mantissa: u32, exponent: i32) -> f64 {
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

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, value: &f64) -> String {
        self.label(*value)
    }
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = (value - self.lo) / (self.hi - self.lo);
        (f64::from(limit.0) + f64::from(limit.1 - limit.0) * fraction).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only the bold grid: our ticks. No light lines in between.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
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
    fn svg_is_labelled_for_screen_readers() {
        let svg = label_svg(
            "<svg width=\"1\">\n</svg>\n".to_string(),
            "a",
            "x < y",
            "two & three",
        );
        assert!(
            svg.starts_with("<svg width=\"1\" role=\"img\" aria-labelledby=\"a-title a-desc\">")
        );
        assert!(svg.contains("<title id=\"a-title\">x &lt; y</title>"));
        assert!(svg.contains("<desc id=\"a-desc\">two &amp; three</desc>"));
    }
}
