//! Histogram panels on shared scales, in a grid: one per layer, at most five to a row.
//!
//! Each row is laid out from the top: the panels' titles; a band for their notes (values outside
//! the range, the true heights of bars cut at the top of the y axis), as many lines as the
//! panel with the most needs; the plots; the x tick labels and the x description. The first
//! panel of a row carries the y labels. Every label's room comes from its estimated size
//! ([`super::measure`]); notes wrap at spaces. The grid takes as many columns (five at most) as
//! leave every label clear of every other and inside the figure, so a longer title or
//! description — another language — means fewer, wider panels rather than overprinted text.
//! Figures that are shown one in place of another (a sweep's frames) can share one
//! [`GridShape`], so their panels stay where they are.

use super::axis::{Axis, Frame, Scale};
use super::measure::{ABOVE_EM, BELOW_EM, line_height, line_pitch, text_width, wrap};
use super::scene::{Align, Label, Mark, Scene, overlapping_labels};
use super::text::{FigureText, fill};
use super::{
    BAR_COLOUR, DESC_PX, GAP, MARGIN, NOTE_COLOUR, NOTE_PX, TICK_LENGTH, TICK_PX, TICK_TEXT_GAP,
    TITLE_PX,
};

/// Panels per row, at most.
const MAX_COLUMNS: usize = 5;
/// Height of a panel's plot area.
const PLOT_HEIGHT: i32 = 150;
/// A plot narrower than this is not worth drawing: take fewer columns.
const MIN_PLOT_WIDTH: i32 = 60;

/// One histogram: a layer's counts over its bin edges, and what fell outside.
pub struct Histogram<'a> {
    pub layer: usize,
    pub counts: &'a [u64],
    pub edges: &'a [f64],
    pub below: u64,
    pub above: u64,
    pub nan: u64,
}

/// How a grid is arranged: its columns, and the lines its band of notes holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridShape {
    pub columns: usize,
    pub note_lines: usize,
}

