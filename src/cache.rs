//! The result cache: experiment outcomes on disk, so a rebuild re-runs only what changed.
//!
//! An entry is keyed by the SHA-256 of everything that determines an outcome: the experiment's
//! parameters after defaults, its seed, the SHA-256 of its data file (training), and the engine —
//! initbook's version and a fingerprint of the numeric core's source compiled into the binary
//! (`build.rs`), so results of an older engine are never served. Prose, captions and templates
//! are not part of the key: editing them re-runs nothing.
//!
//! An entry is one file, `KEY.json`: a first line with the SHA-256 of the rest, then the outcome
//! as JSON (floats in shortest round-trip form, parsed back exactly). A truncated, corrupt or
//! unreadable entry fails the check and is recomputed, never used. Entries are written to a
//! temporary file and renamed into place, so a crash leaves no half-written entry.
//!
//! The cache lives in `ROOT/target/initbook-cache/` (git-ignored); `initbook clean` removes it.
//!
//! Beside it, in memory, a [`Cache`] carries the data sets parsed by earlier builds that used the
//! same value (`serve` builds with one value all along), so an unchanged data file is not parsed
//! again, the figures they drew ([`DrawingCache`]), so an unchanged figure is not drawn again,
//! and the outcomes the last build used, so they are not read and checked again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::data::DatasetCache;
use crate::draw::DrawingCache;
use crate::hash::sha256_hex;
use crate::numeric::activations::ActivationResult;
use crate::numeric::depth::DepthResult;
use crate::numeric::gradients::GradientResult;
use crate::numeric::sweep::SweepResult;
use crate::numeric::training::TrainingResult;
use crate::numeric::{Experiment, Kind, Outcome};

/// Changes whenever the numeric core's source changes (see `build.rs`).
pub const ENGINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "+",
    env!("INITBOOK_ENGINE_FINGERPRINT")
);

/// Where results are kept, or nowhere (`--no-cache`), and the data sets parsed and figures
/// drawn so far. Clones share the data sets, the drawings and the outcomes in memory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: Option<PathBuf>,
    datasets: Arc<DatasetCache>,
    drawings: Arc<DrawingCache>,
    /// The outcomes the last build loaded or stored, by key, and those the current build has:
    /// a rebuild takes them from memory instead of reading and checking their files again.
    /// An outcome is a pure function of its key, so the copy in memory is what the file holds;
    /// one taken from memory is not written back, so after `initbook clean` a running `serve`
    /// keeps its outcomes while the next `initbook build` computes them again.
    in_memory: Arc<Mutex<KeptOutcomes>>,
}

#[derive(Debug, Default)]
struct KeptOutcomes {
    last_build: HashMap<String, Outcome>,
    this_build: HashMap<String, Outcome>,
}

impl Cache {
    /// The cache of the book at `root`.
    pub fn for_book(root: &Path) -> Self {
        Cache {
            dir: Some(cache_dir(root)),
            datasets: Arc::default(),
            drawings: Arc::default(),
            in_memory: Arc::default(),
        }
    }

    /// No cache: every experiment runs.
    pub fn disabled() -> Self {
        Cache {
            dir: None,
            datasets: Arc::default(),
            drawings: Arc::default(),
            in_memory: Arc::default(),
        }
    }

    /// The data sets parsed by builds with this cache.
    pub fn datasets(&self) -> &DatasetCache {
        &self.datasets
    }

    /// The figures drawn by builds with this cache ([`DrawingCache`]).
    pub fn drawings(&self) -> &DrawingCache {
        &self.drawings
    }

    /// The key of an experiment run. `data_sha256` is the hash of a training experiment's data file.
    pub fn key(experiment: &Experiment, seed: u64, data_sha256: Option<&str>) -> String {
        let identity = serde_json::json!({
            "engine": ENGINE,
            "experiment": experiment,
            "seed": seed,
            "data_sha256": data_sha256,
        });
        sha256_hex(identity.to_string().as_bytes())
    }

    /// The cached outcome for `key`, if there is an intact one: kept in memory by this build
    /// or the last, or else from its file.
    pub fn load(&self, key: &str, kind: Kind) -> Option<Outcome> {
        let dir = self.dir.as_ref()?;
        if let Some(outcome) = self.kept(key) {
            return Some(outcome);
        }
        let bytes = std::fs::read(dir.join(format!("{key}.json"))).ok()?;
        let newline = bytes.iter().position(|&b| b == b'\n')?;
        let (header, payload) = (&bytes[..newline], &bytes[newline + 1..]);
        if header != format!("sha256:{}", sha256_hex(payload)).as_bytes() {
            return None;
        }
        let outcome = decode(kind, payload)?;
        self.keep(key, &outcome);
        Some(outcome)
    }

    /// Ends a build: the outcomes it loaded or stored are the ones kept in memory for the next,
    /// and so are the drawings it made or took ([`DrawingCache::end_build`]).
    pub fn end_build(&self) {
        let mut kept = self.lock_kept();
        kept.last_build = std::mem::take(&mut kept.this_build);
        drop(kept);
        self.drawings.end_build();
    }

