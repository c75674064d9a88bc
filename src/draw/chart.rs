//! Line charts: one or more series on shared axes, linear or logarithmic in y, with a legend.
//!
//! The plot takes what its labels leave: the y description (wrapped at spaces when it is longer
//! than the plot is tall) and the widest y tick label on the left, the x tick labels and
//! description below, half a tick label above and beside it. The legend sits inside the plot,
//! in a corner the caller picks (lower left unless the data start there), sized from its entries.

use super::axis::{Axis, Frame, LogAxis, Scale};
use super::measure::{ABOVE_EM, BELOW_EM, line_height, line_pitch, text_width, wrap};
use super::scene::{Align, Label, Mark, Scene};
use super::{
    DESC_PX, GAP, GRID_COLOUR, LEGEND_PX, MARGIN, PALETTE, TICK_LENGTH, TICK_PX, TICK_TEXT_GAP,
};

/// One named line.
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// How the y axis maps values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum YScale {
    Linear,
    Log,
}

/// Which corner of the plot the legend takes: one the lines leave free.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LegendCorner {
    LowerLeft,
    UpperLeft,
}

/// What a chart shows besides its data.
pub struct ChartText<'a> {
    pub x_description: &'a str,
    pub y_description: &'a str,
    /// Draw the legend even for a single series.
    pub legend: bool,
    pub legend_corner: LegendCorner,
}

/// Lays out a chart of `series` in the band of `scene` from `top` to `bottom`, the full width,
/// with `x` as its x axis. Returns the plot's frame, for what a caller adds in its coordinates.
pub fn line_chart(
    scene: &mut Scene,
    (top, bottom): (i32, i32),
    series: &[Series],
    x: Scale,
    y_scale: YScale,
    text: &ChartText<'_>,
) -> Frame {
    let px = |v: f64| v.ceil() as i32;
    let x_log = matches!(x, Scale::Log(_) | Scale::LogSpan(_));
    let y = y_axis(series, y_scale);
    let width = scene.width as i32;

    // Below the plot, from the bottom up: the description, the tick labels, the tick marks.
    let x_description_y = bottom - MARGIN - px(BELOW_EM * DESC_PX);
    let x_labels_top =
        x_description_y - px(ABOVE_EM * DESC_PX) - GAP / 2 - px(line_height(TICK_PX));
    // A log axis's first label (10⁻⁴) is wide enough to reach under the lowest y label, which is
    // centred on the plot's bottom edge: start the x labels below that one.
    let x_label_gap = if x_log {
        (TICK_LENGTH + TICK_TEXT_GAP).max(px(line_height(TICK_PX) / 2.0) + 2)
    } else {
        TICK_LENGTH + TICK_TEXT_GAP
    };
    let plot_bottom = x_labels_top - x_label_gap;
    // Above: the top y tick label is centred on the plot's top edge.
    let plot_top = top + MARGIN + px(ABOVE_EM * TICK_PX);
    let plot_height = f64::from(plot_bottom - plot_top);
    // Left: the description, its lines side by side, then the tick labels.
    let desc_line = line_pitch(DESC_PX);
    let y_description = wrap(text.y_description, DESC_PX, plot_height);
    let (first_half, last_half) = x.end_label_halves();
    let plot_left = px((f64::from(MARGIN)
        + f64::from(y_description.len() as i32 * desc_line)
        + f64::from(GAP)
        + y.widest_label()
        + f64::from(TICK_TEXT_GAP + TICK_LENGTH))
    .max(f64::from(MARGIN) + first_half));
    let plot_right = width - px(last_half.max(f64::from(GAP)) + f64::from(MARGIN));
    let frame = Frame {
        left: plot_left,
        top: plot_top,
        right: plot_right,
        bottom: plot_bottom,
        x,
        y,
    };

    scene.marks.extend(frame.grid(true));
    scene.marks.extend(frame.axes());
    for (i, s) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        // A zero has no place on a log scale: the line leaves it out.
        let points: Vec<(i32, i32)> = s
            .points
            .iter()
            .filter(|p| p.1.is_finite() && (y_scale == YScale::Linear || p.1 > 0.0))
            .filter(|p| !x_log || p.0 > 0.0)
            .map(|&(vx, vy)| (frame.x_px(vx), frame.y_px(vy)))
            .collect();
        if points.len() <= 12 {
            scene.marks.extend(points.iter().map(|&at| Mark::Dot {
                at,
                radius: 4,
                colour,
                width: 3,
            }));
        }
        scene.marks.push(Mark::line(points, colour, 3));
    }
    scene.labels.extend(frame.x_labels(x_label_gap));
    scene.labels.extend(frame.y_labels());
    scene.labels.push(Label::new(
        text.x_description,
        ((frame.left + frame.right) / 2, x_description_y),
        DESC_PX,
        Align::Middle,
    ));
    let y_centre = (frame.top + frame.bottom) / 2;
    for (k, line) in y_description.iter().enumerate() {
        let x = MARGIN + px(ABOVE_EM * DESC_PX) + k as i32 * desc_line;
        scene
            .labels
            .push(Label::new(line.clone(), (x, y_centre), DESC_PX, Align::Middle).upward());
    }
    if text.legend || series.len() > 1 {
        legend(scene, &frame, series, text.legend_corner);
    }
    frame
}

