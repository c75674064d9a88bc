//! `initbook run`: one experiment run again — a figure of the book by id, with any parameter
//! flags laid over its block's keys, or an activation experiment described by flags alone — and
//! what the command prints: the figure, a table for the terminal, or the typed JSON report.
//!
//! Flags are checked by the directive checker ([`crate::parse::flags`]), so a bad `--std` gets
//! the words a bad `std = …` gets.

use std::path::Path;

use serde::Serialize;

use crate::book::load_book;
use crate::data::{DatasetCache, load_experiment_data};
use crate::diagnostic::suggest;
use crate::draw::draw_figure;
use crate::error::{Error, Result};
use crate::hash::sha256_hex;
use crate::manifest::{canonical_data, frame_data_hash};
use crate::model::ExperimentSpec;
use crate::model::target::final_loss;
use crate::numeric::sweep::SweepFrame;
use crate::numeric::training::Dataset;
use crate::numeric::{Experiment, Outcome, run_experiment};
use crate::parse::flags::{Flagged, check_flags};
use crate::parse::parse_book;
use crate::render::describe_experiment;

/// What to run: the book's experiment `id` (or none), and parameter flags as `(key, value)` in
/// command-line order (`("std", "0.5")` for `--std 0.5`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunRequest {
    pub id: Option<String>,
    pub flags: Vec<(String, String)>,
}

/// An experiment that was run, and its outcome.
#[derive(Debug, Clone)]
pub struct Reproduction {
    /// The book's id it was asked for by, if any.
    pub id: Option<String>,
    pub spec: ExperimentSpec,
    pub outcome: Outcome,
}

/// What `initbook run --json` prints: the experiment's id (null for one given by flags), seed,
/// parameters after defaults and data hash, and the outcome's own fields beside them.
///
/// Printed as canonical JSON: keys in alphabetical order at every level (serde_json's map), so
/// the output is a stable format whatever order the types declare their fields in.
#[derive(Debug, Serialize)]
pub struct RunReport<'a> {
    pub id: Option<&'a str>,
    pub seed: u64,
    pub params: &'a Experiment,
    /// The hash `figures.json` and the figure's Reproduce panel show.
    pub data_sha256: String,
    #[serde(flatten)]
    pub outcome: ReportedOutcome<'a>,
    /// A training experiment's schemes in one line each: what a sweep over scales is read by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schemes: Option<Vec<SchemeSummary<'a>>>,
}

/// The outcome's fields as the report prints them: as they are, or for a sweep every frame with
/// the hash of its own data.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ReportedOutcome<'a> {
    Outcome(&'a Outcome),
    Sweep { frames: Vec<FrameReport<'a>> },
}

/// One frame of a sweep: its activation, σ, mark and layers, and the SHA-256 of its data — the
/// data hash of the activation experiment it equals.
#[derive(Debug, Serialize)]
pub struct FrameReport<'a> {
    #[serde(flatten)]
    pub frame: &'a SweepFrame,
    pub data_sha256: String,
}

/// One trained scheme, summarised: its weight scale (`std` of `init = "normal"`, else null),
/// whether it normalizes its batches, and how training ended.
#[derive(Debug, Serialize)]
pub struct SchemeSummary<'a> {
    pub label: &'a str,
    pub init: &'static str,
    pub std: Option<f64>,
    pub batchnorm: bool,
    pub final_loss: f64,
    pub train_accuracy: f64,
    pub test_accuracy: f64,
}

/// The [`SchemeSummary`] of every run of a training outcome.
fn scheme_summaries(outcome: &Outcome) -> Option<Vec<SchemeSummary<'_>>> {
    let Outcome::Training(result) = outcome else {
        return None;
    };
    Some(
        result
            .runs
            .iter()
            .map(|run| SchemeSummary {
                label: &run.label,
                init: run.init.name(),
                std: match run.init {
                    crate::numeric::Init::Normal { std } => Some(std),
                    _ => None,
                },
                batchnorm: run.batchnorm,
                final_loss: final_loss(&run.loss),
                train_accuracy: run.train_accuracy,
                test_accuracy: run.test_accuracy,
            })
            .collect(),
    )
}

