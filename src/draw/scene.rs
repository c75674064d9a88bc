//! A laid-out figure: shapes and labels at pixel positions, and the one function that paints
//! them as SVG (plotters' SVG backend). Layout happens before painting, so every label's box is
//! known — estimated from its text ([`super::measure`]) — and can be checked: no two labels of a
//! figure overlap, none leaves the canvas.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::measure::{ABOVE_EM, BELOW_EM, text_width};

const FONT: &str = "sans-serif";
/// plotters writes a font's size divided by this into the SVG (its "pt to px" factor).
const PLOTTERS_SIZE_FACTOR: f64 = 1.24;
const CANNOT_FAIL: &str = "drawing into a String cannot fail";

/// A rectangle in pixels; `left < right`, `top < bottom` (y grows downward).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Rect {
    pub fn width(&self) -> f64 {
        self.right - self.left
    }

    /// Whether the two share an area (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.left.max(other.left) < self.right.min(other.right)
            && self.top.max(other.top) < self.bottom.min(other.bottom)
    }

    pub fn contains(&self, inner: &Rect) -> bool {
        inner.left >= self.left
            && inner.right <= self.right
            && inner.top >= self.top
            && inner.bottom <= self.bottom
    }
}

/// Which end of a label its anchor point is at, along the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Start,
    Middle,
    End,
}

/// One line of text, vertically centred on its anchor.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub text: String,
    pub at: (i32, i32),
    /// Font size in pixels.
    pub px: f64,
    pub align: Align,
    /// Turned a quarter anticlockwise, to read upward (a y axis description).
    pub upward: bool,
    pub colour: RGBColor,
}

impl Label {
    pub fn new(text: impl Into<String>, at: (i32, i32), px: f64, align: Align) -> Self {
        Label {
            text: text.into(),
            at,
            px,
            align,
            upward: false,
            colour: super::AXIS_COLOUR,
        }
    }

    pub fn upward(self) -> Self {
        Label {
            upward: true,
            ..self
        }
    }

    pub fn coloured(self, colour: RGBColor) -> Self {
        Label { colour, ..self }
    }

    /// The box the label's text is estimated to fill.
    pub fn bounds(&self) -> Rect {
        let width = text_width(&self.text, self.px);
        // Along the text, from the anchor; across it, above and below the anchor.
        let (before, after) = match self.align {
            Align::Start => (0.0, width),
            Align::Middle => (width / 2.0, width / 2.0),
            Align::End => (width, 0.0),
        };
        let (above, below) = (ABOVE_EM * self.px, BELOW_EM * self.px);
        let (x, y) = (f64::from(self.at.0), f64::from(self.at.1));
        if self.upward {
            // Turned anticlockwise: the text runs up the page, its top faces left.
            Rect {
                left: x - above,
                right: x + below,
                top: y - after,
                bottom: y + before,
            }
        } else {
            Rect {
                left: x - before,
                right: x + after,
                top: y - above,
                bottom: y + below,
            }
        }
    }
}

/// A shape of the figure, in pixels.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A filled rectangle between two corners, with an optional outline.
    Rect {
        from: (i32, i32),
        to: (i32, i32),
        fill: RGBAColor,
        outline: Option<RGBColor>,
    },
    /// A line through the points.
    Line {
        points: Vec<(i32, i32)>,
        colour: RGBColor,
        width: u32,
    },
    /// A circle outline (a data point of a short line).
    Dot {
        at: (i32, i32),
        radius: i32,
        colour: RGBColor,
        width: u32,
    },
}

impl Mark {
    pub fn filled(from: (i32, i32), to: (i32, i32), colour: RGBColor) -> Mark {
        Mark::Rect {
            from,
            to,
            fill: colour.to_rgba(),
            outline: None,
        }
    }

    pub fn line(points: Vec<(i32, i32)>, colour: RGBColor, width: u32) -> Mark {
        Mark::Line {
            points,
            colour,
            width,
        }
    }
}

/// A shape plotters cannot draw (a dashed line, a disc with an outline of another colour),
/// written as an SVG element of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Vector {
    /// A straight line, dashed (6 pixels drawn, 4 left out) if `dashed`.
    Line {
        from: (i32, i32),
        to: (i32, i32),
        colour: RGBColor,
        width: f64,
        dashed: bool,
    },
    /// A filled circle with a white outline, so it stands out on a line of its own colour.
    Disc {
        at: (i32, i32),
        radius: i32,
        fill: RGBColor,
    },
}

