//! What takes an `experiment` block's place: the figure with its numbered caption, the optional
//! statistics table, and a "Reproduce" panel with the command that regenerates it. The markup is
//! the theme's (`figure.html`, `stats-table.html`); this module gathers what they show.

use serde::Serialize;

use super::templates::{Strings, Theme};
use crate::error::Result;
use crate::format::{Number, NumberFormat};
use crate::model::target::final_loss;
use crate::model::{ExperimentSpec, Lesson};
use crate::numeric::depth::DepthResult;
use crate::numeric::gradients::GradientResult;
use crate::numeric::network::LabelledInit;
use crate::numeric::training::TrainingResult;
use crate::numeric::{Activation, ActivationResult, Experiment, Init, LayerStats, Outcome};

/// What the figure template (`figure.html`) is given for one experiment block.
#[derive(Serialize)]
struct FigureContext<'a> {
    id: &'a str,
    /// "3.1" when the block shows a figure or a table; none for a compact card.
    number: Option<&'a str>,
    svg: Option<&'a str>,
    table: Option<Table>,
    caption: &'a str,
    seed: u64,
    reproduce: Reproduce<'a>,
}

/// A statistics table (`stats-table.html`): column headers, then one row per layer or scheme,
/// its first cell a row header. Cells are formatted here, so every table prints numbers alike.
#[derive(Serialize)]
struct Table {
    columns: Vec<Column>,
    rows: Vec<Row>,
}

#[derive(Serialize)]
struct Column {
    label: String,
    /// What the column means, shown when hovering over its header.
    note: Option<String>,
}

#[derive(Serialize)]
struct Row {
    header: String,
    cells: Vec<String>,
}

/// The Reproduce panel: the command, the parameters, where the block is, the data's hash.
#[derive(Clone, Serialize)]
pub struct Reproduce<'a> {
    command: String,
    params: String,
    source: String,
    data: Option<&'a str>,
    data_hash: &'a str,
    /// The lesson's Jupyter notebook, relative to the page, where the site has one.
    notebook: Option<&'a str>,
}

/// Renders one experiment block through the theme's `figure.html`. `number` is "3.1"-style
/// when the block shows a figure or a table; `svg` is the drawn figure when `spec.figure` is set;
/// `reproduce` is its Reproduce panel ([`reproduce`]).
pub fn render_figure(
    theme: &Theme,
    spec: &ExperimentSpec,
    number: Option<&str>,
    svg: Option<&str>,
    outcome: &Outcome,
    reproduce: Reproduce<'_>,
) -> Result<String> {
    let strings = &theme.strings;
    let table = if number.is_some() && spec.table {
        match outcome {
            Outcome::Activations(result) => Some(activation_table(strings, spec, result)),
            Outcome::Gradients(result) => Some(gradient_table(strings, result)),
            Outcome::Depth(result) => Some(depth_table(strings, result)),
            Outcome::Training(result) => Some(training_table(strings, result)),
            // A sweep with a figure is an explorer (`explorer.rs`), whose statistics follow the
            // chosen frame; without one it is a compact card.
            Outcome::Sweep(_) => None,
        }
    } else {
        None
    };
    let context = FigureContext {
        id: &spec.id,
        number,
        svg: svg.map(str::trim_end),
        table,
        caption: &spec.caption,
        seed: spec.seed,
        reproduce,
    };
    theme.render_value("figure.html", &context)
}

/// The Reproduce panel of an experiment (`reproduce.html`): the command that regenerates it, its
/// parameters, seed, source line and data hash, and the link to the lesson's Jupyter notebook
/// (`notebook`, relative to the page) where the site has one.
pub fn reproduce<'a>(
    theme: &Theme,
    lesson: &Lesson,
    spec: &'a ExperimentSpec,
    data_hash: &'a str,
    notebook: Option<&'a str>,
) -> Reproduce<'a> {
    // A translated edition's figure has its own words: `--lang` draws it with them.
    let mut command = spec.reproduce_command(theme.translation.as_deref());
    if let (Experiment::Sweep(_), true) = (&spec.experiment, spec.figure) {
        // The figure is the chart; the frames' numbers (and data hashes) are in the report.
        command.push_str(&format!(
            "\ninitbook run {id} --seed {seed} --json   # every frame",
            id = spec.id,
            seed = spec.seed
        ));
    }
    Reproduce {
        command,
        params: describe_experiment(&spec.experiment),
        source: format!("{}:{}", lesson.source.path.display(), spec.origin().line),
        data: spec.data.as_ref().map(|d| d.path.as_str()),
        data_hash,
        notebook,
    }
}

