//! Run stage: every experiment of the book, in parallel. Each experiment is a pure function of
//! its parameters, seed and data, so the results do not depend on scheduling or thread count —
//! an experiment that appears twice (the summary lesson repeats earlier ones) is run once, and
//! one whose outcome is in the result cache is not run at all.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::cache::Cache;
use crate::data::DataFile;
use crate::model::ParsedBook;
use crate::numeric::{Experiment, Outcome, run_experiment};

/// The outcomes of a book's experiments, and how many had to run.
pub struct RunReport {
    /// By experiment id.
    pub outcomes: BTreeMap<String, Outcome>,
    /// Distinct experiments computed this time.
    pub computed: usize,
    /// Distinct experiments taken from the cache.
    pub cached: usize,
}

/// Runs all experiments; outcomes keyed by experiment id. `datasets` holds every training
/// experiment's data, keyed by its path as written. `progress(done, total)` is called as
/// distinct experiments finish.
pub fn run_all(
    book: &ParsedBook,
    datasets: &BTreeMap<String, DataFile>,
    cache: &Cache,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> RunReport {
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

    let done = AtomicUsize::new(0);
    let computed = AtomicUsize::new(0);
    let outcomes: Vec<Outcome> = distinct
        .par_iter()
        .map(|&(experiment, seed, data)| {
            let data = data.map(|path| &datasets[path]);
            let key = Cache::key(experiment, seed, data.map(|d| d.sha256.as_str()));
            let cached = cache
                .load(&key, experiment.kind())
                .filter(|outcome| crate::cache::outcome_fits(experiment, outcome));
            let outcome = cached.unwrap_or_else(|| {
                computed.fetch_add(1, Ordering::Relaxed);
                let outcome = run_experiment(experiment, seed, data.map(|d| &d.dataset));
                cache.store(&key, &outcome);
                outcome
            });
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, distinct.len());
            outcome
        })
        .collect();
    let computed = computed.into_inner();
    RunReport {
        outcomes: which
            .into_iter()
            .map(|(id, index)| (id.to_string(), outcomes[index].clone()))
            .collect(),
        computed,
        cached: distinct.len() - computed,
    }
}
