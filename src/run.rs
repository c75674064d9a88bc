//! Run stage: every experiment of the book, in parallel. Each experiment is a pure function of
//! its parameters, seed and data, so the results do not depend on scheduling or thread count —
//! and an experiment that appears twice (the summary lesson repeats earlier ones) is run once.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::numeric::training::Dataset;
use crate::numeric::{Experiment, Outcome, run_experiment};
use crate::parse::ParsedBook;

/// Runs all experiments; outcomes keyed by experiment id. `datasets` holds every training
/// experiment's data, keyed by its path as written.
pub fn run_all(
    book: &ParsedBook,
    datasets: &BTreeMap<String, Dataset>,
) -> BTreeMap<String, Outcome> {
    // Distinct (experiment, seed, data) triples, in book order.
    type Key<'a> = (&'a Experiment, u64, Option<&'a str>);
    let mut distinct: Vec<Key<'_>> = Vec::new();
    let mut which: Vec<(&str, usize)> = Vec::new();
    for (_, spec) in book.experiments() {
        let key: Key<'_> = (
            &spec.experiment,
            spec.seed,
            spec.data.as_ref().map(|d| d.path.as_str()),
        );
        let index = match distinct.iter().position(|known| *known == key) {
            Some(index) => index,
            None => {
                distinct.push(key);
                distinct.len() - 1
            }
        };
        which.push((&spec.id, index));
    }
    let outcomes: Vec<Outcome> = distinct
        .par_iter()
        .map(|&(experiment, seed, data)| {
            run_experiment(experiment, seed, data.map(|path| &datasets[path]))
        })
        .collect();
    which
        .into_iter()
        .map(|(id, index)| (id.to_string(), outcomes[index].clone()))
        .collect()
}
