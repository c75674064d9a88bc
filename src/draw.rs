//! Draw stage: experiment outcomes → SVG text. Knows nothing about pages.
//!
//! Each figure is first laid out as a [`Scene`] — shapes and labels at pixel positions, every
//! label's room reserved from its estimated size ([`measure`]) — then painted. All words come
//! from a [`FigureText`] (English by default), so an edition in another language draws the
//! same figures with its own strings, and the layout makes room for them.
//!
//! A sweep draws two kinds of figure: its chart (every activation's last-layer std against σ),
//! and a frame per activation and σ, laid out as an activation experiment's figure is; the frames
//! of one sweep share one layout ([`FrameLayout`]), so the explorer swaps them in place.
//!
//! Determinism: plotters' SVG backend alone (no `ttf` feature), so text is never measured with the
//! machine's fonts; axis ticks are chosen in [`axis`] with plain arithmetic, and the log axes map
//! through the pure-Rust `libm`. Every coordinate is rounded to whole pixels by the same
//! arithmetic on every machine.

mod axis;
mod chart;
mod histogram;
pub mod measure;
pub mod memo;
mod panels;
pub mod scene;
pub mod text;

use plotters::style::RGBColor;

use crate::escape::escape_xml;
use crate::model::ExperimentSpec;
use crate::numeric::depth::DepthResult;
use crate::numeric::gradients::GradientResult;
use crate::numeric::sweep::{self, SweepFrame, SweepParams, SweepResult};
use crate::numeric::training::{Plot, TrainingResult, TrainingRun};
use crate::numeric::{Activation, Experiment, LayerStats, Outcome};
use axis::{Axis, LogAxis, LogSpan, Scale};
use chart::{ChartText, LegendCorner, Series, YScale, line_chart};
use histogram::{GridShape, Histogram, grid_shape, histogram_grid, histogram_grid_shaped};
use measure::{ABOVE_EM, line_height, text_width};
pub use memo::DrawingCache;
use panels::{Panel, PanelText, panel_grid};
pub use scene::Scene;
use scene::{Align, Label, Overlay, Vector};
pub use text::FigureText;
use text::fill;

/// Figure width in SVG pixels; pages scale it to the text column.
const WIDTH: u32 = 820;
/// Height of a line chart.
const CHART_HEIGHT: i32 = 330;
/// Font sizes in pixels: panel titles, tick labels, axis descriptions, notes, legend names.
const TITLE_PX: f64 = 17.0;
const TICK_PX: f64 = 12.5;
const DESC_PX: f64 = 14.0;
const NOTE_PX: f64 = 12.0;
const LEGEND_PX: f64 = 12.5;
/// Room around the figure's edge, and between neighbouring pieces of text.
const MARGIN: i32 = 4;
const GAP: i32 = 10;
/// Tick marks stick out of the plot this far; tick labels start this far beyond them.
const TICK_LENGTH: i32 = 5;
const TICK_TEXT_GAP: i32 = 3;
const BAR_COLOUR: RGBColor = RGBColor(0x2f, 0x6d, 0xb5);
const AXIS_COLOUR: RGBColor = RGBColor(0x44, 0x44, 0x44);
const GRID_COLOUR: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const NOTE_COLOUR: RGBColor = RGBColor(0xa0, 0x3c, 0x1e);
/// The marker of the chosen σ on a sweep's chart.
const MARKER_COLOUR: RGBColor = RGBColor(0x22, 0x22, 0x22);
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

/// The histogram panels of a result's layers: activation and gradient layers name their
/// counts, edges and outside values alike, though they are different types.
macro_rules! histograms_of {
    ($layers:expr) => {
        $layers
            .iter()
            .map(|l| Histogram {
                layer: l.layer,
                counts: &l.counts,
                edges: &l.edges,
                below: l.below,
                above: l.above,
                nan: l.nan,
            })
            .collect::<Vec<_>>()
    };
}

/// The figure of an experiment with English text, as an SVG document with `<title>` and
/// `<desc>`.
pub fn draw_figure(spec: &ExperimentSpec, outcome: &Outcome) -> String {
    draw_figure_with(spec, outcome, &FigureText::english())
}

