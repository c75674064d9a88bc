//! Draw stage: experiment outcomes → SVG text. Knows nothing about pages.
//!
//! Determinism: plotters' SVG backend alone (no `ttf` feature), so text is never measured with the
//! machine's fonts; axis ticks are chosen here with plain arithmetic instead of plotters' own
//! tick finder, which calls the platform's `log10`/`powf`, and the log axis maps through the
//! pure-Rust `libm`. Every coordinate is rounded to whole pixels by the same arithmetic on every
//! machine.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::numeric::Outcome;
use crate::numeric::depth::DepthResult;
use crate::numeric::gradients::GradientResult;
use crate::numeric::training::TrainingResult;
use crate::parse::ExperimentSpec;

/// Figure width in SVG pixels; pages scale it to the text column.
const WIDTH: u32 = 820;
/// Height of one row of histogram panels.
const ROW_HEIGHT: u32 = 250;
/// Height of a line chart.
const CHART_HEIGHT: u32 = 330;
/// Panels per row, at most.
const MAX_COLUMNS: usize = 5;
const FONT: &str = "sans-serif";
const BAR_COLOUR: RGBColor = RGBColor(0x2f, 0x6d, 0xb5);
const AXIS_COLOUR: RGBColor = RGBColor(0x44, 0x44, 0x44);
const GRID_COLOUR: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const NOTE_COLOUR: RGBColor = RGBColor(0xa0, 0x3c, 0x1e);
/// Line colours of compared schemes, in order (distinguishable for common colour blindness).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x2f, 0x6d, 0xb5),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x44, 0x44, 0x44),
    RGBColor(0xf0, 0xe4, 0x42),
];

const CANNOT_FAIL: &str = "drawing into a String cannot fail";

/// The figure of an experiment, as an SVG document with `<title>` and `<desc>`.
pub fn draw_figure(spec: &ExperimentSpec, outcome: &Outcome) -> String {
    let svg = match outcome {
        Outcome::Activations(result) => {
            let panels: Vec<Panel<'_>> = result
                .layers
                .iter()
                .map(|l| Panel::of_layer(l.layer, &l.counts, &l.edges, l.below, l.above))
                .collect();
            let height = histogram_height(panels.len());
            render(height, |root| {
                draw_histogram_panels(root, &panels, "activation", spec.y_max)
            })
        }
        Outcome::Gradients(result) => draw_gradients(spec, result),
        Outcome::Depth(result) => draw_depth(result),
        Outcome::Training(result) => draw_training(spec, result),
    };
    label_svg(svg, &spec.id, &spec.caption, &spec.alt)
}

/// Runs `draw` on a white canvas of the figure width and returns the SVG text.
fn render(height: u32, draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>)) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).expect(CANNOT_FAIL);
        draw(&root);
        root.present().expect(CANNOT_FAIL);
    }
    svg
}

/// One histogram: a layer's counts over its bin edges, and what fell outside.
struct Panel<'a> {
    title: String,
    counts: &'a [u64],
    edges: &'a [f64],
    below: u64,
    above: u64,
}

impl<'a> Panel<'a> {
    /// The panel of layer `layer`, titled "Layer k".
    fn of_layer(layer: usize, counts: &'a [u64], edges: &'a [f64], below: u64, above: u64) -> Self {
        Panel {
            title: format!("Layer {layer}"),
            counts,
            edges,
            below,
            above,
        }
    }
}

fn histogram_height(panels: usize) -> u32 {
    let columns = panels.clamp(1, MAX_COLUMNS);
    ROW_HEIGHT * panels.div_ceil(columns).max(1) as u32
}