/// A column header from the strings table, with its note where it has one (`KEY_note`).
fn column(strings: &Strings, key: &str) -> Column {
    let note_key = format!("{key}_note");
    Column {
        label: strings.get(key).to_string(),
        note: strings.get_optional(&note_key).map(str::to_string),
    }
}

fn columns(strings: &Strings, keys: &[&str]) -> Vec<Column> {
    keys.iter().map(|key| column(strings, key)).collect()
}

fn activation_table(strings: &Strings, spec: &ExperimentSpec, result: &ActivationResult) -> Table {
    let relu = matches!(&spec.experiment, Experiment::Activations(p) if p.network.activation == Activation::Relu);
    let mut keys = vec![
        "column_layer",
        "column_mean",
        "column_std",
        "column_unit_std",
        "column_min",
        "column_max",
        "column_deriv_mean",
    ];
    if relu {
        keys.push("column_zeros");
    }
    let rows = result
        .layers
        .iter()
        .map(|layer| {
            let LayerStats {
                mean,
                std,
                unit_std,
                min,
                max,
                deriv_mean,
                ..
            } = *layer;
            let mut cells: Vec<String> = [mean, std, unit_std, min, max, deriv_mean]
                .into_iter()
                .map(table_number)
                .collect();
            if relu {
                cells.push(percent(layer.zero_frac));
            }
            Row {
                header: layer.layer.to_string(),
                cells,
            }
        })
        .collect();
    Table {
        columns: columns(strings, &keys),
        rows,
    }
}

fn gradient_table(strings: &Strings, result: &GradientResult) -> Table {
    let rows = result
        .layers
        .iter()
        .map(|layer| Row {
            header: layer.layer.to_string(),
            cells: vec![
                table_number(layer.grad_rms),
                table_number(layer.grad_mean_abs),
                percent(layer.grad_tiny_frac),
            ],
        })
        .collect();
    Table {
        columns: columns(
            strings,
            &[
                "column_layer",
                "column_grad_rms",
                "column_grad_mean_abs",
                "column_grad_tiny",
            ],
        ),
        rows,
    }
}

/// The std of each scheme at a few layers: the first, every tenth-ish, and the last.
fn depth_table(strings: &Strings, result: &DepthResult) -> Table {
    let layers = result.series.first().map_or(0, |s| s.std.len());
    let step = (layers / 5).max(1);
    let mut shown: Vec<usize> = (1..=layers).filter(|l| *l == 1 || l % step == 0).collect();
    if shown.last() != Some(&layers) {
        shown.push(layers);
    }
    let mut columns = vec![column(strings, "column_scheme")];
    columns.extend(shown.iter().map(|layer| {
        Column {
            label: strings
                .get("column_depth_layer")
                .replace("{n}", &layer.to_string()),
            note: None,
        }
    }));
    let rows = result
        .series
        .iter()
        .map(|series| Row {
            header: series.label.clone(),
            cells: shown
                .iter()
                .map(|layer| table_number(series.std[layer - 1]))
                .collect(),
        })
        .collect();
    Table { columns, rows }
}

fn training_table(strings: &Strings, result: &TrainingResult) -> Table {
    let rows = result
        .runs
        .iter()
        .map(|run| {
            let distinct: Vec<String> = run.distinct_units.iter().map(usize::to_string).collect();
            Row {
                header: run.label.clone(),
                cells: vec![
                    table_number(final_loss(&run.loss)),
                    percent(run.train_accuracy),
                    percent(run.test_accuracy),
                    distinct.join(" · "),
                ],
            }
        })
        .collect();
    Table {
        columns: columns(
            strings,
            &[
                "column_scheme",
                "column_final_loss",
                "column_train_accuracy",
                "column_test_accuracy",
                "column_distinct_units",
            ],
        ),
        rows,
    }
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
        Experiment::Sweep(p) => {
            let marks: Vec<&str> = p.marks.iter().map(|m| m.name()).collect();
            let activations: Vec<&str> = p.activations.iter().map(|a| a.name()).collect();
            format!(
                "sweep: weights N(0, σ²) for {} σ from {} to {}{}, {}; {} layers × {} units, {} samples, {} bins; one draw of inputs and unit weights, scaled by each σ",
                p.stds.len(),
                p.stds[0],
                p.stds[p.stds.len() - 1],
                if marks.is_empty() {
                    String::new()
                } else {
                    format!(" and the σ of {}", marks.join(" and "))
                },
                activations.join(", "),
                p.layers,
                p.nodes,
                p.samples,
                p.bins
            )
        }
    }
}