/// The figure of an experiment with the words of `text`.
pub fn draw_figure_with(spec: &ExperimentSpec, outcome: &Outcome, text: &FigureText) -> String {
    let svg = lay_out_figure(spec, outcome, text).to_svg();
    label_svg(svg, &spec.id, &spec.caption, &spec.alt)
}

/// The figure of an experiment, laid out but not yet painted.
pub fn lay_out_figure(spec: &ExperimentSpec, outcome: &Outcome, text: &FigureText) -> Scene {
    let mut scene = Scene {
        width: WIDTH,
        ..Scene::default()
    };
    match outcome {
        Outcome::Activations(result) => {
            let height =
                activation_histograms(&mut scene, &result.layers, spec.y_max(), text, None);
            scene.height = height as u32;
        }
        Outcome::Gradients(result) => lay_out_gradients(&mut scene, spec, result, text),
        Outcome::Depth(result) => lay_out_depth(&mut scene, result, text),
        Outcome::Training(result) => lay_out_training(&mut scene, spec, result, text),
        Outcome::Sweep(result) => {
            let Experiment::Sweep(params) = &spec.experiment else {
                unreachable!("a sweep outcome comes from a sweep experiment")
            };
            lay_out_sweep(&mut scene, params, result, text);
        }
    }
    scene
}

/// A histogram of each layer's activations on shared scales, from the top of `scene`, in
/// `shape` if given; returns the height they take.
fn activation_histograms(
    scene: &mut Scene,
    layers: &[LayerStats],
    y_max: Option<u64>,
    text: &FigureText,
    shape: Option<GridShape>,
) -> i32 {
    let panels = histograms_of!(layers);
    histogram_grid_shaped(scene, 0, &panels, &text.activation, y_max, text, shape)
}

/// How every frame of a sweep is laid out: one grid shape and one canvas for all, so that the
/// explorer shows one in the place of another without its panels moving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLayout {
    pub width: u32,
    pub height: u32,
    shape: GridShape,
}

#[cfg(test)]
impl FrameLayout {
    /// A layout `width` wide and high, of one column.
    pub(crate) fn for_tests(width: u32) -> Self {
        FrameLayout {
            width,
            height: width,
            shape: GridShape {
                columns: 1,
                note_lines: 0,
            },
        }
    }
}

/// The layout the frames of a sweep share: as few columns as the frame with the longest labels
/// takes on its own, and a band for notes as tall as the frame with the most notes needs in them.
pub fn sweep_frame_layout(
    spec: &ExperimentSpec,
    result: &SweepResult,
    text: &FigureText,
) -> FrameLayout {
    let shape_of = |frame: &SweepFrame, columns: Option<usize>| {
        let panels = histograms_of!(frame.layers);
        grid_shape(
            WIDTH,
            &panels,
            &text.activation,
            spec.y_max(),
            text,
            columns,
        )
    };
    let frames = &result.frames;
    let columns = frames
        .iter()
        .map(|frame| shape_of(frame, None).columns)
        .min()
        .unwrap_or(1);
    let note_lines = frames
        .iter()
        .map(|frame| shape_of(frame, Some(columns)).note_lines)
        .max()
        .unwrap_or(0);
    let shape = GridShape {
        columns,
        note_lines,
    };
    let mut scene = Scene {
        width: WIDTH,
        ..Scene::default()
    };
    let height = frames.first().map_or(0, |frame| {
        activation_histograms(&mut scene, &frame.layers, spec.y_max(), text, Some(shape))
    });
    FrameLayout {
        width: WIDTH,
        height: height as u32,
        shape,
    }
}

/// One frame of a sweep in its sweep's `layout`: the histograms of its layers, as an activation
/// experiment's figure shows them.
pub fn lay_out_sweep_frame(
    spec: &ExperimentSpec,
    frame: &SweepFrame,
    layout: &FrameLayout,
    text: &FigureText,
) -> Scene {
    let mut scene = Scene {
        width: layout.width,
        height: layout.height,
        ..Scene::default()
    };
    let height = activation_histograms(
        &mut scene,
        &frame.layers,
        spec.y_max(),
        text,
        Some(layout.shape),
    );
    debug_assert_eq!(
        height as u32, layout.height,
        "a sweep's frames share one height"
    );
    scene
}

