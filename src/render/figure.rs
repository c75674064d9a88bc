//! The HTML that takes an `experiment` block's place: the figure with its numbered caption, the
//! optional statistics table, and a "Reproduce" panel with the command that regenerates it.

use std::fmt::Write;

use super::PageLanguage;
use crate::escape::escape_xml as escape_html;
use crate::format::{Number, NumberFormat};
use crate::model::target::final_loss;
use crate::model::{ExperimentSpec, Lesson};
use crate::numeric::depth::DepthResult;
use crate::numeric::gradients::GradientResult;
use crate::numeric::network::LabelledInit;
use crate::numeric::training::TrainingResult;
use crate::numeric::{Activation, ActivationResult, Experiment, Init, LayerStats, Outcome};

pub struct FigureHtml {
    pub html: String,
}

/// Renders one experiment block. `number` is "3.1"-style when the block shows a figure or a
/// table; `svg` is the drawn figure when `spec.figure` is set.
pub fn render_figure(
    lesson: &Lesson,
    spec: &ExperimentSpec,
    number: Option<&str>,
    svg: Option<&str>,
    outcome: &Outcome,
    data_hash: &str,
    language: &PageLanguage,
) -> FigureHtml {
    let words = |key| escape_html(language.strings.get(key));
    let mut html = String::new();
    let id = &spec.id;
    let caption = escape_html(&spec.caption);
    let w = &mut html;
    match number {
        Some(number) => {
            let _ = writeln!(w, "<figure class=\"experiment\" id=\"{id}\">");
            if let Some(svg) = svg {
                let _ = writeln!(w, "<div class=\"plot\">\n{}</div>", svg.trim_end());
            }
            if spec.table {
                match outcome {
                    Outcome::Activations(result) => activation_table(w, spec, result),
                    Outcome::Gradients(result) => gradient_table(w, result),
                    Outcome::Depth(result) => depth_table(w, result),
                    Outcome::Training(result) => training_table(w, result),
                }
            }
            let _ = writeln!(
                w,
                "<figcaption><span class=\"figure-number\">{figure} {number}</span> — {caption} <span class=\"seed\">({seed} {})</span></figcaption>",
                spec.seed,
                figure = words("figure"),
                seed = words("seed"),
            );
        }
        None => {
            // Neither figure nor table: the numbers are used in the prose only.
            let _ = writeln!(
                w,
                "<figure class=\"experiment compact\" id=\"{id}\">\n<figcaption>{experiment} <code>{id}</code> — {caption} <span class=\"seed\">({seed} {})</span></figcaption>",
                spec.seed,
                experiment = words("experiment"),
                seed = words("seed"),
            );
        }
    }
    reproduce_panel(w, lesson, spec, data_hash, language);
    let _ = writeln!(w, "</figure>");
    FigureHtml { html }
}

/// Opens a scrollable table with the given column headers (the first is the row header).
fn open_table(w: &mut String, headers: &[(&str, Option<&str>)]) {
    let _ = write!(
        w,
        "<div class=\"table-scroll\"><table class=\"stats\">\n<thead><tr>"
    );
    for (header, title) in headers {
        match title {
            Some(title) => {
                let _ = write!(w, "<th scope=\"col\" title=\"{title}\">{header}</th>");
            }
            None => {
                let _ = write!(w, "<th scope=\"col\">{header}</th>");
            }
        }
    }
    let _ = writeln!(w, "</tr></thead>\n<tbody>");
}

fn close_table(w: &mut String) {
    let _ = writeln!(w, "</tbody></table></div>");
}

fn activation_table(w: &mut String, spec: &ExperimentSpec, result: &ActivationResult) {
    let relu = matches!(&spec.experiment, Experiment::Activations(p) if p.network.activation == Activation::Relu);
    let mut headers = vec![
        ("Layer", None),
        ("mean", None),
        ("std", None),
        (
            "unit std",
            Some("mean over units of each unit's std across samples"),
        ),
        ("min", None),
        ("max", None),
        (
            "mean f′(a)",
            Some("mean of the activation's derivative f′(a)"),
        ),
    ];
    if relu {
        headers.push(("zeros", None));
    }
    open_table(w, &headers);
    for layer in &result.layers {
        let LayerStats {
            mean,
            std,
            unit_std,
            min,
            max,
            deriv_mean,
            ..
        } = *layer;
        let _ = write!(w, "<tr><th scope=\"row\">{}</th>", layer.layer);
        for value in [mean, std, unit_std, min, max, deriv_mean] {
            let _ = write!(w, "<td>{}</td>", table_number(value));
        }
        if relu {
            let _ = write!(w, "<td>{}</td>", percent(layer.zero_frac));
        }
        let _ = writeln!(w, "</tr>");
    }
    close_table(w);
}

fn gradient_table(w: &mut String, result: &GradientResult) {
    open_table(
        w,
        &[
            ("Layer", None),
            ("RMS ∂L/∂a", None),
            ("mean |∂L/∂a|", None),
            (
                "tiny",
                Some("share of units whose gradient is below 1% of the layer's RMS"),
            ),
        ],
    );
    for layer in &result.layers {
        let _ = writeln!(
            w,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            layer.layer,
            table_number(layer.grad_rms),
            table_number(layer.grad_mean_abs),
            percent(layer.grad_tiny_frac)
        );
    }
    close_table(w);
}

