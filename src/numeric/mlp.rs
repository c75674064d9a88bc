//! A multilayer perceptron with softmax cross-entropy: forward pass, backpropagation and SGD.
//!
//! Hidden layers apply the activation; the last layer is linear and feeds the softmax. All
//! products go through the fixed-order matrix product, so gradients and training are as
//! deterministic as the forward experiments.

use ndarray::{Array1, Array2, ArrayView2};

use super::elementary;
use super::matmul::{matmul_fixed_order, transposed};
use super::network::{Activation, dense_forward};

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

/// Gradients of the mean loss.
pub struct Gradients {
    pub loss: f64,
    /// ∂L/∂W for every layer, output layer last.
    pub weights: Vec<Array2<f64>>,
    /// ∂L/∂b for every layer (zero-length when the network has no biases).
    pub biases: Vec<Array1<f64>>,
    /// ∂L/∂a_l for each hidden layer `l = 1 … H`: what backpropagation hands each layer.
    pub hidden_pre_activation: Vec<Array2<f64>>,
}

impl Mlp {
    pub fn hidden_layers(&self) -> usize {
        self.weights.len() - 1
    }

    pub fn forward(&self, input: ArrayView2<f64>) -> Forward {
        let samples = input.nrows();
        let mut hidden: Vec<Array2<f64>> = Vec::with_capacity(self.hidden_layers());
        for (layer, weights) in self.weights[..self.hidden_layers()].iter().enumerate() {
            let mut z = Array2::zeros((samples, weights.ncols()));
            let previous = hidden.last().map_or(input, |z| z.view());
            let bias = self
                .biases
                .as_ref()
                .map(|b| b[layer].as_slice().expect("contiguous"));
            dense_forward(previous, weights.view(), bias, self.activation, &mut z);
            hidden.push(z);
        }
        let output_weights = self.weights.last().expect("an output layer");
        let mut logits = Array2::zeros((samples, output_weights.ncols()));
        let last = hidden.last().map_or(input, |z| z.view());
        matmul_fixed_order(last, output_weights.view(), logits.view_mut());
        if let Some(biases) = &self.biases {
            logits += biases.last().expect("an output bias");
        }
        Forward { hidden, logits }
    }

    /// Mean softmax cross-entropy against `labels` and its gradients, by backpropagation.
    pub fn backward(&self, input: ArrayView2<f64>, forward: &Forward, labels: &[u32]) -> Gradients {
        let layers = self.weights.len();
        let (loss, mut delta) = softmax_cross_entropy(forward.logits.view(), labels);
        let mut weight_grads = vec![Array2::zeros((0, 0)); layers];
        let mut bias_grads = vec![Array1::zeros(0); layers];
        let mut hidden_pre_activation = vec![Array2::zeros((0, 0)); self.hidden_layers()];

        // `delta` is ∂L/∂(pre-activation) of the layer being processed, from the output down.
        for layer in (0..layers).rev() {
            let layer_input = if layer == 0 {
                input
            } else {
                forward.hidden[layer - 1].view()
            };
            let mut grad_w = Array2::zeros(self.weights[layer].dim());
            matmul_fixed_order(
                transposed(layer_input).view(),
                delta.view(),
                grad_w.view_mut(),
            );
            weight_grads[layer] = grad_w;
            if self.biases.is_some() {
                bias_grads[layer] = column_sums(delta.view());
            }
            // ∂L/∂z_{l-1} = δ_l · W_lᵀ, then through the activation: ⊙ f'(a_{l-1}).
            let next = (layer > 0).then(|| {
                let mut grad_z = Array2::zeros(layer_input.dim());
                matmul_fixed_order(delta.view(), self.weights[layer].t(), grad_z.view_mut());
                for (g, &z) in grad_z.iter_mut().zip(forward.hidden[layer - 1].iter()) {
                    *g *= self.activation.derivative_from_output(z);
                }
                grad_z
            });
            if layer < layers - 1 {
                hidden_pre_activation[layer] = delta;
            }
            match next {
                Some(next) => delta = next,
                None => break,
            }
        }
        Gradients {
            loss,
            weights: weight_grads,
            biases: bias_grads,
            hidden_pre_activation,
        }
    }

    /// One step of gradient descent: `θ ← θ − rate · ∂L/∂θ`.
    pub fn sgd_step(&mut self, gradients: &Gradients, rate: f64) {
        for (w, g) in self.weights.iter_mut().zip(&gradients.weights) {
            w.zip_mut_with(g, |w, g| *w -= rate * g);
        }
        if let Some(biases) = &mut self.biases {
            for (b, g) in biases.iter_mut().zip(&gradients.biases) {
                b.zip_mut_with(g, |b, g| *b -= rate * g);
            }
        }
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

/// Mean cross-entropy of softmax(logits) against `labels`, and its gradient with respect to the
/// logits, `(softmax − one_hot) / samples`.
pub fn softmax_cross_entropy(logits: ArrayView2<f64>, labels: &[u32]) -> (f64, Array2<f64>) {
    let samples = logits.nrows();
    let mut gradient = Array2::zeros(logits.dim());
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
    (loss_sum / samples as f64, gradient)
}

/// Sums over rows, row by row.
fn column_sums(values: ArrayView2<f64>) -> Array1<f64> {
    let mut sums = Array1::zeros(values.ncols());
    for row in values.rows() {
        sums += &row;
    }
    sums
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
