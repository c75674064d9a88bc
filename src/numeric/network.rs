//! The network: weight initialisation schemes, activation functions and one dense layer.

use ndarray::{Array2, ArrayView2};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::chunks::CHUNK_ROWS;
use super::elementary;
use super::gaussian::GaussianStream;
use super::kernels::elementwise::MAP_BLOCK;
use super::kernels::{Lhs, PackedMatrix, Path, Rhs, elementwise, product};
use super::lanes::{Block, Values};

/// How a layer's weights are drawn. `n` below is the layer's fan-in (its number of inputs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "init", rename_all = "lowercase")]
pub enum Init {
    /// Every weight 0: all units compute the same function.
    Zero,
    /// N(0, std²), the same std for every layer.
    Normal { std: f64 },
    /// Xavier/Glorot: N(0, 1/n).
    Xavier,
    /// He/Kaiming: N(0, 2/n).
    He,
}

impl Init {
    pub const NAMES: [&'static str; 4] = ["zero", "normal", "xavier", "he"];

    pub fn name(&self) -> &'static str {
        match self {
            Init::Zero => "zero",
            Init::Normal { .. } => "normal",
            Init::Xavier => "xavier",
            Init::He => "he",
        }
    }

    /// The standard deviation of the weights of a layer with `fan_in` inputs.
    pub fn weight_std(&self, fan_in: usize) -> f64 {
        match *self {
            Init::Zero => 0.0,
            Init::Normal { std } => std,
            Init::Xavier => (1.0 / fan_in as f64).sqrt(),
            Init::He => (2.0 / fan_in as f64).sqrt(),
        }
    }

    /// Draws a `fan_in × fan_out` weight matrix, row-major, from the stream.
    ///
    /// `Zero` draws nothing, so it leaves the stream where it was.
    pub fn draw_weights(
        &self,
        fan_in: usize,
        fan_out: usize,
        rng: &mut ChaCha8Rng,
        normal: &mut GaussianStream,
    ) -> Array2<f64> {
        let mut weights = Array2::zeros((fan_in, fan_out));
        if *self != Init::Zero {
            let values = weights
                .as_slice_mut()
                .expect("freshly allocated, row-major");
            normal.fill_scaled(rng, values, self.weight_std(fan_in));
        }
        weights
    }
}

/// One of several schemes compared in one experiment, with the name the figure's legend and the
/// prose use for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledInit {
    pub label: String,
    #[serde(flatten)]
    pub init: Init,
    /// With batch normalization. Left out of the JSON when false, so schemes without it
    /// serialise as they always have.
    #[serde(default, skip_serializing_if = "is_false")]
    pub batchnorm: bool,
}

/// For `skip_serializing_if`: a flag that is off is not written.
pub fn is_false(flag: &bool) -> bool {
    !*flag
}

/// The nonlinearity applied after each layer's weighted sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Sigmoid,
    Tanh,
    Relu,
}

impl Activation {
    pub const NAMES: [&'static str; 3] = ["sigmoid", "tanh", "relu"];

    pub fn name(&self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
        }
    }

    pub fn from_name(name: &str) -> Option<Activation> {
        match name {
            "sigmoid" => Some(Activation::Sigmoid),
            "tanh" => Some(Activation::Tanh),
            "relu" => Some(Activation::Relu),
            _ => None,
        }
    }

    /// f(a), with our own `exp`/`tanh` so the bits do not depend on the platform.
    #[inline]
    pub fn apply(&self, a: f64) -> f64 {
        match self {
            Activation::Sigmoid => elementary::sigmoid(a),
            Activation::Tanh => elementary::tanh(a),
            // Written so that NaN (after an overflow) stays NaN instead of becoming 0.
            Activation::Relu => {
                if a <= 0.0 {
                    0.0
                } else {
                    a
                }
            }
        }
    }

    /// `values[i] = f(values[i])`, as [`apply`](Self::apply) does, on the given kernel path.
    pub fn apply_in_place(&self, path: Path, values: &mut [f64]) {
        match self {
            // Block by block, operation by operation (`lanes`): the same bits as `apply`. (The
            // block function matches on the activation once per 64 values.)
            Activation::Sigmoid | Activation::Tanh => {
                elementwise::map_blocks_in_place(path, values, *self)
            }
            // A select per value: nothing to gain from blocks.
            Activation::Relu => {
                elementwise::map_in_place(path, values, |a| Activation::Relu.apply(a))
            }
        }
    }

    /// `gradients[i] = gradients[i] · f'(a_i)`, with f'(a_i) from the outputs `z[i] = f(a_i)`,
    /// on the given kernel path.
    pub fn scale_by_derivative(&self, path: Path, gradients: &mut [f64], z: &[f64]) {
        match self {
            Activation::Sigmoid => elementwise::zip_in_place(path, gradients, z, |g, z| {
                g * Activation::Sigmoid.derivative_from_output(z)
            }),
            Activation::Tanh => elementwise::zip_in_place(path, gradients, z, |g, z| {
                g * Activation::Tanh.derivative_from_output(z)
            }),
            Activation::Relu => elementwise::zip_in_place(path, gradients, z, |g, z| {
                g * Activation::Relu.derivative_from_output(z)
            }),
        }
    }

