//! A multilayer perceptron with softmax cross-entropy: forward pass, backpropagation and SGD.
//!
//! Hidden layers apply the activation; the last layer is linear and feeds the softmax. All
//! products go through the fixed-order kernels (`kernels::product`), so gradients and training
//! are as deterministic as the forward experiments.
//!
//! The passes write into buffers ([`Forward`], [`Gradients`], a [`Workspace`]) that training
//! allocates once and reuses at every step; [`Mlp::forward`] and [`Mlp::backward`] allocate fresh
//! ones for single use.

use ndarray::{Array1, Array2, ArrayView2};

use super::elementary;
use super::kernels::{Lhs, PackedMatrix, Path, Rhs, elementwise, product};
use super::network::Activation;

/// Weights `W_1 … W_H, W_out` (`fan_in × fan_out` each) and optional biases.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub weights: Vec<Array2<f64>>,
    /// One per layer when the network has biases.
    pub biases: Option<Vec<Array1<f64>>>,
    pub activation: Activation,
}

/// What the forward pass keeps for the backward pass.
pub struct Forward {
    /// `z_1 … z_H`, the hidden layers' outputs.
    pub hidden: Vec<Array2<f64>>,
    pub logits: Array2<f64>,
}

impl Forward {
    /// Buffers for `samples` rows through `mlp`.
    pub fn new(mlp: &Mlp, samples: usize) -> Self {
        let hidden_layers = &mlp.weights[..mlp.hidden_layers()];
        Forward {
            hidden: hidden_layers
                .iter()
                .map(|w| Array2::zeros((samples, w.ncols())))
                .collect(),
            logits: Array2::zeros((samples, mlp.output_weights().ncols())),
        }
    }
}

/// Gradients of the mean loss.
pub struct Gradients {
    pub loss: f64,
    /// ∂L/∂W for every layer, output layer last.
    pub weights: Vec<Array2<f64>>,
    /// ∂L/∂b for every layer (zero-length when the network has no biases).
    pub biases: Vec<Array1<f64>>,
    /// ∂L/∂a_l for each hidden layer `l = 1 … H`: what backpropagation hands each layer.
    pub hidden_pre_activation: Vec<Array2<f64>>,
    /// ∂L/∂logits.
    pub logits: Array2<f64>,
}

impl Gradients {
    /// Buffers for a batch of `samples` rows through `mlp`.
    pub fn new(mlp: &Mlp, samples: usize) -> Self {
        let has_biases = mlp.biases.is_some();
        Gradients {
            loss: 0.0,
            weights: mlp.weights.iter().map(|w| Array2::zeros(w.dim())).collect(),
            biases: mlp
                .weights
                .iter()
                .map(|w| Array1::zeros(if has_biases { w.ncols() } else { 0 }))
                .collect(),
            hidden_pre_activation: mlp.weights[..mlp.hidden_layers()]
                .iter()
                .map(|w| Array2::zeros((samples, w.ncols())))
                .collect(),
            logits: Array2::zeros((samples, mlp.output_weights().ncols())),
        }
    }
}

/// Everything one training step writes, for batches of a fixed size: reused at every step, so
/// a step allocates nothing.
pub struct Workspace {
    pub forward: Forward,
    pub gradients: Gradients,
    /// The transposed weights of the layer at hand, packed for the backward pass's product.
    packed: PackedMatrix,
}

impl Workspace {
    pub fn new(mlp: &Mlp, batch: usize) -> Self {
        Workspace {
            forward: Forward::new(mlp, batch),
            gradients: Gradients::new(mlp, batch),
            packed: PackedMatrix::default(),
        }
    }
}

impl Mlp {
    pub fn hidden_layers(&self) -> usize {
        self.weights.len() - 1
    }

    fn output_weights(&self) -> &Array2<f64> {
        self.weights.last().expect("an output layer")
    }

    fn bias(&self, layer: usize) -> Option<&[f64]> {
        self.biases
            .as_ref()
            .map(|b| b[layer].as_slice().expect("contiguous"))
    }

