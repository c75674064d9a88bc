//! Run stage: every experiment of the book, in parallel. Each experiment is a pure function of
//! its parameters and seed, so the results do not depend on scheduling or thread count — and an
//! experiment that appears twice (the summary lesson repeats earlier ones) is run once.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::numeric::{ExperimentParams, ExperimentResult, run_experiment};
use crate::parse::ParsedBook;

/// Runs all experiments; results keyed by experiment id.
pub fn run_all(book: &ParsedBook) -> BTreeMap<String, ExperimentResult> {
    // Distinct (parameters, seed) pairs, in book order.
    let mut distinct: Vec<(&ExperimentParams, u64)> = Vec::new();
    let mut which: Vec<(&str, usize)> = Vec::new();
    for (_, spec) in book.experiments() {
        let index = match distinct
            .iter()
            .position(|&(params, seed)| *params == spec.params && seed == spec.seed)
        {
            Some(index) => index,
            None => {
                distinct.push((&spec.params, spec.seed));
                distinct.len() - 1
            }
        };
        which.push((&spec.id, index));
    }
    let results: Vec<ExperimentResult> = distinct
        .par_iter()
        .map(|&(params, seed)| run_experiment(params, seed))
        .collect();
    which
        .into_iter()
        .map(|(id, index)| (id.to_string(), results[index].clone()))
        .collect()
}
