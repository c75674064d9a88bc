//! Small multiples: one small line chart per panel on shared axes, in a grid, with one legend
//! for all of them above. The training sweep draws one panel per weight scale, each with the
//! curve without and the curve with batch normalization.
//!
//! Laid out like the histogram grid: the first column carries the y tick labels, every panel
//! its x tick labels, the descriptions once for the whole grid (the y one upright along the
//! left edge, the x one under the last row). The grid takes the most columns (four at most)
//! whose titles fit their panels, so longer words — another language — give wider panels.

use super::axis::{Axis, Frame, Scale};
use super::chart::Series;
use super::measure::{ABOVE_EM, BELOW_EM, line_height, line_pitch, text_width, wrap};
use super::scene::{Align, Label, Mark, Scene};
use super::{
    DESC_PX, GAP, LEGEND_PX, MARGIN, PALETTE, TICK_LENGTH, TICK_PX, TICK_TEXT_GAP, TITLE_PX,
};

/// Panels per row, at most.
const MAX_COLUMNS: usize = 4;
/// Height of a panel's plot area.
const PLOT_HEIGHT: i32 = 90;
/// A plot narrower than this is not worth drawing: take fewer columns.
const MIN_PLOT_WIDTH: i32 = 90;
/// Panel titles are smaller than a histogram's: there are many panels.
const PANEL_TITLE_PX: f64 = TITLE_PX * 0.82;

/// One panel: a title and its lines (the same number of lines, in the same colours, in every
/// panel; the legend names them from the first panel's series).
pub struct Panel {
    pub title: String,
    pub series: Vec<Series>,
}

/// The words of a grid of panels besides their titles.
pub struct PanelText<'a> {
    pub x_description: &'a str,
    pub y_description: &'a str,
}

/// Lays out `panels` on the shared axes `x` and `y`, the full width of `scene`, from `top` down;
/// returns the height they take.
pub fn panel_grid(
    scene: &mut Scene,
    top: i32,
    panels: &[Panel],
    (x, y): (Axis, Axis),
    text: &PanelText<'_>,
) -> i32 {
    let Some(first) = panels.first() else {
        return 0;
    };
    let x = Scale::Linear(x);
    let y = Scale::Linear(y);
    let width = scene.width as i32;
    let px = |v: f64| v.ceil() as i32;

    let legend_bottom = legend(scene, top, &first.series);

    // Across: the y description and tick labels, then the columns; the x end labels stick out
    // half their width past each plot.
    let desc_line = line_pitch(DESC_PX);
    let y_area = f64::from(MARGIN + desc_line + GAP)
        + y.widest_label()
        + f64::from(TICK_TEXT_GAP + TICK_LENGTH);
    let (first_half, last_half) = x.end_label_halves();
    let first_left = px(y_area.max(f64::from(MARGIN) + first_half));
    let left_pad = px((first_half + f64::from(GAP)).max(f64::from(TICK_LENGTH + 2)));
    let right_pad = px((last_half + f64::from(GAP)).max(f64::from(MARGIN)));
    let widest_title = panels
        .iter()
        .map(|p| text_width(&p.title, PANEL_TITLE_PX))
        .fold(0.0, f64::max);
    let plot_width_for = |columns: i32| {
        (width - first_left - (columns - 1) * left_pad - columns * right_pad) / columns
    };
    let columns = (1..=panels.len().min(MAX_COLUMNS) as i32)
        .rev()
        .find(|&c| {
            let plot = plot_width_for(c);
            plot >= MIN_PLOT_WIDTH && f64::from(plot + left_pad) >= widest_title
        })
        .unwrap_or(1);
    let plot_width = plot_width_for(columns);

    // Down, per row: the title, the plot, the x tick labels.
    let title_bottom = MARGIN + px(line_height(PANEL_TITLE_PX));
    let plot_top = title_bottom + GAP / 2 + px(ABOVE_EM * TICK_PX);
    let plot_bottom = plot_top + PLOT_HEIGHT;
    let x_label_gap = (TICK_LENGTH + TICK_TEXT_GAP).max(px(BELOW_EM * TICK_PX) + 2);
    let row_height = plot_bottom + x_label_gap + px(line_height(TICK_PX)) + GAP / 2;
    let rows = panels.len().div_ceil(columns as usize) as i32;
    let grid_top = legend_bottom + GAP / 2;

    for (i, panel) in panels.iter().enumerate() {
        let (row, column) = (i as i32 / columns, i as i32 % columns);
        let row_top = grid_top + row * row_height;
        let left = first_left + column * (plot_width + right_pad + left_pad);
        let frame = Frame {
            left,
            top: row_top + plot_top,
            right: left + plot_width,
            bottom: row_top + plot_bottom,
            x: x.clone(),
            y: y.clone(),
        };
        scene.marks.extend(frame.grid(false));
        for (k, series) in panel.series.iter().enumerate() {
            let points = series
                .points
                .iter()
                .filter(|p| p.1.is_finite())
                .map(|&(vx, vy)| (frame.x_px(vx), frame.y_px(vy)))
                .collect();
            scene
                .marks
                .push(Mark::line(points, PALETTE[k % PALETTE.len()], 2));
        }
        scene.marks.extend(frame.axes());
        scene.labels.push(Label::new(
            panel.title.clone(),
            (
                (frame.left + frame.right) / 2,
                row_top + MARGIN + px(ABOVE_EM * PANEL_TITLE_PX),
            ),
            PANEL_TITLE_PX,
            Align::Middle,
        ));
        scene
            .labels
            .extend(frame.x_labels(TICK_LENGTH + TICK_TEXT_GAP));
        if column == 0 {
            scene.labels.extend(frame.y_labels());
        }
    }

    let grid_bottom = grid_top + rows * row_height;
    // The descriptions, once: x under the grid, y along its left edge.
    let x_description_y = grid_bottom + px(ABOVE_EM * DESC_PX);
    let grid_right = first_left + columns * plot_width + (columns - 1) * (right_pad + left_pad);
    scene.labels.push(Label::new(
        text.x_description,
        ((first_left + grid_right) / 2, x_description_y),
        DESC_PX,
        Align::Middle,
    ));
    let y_lines = wrap(
        text.y_description,
        DESC_PX,
        f64::from(grid_bottom - grid_top),
    );
    let y_centre = (grid_top + grid_bottom) / 2;
    for (k, line) in y_lines.iter().enumerate() {
        let at = (
            MARGIN + px(ABOVE_EM * DESC_PX) + k as i32 * desc_line,
            y_centre,
        );
        scene
            .labels
            .push(Label::new(line.clone(), at, DESC_PX, Align::Middle).upward());
    }
    x_description_y + px(BELOW_EM * DESC_PX) + MARGIN - top
}