    pub fn forward(&self, input: ArrayView2<f64>) -> Forward {
        let mut forward = Forward::new(self, input.nrows());
        self.forward_into(input, &mut forward);
        forward
    }

    /// The forward pass into `forward`'s buffers (sized for `input`'s rows).
    pub fn forward_into(&self, input: ArrayView2<f64>, forward: &mut Forward) {
        let path = Path::fastest();
        for layer in 0..self.hidden_layers() {
            let (done, rest) = forward.hidden.split_at_mut(layer);
            let previous = done.last().map_or(input, |z| z.view());
            let z = rest[0].as_slice_mut().expect("contiguous");
            self.affine(path, previous, layer, z);
            self.activation.apply_in_place(path, z);
        }
        let last = forward.hidden.last().map_or(input, |z| z.view());
        let logits = forward.logits.as_slice_mut().expect("contiguous");
        self.affine(path, last, self.hidden_layers(), logits);
    }

    /// `out = input · W + b` for `layer`.
    fn affine(&self, path: Path, input: ArrayView2<f64>, layer: usize, out: &mut [f64]) {
        let weights = self.weights[layer].view();
        product::multiply_in_parallel(path, row_major(input), rhs_row_major(weights), out);
        if let Some(bias) = self.bias(layer) {
            for row in out.chunks_exact_mut(bias.len()) {
                for (value, b) in row.iter_mut().zip(bias) {
                    *value += b;
                }
            }
        }
    }

    /// Mean softmax cross-entropy against `labels` and its gradients, by backpropagation.
    pub fn backward(&self, input: ArrayView2<f64>, forward: &Forward, labels: &[u32]) -> Gradients {
        let mut gradients = Gradients::new(self, input.nrows());
        self.backward_into(
            input,
            forward,
            labels,
            &mut gradients,
            &mut PackedMatrix::default(),
        );
        gradients
    }

    /// The backward pass into `gradients`' buffers; `packed` is scratch.
    pub fn backward_into(
        &self,
        input: ArrayView2<f64>,
        forward: &Forward,
        labels: &[u32],
        gradients: &mut Gradients,
        packed: &mut PackedMatrix,
    ) {
        let path = Path::fastest();
        let layers = self.weights.len();
        gradients.loss =
            softmax_cross_entropy_into(forward.logits.view(), labels, &mut gradients.logits);

        // From the output layer down: `delta` is ∂L/∂(pre-activation) of `layer`.
        for layer in (0..layers).rev() {
            let (below, at_and_above) = gradients.hidden_pre_activation.split_at_mut(layer);
            let delta = if layer == layers - 1 {
                gradients.logits.view()
            } else {
                at_and_above[0].view()
            };
            let layer_input = if layer == 0 {
                input
            } else {
                forward.hidden[layer - 1].view()
            };
            let (samples, fan_in) = layer_input.dim();
            let delta_data = delta.as_slice().expect("contiguous");

            // ∂L/∂W_l = z_{l-1}ᵀ · δ_l, both read in place.
            product::multiply_in_parallel(
                path,
                Lhs::transpose_of(row_major_data(layer_input), samples, fan_in),
                rhs_row_major(delta),
                gradients.weights[layer].as_slice_mut().expect("contiguous"),
            );
            if self.biases.is_some() {
                let sums = gradients.biases[layer].as_slice_mut().expect("contiguous");
                sums.fill(0.0);
                elementwise::fold_columns(path, sums, delta_data, |sum, d| sum + d);
            }
            // ∂L/∂z_{l-1} = δ_l · W_lᵀ, then through the activation: ⊙ f'(a_{l-1}).
            if layer > 0 {
                let grad = below[layer - 1].as_slice_mut().expect("contiguous");
                packed.pack(self.weights[layer].t());
                packed.multiply_in_parallel(path, row_major(delta), grad);
                let z = row_major_data(forward.hidden[layer - 1].view());
                self.activation.scale_by_derivative(path, grad, z);
            }
        }
    }