/// The y axis that holds every finite value (every positive one on a log scale).
fn y_axis(series: &[Series], y_scale: YScale) -> Scale {
    let values = || series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    match y_scale {
        YScale::Log => {
            let positive = values().filter(|v| *v > 0.0 && v.is_finite());
            let (lo, hi) = positive.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
            Scale::Log(if lo.is_finite() {
                LogAxis::covering(lo, hi)
            } else {
                LogAxis::covering(0.1, 1.0)
            })
        }
        YScale::Linear => {
            let hi = values().filter(|v| v.is_finite()).fold(0.0f64, f64::max);
            Scale::Linear(Axis::new(0.0, if hi > 0.0 { hi * 1.05 } else { 1.0 }, 5))
        }
    }
}

/// A box in a corner of the plot: a stroke of each series' colour and its name.
fn legend(scene: &mut Scene, frame: &Frame, series: &[Series], corner: LegendCorner) {
    const SWATCH: i32 = 24;
    let pad = GAP;
    let pitch = line_pitch(LEGEND_PX);
    let widest = series
        .iter()
        .map(|s| text_width(&s.label, LEGEND_PX))
        .fold(0.0, f64::max);
    let width = 2 * pad + SWATCH + GAP / 2 + widest.ceil() as i32;
    let height = pad + pitch * series.len() as i32;
    let left = frame.left + GAP;
    let (top, bottom) = match corner {
        LegendCorner::LowerLeft => (frame.bottom - GAP - height, frame.bottom - GAP),
        LegendCorner::UpperLeft => (frame.top + GAP, frame.top + GAP + height),
    };
    scene.marks.push(Mark::Rect {
        from: (left, top),
        to: (left + width, bottom),
        fill: plotters::style::Color::mix(&plotters::style::WHITE, 0.9),
        outline: Some(GRID_COLOUR),
    });
    for (i, s) in series.iter().enumerate() {
        let y = top + pad / 2 + (ABOVE_EM * LEGEND_PX).ceil() as i32 + pitch * i as i32;
        let x = left + pad;
        scene.marks.push(Mark::line(
            vec![(x, y), (x + SWATCH, y)],
            PALETTE[i % PALETTE.len()],
            3,
        ));
        scene.labels.push(Label::new(
            s.label.clone(),
            (x + SWATCH + GAP / 2, y),
            LEGEND_PX,
            Align::Start,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(y_description: &str, labels: &[&str]) -> Scene {
        let mut scene = Scene {
            width: 820,
            height: 370,
            ..Scene::default()
        };
        let series: Vec<Series> = labels
            .iter()
            .enumerate()
            .map(|(i, label)| Series {
                label: label.to_string(),
                points: (1..=50)
                    .map(|l| (f64::from(l), 0.5 / f64::from(l + i as i32)))
                    .collect(),
            })
            .collect();
        let text = ChartText {
            x_description: "층",
            y_description,
            legend: true,
            legend_corner: LegendCorner::LowerLeft,
        };
        line_chart(
            &mut scene,
            (0, 370),
            &series,
            Scale::Linear(Axis::new(0.0, 50.0, 5)),
            YScale::Log,
            &text,
        );
        scene
    }

    #[test]
    fn long_descriptions_wrap_and_legends_fit_their_names() {
        let scene = chart(
            "활성화 값의 표준편차 (층마다 노드 100개의 활성화 값을 모아서 계산)",
            &["작은 값: N(0, 0.01²)", "Xavier", "He"],
        );
        assert_eq!(scene.text_problems(), Vec::<String>::new());
        let upward: Vec<&Label> = scene.labels.iter().filter(|l| l.upward).collect();
        assert_eq!(upward.len(), 2, "the y description takes two lines");
        assert!(upward[0].at.0 < upward[1].at.0);
        let Some(Mark::Rect { from, to, .. }) = scene.marks.iter().find(|m| {
            matches!(
                m,
                Mark::Rect {
                    outline: Some(_),
                    ..
                }
            )
        }) else {
            panic!("no legend box");
        };
        let name = scene
            .labels
            .iter()
            .find(|l| l.text.starts_with("작은"))
            .unwrap();
        assert!(f64::from(to.0) >= name.bounds().right && f64::from(from.0) < name.bounds().left);
    }
}
