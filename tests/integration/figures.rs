//! Every figure of the book, laid out in English and in Korean: no two labels overlap and none
//! leaves the figure, by the layout's own estimates of how much room text takes. (The browser
//! suite checks the same in Chromium, with real fonts.)

use crate::common;

use common::{korean_figure_text, tutorial_outcomes};
use initbook::draw::{
    FigureText, draw_figure_with, lay_out_figure, lay_out_sweep_frame, sweep_frame_layout,
};
use initbook::numeric::Outcome;

#[test]
fn every_figure_keeps_its_text_apart_in_english_and_korean() {
    let (book, outcomes) = tutorial_outcomes();
    let korean = korean_figure_text();
    assert_eq!(korean.problems(), Vec::<String>::new());
    let mut figures = 0;
    for (_, spec) in book.experiments().filter(|(_, spec)| spec.figure) {
        figures += 1;
        for text in [&FigureText::english(), &korean] {
            let scene = lay_out_figure(spec, &outcomes[&spec.id], text);
            let problems = scene.text_problems();
            assert!(
                problems.is_empty(),
                "{} ({}): {problems:#?}",
                spec.id,
                text.count
            );
        }
    }
    assert!(figures >= 10, "only {figures} figures");
}

/// A sweep's frames share one layout, chosen for the frame with the longest labels and the most
/// notes: laid out in it, no frame's text overlaps or leaves the figure, in either language.
#[test]
fn every_sweep_frame_keeps_its_text_apart_in_its_shared_layout() {
    let (book, outcomes) = tutorial_outcomes();
    let korean = korean_figure_text();
    let mut frames = 0;
    for (_, spec) in book.experiments().filter(|(_, spec)| spec.figure) {
        let Outcome::Sweep(result) = &outcomes[&spec.id] else {
            continue;
        };
        for text in [&FigureText::english(), &korean] {
            let layout = sweep_frame_layout(spec, result, text);
            for frame in &result.frames {
                frames += 1;
                let scene = lay_out_sweep_frame(spec, frame, &layout, text);
                assert_eq!((scene.width, scene.height), (layout.width, layout.height));
                let problems = scene.text_problems();
                assert!(
                    problems.is_empty(),
                    "{} {} σ = {} ({}): {problems:#?}",
                    spec.id,
                    frame.activation.name(),
                    frame.std,
                    text.count
                );
            }
        }
    }
    // The explore lesson's 26 σ stops × 3 activations, in two languages.
    assert!(frames >= 2 * 75, "only {frames} frames");
}

/// The sweep's chart draws every word from `FigureText`: in Korean, none is left in English.
#[test]
fn a_korean_sweep_chart_says_everything_in_korean() {
    let (book, outcomes) = tutorial_outcomes();
    let spec = book.find_experiment("explore").unwrap();
    let korean = draw_figure_with(spec, &outcomes[&spec.id], &korean_figure_text());
    let drawing = korean.split("</desc>").nth(1).unwrap();
    for words in [
        "시그모이드",
        "가중치의 표준편차 σ (로그 눈금)",
        "5층 활성화 값의 표준편차",
    ] {
        assert!(drawing.contains(words), "no {words:?} in the Korean chart");
    }
    for words in ["sigmoid", "weight scale", "std of layer", "(log)"] {
        assert!(!drawing.contains(words), "{words:?} left in English");
    }
}

#[test]
fn a_korean_figure_says_everything_in_korean_and_shows_the_same_data() {
    let (book, outcomes) = tutorial_outcomes();
    let spec = book.find_experiment("relu-std-small").unwrap();
    let outcome = &outcomes[&spec.id];
    let korean = draw_figure_with(spec, outcome, &korean_figure_text());
    let english = draw_figure_with(spec, outcome, &FigureText::english());
    for words in [
        "\n1층\n",
        "\n개수\n",
        "\n활성화 값\n",
        "잘린 막대: 74920, 16167, 6653",
    ] {
        assert!(korean.contains(words), "no {words:?} in the Korean figure");
    }
    // The caption and alt text (<title>, <desc>) come from the lesson; the drawing's own words
    // are all Korean.
    let drawing = korean.split("</desc>").nth(1).unwrap();
    for words in ["Layer", "count", "activation", "cut bars", "above", "below"] {
        assert!(!drawing.contains(words), "{words:?} left in English");
    }
    assert!(english.contains("cut bars: 74920, 16167, 6653"));
    // As many bars in both (the layout may give them other widths if the words need room).
    let bars = |svg: &str| svg.matches("fill=\"#2F6DB5\"").count();
    assert!(bars(&english) > 5);
    assert_eq!(bars(&english), bars(&korean));
}