/// Runs what `request` asks for. Unknown ids and an empty request are usage errors; problems
/// with the flags are [`Error::Flags`].
pub fn reproduce(root: &Path, request: &RunRequest) -> Result<Reproduction> {
    let (spec, data) = match &request.id {
        Some(id) => book_experiment(root, id, &request.flags)?,
        None if request.flags.is_empty() => {
            return Err(Error::Usage(
                "give an experiment id, or describe one with flags (e.g. initbook run --init xavier --activation tanh)"
                    .to_string(),
            ));
        }
        None => (flag_experiment(&request.flags)?, None),
    };
    // The same work budget a build applies: flags can ask for more than a book may.
    let shape = data.as_ref().map(crate::budget::DataShape::of_dataset);
    let cost = crate::budget::experiment_cost(&spec.experiment, shape);
    if let Some(problem) = crate::budget::experiment_problem(cost) {
        return Err(Error::Usage(problem));
    }
    let outcome = run_experiment(&spec.experiment, spec.seed, data.as_ref());
    Ok(Reproduction {
        id: request.id.clone(),
        spec,
        outcome,
    })
}

/// The book's experiment `id`, with the flags laid over its keys, and its data set.
fn book_experiment(
    root: &Path,
    id: &str,
    flags: &[(String, String)],
) -> Result<(ExperimentSpec, Option<Dataset>)> {
    let book = parse_book(&load_book(root)?)?;
    let Some((lesson, spec)) = book.experiments().find(|(_, spec)| spec.id == id) else {
        let ids: Vec<&str> = book.experiments().map(|(_, s)| s.id.as_str()).collect();
        let hint = match suggest(id, &ids) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("the book's experiments: {}", ids.join(", ")),
        };
        return Err(Error::Usage(format!(
            "no experiment `{id}` in the book; {hint}"
        )));
    };
    let mut spec = spec.clone();
    if !flags.is_empty() {
        let Flagged { kind, seed, values } =
            check_flags(Some((id, &spec)), flags).map_err(Error::Flags)?;
        spec.experiment = Experiment::from_values(kind, &values);
        spec.values = values;
        spec.seed = seed;
    }
    let data = load_experiment_data(root, lesson, &spec, &DatasetCache::default())?;
    Ok((spec, data))
}

/// An experiment described by flags alone.
fn flag_experiment(flags: &[(String, String)]) -> Result<ExperimentSpec> {
    let Flagged { kind, seed, values } = check_flags(None, flags).map_err(Error::Flags)?;
    let experiment = Experiment::from_values(kind, &values);
    Ok(ExperimentSpec {
        id: "experiment".to_string(),
        caption: describe_experiment(&experiment),
        alt: format!(
            "{} histograms of activations, one per layer",
            experiment.layers()
        ),
        seed,
        experiment,
        values,
        data: None,
        table: false,
        figure: true,
        origin: None,
    })
}

impl Reproduction {
    pub fn report(&self) -> RunReport<'_> {
        RunReport {
            id: self.id.as_deref(),
            seed: self.spec.seed,
            params: &self.spec.experiment,
            data_sha256: sha256_hex(&canonical_data(&self.outcome)),
            outcome: match &self.outcome {
                Outcome::Sweep(result) => ReportedOutcome::Sweep {
                    frames: result
                        .frames
                        .iter()
                        .map(|frame| FrameReport {
                            frame,
                            data_sha256: frame_data_hash(frame),
                        })
                        .collect(),
                },
                outcome => ReportedOutcome::Outcome(outcome),
            },
            schemes: scheme_summaries(&self.outcome),
        }
    }

    /// The report as pretty, canonical JSON (see [`RunReport`]), with a final newline.
    pub fn json(&self) -> String {
        let value = serde_json::to_value(self.report()).expect("plain data serialises");
        let mut json = serde_json::to_string_pretty(&value).expect("plain data serialises");
        json.push('\n');
        json
    }

    /// The figure, the same bytes as the book's `figures/ID.svg` for the same parameters and seed.
    pub fn svg(&self) -> String {
        draw_figure(&self.spec, &self.outcome)
    }

    /// The figure as the book's edition in `tag` shows it: that language's words, and the
    /// experiment's translated caption and alt text (`initbook run ID --lang ko --svg FILE`).
    pub fn svg_in(&self, root: &Path, tag: &str) -> Result<String> {
        let loaded = crate::book::load_book(root)?;
        let text = crate::i18n::figure_text(root, tag, &loaded.config.language)?;
        let mut spec = self.spec.clone();
        if tag != loaded.config.language {
            let language = crate::i18n::find_language(&loaded, tag)?;
            let (translated, _) = crate::i18n::translate_book(root, &loaded, language)?;
            let english = crate::parse::parse_book(&loaded)?;
            let book = crate::parse::parse_translation(&translated, &english)?;
            if let Some(found) = book.find_experiment(&spec.id) {
                spec.caption = found.caption.clone();
                spec.alt = found.alt.clone();
            }
        }
        Ok(crate::draw::draw_figure_with(&spec, &self.outcome, &text))
    }

    /// A plain-text summary for the terminal: the parameters, the seed, and a table.
    pub fn summary(&self) -> String {
        format!(
            "{} — seed {}\n{}",
            describe_experiment(&self.spec.experiment),
            self.spec.seed,
            summary_table(&self.outcome)
        )
    }
}

