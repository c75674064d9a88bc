//! The numeric core: weight initialisation, forward and backward passes, training, and their
//! statistics.
//!
//! Pure functions of their arguments: no I/O, no global state, no clock. Randomness comes in as
//! an RNG argument, and every floating-point reduction runs in a fixed order, so a result is a
//! function of (parameters, seed) alone — the same bits on every machine and thread count.
//! (The one exception to "no global state" is spare buffers kept per thread — [`scratch`]'s
//! matrices, the products' aligned copies and non-zero lists, the statistics' histogram codes;
//! what they hold is always overwritten before it is read.)

pub mod activations;
pub mod batchnorm;
pub mod chunks;
pub mod depth;
pub mod elementary;
pub mod experiment;
pub mod gaussian;
pub mod gradients;
pub mod kernels;
pub mod lanes;
pub mod mlp;
pub mod network;
pub mod nice;
pub mod scratch;
pub mod stats;
pub mod sweep;
pub mod training;

pub use activations::{ActivationParams, ActivationResult, NetworkParams, run_activations};
pub use experiment::{Experiment, Kind, Outcome, run_experiment};
pub use network::{Activation, Init};
pub use stats::{Binning, LayerStats};