    /// One step of gradient descent: `θ ← θ − rate · ∂L/∂θ`.
    pub fn sgd_step(&mut self, gradients: &Gradients, rate: f64) {
        let path = Path::fastest();
        for (w, g) in self.weights.iter_mut().zip(&gradients.weights) {
            let w = w.as_slice_mut().expect("contiguous");
            let g = g.as_slice().expect("contiguous");
            elementwise::zip_in_place(path, w, g, |w, g| w - rate * g);
        }
        if let Some(biases) = &mut self.biases {
            for (b, g) in biases.iter_mut().zip(&gradients.biases) {
                let b = b.as_slice_mut().expect("contiguous");
                let g = g.as_slice().expect("contiguous");
                elementwise::zip_in_place(path, b, g, |b, g| b - rate * g);
            }
        }
    }

    /// Forward, backward and an SGD step on one batch, in `workspace`'s buffers. Returns the
    /// batch's loss.
    pub fn train_step(
        &mut self,
        input: ArrayView2<f64>,
        labels: &[u32],
        rate: f64,
        workspace: &mut Workspace,
    ) -> f64 {
        let Workspace {
            forward,
            gradients,
            packed,
        } = workspace;
        self.forward_into(input, forward);
        self.backward_into(input, forward, labels, gradients, packed);
        self.sgd_step(gradients, rate);
        gradients.loss
    }

    /// Share of samples whose largest logit is their label (ties go to the lower class).
    pub fn accuracy(&self, input: ArrayView2<f64>, labels: &[u32]) -> f64 {
        if labels.is_empty() {
            return 0.0;
        }
        let forward = self.forward(input);
        let correct = forward
            .logits
            .rows()
            .into_iter()
            .zip(labels)
            .filter(|(row, label)| argmax(row.as_slice().expect("contiguous")) == **label as usize)
            .count();
        correct as f64 / labels.len() as f64
    }

    /// For each hidden layer, how many units have an incoming weight vector (a column of `W_l`)
    /// different from every other unit's, compared bit for bit.
    pub fn distinct_units(&self) -> Vec<usize> {
        self.weights[..self.hidden_layers()]
            .iter()
            .map(|w| {
                let mut columns: Vec<Vec<u64>> = w
                    .columns()
                    .into_iter()
                    .map(|c| c.iter().map(|v| v.to_bits()).collect())
                    .collect();
                columns.sort_unstable();
                columns.dedup();
                columns.len()
            })
            .collect()
    }
}

fn row_major_data<'a>(matrix: ArrayView2<'a, f64>) -> &'a [f64] {
    matrix.to_slice().expect("row-major")
}

