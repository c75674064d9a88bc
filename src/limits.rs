//! Limits checked before running anything: each is far above what a lesson needs and far below
//! what would exhaust a laptop. The key schema states them as bounds (so the checker, the
//! `initbook run` flags and the directive reference all use these numbers); the combined bounds
//! below are checked once every key is valid, before anything is allocated; the data reader
//! checks the training work again once it knows the data set's width.

pub const LAYERS: (i64, i64) = (1, 100);
pub const NODES: (i64, i64) = (1, 2048);
pub const SAMPLES: (i64, i64) = (1, 100_000);
pub const BINS: (i64, i64) = (1, 1000);
pub const STD: (f64, f64) = (0.0, 100.0);
/// Largest absolute value allowed at either end of `range`.
pub const RANGE_MAGNITUDE: f64 = 1e6;
/// `samples × nodes`: one activation matrix (three are alive at a time), 80 MB.
pub const MATRIX_ELEMENTS: u128 = 10_000_000;
/// `samples × nodes² × layers` multiply-adds: a few seconds on one core.
pub const WORK: u128 = 10_000_000_000;
pub const ID_LENGTH: usize = 64;
pub const SEED: (i64, i64) = (0, i64::MAX);
pub const Y_MAX: (i64, i64) = (1, i64::MAX);
pub const DEPTH_LAYERS: (i64, i64) = (1, 200);
pub const CLASSES: (i64, i64) = (2, 1000);
pub const COMPARE: usize = 8;
/// Compared schemes of one training experiment: a sweep of 16 weight scales with and without
/// batch normalization. Their total work is bounded by the work budget (`budget.rs`).
pub const TRAINING_COMPARE: usize = 32;
pub const TRAINING_LAYERS: (i64, i64) = (1, 20);
pub const TRAINING_NODES: (i64, i64) = (1, 1024);
pub const BATCH: (i64, i64) = (1, 4096);
pub const ITERATIONS: (i64, i64) = (1, 100_000);
pub const LEARNING_RATE: (f64, f64) = (0.0, 10.0);
/// Share of a data set held out for testing.
pub const TEST_FRACTION: (f64, f64) = (0.0, 0.9);
pub const SMOOTH: (i64, i64) = (1, 10_000);
/// Activation matrices a gradient experiment keeps for the backward pass.
pub const STORED_ELEMENTS: u128 = 20_000_000;
/// Multiply-adds of one training run (forward and backward): well under a minute.
pub const TRAINING_WORK: u128 = 200_000_000_000;
/// The σ values of a sweep.
pub const SWEEP_STDS: (usize, usize) = (2, 40);
/// Multiply-adds of a whole sweep, every frame together: one experiment's budget.
pub const SWEEP_WORK: u128 = WORK;
/// Frames of all the sweeps on one page: each is a radio, an image and a statistics row.
pub const FRAMES_PER_PAGE: usize = 150;
/// Bytes of SVG the sweeps of one page draw (frames and charts): what a reader may download
/// while moving through them.
pub const SWEEP_SVG_PER_PAGE: usize = 3_000_000;

/// [`size_problem`], and the activations a gradient experiment keeps for the backward pass.
pub fn gradient_size_problem(layers: usize, nodes: usize, samples: usize) -> Option<String> {
    let stored = layers as u128 * samples as u128 * nodes as u128;
    size_problem(layers, nodes, samples).or_else(|| {
        (stored > STORED_ELEMENTS).then(|| {
            format!(
                "layers × samples × nodes = {stored} activations to keep for the backward pass is too many (at most {STORED_ELEMENTS})"
            )
        })
    })
}

/// Multiply-adds of a training run, from what the directive knows (the input width is only
/// known once the data is read; `nodes` stands in for it).
pub fn training_work(layers: usize, nodes: usize, batch: usize, iterations: usize) -> u128 {
    3 * (layers as u128 + 1) * (nodes as u128).pow(2) * batch as u128 * iterations as u128
}

/// The combined size bounds, checked before anything is allocated.
pub fn size_problem(layers: usize, nodes: usize, samples: usize) -> Option<String> {
    let elements = samples as u128 * nodes as u128;
    let work = elements * nodes as u128 * layers as u128;
    if elements > MATRIX_ELEMENTS {
        Some(format!(
            "samples × nodes = {elements} is too large (at most {MATRIX_ELEMENTS})"
        ))
    } else if work > WORK {
        Some(format!(
            "samples × nodes² × layers = {work} multiply-adds is too large (at most {WORK})"
        ))
    } else {
        None
    }
}