/// Shapes written on top of everything plotters paints, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// `Some((class, stop))`: the shapes are hidden in the file, in
    /// `<g class="CLASS" data-stop="STOP" display="none">`, for a page's stylesheet to show.
    pub hidden: Option<(&'static str, usize)>,
    pub shapes: Vec<Vector>,
}

/// A figure laid out: its canvas, shapes (painted in order), labels (painted on top), and
/// overlays (written last).
#[derive(Debug, Clone, Default)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub marks: Vec<Mark>,
    pub labels: Vec<Label>,
    pub overlays: Vec<Overlay>,
}

impl Scene {
    /// What a reader could not read: pairs of labels whose boxes overlap, labels that leave the
    /// canvas. Empty for every figure initbook draws (the tests check it in English and Korean).
    pub fn text_problems(&self) -> Vec<String> {
        let canvas = Rect {
            left: 0.0,
            top: 0.0,
            right: f64::from(self.width),
            bottom: f64::from(self.height),
        };
        let mut problems = overlapping_labels(&self.labels);
        for label in &self.labels {
            if !canvas.contains(&label.bounds()) {
                problems.push(format!("{:?} leaves the figure", label.text));
            }
        }
        problems
    }

    /// The scene as an SVG document (without `<title>`; see `label_svg`).
    pub fn to_svg(&self) -> String {
        let mut svg = String::new();
        {
            let root =
                SVGBackend::with_string(&mut svg, (self.width, self.height)).into_drawing_area();
            root.fill(&WHITE).expect(CANNOT_FAIL);
            for mark in &self.marks {
                paint_mark(&root, mark);
            }
            for label in &self.labels {
                let h = match label.align {
                    Align::Start => HPos::Left,
                    Align::Middle => HPos::Center,
                    Align::End => HPos::Right,
                };
                let mut style = TextStyle::from((FONT, plotters_size(label.px)).into_font())
                    .color(&label.colour)
                    .pos(Pos::new(h, VPos::Center));
                if label.upward {
                    style = style.transform(FontTransform::Rotate270);
                }
                root.draw_text(&label.text, &style, label.at)
                    .expect(CANNOT_FAIL);
            }
            root.present().expect(CANNOT_FAIL);
        }
        if self.overlays.is_empty() {
            return svg;
        }
        let end = svg
            .rfind("</svg>")
            .expect("plotters closes the <svg> element");
        let overlays: String = self.overlays.iter().map(overlay_svg).collect();
        format!("{}{overlays}{}", &svg[..end], &svg[end..])
    }
}

/// An overlay as SVG elements, colours written as plotters writes them (`#2F6DB5`).
fn overlay_svg(overlay: &Overlay) -> String {
    let hex = |c: &RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    let mut svg = String::new();
    if let Some((class, stop)) = overlay.hidden {
        svg.push_str(&format!(
            "<g class=\"{class}\" data-stop=\"{stop}\" display=\"none\">\n"
        ));
    }
    for shape in &overlay.shapes {
        svg.push_str(&match shape {
            Vector::Line {
                from,
                to,
                colour,
                width,
                dashed,
            } => format!(
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{width}\"{}/>\n",
                from.0,
                from.1,
                to.0,
                to.1,
                hex(colour),
                if *dashed {
                    " stroke-dasharray=\"6 4\""
                } else {
                    ""
                }
            ),
            Vector::Disc { at, radius, fill } => format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"{radius}\" fill=\"{}\" stroke=\"#FFFFFF\" stroke-width=\"2\"/>\n",
                at.0,
                at.1,
                hex(fill)
            ),
        });
    }
    if overlay.hidden.is_some() {
        svg.push_str("</g>\n");
    }
    svg
}

/// The font size to ask plotters for so that it writes `font-size="px"`: `px × 1.24`, nudged by
/// the last bit until plotters' division gives `px` back exactly, where such a size exists.
fn plotters_size(px: f64) -> f64 {
    let mut size = px * PLOTTERS_SIZE_FACTOR;
    for _ in 0..8 {
        let back = size / PLOTTERS_SIZE_FACTOR;
        if back == px {
            break;
        }
        let bits = size.to_bits();
        size = f64::from_bits(if back > px { bits - 1 } else { bits + 1 });
    }
    size
}

