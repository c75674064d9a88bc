//! The sweep kind (`kind = "sweep"`) and its explorer: the science of shared draws, every new
//! key's errors, the bounds (work per sweep, frames and SVG per page), references into frames,
//! `run --json`, `verify`, and the explorer's markup.

use crate::common;

use std::process::{Command, Output};

use common::TinyBook;
use initbook::diagnostic::{Diagnostic, SourceFile};
use initbook::hash::sha256_hex;
use initbook::manifest::{Manifest, canonical_data, frame_data_hash};
use initbook::numeric::sweep::{Mark, SweepParams, SweepResult, run_sweep};
use initbook::numeric::{
    Activation, ActivationParams, Experiment, Init, NetworkParams, Outcome, run_activations,
};
use initbook::parse::parse_lesson;
use initbook::verify::{Drift, compare_with_disk};
use initbook::{build_site, write::write_site};

const SEEDS: [u64; 3] = [1, 2, 42];

fn initbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_initbook"))
        .args(args)
        .output()
        .unwrap()
}

fn sweep(
    activations: &[Activation],
    stds: &[f64],
    marks: &[Mark],
    (layers, nodes, samples): (usize, usize, usize),
) -> SweepParams {
    SweepParams {
        activations: activations.to_vec(),
        stds: stds.to_vec(),
        marks: marks.to_vec(),
        layers,
        nodes,
        samples,
        bins: 30,
        range: None,
    }
}

/// The std of layer `layer` (1-based) of every frame of `activation`, in σ order.
fn layer_stds(result: &SweepResult, activation: Activation, layer: usize) -> Vec<f64> {
    result
        .frames
        .iter()
        .filter(|f| f.activation == activation)
        .map(|f| f.layers[layer - 1].std)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Science

#[test]
fn relu_frames_scale_layer_k_by_the_ratio_of_sigmas_to_the_power_k() {
    // ReLU is positively homogeneous and the draws are shared: scaling every weight by c scales
    // layer k by c^k, up to rounding.
    let stds = [0.01, 0.05, 0.1, 0.3, 1.0, 2.0];
    for seed in SEEDS {
        let params = sweep(&[Activation::Relu], &stds, &[], (5, 100, 1000));
        let result = run_sweep(&params, seed);
        for layer in 1..=5 {
            let found = layer_stds(&result, Activation::Relu, layer);
            for (i, a) in stds.iter().enumerate() {
                for (j, b) in stds.iter().enumerate() {
                    let ratio = found[i] / found[j];
                    let expected = (a / b).powi(layer as i32);
                    let error = (ratio / expected - 1.0).abs();
                    assert!(
                        error < 1e-12,
                        "seed {seed}, layer {layer}, σ {a} / {b}: {ratio} vs {expected} ({error:e})"
                    );
                }
            }
        }
    }
}

#[test]
fn sigmoid_layer_1_saturates_more_as_sigma_grows() {
    let stds = [
        0.01, 0.0125, 0.016, 0.02, 0.025, 0.0315, 0.04, 0.05, 0.063, 0.08, 0.1, 0.125, 0.16, 0.2,
        0.25, 0.315, 0.4, 0.5, 0.63, 0.8, 1.0, 1.25, 1.6, 2.0,
    ];
    for seed in SEEDS {
        let params = sweep(&[Activation::Sigmoid], &stds, &[], (5, 100, 1000));
        let result = run_sweep(&params, seed);
        let outer: Vec<f64> = result
            .frames
            .iter()
            .map(|f| f.layers[0].edge_frac)
            .collect();
        for (pair, sigma) in outer.windows(2).zip(&stds[1..]) {
            // Every |a| grows with σ, so the share beyond the outer bins' edges never falls; once
            // some values are there, a 25% larger σ always pushes more out.
            assert!(pair[1] >= pair[0], "seed {seed}, σ {sigma}: {outer:?}");
            if pair[0] > 0.0 {
                assert!(pair[1] > pair[0], "seed {seed}, σ {sigma}: {outer:?}");
            }
        }
        assert!(outer[0] == 0.0 && outer[outer.len() - 1] > 0.8, "{outer:?}");
    }
}

#[test]
fn every_frame_is_the_standalone_activation_experiment_bit_for_bit() {
    let activations = [Activation::Sigmoid, Activation::Tanh, Activation::Relu];
    for seed in SEEDS {
        let params = sweep(
            &activations,
            &[0.02, 0.5],
            &[Mark::Xavier, Mark::He],
            (3, 40, 200),
        );
        let result = run_sweep(&params, seed);
        assert_eq!(result.frames.len(), 3 * 4);
        for ((activation, stop), frame) in params.frames().into_iter().zip(&result.frames) {
            assert_eq!((frame.activation, frame.std), (activation, stop.std));
            let normal = run_activations(&params.frame_experiment(activation, stop.std), seed);
            assert_eq!(
                frame.layers, normal.layers,
                "seed {seed}, {activation:?} σ {}",
                stop.std
            );
            // Its data hash is the standalone experiment's.
            let standalone = sha256_hex(&canonical_data(&Outcome::Activations(normal)));
            assert_eq!(frame_data_hash(frame), standalone);
            // At a mark, also the xavier or he experiment.
            if let Some(mark) = frame.mark {
                let scheme = ActivationParams {
                    network: NetworkParams {
                        init: mark.init(),
                        ..params.frame_experiment(activation, stop.std).network
                    },
                    ..params.frame_experiment(activation, stop.std)
                };
                assert_eq!(frame.layers, run_activations(&scheme, seed).layers);
            }
        }
    }
}

#[test]
fn the_sweep_is_the_same_whatever_the_thread_count() {
    let params = sweep(
        &[Activation::Tanh, Activation::Relu],
        &[0.05, 0.2, 1.0],
        &[Mark::He],
        (4, 60, 300),
    );
    let results: Vec<SweepResult> = [1, 3]
        .into_iter()
        .map(|threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| run_sweep(&params, 7))
        })
        .collect();
    assert_eq!(results[0], results[1]);
    assert_ne!(
        run_sweep(&params, 8),
        results[0],
        "another seed, other draws"
    );
}