/// The names of the lines with a stroke of their colour, side by side when they fit on one
/// line, else one under another, from `top`; returns the bottom.
fn legend(scene: &mut Scene, top: i32, series: &[Series]) -> i32 {
    const SWATCH: i32 = 24;
    let width = scene.width as i32;
    let entry_width = |s: &Series| SWATCH + GAP / 2 + text_width(&s.label, LEGEND_PX).ceil() as i32;
    let side_by_side: i32 =
        series.iter().map(entry_width).sum::<i32>() + 2 * GAP * (series.len() as i32 - 1).max(0);
    let one_line = MARGIN + side_by_side <= width - MARGIN;
    let pitch = line_pitch(LEGEND_PX);
    let mut x = MARGIN;
    let mut y = top + MARGIN + (ABOVE_EM * LEGEND_PX).ceil() as i32;
    for (i, s) in series.iter().enumerate() {
        if i > 0 {
            if one_line {
                x += entry_width(&series[i - 1]) + 2 * GAP;
            } else {
                y += pitch;
            }
        }
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
    y + (BELOW_EM * LEGEND_PX).ceil() as i32 + MARGIN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panels(title: &str, count: usize) -> Vec<Panel> {
        (0..count)
            .map(|i| Panel {
                title: format!("{title} {i}"),
                series: ["without", "with"]
                    .iter()
                    .map(|label| Series {
                        label: label.to_string(),
                        points: (0..50)
                            .map(|t| (f64::from(t), f64::from(t) / 50.0))
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn sixteen_panels_fit_four_to_a_row_without_overlaps() {
        let mut scene = Scene {
            width: 820,
            ..Scene::default()
        };
        let text = PanelText {
            x_description: "iteration",
            y_description: "batch accuracy (moving average of 10)",
        };
        let height = panel_grid(
            &mut scene,
            0,
            &panels("σ = 0.000631", 16),
            (Axis::new(0.0, 50.0, 2), Axis::new(0.0, 1.0, 2)),
            &text,
        );
        scene.height = height as u32;
        assert_eq!(scene.text_problems(), Vec::<String>::new());
        let titles: Vec<&Label> = scene
            .labels
            .iter()
            .filter(|l| l.text.starts_with('σ'))
            .collect();
        assert_eq!(titles.len(), 16);
        assert_eq!(
            titles[0].at.1, titles[3].at.1,
            "four panels in the first row"
        );
        assert!(titles[4].at.1 > titles[3].at.1);
    }

    #[test]
    fn long_titles_take_fewer_columns() {
        let mut scene = Scene {
            width: 820,
            ..Scene::default()
        };
        let text = PanelText {
            x_description: "반복 횟수",
            y_description: "배치 정확도",
        };
        let height = panel_grid(
            &mut scene,
            0,
            &panels("가중치 표준편차가 아주 작은 경우의 학습 곡선", 4),
            (Axis::new(0.0, 50.0, 2), Axis::new(0.0, 1.0, 2)),
            &text,
        );
        scene.height = height as u32;
        assert_eq!(scene.text_problems(), Vec::<String>::new());
    }
}
