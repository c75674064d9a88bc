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

use crate::escape::escape_xml;
use crate::format::{superscript, without_negative_zero};
use crate::model::ExperimentSpec;
use crate::numeric::depth::DepthResult;
use crate::numeric::gradients::GradientResult;
use crate::numeric::nice;
use crate::numeric::sweep::{Mark, SweepFrame, SweepParams, SweepResult};
use crate::numeric::training::TrainingResult;
use crate::numeric::{Experiment, LayerStats, Outcome};

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
        Outcome::Activations(result) => activation_histograms(&result.layers, spec.y_max()),
        Outcome::Gradients(result) => draw_gradients(spec, result),
        Outcome::Depth(result) => draw_depth(result),
        Outcome::Training(result) => draw_training(spec, result),
        Outcome::Sweep(result) => match &spec.experiment {
            Experiment::Sweep(params) => draw_sweep(params, result),
            _ => unreachable!("a sweep outcome comes from a sweep experiment"),
        },
    };
    label_svg(svg, &spec.id, &spec.caption, &spec.alt)
}

/// One frame of a sweep: its layers' histograms, drawn as an activation experiment's are.
/// `title` and `description` name it for screen readers; `id` (unique on a page) ties them to it.
pub fn draw_sweep_frame(
    spec: &ExperimentSpec,
    frame: &SweepFrame,
    id: &str,
    title: &str,
    description: &str,
) -> String {
    let svg = activation_histograms(&frame.layers, spec.y_max());
    label_svg(svg, id, title, description)
}

/// A histogram of each layer's activations, on a shared y scale cut at `y_max` if given.
fn activation_histograms(layers: &[LayerStats], y_max: Option<u64>) -> String {
    let panels: Vec<Panel<'_>> = layers
        .iter()
        .map(|l| Panel::of_layer(l.layer, &l.counts, &l.edges, [l.below, l.above, l.nan]))
        .collect();
    let height = histogram_height(panels.len());
    render(height, |root| {
        draw_histogram_panels(root, &panels, "activation", y_max)
    })
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
    nan: u64,
}

impl<'a> Panel<'a> {
    /// The panel of layer `layer`, titled "Layer k".
    fn of_layer(layer: usize, counts: &'a [u64], edges: &'a [f64], outside: [u64; 3]) -> Self {
        let [below, above, nan] = outside;
        Panel {
            title: format!("Layer {layer}"),
            counts,
            edges,
            below,
            above,
            nan,
        }
    }
}

/// Width and height of a figure of `panels` histograms (a sweep's frame has one per layer).
pub fn histogram_size(panels: usize) -> (u32, u32) {
    (WIDTH, histogram_height(panels))
}

fn histogram_height(panels: usize) -> u32 {
    let columns = panels.clamp(1, MAX_COLUMNS);
    ROW_HEIGHT * panels.div_ceil(columns).max(1) as u32
}

type PanelChart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Axis, Axis>>;

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

        let clipped = draw_bars(&mut chart, panel, y_top);
        mark_clipped_bars(&mut chart, panel.edges, &clipped, y_top);
        note_outside_values(&mut chart, panel, &x_axis, y_top, clipped.len());
    }
}

/// The panel's bars, cut at `y_top`. Returns the cut ones as `(bin, count)`.
fn draw_bars(chart: &mut PanelChart<'_, '_>, panel: &Panel<'_>, y_top: f64) -> Vec<(usize, u64)> {
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
    clipped
}

/// The style of the panel's notes, anchored at their top and at `h`.
fn note_style(h: HPos) -> TextStyle<'static> {
    TextStyle::from((FONT, 15).into_font())
        .color(&NOTE_COLOUR)
        .pos(Pos::new(h, VPos::Top))
}

/// Cut bars get a white break near the top and their true count beside them.
fn mark_clipped_bars(
    chart: &mut PanelChart<'_, '_>,
    edges: &[f64],
    clipped: &[(usize, u64)],
    y_top: f64,
) {
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
}

/// Values outside the range (or NaN) are not in any bar; say how many, so nothing hides. The
/// notes go below the `lines_above` labels of cut bars.
fn note_outside_values(
    chart: &mut PanelChart<'_, '_>,
    panel: &Panel<'_>,
    x_axis: &Axis,
    y_top: f64,
    lines_above: usize,
) {
    let (lo, hi) = (x_axis.lo, x_axis.hi);
    let mut notes = Vec::new();
    if panel.below > 0 {
        notes.push(format!("{} below {}", panel.below, x_axis.value_text(lo)));
    }
    if panel.above > 0 {
        notes.push(format!("{} above {}", panel.above, x_axis.value_text(hi)));
    }
    if panel.nan > 0 {
        notes.push(format!("{} NaN", panel.nan));
    }
    for (line, note) in notes.iter().enumerate() {
        let y = y_top * (1.0 - 0.08 * (lines_above + line) as f64);
        chart
            .draw_series(std::iter::once(Text::new(
                note.clone(),
                (hi, y),
                note_style(HPos::Right),
            )))
            .expect(CANNOT_FAIL);
    }
}