// ---------------------------------------------------------------------------------------------
// The directive

const VALID: &str = r#"id = "sw"
kind = "sweep"
caption = "A sweep"
alt = "Lines"
seed = 42
std = [0.05, 0.1, 0.5]
activation = "relu"
layers = 2
nodes = 20
samples = 30"#;

/// The valid block with each of `lines` replaced (by its key) or appended.
fn with(lines: &str) -> String {
    let mut block: Vec<String> = VALID.lines().map(String::from).collect();
    for line in lines.lines() {
        let key = line.split('=').next().unwrap().trim();
        block.retain(|l| l.split('=').next().unwrap().trim() != key);
        block.push(line.to_string());
    }
    format!("# A lesson\n\n```experiment\n{}\n```\n", block.join("\n"))
}

fn parse(markdown: &str) -> Result<initbook::model::Lesson, Vec<Diagnostic>> {
    parse_lesson(SourceFile::new("content/lesson.md", markdown.to_string())).map_err(|d| d.0)
}

/// The 1-based line of `markdown` that starts with `prefix`.
fn line_of(markdown: &str, prefix: &str) -> usize {
    markdown
        .lines()
        .position(|l| l.starts_with(prefix))
        .unwrap()
        + 1
}

/// Exactly one error, on the line that starts with `at`, with `message` and `hint` in it.
#[track_caller]
fn assert_error(markdown: &str, at: &str, message: &str, hint: &str) {
    let found = parse(markdown).err().unwrap_or_default();
    assert_eq!(found.len(), 1, "expected one error, got {found:#?}");
    let error = &found[0];
    assert_eq!(error.line, line_of(markdown, at), "{error}");
    assert!(error.message.contains(message), "{error}");
    assert!(
        error.hint.as_deref().unwrap_or("").contains(hint),
        "{error}"
    );
}

fn params_of(markdown: &str) -> SweepParams {
    let lesson = parse(markdown).unwrap_or_else(|e| panic!("{e:#?}"));
    match &lesson.experiments[0].experiment {
        Experiment::Sweep(params) => params.clone(),
        other => panic!("not a sweep: {other:?}"),
    }
}

#[test]
fn a_valid_sweep_reads_its_keys_and_defaults() {
    let params = params_of(&with(""));
    assert_eq!(params.stds, [0.05, 0.1, 0.5]);
    assert_eq!(
        params.activations,
        [Activation::Relu],
        "one activation is a list of one"
    );
    assert_eq!(params.marks, []);
    assert_eq!(
        (params.layers, params.nodes, params.samples, params.bins),
        (2, 20, 30, 30)
    );
    assert_eq!(params.range, None);
    assert_eq!(params.range_of(Activation::Relu), (0.0, 2.0));
    assert_eq!(params.range_of(Activation::Tanh), (-1.0, 1.0));
    assert_eq!(params.range_of(Activation::Sigmoid), (0.0, 1.0));
    let params = params_of(&with("activation = [\"tanh\", \"sigmoid\"]"));
    assert_eq!(params.activations, [Activation::Tanh, Activation::Sigmoid]);
    assert_eq!(params.frames().len(), 6);
    let params = params_of(&with("range = [-2.0, 2.0]"));
    assert_eq!(params.range_of(Activation::Relu), (-2.0, 2.0));
}