/// A plain-text table of the outcome.
fn summary_table(outcome: &Outcome) -> String {
    let mut out = String::new();
    match outcome {
        Outcome::Activations(result) => {
            out.push_str(&format!(
                "{:>5} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
                "layer", "mean", "std", "unit_std", "min", "max", "mean f'(a)"
            ));
            for l in &result.layers {
                out.push_str(&format!(
                    "{:>5} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>10.4}\n",
                    l.layer, l.mean, l.std, l.unit_std, l.min, l.max, l.deriv_mean
                ));
            }
        }
        Outcome::Gradients(result) => {
            out.push_str(&format!("loss {:.4}\n", result.loss));
            out.push_str(&format!(
                "{:>5} {:>12} {:>14} {:>8}\n",
                "layer", "RMS dL/da", "mean |dL/da|", "tiny"
            ));
            for l in &result.layers {
                out.push_str(&format!(
                    "{:>5} {:>12.3e} {:>14.3e} {:>7.1}%\n",
                    l.layer,
                    l.grad_rms,
                    l.grad_mean_abs,
                    l.grad_tiny_frac * 100.0
                ));
            }
        }
        Outcome::Depth(result) => {
            for series in &result.series {
                let last = series.std.len();
                out.push_str(&format!(
                    "{:<12} std: layer 1 {:.3e}, layer {} {:.3e}, layer {last} {:.3e}\n",
                    series.label,
                    series.std[0],
                    last.div_ceil(2),
                    series.std[last.div_ceil(2) - 1],
                    series.std[last - 1]
                ));
            }
        }
        Outcome::Training(result) => {
            out.push_str(&format!(
                "{} training samples, {} test samples\n{:<12} {:>10} {:>10} {:>10}  distinct units\n",
                result.train_samples, result.test_samples, "scheme", "loss", "train", "test"
            ));
            for run in &result.runs {
                out.push_str(&format!(
                    "{:<12} {:>10.4} {:>9.1}% {:>9.1}%  {:?}\n",
                    run.label,
                    final_loss(&run.loss),
                    run.train_accuracy * 100.0,
                    run.test_accuracy * 100.0,
                    run.distinct_units
                ));
            }
        }
        Outcome::Sweep(result) => {
            let last = result.frames.first().map_or(0, |f| f.layers.len());
            out.push_str(&format!(
                "{:<10} {:>12} {:<7} {:>11} {:>11} {:>9} {:>9}\n",
                "activation",
                "σ",
                "mark",
                "std 1",
                format!("std {last}"),
                "outer 1",
                format!("outer {last}")
            ));
            for frame in &result.frames {
                let (first, end) = (&frame.layers[0], &frame.layers[last - 1]);
                out.push_str(&format!(
                    "{:<10} {:>12} {:<7} {:>11.4e} {:>11.4e} {:>8.1}% {:>8.1}%\n",
                    frame.activation.name(),
                    frame.std,
                    frame.mark.map_or("", |m| m.name()),
                    first.std,
                    end.std,
                    first.edge_frac * 100.0,
                    end.edge_frac * 100.0
                ));
            }
        }
    }
    out
}