/// Lays out `panels` on shared scales, the full width of `scene`, from `top` down; returns the
/// height they take. `x_description` names the x axis; `y_max` cuts taller bars at that count
/// (their true heights go in the notes).
pub fn histogram_grid(
    scene: &mut Scene,
    top: i32,
    panels: &[Histogram<'_>],
    x_description: &str,
    y_max: Option<u64>,
    text: &FigureText,
) -> i32 {
    histogram_grid_shaped(scene, top, panels, x_description, y_max, text, None)
}

/// [`histogram_grid`] in `shape` if given: that many columns, and a band of notes of at least
/// that many lines (more if the notes need them).
pub fn histogram_grid_shaped(
    scene: &mut Scene,
    top: i32,
    panels: &[Histogram<'_>],
    x_description: &str,
    y_max: Option<u64>,
    text: &FigureText,
    shape: Option<GridShape>,
) -> i32 {
    let Some((content, y_top)) = Content::of(panels, x_description, y_max, text) else {
        return 0;
    };
    let width = scene.width as i32;
    let grid = match shape {
        Some(shape) => Grid::lay_out(&content, shape, width, top),
        None => Grid::natural(&content, width, top),
    };
    for (frame, panel) in grid.frames.iter().zip(panels) {
        scene.marks.extend(frame.grid(false));
        scene.marks.extend(bars(frame, panel, y_top));
        scene.marks.extend(frame.axes());
    }
    scene.labels.extend(grid.labels);
    grid.height
}

/// The shape [`histogram_grid`] gives `panels` in a figure `width` wide; with `columns` given,
/// the notes' lines in that many columns.
pub fn grid_shape(
    width: u32,
    panels: &[Histogram<'_>],
    x_description: &str,
    y_max: Option<u64>,
    text: &FigureText,
    columns: Option<usize>,
) -> GridShape {
    let Some((content, _)) = Content::of(panels, x_description, y_max, text) else {
        return GridShape {
            columns: 1,
            note_lines: 0,
        };
    };
    let width = width as i32;
    match columns {
        Some(columns) => {
            let shape = GridShape {
                columns,
                note_lines: 0,
            };
            Grid::lay_out(&content, shape, width, 0).shape
        }
        None => Grid::natural(&content, width, 0).shape,
    }
}

/// What the panels say, before it is placed.
struct Content {
    titles: Vec<String>,
    /// Each panel's notes, one sentence each, not yet wrapped.
    notes: Vec<Vec<String>>,
    x_description: String,
    y_description: String,
    x: Scale,
    y: Scale,
}

impl Content {
    /// The words and scales of `panels`, and the top of their y axis; `None` without panels.
    fn of(
        panels: &[Histogram<'_>],
        x_description: &str,
        y_max: Option<u64>,
        text: &FigureText,
    ) -> Option<(Content, f64)> {
        let (first, last) = (panels.first()?, panels.last()?);
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
        let content = Content {
            x_description: format!("{x_description}{}", x_axis.unit_suffix()),
            notes: panels
                .iter()
                .map(|panel| panel_notes(panel, &x_axis, y_top, text))
                .collect(),
            titles: panels
                .iter()
                .map(|panel| fill(&text.layer_title, &[("layer", &panel.layer.to_string())]))
                .collect(),
            y_description: text.count.clone(),
            x: Scale::Linear(x_axis),
            y: Scale::Linear(Axis::new(0.0, y_top, 4)),
        };
        Some((content, y_top))
    }
}

/// The panels placed in a number of columns.
struct Grid {
    frames: Vec<Frame>,
    labels: Vec<Label>,
    /// The columns, and the lines the band of notes took.
    shape: GridShape,
    height: i32,
    width: i32,
    top: i32,
    /// Every label had room of its own: no title, note or description wider than its panel.
    room: bool,
}

impl Grid {
    /// The most columns (five at most) whose labels all fit; one column when nothing does (it
    /// has the most room).
    fn natural(content: &Content, width: i32, top: i32) -> Grid {
        let most = content.titles.len().min(MAX_COLUMNS);
        let in_columns = |columns| GridShape {
            columns,
            note_lines: 0,
        };
        (2..=most)
            .rev()
            .map(|columns| Grid::lay_out(content, in_columns(columns), width, top))
            .find(Grid::fits)
            .unwrap_or_else(|| Grid::lay_out(content, in_columns(1), width, top))
    }

    /// The panels in `shape.columns` columns, under a band of notes of at least
    /// `shape.note_lines` lines.
    fn lay_out(content: &Content, shape: GridShape, width: i32, top: i32) -> Grid {
        let columns = shape.columns.max(1);
        let n = content.titles.len();
        let rows = n.div_ceil(columns);
        let px = |v: f64| v.ceil() as i32;

        // Across: the first column carries the y labels; the end x tick labels stick out half
        // their width past each plot, so neighbouring panels keep room for them.
        let desc_line = line_pitch(DESC_PX);
        let y_description = wrap(&content.y_description, DESC_PX, f64::from(PLOT_HEIGHT));
        let y_area = f64::from(MARGIN)
            + f64::from(y_description.len() as i32 * desc_line)
            + f64::from(GAP)
            + content.y.widest_label()
            + f64::from(TICK_TEXT_GAP + TICK_LENGTH);
        let (first_half, last_half) = content.x.end_label_halves();
        let first_left = px(y_area.max(f64::from(MARGIN) + first_half));
        // Two gaps between neighbours' end labels, so "5" and "-5" do not read as one range.
        let left_pad = px((first_half + f64::from(GAP)).max(f64::from(TICK_LENGTH + 2)));
        let right_pad = px((last_half + f64::from(GAP)).max(f64::from(MARGIN)));
        let columns_i = columns as i32;
        let plot_width =
            (width - first_left - (columns_i - 1) * left_pad - columns_i * right_pad) / columns_i;
        let mut room = plot_width >= MIN_PLOT_WIDTH;
        let plot_left = |column: i32| first_left + column * (plot_width + right_pad + left_pad);
        // Where a panel's own text may go, left to right.
        let text_span = |column: i32| {
            let left = if column == 0 {
                MARGIN
            } else {
                plot_left(column) - left_pad
            };
            (left, plot_left(column) + plot_width + right_pad)
        };

        // Down: the notes of each panel wrapped to its room; all rows take the tallest band.
        let wrapped: Vec<Vec<String>> = content
            .notes
            .iter()
            .enumerate()
            .map(|(i, notes)| {
                let column = (i % columns) as i32;
                let room = f64::from(plot_left(column) + plot_width - text_span(column).0);
                notes
                    .iter()
                    .flat_map(|note| wrap(note, NOTE_PX, room))
                    .collect()
            })
            .collect();
        let band_lines = wrapped
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(shape.note_lines) as i32;
        let note_pitch = line_pitch(NOTE_PX);
        let title_bottom = MARGIN + px(line_height(TITLE_PX));
        let band_top = title_bottom + GAP / 2;
        let band_bottom = band_top + band_lines * note_pitch;
        // The top y tick label is centred on the plot's top edge and reaches above it.
        let plot_top = band_bottom + GAP / 2 + px(ABOVE_EM * TICK_PX);
        let plot_bottom = plot_top + PLOT_HEIGHT;
        // Below the plot: x tick labels under the tick marks and clear of the lowest y label.
        let x_label_gap = (TICK_LENGTH + TICK_TEXT_GAP).max(px(BELOW_EM * TICK_PX) + 2);
        let x_labels_bottom = plot_bottom + x_label_gap + px(line_height(TICK_PX));
        let x_description_y = x_labels_bottom + GAP / 2 + px(ABOVE_EM * DESC_PX);
        let row_height = x_description_y + px(BELOW_EM * DESC_PX) + MARGIN;

        let mut frames = Vec::with_capacity(n);
        let mut labels = Vec::new();
        for (i, (title, notes)) in content.titles.iter().zip(&wrapped).enumerate() {
            let (row, column) = ((i / columns) as i32, (i % columns) as i32);
            let row_top = top + row * row_height;
            let left = plot_left(column);
            let frame = Frame {
                left,
                top: row_top + plot_top,
                right: left + plot_width,
                bottom: row_top + plot_bottom,
                x: content.x.clone(),
                y: content.y.clone(),
            };
            let span = text_span(column);
            let centre = (frame.left + frame.right) / 2;
            let title_y = row_top + MARGIN + px(ABOVE_EM * TITLE_PX);
            room &= push_centred(&mut labels, title, (centre, title_y), TITLE_PX, span);
            for (k, line) in notes.iter().enumerate() {
                let y = row_top + band_top + px(ABOVE_EM * NOTE_PX) + k as i32 * note_pitch;
                let note = Label::new(line.clone(), (frame.right, y), NOTE_PX, Align::End)
                    .coloured(NOTE_COLOUR);
                room &= note.bounds().left >= f64::from(span.0);
                labels.push(note);
            }
            labels.extend(frame.x_labels(x_label_gap));
            room &= push_centred(
                &mut labels,
                &content.x_description,
                (centre, row_top + x_description_y),
                DESC_PX,
                span,
            );
            if column == 0 {
                labels.extend(frame.y_labels());
                let y_centre = (frame.top + frame.bottom) / 2;
                for (k, line) in y_description.iter().enumerate() {
                    let x = MARGIN + px(ABOVE_EM * DESC_PX) + k as i32 * desc_line;
                    labels.push(
                        Label::new(line.clone(), (x, y_centre), DESC_PX, Align::Middle).upward(),
                    );
                }
                room &= y_description
                    .iter()
                    .all(|line| text_width(line, DESC_PX) <= f64::from(PLOT_HEIGHT));
            }
            frames.push(frame);
        }
        Grid {
            frames,
            labels,
            shape: GridShape {
                columns,
                note_lines: band_lines as usize,
            },
            height: rows as i32 * row_height,
            width,
            top,
            room,
        }
    }

    /// Every label has its room, overlaps no other and stays inside the grid.
    fn fits(&self) -> bool {
        let scene = Scene {
            width: self.width as u32,
            height: (self.top + self.height) as u32,
            labels: self.labels.clone(),
            ..Scene::default()
        };
        self.room && overlapping_labels(&self.labels).is_empty() && scene.text_problems().is_empty()
    }
}

/// Adds a label centred at `at`, moved sideways as far as needed to stay within `span`; returns
/// whether it fits there at all.
fn push_centred(
    labels: &mut Vec<Label>,
    text: &str,
    at: (i32, i32),
    px: f64,
    span: (i32, i32),
) -> bool {
    let half = (text_width(text, px) / 2.0).ceil() as i32;
    let fits = 2 * half <= span.1 - span.0;
    let x = at.0.min(span.1 - half).max(span.0 + half);
    labels.push(Label::new(text, (x, at.1), px, Align::Middle));
    fits
}

/// The panel's notes: how many values fell outside the range or were NaN, and the true heights
/// of the bars cut at `y_top`, left to right.
fn panel_notes(panel: &Histogram<'_>, x_axis: &Axis, y_top: f64, text: &FigureText) -> Vec<String> {
    let mut notes = Vec::new();
    let cut: Vec<String> = panel
        .counts
        .iter()
        .filter(|&&count| count as f64 > y_top)
        .map(u64::to_string)
        .collect();
    if !cut.is_empty() {
        notes.push(fill(
            &text.cut_bars,
            &[("counts", &cut.join(&text.list_separator))],
        ));
    }
    let outside = [
        (panel.below, &text.below, x_axis.lo),
        (panel.above, &text.above, x_axis.hi),
    ];
    for (count, template, end) in outside {
        if count > 0 {
            notes.push(fill(
                template,
                &[
                    ("count", &count.to_string()),
                    ("value", &x_axis.value_text(end)),
                ],
            ));
        }
    }
    if panel.nan > 0 {
        notes.push(fill(
            &text.not_a_number,
            &[("count", &panel.nan.to_string())],
        ));
    }
    notes
}

/// The panel's bars, cut at `y_top`; a cut bar gets a white break near its top.
fn bars(frame: &Frame, panel: &Histogram<'_>, y_top: f64) -> Vec<Mark> {
    let edges = panel.edges;
    let mut marks = Vec::new();
    let mut breaks = Vec::new();
    for (bin, &count) in panel.counts.iter().enumerate().filter(|(_, c)| **c > 0) {
        let (x0, x1) = (frame.x_px(edges[bin]), frame.x_px(edges[bin + 1]));
        let height = count as f64;
        marks.push(Mark::filled(
            (x0, frame.y_px(height.min(y_top))),
            (x1, frame.y_px(0.0)),
            BAR_COLOUR,
        ));
        if height > y_top {
            breaks.push(Mark::filled(
                (x0, frame.y_px(y_top * 0.93)),
                (x1, frame.y_px(y_top * 0.90)),
                plotters::style::WHITE,
            ));
        }
    }
    marks.extend(breaks);
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panels<'a>(counts: &'a [Vec<u64>], edges: &'a [f64]) -> Vec<Histogram<'a>> {
        counts
            .iter()
            .enumerate()
            .map(|(i, counts)| Histogram {
                layer: i + 1,
                counts,
                edges,
                below: 441,
                above: 444,
                nan: 0,
            })
            .collect()
    }

    fn korean() -> FigureText {
        FigureText {
            layer_title: "{layer}층".to_string(),
            count: "개수".to_string(),
            activation: "활성화 값".to_string(),
            below: "{value} 미만 {count}개".to_string(),
            above: "{value} 초과 {count}개".to_string(),
            cut_bars: "잘린 막대: {counts}".to_string(),
            ..FigureText::english()
        }
    }

    /// Five panels like the ReLU figures': three tall bins cut at 6000, values outside.
    fn relu_like(text: &FigureText) -> Scene {
        let edges: Vec<f64> = (0..=30).map(|i| f64::from(i) / 15.0).collect();
        let mut counts = vec![vec![1500u64; 30]; 5];
        counts[0][..3].copy_from_slice(&[74920, 16167, 6653]);
        let mut scene = Scene {
            width: 820,
            ..Scene::default()
        };
        let panels = panels(&counts, &edges);
        scene.height =
            histogram_grid(&mut scene, 0, &panels, &text.activation, Some(6000), text) as u32;
        scene
    }

    #[test]
    fn cut_bars_are_listed_in_one_sentence_clear_of_titles_and_ticks() {
        let scene = relu_like(&FigureText::english());
        assert_eq!(scene.text_problems(), Vec::<String>::new());
        let texts: Vec<&str> = scene.labels.iter().map(|l| l.text.as_str()).collect();
        // The counts read as a list, on one line in the band above the first plot.
        assert!(texts.contains(&"cut bars: 74920, 16167, 6653"), "{texts:?}");
        assert!(texts.contains(&"444 above 2"));
        // All five panels fit in one row.
        assert_eq!(
            scene
                .labels
                .iter()
                .filter(|l| l.text.starts_with("Layer"))
                .count(),
            5
        );
        let title_rows: Vec<i32> = scene
            .labels
            .iter()
            .filter(|l| l.text.starts_with("Layer"))
            .map(|l| l.at.1)
            .collect();
        assert!(title_rows.iter().all(|&y| y == title_rows[0]));
    }

    #[test]
    fn korean_labels_get_the_room_their_wider_glyphs_need() {
        let text = korean();
        let scene = relu_like(&text);
        assert_eq!(scene.text_problems(), Vec::<String>::new());
        let find = |text: &str| scene.labels.iter().find(|l| l.text == text).unwrap();
        // "1층" reserves about 1.6 em: its digit and a full-width syllable.
        let title = find("1층").bounds();
        assert!((title.width() - 1.64 * TITLE_PX).abs() < 1e-9);
        // "개수" runs upward beside the first panel, between the figure's edge and the tick labels.
        let count = find("개수").bounds();
        assert!((count.bottom - count.top - 2.0 * DESC_PX).abs() < 1e-9);
        let top_tick = find("6000").bounds();
        assert!(count.left >= f64::from(MARGIN) && count.right < top_tick.left);
        // "활성화 값" is 4 syllables and a space wide, under each plot.
        let description = find("활성화 값").bounds();
        assert!((description.width() - 4.33 * DESC_PX).abs() < 1e-9);
        assert!(description.top > top_tick.bottom);
    }

    #[test]
    fn labels_too_long_for_five_columns_take_fewer_wider_panels() {
        let text = FigureText {
            layer_title: "The activations of hidden layer number {layer}".to_string(),
            ..FigureText::english()
        };
        let scene = relu_like(&text);
        assert_eq!(scene.text_problems(), Vec::<String>::new());
        let rows: std::collections::BTreeSet<i32> = scene
            .labels
            .iter()
            .filter(|l| l.text.starts_with("The activations"))
            .map(|l| l.at.1)
            .collect();
        assert!(rows.len() > 1, "the titles need more than one row");
    }
}