/// One panel per layer on a shared y scale, `MAX_COLUMNS` to a row.
fn draw_histogram_panels(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    panels: &[Panel<'_>],
    x_description: &str,
    y_max: Option<u64>,
) {
    let columns = panels.len().clamp(1, MAX_COLUMNS);
    let rows = panels.len().div_ceil(columns).max(1);
    let (Some(first), Some(last)) = (panels.first(), panels.last()) else {
        return;
    };
    let (lo, hi) = (first.edges[0], last.edges[last.edges.len() - 1]);
    let tallest = panels
        .iter()
        .flat_map(|panel| panel.counts.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let x_axis = Axis::new(lo, hi, 2);
    let y_top = match y_max {
        Some(y_max) if y_max < tallest => y_max as f64,
        _ => tallest as f64 * 1.08,
    };
    let y_axis = Axis::new(0.0, y_top, 4);

    for (index, (cell, panel)) in area
        .split_evenly((rows, columns))
        .iter()
        .zip(panels)
        .enumerate()
    {
        let first_in_row = index % columns == 0;
        let mut chart = ChartBuilder::on(cell)
            .caption(&panel.title, (FONT, 21).into_font())
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
            .x_desc(format!("{x_description}{}", x_axis.unit_suffix()));
        if first_in_row {
            mesh.y_desc("count");
        } else {
            mesh.y_label_formatter(&no_label);
        }
        mesh.draw().expect(CANNOT_FAIL);

        let edges = panel.edges;
        let mut clipped = Vec::new();
        chart
            .draw_series(
                panel
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
            .expect(CANNOT_FAIL);

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
                .expect(CANNOT_FAIL);
            // Neighbouring cut bars stack their labels instead of overprinting them.
            let label_x = edges[clipped.last().map_or(bin, |&(last, _)| last) + 1];
            chart
                .draw_series(std::iter::once(Text::new(
                    format!(" {count}"),
                    (label_x, y_top * (1.0 - 0.08 * row as f64)),
                    note_style(HPos::Left),
                )))
                .expect(CANNOT_FAIL);
        }

        // Values outside the range are not in any bar; say how many, so nothing hides.
        let mut notes = Vec::new();
        if panel.below > 0 {
            notes.push(format!("{} below {}", panel.below, x_axis.value_text(lo)));
        }
        if panel.above > 0 {
            notes.push(format!("{} above {}", panel.above, x_axis.value_text(hi)));
        }
        for (line, note) in notes.iter().enumerate() {
            let y = y_top * (1.0 - 0.08 * (clipped.len() + line) as f64);
            chart
                .draw_series(std::iter::once(Text::new(
                    note.clone(),
                    (hi, y),
                    note_style(HPos::Right),
                )))
                .expect(CANNOT_FAIL);
        }
    }
}

/// Gradient histograms per layer, and below them the RMS gradient per layer on a log scale.
fn draw_gradients(spec: &ExperimentSpec, result: &GradientResult) -> String {
    let panels: Vec<Panel<'_>> = result
        .layers
        .iter()
        .map(|l| Panel::of_layer(l.layer, &l.counts, &l.edges, l.below, l.above))
        .collect();
    let histograms = histogram_height(panels.len());
    render(histograms + CHART_HEIGHT, |root| {
        let (top, bottom) = root.split_vertically(histograms);
        draw_histogram_panels(&top, &panels, "∂L/∂a", spec.y_max);
        let layers = result.layers.len();
        let series = vec![Series {
            label: "RMS of ∂L/∂a".to_string(),
            points: result
                .layers
                .iter()
                .map(|layer| (layer.layer as f64, layer.grad_rms))
                .collect(),
        }];
        let x_axis = Axis::new(0.5, layers as f64 + 0.5, layers.min(10));
        line_chart(
            &bottom,
            &series,
            x_axis,
            "layer (input → output)",
            "RMS gradient",
            Scale::Log,
            false,
        );
    })
}

/// Per-layer activation std of each scheme, on a log scale.
fn draw_depth(result: &DepthResult) -> String {
    let layers = result.series.first().map_or(1, |s| s.std.len());
    let series: Vec<Series> = result
        .series
        .iter()
        .map(|s| Series {
            label: scheme_name(&s.label, &s.init),
            points: s
                .std
                .iter()
                .enumerate()
                .map(|(i, &v)| ((i + 1) as f64, v))
                .collect(),
        })
        .collect();
    render(CHART_HEIGHT + 40, |root| {
        let x_axis = Axis::new(0.0, layers as f64, 5);
        line_chart(
            root,
            &series,
            x_axis,
            "layer",
            "std of activations",
            Scale::Log,
            true,
        );
    })
}

/// Smoothed mini-batch loss of each scheme over the iterations.
fn draw_training(spec: &ExperimentSpec, result: &TrainingResult) -> String {
    let iterations = result.runs.first().map_or(1, |r| r.loss.len());
    let series: Vec<Series> = result
        .runs
        .iter()
        .map(|run| Series {
            label: scheme_name(&run.label, &run.init),
            points: moving_average(&run.loss, spec.smooth)
                .into_iter()
                .enumerate()
                .map(|(i, v)| ((i + 1) as f64, v))
                .collect(),
        })
        .collect();
    render(CHART_HEIGHT + 40, |root| {
        let x_axis = Axis::new(0.0, iterations as f64, 5);
        let description = format!("training loss (moving average of {})", spec.smooth);
        line_chart(
            root,
            &series,
            x_axis,
            "iteration",
            &description,
            Scale::Linear,
            true,
        );
    })
}

/// The legend name of a compared scheme: its label, with the scheme when the label alone does
/// not say it.
fn scheme_name(label: &str, init: &crate::numeric::Init) -> String {
    let scheme = match init {
        crate::numeric::Init::Normal { std } => format!("N(0, {std}²)"),
        crate::numeric::Init::Xavier => "Xavier".to_string(),
        crate::numeric::Init::He => "He".to_string(),
        crate::numeric::Init::Zero => "zero".to_string(),
    };
    if label == init.name() || label.eq_ignore_ascii_case(&scheme) {
        scheme
    } else {
        format!("{label}: {scheme}")
    }
}

/// Mean of each value and the `window − 1` before it (fewer at the start), summed in order.
pub fn moving_average(values: &[f64], window: usize) -> Vec<f64> {
    let window = window.max(1);
    (0..values.len())
        .map(|i| {
            let start = (i + 1).saturating_sub(window);
            let slice = &values[start..=i];
            slice.iter().sum::<f64>() / slice.len() as f64
        })
        .collect()
}

struct Series {
    label: String,
    points: Vec<(f64, f64)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Scale {
    Linear,
    Log,
}

/// Lines on a shared chart, with a legend when there is more than one (or when asked).
fn line_chart(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    series: &[Series],
    x_axis: Axis,
    x_description: &str,
    y_description: &str,
    scale: Scale,
    legend: bool,
) {
    let values = || series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let caption_area = |builder: &mut ChartBuilder<'_, '_, SVGBackend<'_>>| {
        builder
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(86);
    };
    let style = |i: usize| PALETTE[i % PALETTE.len()].stroke_width(3);
    match scale {
        Scale::Log => {
            let positive = values().filter(|v| *v > 0.0 && v.is_finite());
            let (lo, hi) = positive.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
            let y_axis = if lo.is_finite() {
                LogAxis::covering(lo, hi)
            } else {
                LogAxis::covering(0.1, 1.0)
            };
            let mut builder = ChartBuilder::on(area);
            caption_area(&mut builder);
            let mut chart = builder
                .build_cartesian_2d(x_axis, y_axis)
                .expect("room for labels");
            configure(&mut chart.configure_mesh(), x_description, y_description);
            for (i, s) in series.iter().enumerate() {
                // A zero has no place on a log scale: the line breaks there.
                let points: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|p| p.1 > 0.0 && p.1.is_finite())
                    .collect();
                let drawn = chart
                    .draw_series(
                        LineSeries::new(points.clone(), style(i))
                            .point_size(if points.len() <= 12 { 4 } else { 0 }),
                    )
                    .expect(CANNOT_FAIL);
                drawn
                    .label(s.label.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style(i)));
            }
            if legend || series.len() > 1 {
                draw_legend(&mut chart);
            }
        }
        Scale::Linear => {
            let hi = values().filter(|v| v.is_finite()).fold(0.0f64, f64::max);
            let y_axis = Axis::new(0.0, if hi > 0.0 { hi * 1.05 } else { 1.0 }, 5);
            let mut builder = ChartBuilder::on(area);
            caption_area(&mut builder);
            let mut chart = builder
                .build_cartesian_2d(x_axis, y_axis)
                .expect("room for labels");
            configure(&mut chart.configure_mesh(), x_description, y_description);
            for (i, s) in series.iter().enumerate() {
                let drawn = chart
                    .draw_series(LineSeries::new(s.points.clone(), style(i)))
                    .expect(CANNOT_FAIL);
                drawn
                    .label(s.label.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style(i)));
            }
            if legend || series.len() > 1 {
                draw_legend(&mut chart);
            }
        }
    }
}

