//! The σ explorer: what takes a sweep block's place on a page. The markup is the theme's
//! `explorer.html` (tera), its rules `explorer.css` and its script `explorer.js`; every word it
//! shows comes from the theme's strings table (`strings.toml`, see [`super::explorer_strings`]).
//! This module only gathers the numbers and words the template shows. The print edition gets
//! the same figure without controls: the frame the page opens at, its statistics and the chart.
//!
//! Without JavaScript the page works alone: one radio group per axis, and a stylesheet rule per
//! position that shows the frame whose σ and activation radios are checked (`:has()`). The script
//! adds a range slider over the σ radios and records the choice in the address.

use std::collections::BTreeMap;

use serde::Serialize;

use super::explorer_strings::{ExplorerStrings, fill};
use super::figure::Reproduce;
use super::markdown::Edition;
use super::templates::{EXPLORER_SCRIPT, EXPLORER_STYLESHEET, Theme};
use crate::error::Result;
use crate::format::{Number, NumberFormat};
use crate::limits;
use crate::model::ExperimentSpec;
use crate::numeric::sweep::{Mark, Stop, SweepFrame, SweepResult};
use crate::numeric::{Activation, Experiment, LayerStats};
use crate::site_paths::frame_path;

/// A statistic in the explorer's statistics: three decimals below 1, three significant digits
/// up to 1000, else scientific notation (so a column stays narrow on a phone).
fn stat_text(value: f64) -> String {
    let size = value.abs();
    let format = match size {
        _ if value == 0.0 || (0.001..1.0).contains(&size) => NumberFormat::Fixed(3),
        _ if (1.0..10.0).contains(&size) => NumberFormat::Fixed(2),
        _ if (10.0..100.0).contains(&size) => NumberFormat::Fixed(1),
        _ if (100.0..1000.0).contains(&size) => NumberFormat::Fixed(0),
        _ => NumberFormat::Scientific(2),
    };
    // Without spaces around the ×, for the same reason.
    format.format(Number::Real(value)).replace(" × ", "×")
}

fn percent_text(value: f64) -> String {
    NumberFormat::Percent(1).format(Number::Real(value))
}

/// One statistic of every layer of a frame, as text.
fn per_layer(
    frame: &SweepFrame,
    text: fn(f64) -> String,
    pick: fn(&LayerStats) -> f64,
) -> Vec<String> {
    frame.layers.iter().map(|layer| text(pick(layer))).collect()
}

/// A frame's title and alt text, from its numbers.
pub struct FrameText {
    pub title: String,
    pub alt: String,
}

/// The one function that describes a frame in words (its image's alt text, and its SVG's title
/// and description).
pub fn frame_text(strings: &ExplorerStrings, frame: &SweepFrame) -> FrameText {
    let stop = strings.stop_label(&frame.stop());
    let activation = strings.activation(frame.activation);
    let stds = per_layer(frame, stat_text, |layer| layer.std).join(", ");
    let edges = per_layer(frame, percent_text, |layer| layer.edge_frac).join(", ");
    let layers = frame.layers.len().to_string();
    FrameText {
        title: fill(
            &strings.frame_title,
            &[("stop", &stop), ("activation", activation)],
        ),
        alt: fill(
            &strings.frame_alt,
            &[
                ("stop", &stop),
                ("activation", activation),
                ("layers", &layers),
                ("stds", &stds),
                ("edges", &edges),
            ],
        ),
    }
}

/// The id of a frame on its page (its statistics; its SVG's title and description).
pub fn frame_svg_id(spec: &ExperimentSpec, frame: &SweepFrame) -> String {
    format!("{}-{}", spec.id, frame.name())
}

#[derive(Serialize)]
struct StopContext {
    index: usize,
    /// What the address records (`std=0.1`, `std=he`).
    value: String,
    std: f64,
    label: String,
    valuetext: String,
    checked: bool,
}

#[derive(Serialize)]
struct ActivationContext {
    index: usize,
    name: &'static str,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct StatRow {
    name: String,
    values: Vec<String>,
}

/// A column of the statistics: its number, and its name for screen readers.
#[derive(Serialize)]
struct LayerHead {
    number: usize,
    name: String,
}

#[derive(Serialize)]
struct FrameContext {
    /// Unique on the page: `ID-ACTIVATION-STOP`.
    id: String,
    stop: usize,
    src: String,
    alt: String,
    caption: String,
    rows: Vec<StatRow>,
}

#[derive(Serialize)]
struct GroupContext {
    index: usize,
    frames: Vec<FrameContext>,
}

#[derive(Serialize)]
struct ExplorerContext<'a> {
    id: &'a str,
    number: &'a str,
    caption: &'a str,
    seed: u64,
    stops: Vec<StopContext>,
    /// The stop checked when the page opens.
    checked_stop: usize,
    activations: Vec<ActivationContext>,
    groups: Vec<GroupContext>,
    layers: Vec<LayerHead>,
    width: u32,
    height: u32,
    chart: &'a str,
    reproduce: Reproduce<'a>,
    /// The print edition's figure: `groups` holds only the frame the page opens at.
    print: bool,
}

/// What the draw stage made of a sweep: its chart, and the size all its frames share.
pub struct SweepDrawing<'a> {
    pub chart: &'a str,
    pub frame_size: (u32, u32),
}