/// One frame of a sweep as an SVG document. `title` and `description` name it for screen
/// readers; `id` (unique on a page) ties them to it.
pub fn draw_sweep_frame(
    spec: &ExperimentSpec,
    frame: &SweepFrame,
    layout: &FrameLayout,
    text: &FigureText,
    id: &str,
    title: &str,
    description: &str,
) -> String {
    let svg = lay_out_sweep_frame(spec, frame, layout, text).to_svg();
    label_svg(svg, id, title, description)
}

/// Gradient histograms per layer, and below them the RMS gradient per layer on a log scale.
fn lay_out_gradients(
    scene: &mut Scene,
    spec: &ExperimentSpec,
    result: &GradientResult,
    text: &FigureText,
) {
    let panels = histograms_of!(result.layers);
    let histograms = histogram_grid(scene, 0, &panels, &text.gradient, spec.y_max(), text);
    let series = vec![Series {
        label: text.rms_gradient_line.clone(),
        points: result
            .layers
            .iter()
            .map(|layer| (layer.layer as f64, layer.grad_rms))
            .collect(),
    }];
    let layers = result.layers.len();
    let x_axis = Axis::new(0.5, layers as f64 + 0.5, layers.min(10));
    let bottom = histograms + CHART_HEIGHT;
    let words = ChartText {
        x_description: &text.layer_input_to_output,
        y_description: &text.rms_gradient,
        legend: false,
        legend_corner: LegendCorner::LowerLeft,
    };
    line_chart(
        scene,
        (histograms, bottom),
        &series,
        Scale::Linear(x_axis),
        YScale::Log,
        &words,
    );
    scene.height = bottom as u32;
}

/// Per-layer activation std of each scheme, on a log scale.
fn lay_out_depth(scene: &mut Scene, result: &DepthResult, text: &FigureText) {
    let layers = result.series.first().map_or(1, |s| s.std.len());
    let series: Vec<Series> = result
        .series
        .iter()
        .map(|s| Series {
            label: scheme_name(&s.label, &s.init, text),
            points: s
                .std
                .iter()
                .enumerate()
                .map(|(i, &v)| ((i + 1) as f64, v))
                .collect(),
        })
        .collect();
    let height = CHART_HEIGHT + 40;
    let words = ChartText {
        x_description: &text.layer,
        y_description: &text.activation_std,
        legend: true,
        legend_corner: LegendCorner::LowerLeft,
    };
    let x_axis = Axis::new(0.0, layers as f64, 5);
    line_chart(
        scene,
        (0, height),
        &series,
        Scale::Linear(x_axis),
        YScale::Log,
        &words,
    );
    scene.height = height as u32;
}

/// Smoothed mini-batch loss of each scheme over the iterations, or the accuracy panels.
fn lay_out_training(
    scene: &mut Scene,
    spec: &ExperimentSpec,
    result: &TrainingResult,
    text: &FigureText,
) {
    if matches!(&spec.experiment, Experiment::Training(p) if p.plot == Plot::Accuracy) {
        lay_out_training_accuracy(scene, spec, result, text);
        return;
    }
    let iterations = result.runs.first().map_or(1, |r| r.loss.len());
    let series: Vec<Series> = result
        .runs
        .iter()
        .map(|run| Series {
            label: scheme_name(&run.label, &run.init, text),
            points: moving_average(&run.loss, spec.smooth())
                .into_iter()
                .enumerate()
                .map(|(i, v)| ((i + 1) as f64, v))
                .collect(),
        })
        .collect();
    let height = CHART_HEIGHT + 40;
    let y_description = fill(
        &text.training_loss,
        &[("window", &spec.smooth().to_string())],
    );
    let words = ChartText {
        x_description: &text.iteration,
        y_description: &y_description,
        legend: true,
        legend_corner: LegendCorner::LowerLeft,
    };
    let x_axis = Axis::new(0.0, iterations as f64, 5);
    line_chart(
        scene,
        (0, height),
        &series,
        Scale::Linear(x_axis),
        YScale::Linear,
        &words,
    );
    scene.height = height as u32;
}