/// Each pair of labels whose boxes overlap, as a sentence.
pub fn overlapping_labels(labels: &[Label]) -> Vec<String> {
    let boxes: Vec<Rect> = labels.iter().map(Label::bounds).collect();
    let mut problems = Vec::new();
    for (i, a) in boxes.iter().enumerate() {
        for (j, b) in boxes.iter().enumerate().skip(i + 1) {
            if a.overlaps(b) {
                problems.push(format!(
                    "{:?} and {:?} overlap",
                    labels[i].text, labels[j].text
                ));
            }
        }
    }
    problems
}

fn paint_mark(root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>, mark: &Mark) {
    match mark {
        Mark::Rect {
            from,
            to,
            fill,
            outline,
        } => {
            root.draw(&Rectangle::new([*from, *to], fill.filled()))
                .expect(CANNOT_FAIL);
            if let Some(colour) = outline {
                root.draw(&Rectangle::new([*from, *to], colour.stroke_width(1)))
                    .expect(CANNOT_FAIL);
            }
        }
        Mark::Line {
            points,
            colour,
            width,
        } => root
            .draw(&PathElement::new(
                points.clone(),
                colour.stroke_width(*width),
            ))
            .expect(CANNOT_FAIL),
        Mark::Dot {
            at,
            radius,
            colour,
            width,
        } => root
            .draw(&Circle::new(*at, *radius, colour.stroke_width(*width)))
            .expect(CANNOT_FAIL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_boxes_follow_alignment_and_turning() {
        let label = Label::new("10", (100, 50), 10.0, Align::End);
        let b = label.bounds();
        assert_eq!((b.left, b.right), (100.0 - 12.8, 100.0));
        assert_eq!((b.top, b.bottom), (50.0 - 8.5, 50.0 + 6.8));
        let up = Label::new("10", (20, 100), 10.0, Align::Middle).upward();
        let b = up.bounds();
        assert_eq!((b.left, b.right), (20.0 - 8.5, 20.0 + 6.8));
        assert_eq!((b.top, b.bottom), (100.0 - 6.4, 100.0 + 6.4));
    }

    #[test]
    fn overlaps_and_escapes_are_reported() {
        let scene = Scene {
            width: 100,
            height: 40,
            marks: Vec::new(),
            overlays: Vec::new(),
            labels: vec![
                Label::new("Layer 1", (30, 12), 12.0, Align::Middle),
                Label::new("6000", (40, 14), 12.0, Align::End),
                Label::new("far", (95, 30), 12.0, Align::Start),
            ],
        };
        assert_eq!(
            scene.text_problems(),
            [
                "\"Layer 1\" and \"6000\" overlap",
                "\"far\" leaves the figure",
            ]
        );
    }

    #[test]
    fn scenes_paint_to_svg() {
        let scene = Scene {
            width: 60,
            height: 30,
            marks: vec![Mark::filled((1, 2), (11, 22), super::super::BAR_COLOUR)],
            labels: vec![Label::new("층", (30, 15), 12.5, Align::Middle).upward()],
            overlays: vec![
                Overlay {
                    hidden: None,
                    shapes: vec![Vector::Line {
                        from: (5, 0),
                        to: (5, 30),
                        colour: super::super::AXIS_COLOUR,
                        width: 1.5,
                        dashed: true,
                    }],
                },
                Overlay {
                    hidden: Some(("sweep-stop", 3)),
                    shapes: vec![Vector::Disc {
                        at: (7, 8),
                        radius: 6,
                        fill: super::super::BAR_COLOUR,
                    }],
                },
            ],
        };
        let svg = scene.to_svg();
        assert!(
            svg.contains("<rect x=\"1\" y=\"2\" width=\"10\" height=\"20\""),
            "{svg}"
        );
        assert!(svg.contains("font-size=\"12.5\""), "{svg}");
        assert!(svg.contains("rotate(270, 30, 15)"), "{svg}");
        assert!(svg.contains(">\n층\n</text>"), "{svg}");
        // Overlays come last, after the labels, inside the document.
        assert!(svg.ends_with(
            "<line x1=\"5\" y1=\"0\" x2=\"5\" y2=\"30\" stroke=\"#444444\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n<g class=\"sweep-stop\" data-stop=\"3\" display=\"none\">\n<circle cx=\"7\" cy=\"8\" r=\"6\" fill=\"#2F6DB5\" stroke=\"#FFFFFF\" stroke-width=\"2\"/>\n</g>\n</svg>\n"
        ), "{svg}");
        // The sizes the figures use (not every size has one: 13 comes out as 13.000000000000002).
        for px in [12.0, 12.5, 14.0, 17.0] {
            assert_eq!(plotters_size(px) / PLOTTERS_SIZE_FACTOR, px);
        }
    }
}
