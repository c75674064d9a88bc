//! Draw stage: experiment outcomes → SVG text. Knows nothing about pages.
//!
//! Each figure is first laid out as a [`Scene`] — shapes and labels at pixel positions, every
//! label's room reserved from its estimated size ([`measure`]) — then painted. All words come
//! from a [`FigureText`] (English by default), so an edition in another language draws the
//! same figures with its own strings, and the layout makes room for them.
//!
//! Determinism: plotters' SVG backend alone (no `ttf` feature), so text is never measured with the
//! machine's fonts; axis ticks are chosen in [`axis`] with plain arithmetic, and the log axis maps
//! through the pure-Rust `libm`. Every coordinate is rounded to whole pixels by the same
//! arithmetic on every machine.

mod axis;
mod chart;
mod histogram;
pub mod measure;
mod panels;
pub mod scene;
pub mod text;

use plotters::style::RGBColor;

use crate::escape::escape_xml;
use crate::model::ExperimentSpec;
use crate::numeric::Experiment;
use crate::numeric::Outcome;
use crate::numeric::depth::DepthResult;
use crate::numeric::gradients::GradientResult;
use crate::numeric::training::{Plot, TrainingResult, TrainingRun};
use axis::{Axis, LogAxis, Scale};
use chart::{ChartText, Series, YScale, line_chart};
use histogram::{Histogram, histogram_grid};
use panels::{Panel, PanelText, panel_grid};
pub use scene::Scene;
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
            let panels = histograms_of!(result.layers);
            let height =
                histogram_grid(&mut scene, 0, &panels, &text.activation, spec.y_max(), text);
            scene.height = height as u32;
        }
        Outcome::Gradients(result) => lay_out_gradients(&mut scene, spec, result, text),
        Outcome::Depth(result) => lay_out_depth(&mut scene, result, text),
        Outcome::Training(result) => lay_out_training(&mut scene, spec, result, text),
    }
    scene
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