/// A sweep's own figure: each activation's last-layer std against σ, both axes logarithmic, the
/// marks as dashed lines named above the plot. For every stop `i` of the σ axis it also holds a
/// marker of that σ — a vertical line and a dot on each activation's line — as
/// `<g class="sweep-stop" data-stop="i" display="none">`, hidden in the file; the explorer's
/// stylesheet shows the chosen one when the figure is inline in a page.
fn lay_out_sweep(scene: &mut Scene, params: &SweepParams, result: &SweepResult, text: &FigureText) {
    let layer = params.layers;
    let stops = params.stops();
    let series: Vec<Series> = params
        .activations
        .iter()
        .map(|&activation| Series {
            label: activation_name(activation, text).to_string(),
            points: result
                .frames
                .iter()
                .filter(|frame| frame.activation == activation)
                .map(|frame| (frame.std, frame.layers[layer - 1].std))
                .collect(),
        })
        .collect();
    // Above the plot, a band for the marks' names.
    let band = MARGIN + line_height(LEGEND_PX).ceil() as i32;
    let height = band + CHART_HEIGHT + 40;
    let first = stops.first().map_or(0.01, |stop| stop.std);
    let last = stops.last().map_or(1.0, |stop| stop.std);
    let y_description = fill(&text.layer_std, &[("layer", &layer.to_string())]);
    let words = ChartText {
        x_description: &text.weight_scale,
        y_description: &y_description,
        legend: true,
        // Every line starts low, at small σ: the upper left is free.
        legend_corner: LegendCorner::UpperLeft,
    };
    let x_axis = Scale::LogSpan(LogSpan::new(first, last));
    let frame = line_chart(scene, (band, height), &series, x_axis, YScale::Log, &words);

    let name_y = MARGIN + (ABOVE_EM * LEGEND_PX).ceil() as i32;
    let mut dashed = Vec::new();
    let marks = stops
        .iter()
        .filter_map(|stop| stop.mark.map(|mark| (stop.std, mark)));
    for (index, (std, mark)) in marks.enumerate() {
        let x = frame.x_px(std);
        dashed.push(Vector::Line {
            from: (x, frame.top),
            to: (x, frame.bottom),
            colour: AXIS_COLOUR,
            width: 1.5,
            dashed: true,
        });
        // Marks are close together (Xavier's and He's σ differ by √2): the first name goes left
        // of its line, the others right of theirs, unless that side has no room.
        let name = mark_name(mark, text);
        let width = text_width(name, LEGEND_PX).ceil() as i32;
        let left_fits = x - GAP / 2 - width >= frame.left;
        let right_fits = x + GAP / 2 + width <= scene.width as i32 - MARGIN;
        let label = if (index == 0 && left_fits) || !right_fits {
            Label::new(name, (x - GAP / 2, name_y), LEGEND_PX, Align::End)
        } else {
            Label::new(name, (x + GAP / 2, name_y), LEGEND_PX, Align::Start)
        };
        scene.labels.push(label);
    }
    scene.overlays.push(Overlay {
        hidden: None,
        shapes: dashed,
    });
    for (index, stop) in stops.iter().enumerate() {
        let x = frame.x_px(stop.std);
        let mut shapes = vec![Vector::Line {
            from: (x, frame.top),
            to: (x, frame.bottom),
            colour: MARKER_COLOUR,
            width: 2.0,
            dashed: false,
        }];
        for (i, s) in series.iter().enumerate() {
            // The line leaves out what a log scale cannot show; so does the marker.
            let value = s.points.iter().find(|p| p.0 == stop.std).map(|p| p.1);
            if let Some(value) = value.filter(|v| *v > 0.0 && v.is_finite()) {
                shapes.push(Vector::Disc {
                    at: (x, frame.y_px(value)),
                    radius: 6,
                    fill: PALETTE[i % PALETTE.len()],
                });
            }
        }
        scene.overlays.push(Overlay {
            hidden: Some(("sweep-stop", index)),
            shapes,
        });
    }
    scene.height = height as u32;
}

/// An activation's name in a sweep chart's legend.
fn activation_name(activation: Activation, text: &FigureText) -> &str {
    match activation {
        Activation::Sigmoid => &text.sigmoid,
        Activation::Tanh => &text.tanh,
        Activation::Relu => &text.relu,
    }
}