/// Gradient histograms per layer, and below them the RMS gradient per layer on a log scale.
fn draw_gradients(spec: &ExperimentSpec, result: &GradientResult) -> String {
    let panels: Vec<Panel<'_>> = result
        .layers
        .iter()
        .map(|l| Panel::of_layer(l.layer, &l.counts, &l.edges, [l.below, l.above, l.nan]))
        .collect();
    let histograms = histogram_height(panels.len());
    render(histograms + CHART_HEIGHT, |root| {
        let (top, bottom) = root.split_vertically(histograms);
        draw_histogram_panels(&top, &panels, "∂L/∂a", spec.y_max());
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
            points: moving_average(&run.loss, spec.smooth())
                .into_iter()
                .enumerate()
                .map(|(i, v)| ((i + 1) as f64, v))
                .collect(),
        })
        .collect();
    render(CHART_HEIGHT + 40, |root| {
        let x_axis = Axis::new(0.0, iterations as f64, 5);
        let description = format!("training loss (moving average of {})", spec.smooth());
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

/// A sweep's own figure: each activation's last-layer std against σ, both axes logarithmic, the
/// marks as labelled dashed lines. For every stop `i` of the σ axis it also holds a marker of that
/// σ — a vertical line and a dot on each activation's line — as
/// `<g class="sweep-stop" data-stop="i" display="none">`, hidden in the file; the explorer's
/// stylesheet shows the chosen one when the figure is inline in a page.
fn draw_sweep(params: &SweepParams, result: &SweepResult) -> String {
    let layer = params.layers;
    let stops = params.stops();
    let series: Vec<Series> = params
        .activations
        .iter()
        .map(|&activation| Series {
            label: activation.name().to_string(),
            points: result
                .frames
                .iter()
                .filter(|frame| frame.activation == activation)
                .map(|frame| (frame.std, frame.layers[layer - 1].std))
                .collect(),
        })
        .collect();
    let mut overlay = String::new();
    let svg = render(CHART_HEIGHT + 40, |root| {
        let first = stops.first().map_or(0.01, |s| s.std);
        let last = stops.last().map_or(1.0, |s| s.std);
        let x_axis = LogSpan::new(first, last);
        let positive: Vec<f64> = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .filter(|v| *v > 0.0 && v.is_finite())
            .collect();
        let y_axis = match (
            positive.iter().copied().reduce(f64::min),
            positive.iter().copied().reduce(f64::max),
        ) {
            (Some(lo), Some(hi)) => LogAxis::covering(lo, hi),
            _ => LogAxis::covering(0.1, 1.0),
        };
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_top(30)
            .x_label_area_size(50)
            .y_label_area_size(86)
            .build_cartesian_2d(x_axis, y_axis)
            .expect("room for labels");
        configure(
            &mut chart.configure_mesh(),
            "weight scale σ (log)",
            &format!("std of layer {layer} (log)"),
        );
        let style = |i: usize| PALETTE[i % PALETTE.len()].stroke_width(3);
        let shown = |p: &&(f64, f64)| p.1 > 0.0 && p.1.is_finite();
        for (i, s) in series.iter().enumerate() {
            let points: Vec<(f64, f64)> = s.points.iter().filter(shown).copied().collect();
            chart
                .draw_series(LineSeries::new(points, style(i)))
                .expect(CANNOT_FAIL)
                .label(s.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style(i)));
        }
        // Upper left: the lines start low there (small σ shrinks every signal).
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(GRID_COLOUR)
            .label_font((FONT, 16).into_font())
            .draw()
            .expect(CANNOT_FAIL);
        // What the page needs that plotters does not draw: dashed marks and the hidden markers,
        // in whole pixels from plotters' own mapping.
        let (_, rows) = chart.plotting_area().get_pixel_range();
        let (top, bottom) = (rows.start, rows.end);
        let x_of = |std: f64| chart.backend_coord(&(std, 1.0)).0;
        // Marks are close together (Xavier's and He's σ differ by √2): the first label goes left
        // of its line, the others right of theirs.
        let marks = stops
            .iter()
            .filter_map(|stop| stop.mark.map(|mark| (stop.std, mark)));
        for (index, (std, mark)) in marks.enumerate() {
            let x = x_of(std);
            let (label_x, anchor) = if index == 0 {
                (x - 5, "end")
            } else {
                (x + 5, "start")
            };
            overlay.push_str(&format!(
                "<line x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"#{AXIS_HEX}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n<text x=\"{label_x}\" y=\"{}\" text-anchor=\"{anchor}\" font-family=\"{FONT}\" font-size=\"16\" fill=\"#{AXIS_HEX}\">{}</text>\n",
                top - 8,
                mark_name(mark)
            ));
        }
        for (index, stop) in stops.iter().enumerate() {
            let x = x_of(stop.std);
            overlay.push_str(&format!(
                "<g class=\"sweep-stop\" data-stop=\"{index}\" display=\"none\">\n<line x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"#222222\" stroke-width=\"2\"/>\n"
            ));
            for (i, s) in series.iter().enumerate() {
                let Some(point) = s.points.iter().find(|p| p.0 == stop.std).filter(shown) else {
                    continue;
                };
                let (px, py) = chart.backend_coord(point);
                let colour = PALETTE[i % PALETTE.len()];
                overlay.push_str(&format!(
                    "<circle cx=\"{px}\" cy=\"{py}\" r=\"6\" fill=\"#{:02x}{:02x}{:02x}\" stroke=\"#ffffff\" stroke-width=\"2\"/>\n",
                    colour.0, colour.1, colour.2
                ));
            }
            overlay.push_str("</g>\n");
        }
    });
    let end = svg
        .rfind("</svg>")
        .expect("plotters closes the <svg> element");
    format!("{}{overlay}{}", &svg[..end], &svg[end..])
}

/// The axis colour as SVG writes it.
const AXIS_HEX: &str = "444444";

/// A mark's name on the chart.
fn mark_name(mark: Mark) -> &'static str {
    match mark {
        Mark::Xavier => "Xavier",
        Mark::He => "He",
    }
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
    fn value_text(&self, value: f64) -> String {
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

    /// "×10⁻⁴" when labels are in a unit other than 1, for the axis description.
    fn unit_suffix(&self) -> String {
        if self.unit_exponent == 0 {
            String::new()
        } else {
            format!(" (×10{})", superscript(&self.unit_exponent.to_string()))
        }
    }

    fn label(&self, value: f64) -> String {
        let value = if self.unit_exponent == 0 {
            value
        } else {
            value / nice::step(10, self.unit_exponent)
        };
        without_negative_zero(format!("{value:.*}", self.decimals))
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
}

impl ValueFormatter<f64> for LogAxis {
    fn format_ext(&self, value: &f64) -> String {
        format!(
            "10{}",
            superscript(&(libm::round(libm::log10(*value)) as i32).to_string())
        )
    }
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
            .filter(|e| (e - self.low_exponent) as usize % stride == 0)
            .map(nice::decade)
            .collect()
    }

    fn range(&self) -> Range<f64> {
        nice::decade(self.low_exponent)..nice::decade(self.high_exponent)
    }
}

/// A base-10 logarithmic axis from a little below `lo` to a little above `hi` (any positive
/// numbers), with ticks at 1, 2 and 5 times a power of ten: a linear [`Axis`] over the values'
/// logarithms, taken with `libm`, so the pixel a value lands on is the same on every platform.
#[derive(Debug, Clone)]
struct LogSpan {
    /// Over log10 of the values.
    log: Axis,
    ticks: Vec<f64>,
}

impl LogSpan {
    fn new(lo: f64, hi: f64) -> Self {
        // 3% of the span on either side, so the first and last points clear the frame.
        let pad = 0.03 * (libm::log10(hi) - libm::log10(lo)).max(1.0);
        let log = Axis::new(libm::log10(lo) - pad, libm::log10(hi) + pad, 1);
        let mut ticks = Vec::new();
        for exponent in libm::floor(log.lo) as i32..=libm::ceil(log.hi) as i32 {
            for mantissa in [10, 20, 50] {
                let tick = nice::step(mantissa, exponent);
                if (log.lo..=log.hi).contains(&libm::log10(tick)) {
                    ticks.push(tick);
                }
            }
        }
        LogSpan { log, ticks }
    }
}

impl ValueFormatter<f64> for LogSpan {
    fn format_ext(&self, value: &f64) -> String {
        // A tick is m·10^e with m in {1, 2, 5}: as many decimals as −e.
        let decimals = (-libm::floor(libm::log10(*value) + 1e-9)).max(0.0) as usize;
        format!("{value:.decimals$}")
    }
}

impl Ranged for LogSpan {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.log.map(&libm::log10(*value), limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        libm::exp10(self.log.lo)..libm::exp10(self.log.hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_span_ticks_at_one_two_five() {
        let axis = LogSpan::new(0.01, 2.0);
        assert_eq!(axis.ticks, [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]);
        let labels: Vec<String> = axis.ticks.iter().map(|t| axis.format_ext(t)).collect();
        assert_eq!(
            labels,
            ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2"]
        );
        assert!(axis.map(&0.01, (0, 100)) > 0 && axis.map(&2.0, (0, 100)) < 100);
    }

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