#[test]
fn std_must_be_an_increasing_list_of_two_to_forty_scales() {
    assert_error(
        &with("std = 0.1"),
        "std =",
        "`std` must be a list of numbers, found the number 0.1",
        "std = [0.01, 0.1, 1]",
    );
    assert_error(
        &with("std = [0.1]"),
        "std =",
        "`std` lists 1 values",
        "give 2 to 40 values",
    );
    let many: Vec<String> = (1..=41).map(|i| format!("{}.0", i)).collect();
    assert_error(
        &with(&format!("std = [{}]", many.join(", "))),
        "std =",
        "`std` lists 41 values",
        "give 2 to 40 values",
    );
    assert_error(
        &with("std = [0.1, 0.5, 0.5]"),
        "std =",
        "`std` must be strictly increasing",
        "larger than the one before",
    );
    assert_error(
        &with("std = [0.0, 0.5]"),
        "std =",
        "`std` = 0 is out of range",
        "greater than 0 and at most 100",
    );
    assert_error(
        &with("std = [0.5, \"big\"]"),
        "std =",
        "`std` must be a number, found the string \"big\"",
        "",
    );
    assert_error(
        &with("std = [0.1, 200.0]"),
        "std =",
        "`std` = 200 is out of range",
        "at most 100",
    );
}

#[test]
fn missing_std_and_activation_are_reported_at_the_fence() {
    let without = |key: &str| {
        let lines: Vec<&str> = VALID.lines().filter(|l| !l.starts_with(key)).collect();
        format!("# A lesson\n\n```experiment\n{}\n```\n", lines.join("\n"))
    };
    assert_error(
        &without("std"),
        "```experiment",
        "experiment block is missing `std`",
        "std = [0.01, 0.1, 1]",
    );
    assert_error(
        &without("activation"),
        "```experiment",
        "experiment block is missing `activation`",
        "activation = [\"sigmoid\", \"relu\"]",
    );
}

#[test]
fn activation_may_be_one_or_a_list_of_distinct_activations() {
    assert_error(
        &with("activation = [\"relu\", \"swish\"]"),
        "activation =",
        "unknown activation \"swish\"",
        "\"sigmoid\", \"tanh\", \"relu\"",
    );
    assert_error(
        &with("activation = [\"relu\", \"tanh\", \"relu\"]"),
        "activation =",
        "`activation` lists \"relu\" twice",
        "give each value once",
    );
    assert_error(
        &with("activation = []"),
        "activation =",
        "`activation` lists 0 values",
        "give 1 to 3 values",
    );
    assert_error(
        &with("activation = 3"),
        "activation =",
        "`activation` must be a string, found the integer 3",
        "",
    );
}

#[test]
fn marks_name_xavier_or_he_once_each() {
    assert_error(
        &with("marks = [\"xavier\", \"lecun\"]"),
        "marks =",
        "unknown marks \"lecun\"",
        "one of \"xavier\", \"he\"",
    );
    assert_error(
        &with("marks = [\"he\", \"he\"]"),
        "marks =",
        "`marks` lists \"he\" twice",
        "give each value once",
    );
    assert_error(
        &with("marks = true"),
        "marks =",
        "`marks` must be a string, found true",
        "",
    );
    assert_eq!(params_of(&with("marks = \"he\"")).marks, [Mark::He]);
}