/// The std of each scheme at a few layers: the first, every tenth-ish, and the last.
fn depth_table(w: &mut String, result: &DepthResult) {
    let layers = result.series.first().map_or(0, |s| s.std.len());
    let step = (layers / 5).max(1);
    let mut shown: Vec<usize> = (1..=layers).filter(|l| *l == 1 || l % step == 0).collect();
    if shown.last() != Some(&layers) {
        shown.push(layers);
    }
    let headers: Vec<String> = shown.iter().map(|l| format!("layer {l}")).collect();
    let mut columns: Vec<(&str, Option<&str>)> = vec![("Scheme", None)];
    columns.extend(headers.iter().map(|h| (h.as_str(), None)));
    open_table(w, &columns);
    for series in &result.series {
        let _ = write!(
            w,
            "<tr><th scope=\"row\">{}</th>",
            escape_html(&series.label)
        );
        for layer in &shown {
            let _ = write!(w, "<td>{}</td>", table_number(series.std[layer - 1]));
        }
        let _ = writeln!(w, "</tr>");
    }
    close_table(w);
}

fn training_table(w: &mut String, result: &TrainingResult) {
    open_table(
        w,
        &[
            ("Scheme", None),
            ("final loss", Some("mean of the last 50 mini-batch losses")),
            ("train accuracy", None),
            ("test accuracy", None),
            (
                "distinct units per hidden layer",
                Some("units whose incoming weights differ from every other unit's"),
            ),
        ],
    );
    for run in &result.runs {
        let distinct: Vec<String> = run.distinct_units.iter().map(usize::to_string).collect();
        let _ = writeln!(
            w,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(&run.label),
            table_number(final_loss(&run.loss)),
            percent(run.train_accuracy),
            percent(run.test_accuracy),
            distinct.join(" · ")
        );
    }
    close_table(w);
}

fn percent(value: f64) -> String {
    NumberFormat::Percent(1).format(Number::Real(value))
}

/// Four decimals, or scientific notation for values too small to show that way.
pub fn table_number(value: f64) -> String {
    let format = if value != 0.0 && value.abs() < 0.001 {
        NumberFormat::Scientific(2)
    } else {
        NumberFormat::Fixed(4)
    };
    format.format(Number::Real(value))
}

fn reproduce_panel(
    w: &mut String,
    lesson: &Lesson,
    spec: &ExperimentSpec,
    data_hash: &str,
    language: &PageLanguage,
) {
    let words = |key| escape_html(language.strings.get(key));
    // A translated edition's figure has its own words: `--lang` draws it with them.
    let lang = language
        .translation
        .map(|tag| format!(" --lang {tag}"))
        .unwrap_or_default();
    let command = if spec.figure {
        format!(
            "initbook run {id} --seed {seed}{lang} --svg {id}.svg",
            id = spec.id,
            seed = spec.seed
        )
    } else {
        format!(
            "initbook run {id} --seed {seed} --json",
            id = spec.id,
            seed = spec.seed
        )
    };
    let data = spec
        .data
        .as_ref()
        .map(|d| {
            format!(
                " {} <code>content/{}</code>.",
                words("reproduce_data"),
                escape_html(&d.path)
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        w,
        "<details class=\"reproduce\">\n<summary>{reproduce}</summary>\n<pre><code>{command}</code></pre>\n\
         <p>{params}; {rng} {seed}. {defined} <code>{path}:{line}</code>.{data}</p>\n\
         <p>{hash} <code class=\"hash\">{data_hash}</code><br>\
         <code>initbook verify</code> {verify}</p>\n</details>",
        seed = spec.seed,
        params = escape_html(&describe_experiment(&spec.experiment)),
        path = lesson.source.path.display(),
        line = spec.origin().line,
        reproduce = words("reproduce"),
        rng = words("reproduce_rng"),
        defined = words("reproduce_defined"),
        hash = words("reproduce_hash"),
        verify = words("reproduce_verify"),
    );
}

fn describe_init(init: &Init) -> String {
    match init {
        Init::Normal { std } => format!("normal (std {std})"),
        Init::Xavier => "xavier (std 1/√n)".to_string(),
        Init::He => "he (std √(2/n))".to_string(),
        Init::Zero => "zero".to_string(),
    }
}

/// One line for people: "init normal (std 1), sigmoid, 5 layers × 100 units, …".
pub fn describe_experiment(experiment: &Experiment) -> String {
    let compare = |runs: &[LabelledInit]| {
        runs.iter()
            .map(|r| format!("{} = {}", r.label, describe_init(&r.init)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match experiment {
        Experiment::Activations(p) => format!(
            "init {}, {}, {} layers × {} units, {} samples, {} bins over [{}, {}]",
            describe_init(&p.network.init),
            p.network.activation.name(),
            p.network.layers,
            p.network.nodes,
            p.network.samples,
            p.bins,
            p.range.0,
            p.range.1
        ),
        Experiment::Gradients(p) => format!(
            "gradients: init {}, {}, {} layers × {} units, {} samples, softmax over {} classes with random labels, {} bins{}",
            describe_init(&p.network.init),
            p.network.activation.name(),
            p.network.layers,
            p.network.nodes,
            p.network.samples,
            p.classes,
            p.bins,
            p.range
                .map(|(lo, hi)| format!(" over [{lo}, {hi}]"))
                .unwrap_or_default()
        ),
        Experiment::Depth(p) => format!(
            "depth: {}, {} layers × {} units, {} samples; compared: {}",
            p.activation.name(),
            p.layers,
            p.nodes,
            p.samples,
            compare(&p.runs)
        ),
        Experiment::Training(p) => format!(
            "training: {}, {} hidden layers × {} units, SGD learning rate {}, batch {}, {} iterations, a fraction {} held out for testing; compared: {}",
            p.activation.name(),
            p.hidden_layers,
            p.nodes,
            p.learning_rate,
            p.batch,
            p.iterations,
            p.test_fraction,
            compare(&p.runs)
        ),
    }
}