    fn kept(&self, key: &str) -> Option<Outcome> {
        let mut kept = self.lock_kept();
        if let Some(outcome) = kept.this_build.get(key) {
            return Some(outcome.clone());
        }
        let outcome = kept.last_build.remove(key)?;
        kept.this_build.insert(key.to_string(), outcome.clone());
        Some(outcome)
    }

    fn keep(&self, key: &str, outcome: &Outcome) {
        let mut kept = self.lock_kept();
        kept.this_build.insert(key.to_string(), outcome.clone());
    }

    fn lock_kept(&self) -> std::sync::MutexGuard<'_, KeptOutcomes> {
        // Outcomes are inserted whole, so a lock poisoned by a panicking worker still guards
        // sound data.
        self.in_memory.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores `outcome` under `key`. Failing to write is not an error: the cache is only a cache.
    pub fn store(&self, key: &str, outcome: &Outcome) {
        let Some(dir) = &self.dir else { return };
        self.keep(key, outcome);
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let payload = serde_json::to_vec(outcome).expect("plain data serialises");
        let mut bytes = format!("sha256:{}\n", sha256_hex(&payload)).into_bytes();
        bytes.extend_from_slice(&payload);
        // Unique per process and thread, so concurrent builds never share a temporary file.
        let temporary = dir.join(format!(
            ".{key}.{}.{:?}.tmp",
            std::process::id(),
            std::thread::current().id()
        ));
        if std::fs::write(&temporary, &bytes).is_ok()
            && std::fs::rename(&temporary, dir.join(format!("{key}.json"))).is_err()
        {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

/// Whether a cached `outcome` has the shape `experiment` gives (layers, bins, schemes, …): an
/// entry with a valid checksum can still hold another experiment's result (an edited or
/// colliding file), and everything downstream indexes by these shapes.
pub fn outcome_fits(experiment: &Experiment, outcome: &Outcome) -> bool {
    let histogram_fits = |counts: &[u64], edges: &[f64], bins: usize| {
        counts.len() == bins && edges.len() == bins + 1
    };
    let labels_fit = |labels: Vec<&str>| {
        let expected: Vec<&str> = experiment.runs().iter().map(|r| r.label.as_str()).collect();
        labels == expected
    };
    match (experiment, outcome) {
        (Experiment::Activations(p), Outcome::Activations(r)) => {
            r.layers.len() == p.network.layers
                && r.layers
                    .iter()
                    .all(|l| histogram_fits(&l.counts, &l.edges, p.bins))
        }
        (Experiment::Gradients(p), Outcome::Gradients(r)) => {
            r.layers.len() == p.network.layers
                && r.layers
                    .iter()
                    .all(|l| histogram_fits(&l.counts, &l.edges, p.bins))
        }
        (Experiment::Depth(p), Outcome::Depth(r)) => {
            labels_fit(r.series.iter().map(|s| s.label.as_str()).collect())
                && r.series.iter().all(|s| s.std.len() == p.layers)
        }
        (Experiment::Training(p), Outcome::Training(r)) => {
            labels_fit(r.runs.iter().map(|run| run.label.as_str()).collect())
                && r.runs.iter().all(|run| {
                    let accuracy = match p.plot {
                        crate::numeric::training::Plot::Loss => 0,
                        crate::numeric::training::Plot::Accuracy => p.iterations,
                    };
                    run.loss.len() == p.iterations
                        && run.batch_accuracy.len() == accuracy
                        && run.distinct_units.len() == p.hidden_layers
                })
        }
        // Every frame in the order the sweep makes them (its activation and σ are what the
        // explorer, the frames' files and references index by), each with its layers' histograms.
        (Experiment::Sweep(p), Outcome::Sweep(r)) => {
            let frames = p.frames();
            r.frames.len() == frames.len()
                && r.frames
                    .iter()
                    .zip(&frames)
                    .all(|(frame, (activation, stop))| {
                        frame.activation == *activation
                            && frame.std.to_bits() == stop.std.to_bits()
                            && frame.mark == stop.mark
                            && frame.layers.len() == p.layers
                            && frame
                                .layers
                                .iter()
                                .all(|l| histogram_fits(&l.counts, &l.edges, p.bins))
                    })
        }
        _ => false,
    }
}

/// `ROOT/target/initbook-cache`.
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join("target").join("initbook-cache")
}

/// Removes the result cache of the book at `root` (`initbook clean`); says what it did.
pub fn clean(root: &Path) -> crate::Result<String> {
    let dir = cache_dir(root);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => Ok(format!("removed {}", dir.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Ok(format!("no cache at {}", dir.display()))
        }
        Err(error) => Err(crate::Error::io("remove", &dir, error)),
    }
}

fn decode(kind: Kind, payload: &[u8]) -> Option<Outcome> {
    Some(match kind {
        Kind::Activations => {
            Outcome::Activations(serde_json::from_slice::<ActivationResult>(payload).ok()?)
        }
        Kind::Gradients => {
            Outcome::Gradients(serde_json::from_slice::<GradientResult>(payload).ok()?)
        }
        Kind::Depth => Outcome::Depth(serde_json::from_slice::<DepthResult>(payload).ok()?),
        Kind::Training => {
            Outcome::Training(serde_json::from_slice::<TrainingResult>(payload).ok()?)
        }
        Kind::Sweep => Outcome::Sweep(serde_json::from_slice::<SweepResult>(payload).ok()?),
    })
}