fn row_major(matrix: ArrayView2<'_, f64>) -> Lhs<'_> {
    let (rows, cols) = matrix.dim();
    Lhs::row_major(row_major_data(matrix), rows, cols)
}

fn rhs_row_major(matrix: ArrayView2<'_, f64>) -> Rhs<'_> {
    let (rows, cols) = matrix.dim();
    Rhs::row_major(row_major_data(matrix), rows, cols)
}

/// Mean cross-entropy of softmax(logits) against `labels`, and its gradient with respect to the
/// logits, `(softmax − one_hot) / samples`.
pub fn softmax_cross_entropy(logits: ArrayView2<f64>, labels: &[u32]) -> (f64, Array2<f64>) {
    let mut gradient = Array2::zeros(logits.dim());
    let loss = softmax_cross_entropy_into(logits, labels, &mut gradient);
    (loss, gradient)
}

/// [`softmax_cross_entropy`] with the gradient written into `gradient`.
fn softmax_cross_entropy_into(
    logits: ArrayView2<f64>,
    labels: &[u32],
    gradient: &mut Array2<f64>,
) -> f64 {
    let samples = logits.nrows();
    let mut loss_sum = 0.0;
    for ((row, mut grad_row), &label) in logits
        .rows()
        .into_iter()
        .zip(gradient.rows_mut())
        .zip(labels)
    {
        // Subtracting the largest logit keeps exp from overflowing; the result is unchanged.
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for (g, &logit) in grad_row.iter_mut().zip(row.iter()) {
            *g = elementary::exp(logit - max);
            total += *g;
        }
        loss_sum += libm::log(total) - (row[label as usize] - max);
        for g in grad_row.iter_mut() {
            *g /= total;
        }
        grad_row[label as usize] -= 1.0;
    }
    gradient.mapv_inplace(|g| g / samples as f64);
    loss_sum / samples as f64
}

fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::gaussian::GaussianStream;
    use crate::numeric::network::Init;
    use rand::SeedableRng;

    fn tiny_network(activation: Activation, seed: u64) -> (Mlp, Array2<f64>, Vec<u32>) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut normal = GaussianStream::new();
        let sizes = [3, 4, 5, 3];
        let weights = sizes
            .windows(2)
            .map(|pair| {
                Init::Normal { std: 0.7 }.draw_weights(pair[0], pair[1], &mut rng, &mut normal)
            })
            .collect();
        let biases = sizes[1..]
            .iter()
            .map(|&n| {
                let mut b = Array1::zeros(n);
                normal.fill_scaled(&mut rng, b.as_slice_mut().unwrap(), 0.3);
                b
            })
            .collect();
        let mut input = Array2::zeros((6, 3));
        normal.fill_scaled(&mut rng, input.as_slice_mut().unwrap(), 1.0);
        let labels = vec![0, 2, 1, 1, 0, 2];
        let mlp = Mlp {
            weights,
            biases: Some(biases),
            activation,
        };
        (mlp, input, labels)
    }

    fn loss(mlp: &Mlp, input: &Array2<f64>, labels: &[u32]) -> f64 {
        let forward = mlp.forward(input.view());
        softmax_cross_entropy(forward.logits.view(), labels).0
    }

    fn relative_error(a: f64, b: f64) -> f64 {
        (a - b).abs() / (a.abs() + b.abs()).max(1e-8)
    }

    /// Every weight and bias gradient from backpropagation against a central difference.
    #[test]
    fn backpropagation_matches_finite_differences() {
        let h = 1e-6;
        for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
            let (mlp, input, labels) = tiny_network(activation, 5);
            let forward = mlp.forward(input.view());
            let gradients = mlp.backward(input.view(), &forward, &labels);
            let mut worst: f64 = 0.0;
            for layer in 0..mlp.weights.len() {
                for index in 0..mlp.weights[layer].len() {
                    let numeric = {
                        let mut plus = mlp.clone();
                        plus.weights[layer].as_slice_mut().unwrap()[index] += h;
                        let mut minus = mlp.clone();
                        minus.weights[layer].as_slice_mut().unwrap()[index] -= h;
                        (loss(&plus, &input, &labels) - loss(&minus, &input, &labels)) / (2.0 * h)
                    };
                    let analytic = gradients.weights[layer].as_slice().unwrap()[index];
                    worst = worst.max(relative_error(numeric, analytic));
                }
                for index in 0..gradients.biases[layer].len() {
                    let numeric = {
                        let mut plus = mlp.clone();
                        plus.biases.as_mut().unwrap()[layer][index] += h;
                        let mut minus = mlp.clone();
                        minus.biases.as_mut().unwrap()[layer][index] -= h;
                        (loss(&plus, &input, &labels) - loss(&minus, &input, &labels)) / (2.0 * h)
                    };
                    worst = worst.max(relative_error(numeric, gradients.biases[layer][index]));
                }
            }
            assert!(
                worst < 1e-6,
                "{activation:?}: worst relative error {worst:e}"
            );
        }
    }

    #[test]
    fn equal_units_stay_equal_and_are_counted_once() {
        let (mut mlp, input, labels) = tiny_network(Activation::Sigmoid, 9);
        for w in &mut mlp.weights {
            w.fill(0.0);
        }
        for b in mlp.biases.as_mut().unwrap() {
            b.fill(0.0);
        }
        for _ in 0..20 {
            let forward = mlp.forward(input.view());
            let gradients = mlp.backward(input.view(), &forward, &labels);
            mlp.sgd_step(&gradients, 0.5);
        }
        assert_eq!(mlp.distinct_units(), vec![1, 1]);
        assert!(
            mlp.weights[1].iter().any(|&w| w != 0.0),
            "training did move the weights"
        );
    }
}