    /// f'(a), written in terms of the output z = f(a), which is what backprop has at hand.
    #[inline]
    pub fn derivative_from_output(&self, z: f64) -> f64 {
        match self {
            Activation::Sigmoid => z * (1.0 - z),
            Activation::Tanh => 1.0 - z * z,
            Activation::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

/// [`Activation::apply`] of a block of values, operation by operation across the block: what
/// [`Activation::apply_in_place`] maps sigmoid and tanh with. A trait method rather than a
/// closure, so that `inline(always)` puts the whole function into each instruction set's loop.
impl elementwise::BlockMap for Activation {
    #[inline(always)]
    fn map_block(&self, block: Block<MAP_BLOCK>) -> Block<MAP_BLOCK> {
        match self {
            Activation::Sigmoid => elementary::sigmoid(block),
            Activation::Tanh => elementary::tanh(block),
            Activation::Relu => block.map(|a| Activation::Relu.apply(a)),
        }
    }
}

/// One dense layer without bias: `z = f(input · weights)`, written into `z`.
///
/// Bands of [`CHUNK_ROWS`] rows run in parallel; every output element is computed by the same
/// operations whichever thread computes it, so the result does not depend on the thread count.
/// `then` runs on each finished band while it is still in cache; its results come back in band
/// order. `bias`, when given, is added to every row before the activation.
pub fn dense_forward_then<T: Send>(
    input: ArrayView2<f64>,
    weights: ArrayView2<f64>,
    bias: Option<&[f64]>,
    activation: Activation,
    z: &mut Array2<f64>,
    then: impl Fn(&[f64]) -> T + Sync,
) -> Vec<T> {
    // Row-major weights are read in place; any other layout is packed first.
    let packed;
    let weights = match weights.as_slice() {
        Some(data) => Rhs::row_major(data, weights.nrows(), weights.ncols()),
        None => {
            packed = PackedMatrix::new(weights);
            packed.rhs()
        }
    };
    let input_band = CHUNK_ROWS * input.ncols();
    let inner = input.ncols();
    let input = input.as_slice().expect("row-major input");
    let z_band = CHUNK_ROWS * z.ncols();
    let z = z.as_slice_mut().expect("row-major output");
    let path = Path::fastest();
    let band = |(z, x): (&mut [f64], &[f64])| {
        product::multiply(path, Lhs::row_major(x, x.len() / inner, inner), weights, z);
        if let Some(bias) = bias {
            for row in z.chunks_exact_mut(bias.len()) {
                for (value, b) in row.iter_mut().zip(bias) {
                    *value += b;
                }
            }
        }
        activation.apply_in_place(path, z);
        then(z)
    };
    // A couple of bands (a training batch) is not worth the threads; the bands are the same.
    if z.len() <= 2 * z_band {
        z.chunks_mut(z_band)
            .zip(input.chunks(input_band))
            .map(band)
            .collect()
    } else {
        z.par_chunks_mut(z_band)
            .zip(input.par_chunks(input_band))
            .map(band)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_std_follows_each_scheme() {
        assert_eq!(Init::Zero.weight_std(100), 0.0);
        assert_eq!(Init::Normal { std: 0.01 }.weight_std(100), 0.01);
        assert!((Init::Xavier.weight_std(100) - 0.1).abs() < 1e-15);
        assert!((Init::He.weight_std(50) - 0.2).abs() < 1e-15);
    }

    #[test]
    fn activations_and_their_derivatives() {
        assert_eq!(Activation::Sigmoid.apply(0.0), 0.5);
        assert_eq!(Activation::Sigmoid.derivative_from_output(0.5), 0.25);
        assert!(Activation::Sigmoid.apply(40.0) > 0.999_999);
        assert!(
            Activation::Sigmoid.apply(-800.0) == 0.0,
            "no NaN on overflow"
        );
        assert_eq!(Activation::Tanh.apply(0.0), 0.0);
        assert_eq!(Activation::Tanh.derivative_from_output(0.0), 1.0);
        assert_eq!(Activation::Relu.apply(-2.0), 0.0);
        assert_eq!(Activation::Relu.apply(3.0), 3.0);
        assert!(
            Activation::Relu.apply(f64::NAN).is_nan(),
            "overflow stays visible"
        );
        assert_eq!(Activation::Relu.derivative_from_output(3.0), 1.0);
        assert_eq!(Activation::Relu.derivative_from_output(0.0), 0.0);
        // f'(a) matches a central difference for the smooth activations.
        for act in [Activation::Sigmoid, Activation::Tanh] {
            for &a in &[-2.0, -0.3, 0.0, 0.7, 1.9] {
                let h = 1e-6;
                let numeric = (act.apply(a + h) - act.apply(a - h)) / (2.0 * h);
                let analytic = act.derivative_from_output(act.apply(a));
                assert!((numeric - analytic).abs() < 1e-8, "{act:?} at {a}");
            }
        }
    }

    #[test]
    fn zero_init_draws_nothing() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut normal = GaussianStream::new();
        let w = Init::Zero.draw_weights(4, 4, &mut rng, &mut normal);
        assert!(w.iter().all(|&v| v == 0.0));
        let mut fresh = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        assert_eq!(rng.next_u64(), fresh.next_u64());
    }
}