fn configure<X, Y>(
    mesh: &mut plotters::chart::MeshStyle<'_, '_, X, Y, SVGBackend<'_>>,
    x_description: &str,
    y_description: &str,
) where
    X: Ranged<FormatOption = NoDefaultFormatting> + ValueFormatter<<X as Ranged>::ValueType>,
    Y: Ranged<FormatOption = NoDefaultFormatting> + ValueFormatter<<Y as Ranged>::ValueType>,
{
    mesh.bold_line_style(GRID_COLOUR)
        .axis_style(AXIS_COLOUR)
        .label_style((FONT, 16).into_font().color(&AXIS_COLOUR))
        .axis_desc_style((FONT, 17).into_font().color(&AXIS_COLOUR))
        .x_desc(x_description)
        .y_desc(y_description)
        .draw()
        .expect(CANNOT_FAIL);
}

fn draw_legend<'a, 'b: 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
) {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(GRID_COLOUR)
        .label_font((FONT, 16).into_font())
        .draw()
        .expect(CANNOT_FAIL);
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
    /// Tiny ticks are labelled in units of 10^unit_exponent (−5 0 5 with "×10⁻⁴" beside the
    /// axis) rather than as 0.0005; 0 when labels are plain numbers.
    unit_exponent: i32,
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
    fn value_text(&self, value: f64) -> String {
        if self.unit_exponent == 0 {
            self.label(value)
        } else {
            format!(
                "{}×10{}",
                self.label(value),
                superscript(self.unit_exponent)
            )
        }
    }

    /// "×10⁻⁴" when labels are in a unit other than 1, for the axis description.
    fn unit_suffix(&self) -> String {
        if self.unit_exponent == 0 {
            String::new()
        } else {
            format!(" (×10{})", superscript(self.unit_exponent))
        }
    }

    fn label(&self, value: f64) -> String {
        let value = if self.unit_exponent == 0 {
            value
        } else {
            value / step_value(10, self.unit_exponent)
        };
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

/// A base-10 logarithmic axis over whole decades, with a tick at each power of ten. Maps with
/// `libm::log10`, so the pixel a value lands on is the same on every platform.
#[derive(Debug, Clone)]
struct LogAxis {
    /// Exponents of the decades at the ends.
    low_exponent: i32,
    high_exponent: i32,
}

impl LogAxis {
    /// The smallest span of whole decades containing `[lo, hi]` (both positive).
    fn covering(lo: f64, hi: f64) -> Self {
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

    fn decade(exponent: i32) -> f64 {
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
}

impl ValueFormatter<f64> for LogAxis {
    fn format_ext(&self, value: &f64) -> String {
        format!("10{}", superscript(libm::round(libm::log10(*value)) as i32))
    }
}

/// An exponent in superscript digits: -4 → ⁻⁴.
fn superscript(exponent: i32) -> String {
    exponent
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d as usize - '0' as usize],
        })
        .collect()
}

impl Ranged for LogAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = f64::from(self.high_exponent - self.low_exponent);
        let fraction = (libm::log10(*value) - f64::from(self.low_exponent)) / span;
        (f64::from(limit.0) + f64::from(limit.1 - limit.0) * fraction).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        // At most about eight labelled decades: skip some on long axes.
        let decades = (self.high_exponent - self.low_exponent) as usize;
        let stride = decades.div_ceil(8).max(1);
        (self.low_exponent..=self.high_exponent)
            .filter(|e| ((e - self.low_exponent) as usize).is_multiple_of(stride))
            .map(LogAxis::decade)
            .collect()
    }

    fn range(&self) -> Range<f64> {
        LogAxis::decade(self.low_exponent)..LogAxis::decade(self.high_exponent)
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