#[test]
fn marks_are_stops_at_their_sigma_for_nodes() {
    // n = 50: Xavier's σ is 1/√50, He's is √(2/50) = 0.2, which the list already has.
    let params = params_of(&with(
        "marks = [\"xavier\", \"he\"]\nnodes = 50\nstd = [0.1, 0.2, 0.5]",
    ));
    let stops = params.stops();
    let found: Vec<(f64, Option<Mark>)> = stops.iter().map(|s| (s.std, s.mark)).collect();
    assert_eq!(
        found,
        [
            (0.1, None),
            ((1.0f64 / 50.0).sqrt(), Some(Mark::Xavier)),
            (0.2, Some(Mark::He)),
            (0.5, None)
        ]
    );
    assert!(((1.0f64 / 50.0).sqrt() - 0.141_421_356_237_309_5).abs() < 1e-15);
    assert_eq!(
        params.frames().len(),
        4,
        "a mark on a listed σ adds no frame"
    );
    // With n = 200 both marks fall between listed values and add a stop each.
    let params = params_of(&with(
        "marks = [\"he\", \"xavier\"]\nnodes = 200\nstd = [0.05, 0.2]",
    ));
    let stds: Vec<f64> = params.stops().iter().map(|s| s.std).collect();
    assert_eq!(
        stds,
        [0.05, (1.0f64 / 200.0).sqrt(), (2.0f64 / 200.0).sqrt(), 0.2]
    );
}

#[test]
fn keys_of_other_kinds_and_a_bad_range_are_reported() {
    assert_error(
        &with("init = \"he\""),
        "init =",
        "`init` does not apply to kind = \"sweep\"",
        "`init` belongs to",
    );
    assert_error(
        &with("range = [1.0, 0.0]"),
        "range =",
        "`range` must go from low to high",
        "",
    );
    assert_error(
        &with("y_max = 0"),
        "y_max =",
        "`y_max` = 0 is out of range",
        "",
    );
}

#[test]
fn the_whole_sweep_is_held_to_one_experiments_work() {
    // Each frame is exactly at the bound of one experiment (10¹⁰ multiply-adds); two are not.
    let at_bound = "std = [0.1, 0.2]\nsamples = 10000\nnodes = 1000\nlayers = 1";
    let markdown = with(at_bound);
    let found = parse(&markdown).unwrap_err();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].message,
        "2 frames (2 σ × 1 activation) × samples × nodes² × layers = 20000000000 multiply-adds is too large (at most 10000000000)"
    );
    assert!(
        found[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("or sweep fewer σ values or activations"),
        "{:?}",
        found[0].hint
    );
    // Blamed on the key furthest above its default (samples and nodes are both 10×; the later in the rule, samples).
    assert_eq!(found[0].line, line_of(&markdown, "samples ="));
    // One frame fewer is fine.
    assert!(
        parse(&with(
            "std = [0.1, 0.2]\nsamples = 5000\nnodes = 1000\nlayers = 1"
        ))
        .is_ok()
    );
    // A frame bigger than an activation experiment may be is that rule's error.
    let found = parse(&with("std = [0.1, 0.2]\nsamples = 10001\nnodes = 1000")).unwrap_err();
    assert!(
        found[0].message.starts_with("samples × nodes = "),
        "{found:#?}"
    );
}

/// A sweep block with `stds` σ values and `activations` activations.
fn sweep_block(id: &str, stds: usize, activations: &[&str], extra: &str) -> String {
    let stds: Vec<String> = (1..=stds)
        .map(|i| format!("{:.2}", i as f64 / 10.0))
        .collect();
    let activations: Vec<String> = activations.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        "```experiment\nid = \"{id}\"\nkind = \"sweep\"\ncaption = \"C\"\nalt = \"A\"\nseed = 1\nstd = [{}]\nactivation = [{}]\nlayers = 1\nnodes = 2\nsamples = 3\n{extra}```\n",
        stds.join(", "),
        activations.join(", ")
    )
}

#[test]
fn a_page_shows_at_most_150_frames() {
    let two = ["tanh", "relu"];
    let markdown = format!(
        "# Sweeps\n\n{}\n{}\n",
        sweep_block("first", 40, &two, ""),
        sweep_block("second", 40, &two, "")
    );
    let found = parse(&markdown).unwrap_err();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].message,
        "the sweeps on this page have 160 frames, more than 150 per page (\"first\" 40 σ × 2 activations = 80; \"second\" 40 σ × 2 activations = 80)"
    );
    // At the second block's id.
    let second_id = markdown
        .lines()
        .position(|l| l == "id = \"second\"")
        .unwrap()
        + 1;
    assert_eq!((found[0].line, found[0].column), (second_id, 6));
    assert!(
        found[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("pages of their own")
    );
    // 150 exactly is fine: 40 × 3 + 30 × 1.
    let markdown = format!(
        "# Sweeps\n\n{}\n{}\n",
        sweep_block("first", 40, &["sigmoid", "tanh", "relu"], ""),
        sweep_block("second", 30, &["relu"], "")
    );
    assert!(parse(&markdown).is_ok());
}