/// A mark's name on a sweep's chart: its scheme's.
fn mark_name(mark: sweep::Mark, text: &FigureText) -> &str {
    match mark {
        sweep::Mark::Xavier => &text.xavier_scheme,
        sweep::Mark::He => &text.he_scheme,
    }
}

/// One panel per weight scheme: the smoothed batch accuracy of its runs without and with batch
/// normalization over the iterations; below, the final test accuracy of both against σ (the
/// schemes with `init = "normal"`) on a log axis.
fn lay_out_training_accuracy(
    scene: &mut Scene,
    spec: &ExperimentSpec,
    result: &TrainingResult,
    text: &FigureText,
) {
    let iterations = result.runs.first().map_or(1, |r| r.batch_accuracy.len());
    let window = spec.smooth();
    let name = |batchnorm: bool| {
        if batchnorm {
            text.with_batchnorm.clone()
        } else {
            text.without_batchnorm.clone()
        }
    };
    // The weight schemes in the order they first appear; in each, without before with.
    let mut schemes: Vec<crate::numeric::Init> = Vec::new();
    for run in &result.runs {
        if !schemes.contains(&run.init) {
            schemes.push(run.init);
        }
    }
    let runs_of = |init: &crate::numeric::Init| -> Vec<&TrainingRun> {
        [false, true]
            .into_iter()
            .flat_map(|bn| {
                result
                    .runs
                    .iter()
                    .filter(move |r| r.init == *init && r.batchnorm == bn)
            })
            .collect()
    };
    let panels: Vec<Panel> = schemes
        .iter()
        .map(|init| Panel {
            title: match init {
                crate::numeric::Init::Normal { std } => {
                    fill(&text.scale_title, &[("std", &std.to_string())])
                }
                other => scheme_name(other.name(), other, text),
            },
            series: runs_of(init)
                .into_iter()
                .map(|run| Series {
                    label: name(run.batchnorm),
                    points: moving_average(&run.batch_accuracy, window)
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| ((i + 1) as f64, v))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let y_description = fill(&text.batch_accuracy, &[("window", &window.to_string())]);
    let panel_text = PanelText {
        x_description: &text.iteration,
        y_description: &y_description,
    };
    let grid = panel_grid(
        scene,
        0,
        &panels,
        (Axis::new(0.0, iterations as f64, 2), Axis::new(0.0, 1.0, 2)),
        &panel_text,
    );

    let series: Vec<Series> = [false, true]
        .into_iter()
        .map(|bn| {
            let mut points: Vec<(f64, f64)> = result
                .runs
                .iter()
                .filter(|r| r.batchnorm == bn)
                .filter_map(|r| match r.init {
                    crate::numeric::Init::Normal { std } => Some((std, r.test_accuracy)),
                    _ => None,
                })
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series {
                label: name(bn),
                points,
            }
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    let (lo, hi) = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let x = if lo.is_finite() {
        LogAxis::covering(lo, hi)
    } else {
        LogAxis::covering(0.1, 1.0)
    };
    let bottom = grid + CHART_HEIGHT + 40;
    let words = ChartText {
        x_description: &text.weight_scale,
        y_description: &text.test_accuracy,
        legend: true,
        // Accuracy rises towards the larger scales on the right; the lower left is free.
        legend_corner: LegendCorner::LowerLeft,
    };
    line_chart(
        scene,
        (grid + GAP, bottom),
        &series,
        Scale::Log(x),
        YScale::Linear,
        &words,
    );
    scene.height = bottom as u32;
}

/// The legend name of a compared scheme: its label, with the scheme when the label alone does
/// not say it.
fn scheme_name(label: &str, init: &crate::numeric::Init, text: &FigureText) -> String {
    let scheme = match init {
        crate::numeric::Init::Normal { std } => {
            fill(&text.normal_scheme, &[("std", &std.to_string())])
        }
        crate::numeric::Init::Xavier => text.xavier_scheme.clone(),
        crate::numeric::Init::He => text.he_scheme.clone(),
        crate::numeric::Init::Zero => text.zero_scheme.clone(),
    };
    if label == init.name() || label.eq_ignore_ascii_case(&scheme) {
        scheme
    } else {
        fill(
            &text.labelled_scheme,
            &[("label", label), ("scheme", &scheme)],
        )
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

#[cfg(test)]
mod tests {
    use super::*;

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