/// The explorer of a sweep (its figure number `number`) for `edition`, through the theme's
/// `explorer.html`.
pub fn render_explorer(
    theme: &Theme,
    edition: Edition,
    spec: &ExperimentSpec,
    number: &str,
    drawing: SweepDrawing<'_>,
    result: &SweepResult,
    reproduce: Reproduce<'_>,
) -> Result<String> {
    let Experiment::Sweep(params) = &spec.experiment else {
        unreachable!("only a sweep has an explorer")
    };
    let strings = &theme.explorer;
    let stops = params.stops();
    let checked_stop = first_view(&stops);
    let activation_label = |a: Activation| strings.activation(a).to_string();
    let layers: Vec<LayerHead> = (1..=params.layers)
        .map(|number| LayerHead {
            number,
            name: fill(&strings.stats_layer, &[("layer", &number.to_string())]),
        })
        .collect();
    let print = edition == Edition::Print;
    let groups = params
        .activations
        .iter()
        .enumerate()
        .filter(|&(index, _)| !print || index == 0)
        .map(|(index, &activation)| GroupContext {
            index,
            frames: result
                .frames
                .iter()
                .filter(|frame| frame.activation == activation)
                .enumerate()
                .filter(|&(stop, _)| !print || stop == checked_stop)
                .map(|(stop, frame)| frame_context(strings, spec, stop, frame))
                .collect(),
        })
        .collect();
    let (width, height) = drawing.frame_size;
    let context = ExplorerContext {
        id: &spec.id,
        number,
        caption: &spec.caption,
        seed: spec.seed,
        stops: stops
            .iter()
            .enumerate()
            .map(|(index, stop)| StopContext {
                index,
                value: match stop.mark {
                    Some(mark) => mark.name().to_string(),
                    None => stop.std.to_string(),
                },
                std: stop.std,
                label: strings.stop_label(stop),
                valuetext: fill(
                    &strings.slider_value,
                    &[("stop", &strings.stop_label(stop))],
                ),
                checked: index == checked_stop,
            })
            .collect(),
        checked_stop,
        activations: params
            .activations
            .iter()
            .enumerate()
            .map(|(index, &activation)| ActivationContext {
                index,
                name: activation.name(),
                label: activation_label(activation),
                checked: index == 0,
            })
            .collect(),
        groups,
        layers,
        width,
        height,
        chart: drawing.chart,
        reproduce,
        print,
    };
    theme.render_value("explorer.html", &context)
}

/// The stop the page opens at: the first mark, or else the middle of the axis.
fn first_view(stops: &[Stop]) -> usize {
    stops
        .iter()
        .position(|stop| stop.mark.is_some())
        .unwrap_or(stops.len() / 2)
}

fn frame_context(
    strings: &ExplorerStrings,
    spec: &ExperimentSpec,
    stop: usize,
    frame: &SweepFrame,
) -> FrameContext {
    let row = |name: &str, text: fn(f64) -> String, pick: fn(&LayerStats) -> f64| StatRow {
        name: name.to_string(),
        values: per_layer(frame, text, pick),
    };
    let stop_label = strings.stop_label(&frame.stop());
    FrameContext {
        id: frame_svg_id(spec, frame),
        stop,
        src: frame_path(&spec.id, &frame.name()),
        alt: frame_text(strings, frame).alt,
        caption: fill(
            &strings.stats_caption,
            &[
                ("stop", &stop_label),
                ("activation", strings.activation(frame.activation)),
            ],
        ),
        rows: vec![
            row(&strings.stat_std, stat_text, |l| l.std),
            row(&strings.stat_edge, percent_text, |l| l.edge_frac),
            row(&strings.stat_unit_std, stat_text, |l| l.unit_std),
        ],
    }
}

/// The explorer's stylesheet (the theme's `explorer.css`), with a rule for every position a
/// sweep can have.
pub fn render_stylesheet(theme: &Theme) -> Result<String> {
    let mut context = tera::Context::new();
    context.insert("max_stops", &(limits::SWEEP_STDS.1 + Mark::ALL.len()));
    context.insert("max_activations", &Activation::NAMES.len());
    theme.render(EXPLORER_STYLESHEET, &context)
}

/// Whether the book shows any explorer (and so needs its stylesheet and script).
pub fn book_has_explorer<'a>(mut specs: impl Iterator<Item = &'a ExperimentSpec>) -> bool {
    specs.any(|spec| spec.figure && matches!(spec.experiment, Experiment::Sweep(_)))
}

/// The site's explorer files: its stylesheet and script, by path.
pub fn explorer_assets(theme: &Theme) -> Result<BTreeMap<String, Vec<u8>>> {
    Ok(BTreeMap::from([
        (
            EXPLORER_STYLESHEET.to_string(),
            render_stylesheet(theme)?.into_bytes(),
        ),
        (
            EXPLORER_SCRIPT.to_string(),
            theme.explorer_script.clone().into_bytes(),
        ),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_print_short() {
        assert_eq!(stat_text(0.21349), "0.213");
        assert_eq!(stat_text(0.000312), "3.12×10⁻⁴");
        assert_eq!(stat_text(563012.0), "5.63×10⁵");
        assert_eq!(stat_text(0.0), "0.000");
        assert_eq!(
            (stat_text(1.2345), stat_text(11.643), stat_text(156.6)),
            ("1.23".into(), "11.6".into(), "157".into())
        );
    }
}