#[test]
fn a_page_draws_at_most_3_mb_of_sweep_svg() {
    // Tiny networks, but 20 histogram panels in each of 120 frames.
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!(
            "# Heavy\n\n{}",
            sweep_block("heavy", 40, &["sigmoid", "tanh", "relu"], "layers = 20\n")
                .replace("layers = 1\n", "")
        ),
    );
    let error = build_site(book.root()).unwrap_err().to_string();
    assert!(
        error.contains("the sweeps on this page draw")
            && error.contains("more than 3.0 MB per page"),
        "{error}"
    );
    assert!(error.contains("\"heavy\": 120 frames of"), "{error}");
    assert!(error.contains("content/02-two.md:4:6"), "{error}");
    // Five layers fit.
    book.write(
        "content/02-two.md",
        &format!(
            "# Light\n\n{}",
            sweep_block("light", 40, &["sigmoid", "tanh", "relu"], "")
        ),
    );
    assert!(build_site(book.root()).is_ok());
}

// ---------------------------------------------------------------------------------------------
// References, the site, run --json and verify

const LESSON: &str = r#"# Explore

Tanh at σ = 0.1, layer 2: `{sw.tanh.s0_1.layer2.std:.6}`. ReLU at He: `{sw.relu.he.layer1.std:.6}`,
its σ `{sw.he.weight_std:.6}`, Xavier's also as s0_1: `{sw.relu.s0_1.layer2.mean:.6}`.
`{sw.frames}` frames, `{sw.relu.s0_5.layer2.above}` above.

```experiment
id = "sw"
kind = "sweep"
caption = "A sweep"
alt = "Lines"
seed = 9
std = [0.05, 0.1, 0.5]
marks = ["xavier", "he"]
activation = ["tanh", "relu"]
layers = 2
nodes = 100
samples = 40
```
"#;

/// The sweep of `LESSON`.
fn lesson_sweep() -> SweepParams {
    sweep(
        &[Activation::Tanh, Activation::Relu],
        &[0.05, 0.1, 0.5],
        &[Mark::Xavier, Mark::He],
        (2, 100, 40),
    )
}

fn sweep_book() -> TinyBook {
    let book = TinyBook::new();
    book.write("content/02-two.md", LESSON);
    book
}

#[test]
fn references_name_a_frame_by_activation_and_sigma() {
    let book = sweep_book();
    let site = build_site(book.root()).unwrap();
    let page = String::from_utf8(site.files["02-two.html"].clone()).unwrap();
    let result = run_sweep(&lesson_sweep(), 9);
    let frame = |activation: Activation, std: f64| {
        result
            .frames
            .iter()
            .find(|f| f.activation == activation && f.std == std)
            .unwrap()
    };
    let he = Init::He.weight_std(100);
    for (number, what) in [
        (
            format!("{:.6}", frame(Activation::Tanh, 0.1).layers[1].std),
            "tanh, σ = 0.1, layer 2, std",
        ),
        (
            format!("{:.6}", frame(Activation::Relu, he).layers[0].std),
            "relu, σ = 0.1414213562373095, layer 1, std",
        ),
        (format!("{he:.6}"), "σ of he"),
        (
            format!("{:.6}", frame(Activation::Relu, 0.1).layers[1].mean),
            "relu, σ = 0.1, layer 2, mean",
        ),
        ("8".to_string(), "parameter"),
        (
            frame(Activation::Relu, 0.5).layers[1].above.to_string(),
            "relu, σ = 0.5, layer 2, above",
        ),
    ] {
        let link = format!("title=\"sw: {what} (seed 9)\">{number}</a>");
        assert!(page.contains(&link), "{link} not in the page");
    }
}

