//! The numeric core: weight initialisation, the forward pass and its statistics.
//!
//! Pure functions of their arguments: no I/O, no global state, no clock. Randomness comes in as
//! an RNG argument, and every floating-point reduction runs in a fixed order, so a result is a
//! function of (parameters, seed) alone — the same bits on every machine and thread count.

pub mod elementary;
pub mod experiment;
pub mod gaussian;
pub mod matmul;
pub mod network;
pub mod stats;

pub use experiment::{ExperimentParams, ExperimentResult, run_experiment};
pub use network::{Activation, Init};
pub use stats::{Binning, LayerStats};
