//! Run stage: every experiment of the book, in parallel. Each experiment is a pure function of
//! its parameters and seed, so the results do not depend on scheduling or thread count.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::numeric::{ExperimentResult, run_experiment};
use crate::parse::ParsedBook;

/// Runs all experiments; results keyed by experiment id.
pub fn run_all(book: &ParsedBook) -> BTreeMap<String, ExperimentResult> {
    let specs: Vec<_> = book.experiments().map(|(_, spec)| spec).collect();
    specs
        .par_iter()
        .map(|spec| (spec.id.clone(), run_experiment(&spec.params, spec.seed)))
        .collect()
}