#[test]
fn references_to_a_missing_frame_are_errors_with_the_sweeps_sigmas() {
    let cases = [
        (
            "`{sw.tanh.s0_3.layer1.std}`",
            "sweep \"sw\" has no σ = 0.3",
            "s0_05, xavier, he, s0_5",
        ),
        (
            "`{sw.tanh.lecun.layer1.std}`",
            "`lecun` is not a σ of sweep \"sw\"",
            "name σ with s",
        ),
        (
            "`{sw.sigmoid.s0_1.layer1.std}`",
            "sweep \"sw\" has no activation `sigmoid`",
            "its activations: tanh, relu",
        ),
        (
            "`{sw.tanh.s0_1.layer3.std}`",
            "experiment \"sw\" has 2 layers, not 3",
            "",
        ),
        (
            "`{sw.tanh.s0_1.layer1.spread}`",
            "unknown statistic `spread`",
            "",
        ),
        (
            "`{sw.tanh.layer1.std}`",
            "cannot read the reference for a sweep experiment",
            "{id.relu.he.layer5.std}",
        ),
        (
            "`{sw.weight_std}`",
            "unknown parameter `weight_std`",
            "frames",
        ),
    ];
    for (reference, message, hint) in cases {
        let markdown = LESSON.replace("`{sw.frames}`", reference);
        let found = parse(&markdown).unwrap_err();
        assert_eq!(found.len(), 1, "{reference}: {found:#?}");
        assert_eq!(found[0].message, message, "{reference}");
        assert!(
            found[0].hint.as_deref().unwrap_or("").contains(hint),
            "{reference}: {:?}",
            found[0].hint
        );
        assert_eq!(found[0].line, 5, "{reference}");
    }
}

#[test]
fn the_explorer_has_a_radio_image_and_statistics_for_every_frame() {
    let book = sweep_book();
    let site = build_site(book.root()).unwrap();
    let page = String::from_utf8(site.files["02-two.html"].clone()).unwrap();
    let count = |needle: &str| page.matches(needle).count();
    // σ axis: 0.05, Xavier's 0.1 (a listed value), He's √(2/100), 0.5; two activations.
    assert_eq!(count("name=\"sw-std\""), 4);
    assert_eq!(count("name=\"sw-act\""), 2);
    assert_eq!(count("<img class=\"explorer-frame\""), 8);
    assert_eq!(count("<caption id=\"sw-"), 8);
    assert!(page.contains("<label for=\"sw-std-1\">0.1 (Xavier)</label>"));
    assert!(page.contains("<label for=\"sw-std-2\">0.141 (He)</label>"));
    assert!(page.contains("value=\"xavier\" data-stop=\"1\" data-std=\"0.1\""));
    // It opens at the first mark, with the first activation.
    assert!(page.contains("id=\"sw-std-1\" value=\"xavier\" data-stop=\"1\" data-std=\"0.1\" data-valuetext=\"σ = 0.1 (Xavier)\" checked>"));
    assert!(page.contains("id=\"sw-act-0\" value=\"tanh\" data-act=\"0\" checked>"));
    assert!(page.contains("aria-live=\"polite\""));
    assert!(page.contains("Moving the slider changes only the scale"));
    assert!(page.contains("<link rel=\"stylesheet\" href=\"explorer.css\">"));
    assert!(page.contains("<script src=\"explorer.js\" defer></script>"));
    // Frames are lazy images of their own files, with alt text made from their numbers.
    let result = run_sweep(&lesson_sweep(), 9);
    let tanh_xavier = &result.frames[1];
    let stds = format!(
        "{:.3}, {:.3}",
        tanh_xavier.layers[0].std, tanh_xavier.layers[1].std
    );
    // The image is as large as the frame it shows (all frames of a sweep share one size).
    let frame_svg = String::from_utf8(site.files["figures/sw/tanh-xavier.svg"].clone()).unwrap();
    let size = frame_svg
        .split_once(" viewBox")
        .and_then(|(start, _)| start.strip_prefix("<svg "))
        .unwrap();
    assert!(size.starts_with("width=\"820\" height=\""), "{size}");
    let img = format!(
        "src=\"figures/sw/tanh-xavier.svg\" {size} loading=\"lazy\" alt=\"2 histograms, one per layer, of tanh activations with weights N(0, σ²), σ = 0.1 (Xavier). Std by layer: {stds}."
    );
    let found = page
        .split('<')
        .find(|tag| tag.contains("tanh-xavier.svg"))
        .unwrap_or("no such image");
    assert!(page.contains(&img), "{img}\nnot in\n{found}");
    for frame in &result.frames {
        let path = format!("figures/sw/{}.svg", frame.name());
        let svg = String::from_utf8(site.files[&path].clone()).unwrap();
        assert!(
            svg.contains(&format!("<desc id=\"sw-{}-desc\">", frame.name())),
            "{path}"
        );
    }
    assert!(site.files.contains_key("figures/sw.svg"), "the chart");
    // The chart marks every stop, hidden until the page's stylesheet shows the chosen one.
    let chart = String::from_utf8(site.files["figures/sw.svg"].clone()).unwrap();
    assert_eq!(chart.matches("<g class=\"sweep-stop\"").count(), 4);
    assert!(chart.contains(">\nXavier\n</text>") && chart.contains(">\nHe\n</text>"));
    // The explorer's files come with a book that has an explorer, and only then.
    let css = String::from_utf8(site.files["explorer.css"].clone()).unwrap();
    assert!(css.contains(
        ".explorer:has(input[data-stop=\"41\"]:checked) .explorer-frame[data-stop=\"41\"]"
    ));
    assert!(
        !css.contains("data-stop=\"42\""),
        "42 stops at most: 40 σ and two marks"
    );
    assert!(site.files.contains_key("explorer.js"));
    let plain = build_site(TinyBook::new().root()).unwrap();
    assert!(!plain.files.contains_key("explorer.css") && !plain.files.contains_key("explorer.js"));
}

#[test]
fn figures_json_holds_every_frames_statistics_and_hashes() {
    let book = sweep_book();
    let site = build_site(book.root()).unwrap();
    let manifest: Manifest = serde_json::from_slice(&site.files["figures.json"]).unwrap();
    let record = manifest.figure("sw").unwrap();
    let frames = record.frames.as_ref().unwrap();
    assert_eq!(frames.len(), 8);
    let result = run_sweep(&lesson_sweep(), 9);
    for (record, frame) in frames.iter().zip(&result.frames) {
        assert_eq!(record.name, frame.name());
        assert_eq!(record.data_sha256, frame_data_hash(frame));
        assert_eq!(record.layers[1].std, frame.layers[1].std);
        assert_eq!(record.layers[0].edge_frac, frame.layers[0].edge_frac);
        let svg = record.svg.as_ref().unwrap();
        assert_eq!(
            record.svg_sha256.as_deref(),
            Some(sha256_hex(&site.files[svg]).as_str())
        );
    }
    assert_eq!(frames[2].mark.as_deref(), Some("he"));
    // Other kinds' records have no frames at all.
    let text = String::from_utf8(site.files["figures.json"].clone()).unwrap();
    assert_eq!(text.matches("\"frames\"").count(), 1);
}

#[test]
fn run_json_prints_every_frame_with_its_data_hash() {
    let book = sweep_book();
    let root = book.root().to_str().unwrap();
    let output = initbook(&["run", "sw", "--json", "--root", root]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["params"]["kind"], "sweep");
    assert_eq!(report["params"]["std"], serde_json::json!([0.05, 0.1, 0.5]));
    assert_eq!(
        report["params"]["marks"],
        serde_json::json!(["xavier", "he"])
    );
    assert_eq!(
        report["params"]["range"],
        serde_json::json!([[-1.0, 1.0], [0.0, 2.0]])
    );
    let frames = report["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 8);
    let keys: Vec<&str> = frames[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["activation", "data_sha256", "layers", "mark", "std"]);
    assert_eq!(
        (&frames[0]["mark"], &frames[1]["mark"]),
        (&serde_json::Value::Null, &serde_json::json!("xavier"))
    );
    // A frame's data hash is that of the activation experiment with init = "normal" at its σ.
    let frame = &frames[5];
    assert_eq!(
        (frame["activation"].as_str(), frame["std"].as_f64()),
        (Some("relu"), Some(0.1))
    );
    let alone = initbook(&[
        "run",
        "--init",
        "normal",
        "--std",
        "0.1",
        "--activation",
        "relu",
        "--layers",
        "2",
        "--nodes",
        "100",
        "--samples",
        "40",
        "--range",
        "0,2",
        "--seed",
        "9",
        "--json",
    ]);
    assert!(
        alone.status.success(),
        "{}",
        String::from_utf8_lossy(&alone.stderr)
    );
    let alone: serde_json::Value = serde_json::from_slice(&alone.stdout).unwrap();
    assert_eq!(frame["data_sha256"], alone["data_sha256"]);
    assert_eq!(frame["layers"], alone["layers"]);
    // Flags narrow the sweep like any key.
    let output = initbook(&[
        "run",
        "sw",
        "--std",
        "0.2,0.4",
        "--activation",
        "tanh",
        "--json",
        "--root",
        root,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let narrowed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        narrowed["frames"].as_array().unwrap().len(),
        4,
        "0.2, 0.4 and the two marks"
    );
    let output = initbook(&["run", "sw", "--std", "0.4,0.2", "--root", root]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("`--std` must be strictly increasing")
    );
    // The terminal table has a row per frame.
    let output = initbook(&["run", "sw", "--root", root]);
    let table = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        table.lines().filter(|l| l.starts_with("relu")).count(),
        4,
        "{table}"
    );
}

#[test]
fn verify_names_the_frames_whose_drawing_or_data_changed() {
    let book = sweep_book();
    write_site(&build_site(book.root()).unwrap().files, &book.output()).unwrap();
    let drift = || {
        compare_with_disk(&build_site(book.root()).unwrap(), &book.output())
            .unwrap()
            .drift
    };
    assert_eq!(drift(), vec![]);
    let svg = book.output().join("figures/sw/relu-s0_5.svg");
    let text = std::fs::read_to_string(&svg).unwrap();
    std::fs::write(&svg, text.replacen("Layer 1", "Layer I", 1)).unwrap();
    assert_eq!(
        drift(),
        vec![Drift::FramesChanged {
            id: "sw".into(),
            data: false,
            frames: vec!["relu-s0_5".into()]
        }]
    );
    let output = initbook(&["verify", "--root", book.root().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains(
            "figure sw: drawing changed — same data, but the SVG differs in 1 frames: relu-s0_5"
        ),
        "{said}"
    );
    // Another seed: every frame's data changes.
    book.write(
        "content/02-two.md",
        &LESSON.replace("seed = 9", "seed = 10"),
    );
    let found = drift();
    assert!(
        found.contains(&Drift::DataChanged { id: "sw".into() }),
        "{found:?}"
    );
    assert!(
        found.iter().any(
            |d| matches!(d, Drift::FramesChanged { data: true, frames, .. } if frames.len() == 8)
        ),
        "{found:?}"
    );
}

#[test]
fn the_lessons_frames_are_the_earlier_lessons_figures() {
    // "Explore the scale" says its frames at σ = 0.01, 0.1 (Xavier), He's σ and 1 are the
    // experiments of the earlier lessons (same seed, network and range): their data hashes in
    // the committed figures.json (which the determinism tests hold to a fresh build) agree.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("output/figures.json");
    let manifest: Manifest = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let frames = manifest.figure("explore").unwrap().frames.as_ref().unwrap();
    for (frame, figure) in [
        ("sigmoid-s0_01", "sigmoid-std-small"),
        ("sigmoid-s1", "sigmoid-std1"),
        ("sigmoid-xavier", "xavier-sigmoid"),
        ("tanh-xavier", "xavier-tanh"),
        ("relu-s0_01", "relu-std-small"),
        ("relu-xavier", "relu-xavier"),
        ("relu-he", "relu-he"),
    ] {
        let frame = frames.iter().find(|f| f.name == frame).unwrap();
        assert_eq!(
            frame.data_sha256,
            manifest.figure(figure).unwrap().data_sha256,
            "{} and {figure}",
            frame.name
        );
    }
}

/// A rebuild takes the sweep from the result cache like any experiment, and an entry whose
/// frames are not the sweep's (here two swapped, under a checksum that matches) is recomputed.
#[test]
fn the_cache_keeps_a_sweep_and_refuses_one_of_another_shape() {
    use initbook::cache::{Cache, cache_dir};
    let book = sweep_book();
    let cache = Cache::for_book(book.root());
    let cached_build = || initbook::build_site_with(book.root(), &cache, &|_, _| {}).unwrap();
    let first = cached_build();
    assert_eq!(first.cached, 0);
    let second = cached_build();
    assert_eq!((second.computed, second.cached), (0, first.computed));
    assert!(second.site == first.site);

    let parsed =
        initbook::parse::parse_book(&initbook::book::load_book(book.root()).unwrap()).unwrap();
    let spec = parsed.find_experiment("sw").unwrap();
    let entry = cache_dir(book.root()).join(format!(
        "{}.json",
        Cache::key(&spec.experiment, spec.seed, None)
    ));
    let text = std::fs::read_to_string(&entry).unwrap();
    let (_, payload) = text.split_once('\n').unwrap();
    let mut outcome: serde_json::Value = serde_json::from_str(payload).unwrap();
    outcome["frames"].as_array_mut().unwrap().swap(0, 1);
    let payload = outcome.to_string();
    let header = format!("sha256:{}", sha256_hex(payload.as_bytes()));
    std::fs::write(&entry, format!("{header}\n{payload}")).unwrap();
    // A new `Cache`, which reads the entry's file: the one above keeps the sweep in memory.
    let third =
        initbook::build_site_with(book.root(), &Cache::for_book(book.root()), &|_, _| {}).unwrap();
    assert_eq!(third.computed, 1, "the misshapen sweep was recomputed");
    assert!(third.site == first.site);
}
