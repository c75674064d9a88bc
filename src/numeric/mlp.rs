//! A multilayer perceptron with softmax cross-entropy: forward pass, backpropagation and SGD.
//!
//! Hidden layers apply the activation; the last layer is linear and feeds the softmax. All
//! products go through the fixed-order kernels (`kernels::product`), so gradients and training
//! are as deterministic as the forward experiments.
//!
//! With batch normalization ([`batchnorm`](super::batchnorm), its formula and order there), each
//! hidden layer is affine map → normalization over the batch → γ·x̂ + β → activation. The passes
//! here use the batch's statistics (training); [`Mlp::accuracy`] uses the running ones
//! (inference).
//!
//! The passes write into buffers ([`Forward`], [`Gradients`], a [`Workspace`]) that training
//! allocates once and reuses at every step; [`Mlp::forward`] and [`Mlp::backward`] allocate fresh
//! ones for single use.

use ndarray::{Array1, Array2, ArrayView2};

use super::batchnorm::{self, BatchNorm, BatchStats, NormGradients};
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
    /// One per hidden layer when the network normalizes its batches.
    pub batchnorm: Option<Vec<BatchNorm>>,
}

/// Which statistics batch normalization uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The batch's own (training, and the gradient experiment).
    Batch,
    /// The running statistics (inference).
    Running,
}

/// What the forward pass keeps for the backward pass.
pub struct Forward {
    /// `z_1 … z_H`, the hidden layers' outputs.
    pub hidden: Vec<Array2<f64>>,
    pub logits: Array2<f64>,
    /// With batch normalization: x̂ of each hidden layer, and its batch's statistics (empty
    /// without).
    pub normalized: Vec<Array2<f64>>,
    pub stats: Vec<BatchStats>,
}

impl Forward {
    /// Buffers for `samples` rows through `mlp`.
    pub fn new(mlp: &Mlp, samples: usize) -> Self {
        let hidden_layers = &mlp.weights[..mlp.hidden_layers()];
        let normalized = if mlp.batchnorm.is_some() {
            hidden_layers
        } else {
            &[]
        };
        Forward {
            hidden: hidden_layers
                .iter()
                .map(|w| Array2::zeros((samples, w.ncols())))
                .collect(),
            logits: Array2::zeros((samples, mlp.output_weights().ncols())),
            normalized: normalized
                .iter()
                .map(|w| Array2::zeros((samples, w.ncols())))
                .collect(),
            stats: normalized
                .iter()
                .map(|w| BatchStats::new(w.ncols()))
                .collect(),
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
    /// ∂L/∂γ and ∂L/∂β of each hidden layer with batch normalization (empty without).
    pub norm: Vec<NormGradients>,
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
            norm: mlp
                .batchnorm
                .iter()
                .flatten()
                .map(|bn| NormGradients::new(bn.gamma.len()))
                .collect(),
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
    /// Whether the step splits its products into bands on the rayon pool (the default), or
    /// keeps them on the calling thread, when other work already keeps every thread busy.
    /// Either gives the same bits.
    pub parallel_products: bool,
}

impl Workspace {
    pub fn new(mlp: &Mlp, batch: usize) -> Self {
        Workspace {
            forward: Forward::new(mlp, batch),
            gradients: Gradients::new(mlp, batch),
            packed: PackedMatrix::default(),
            parallel_products: true,
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

    /// The forward pass as training sees it (batch normalization over `input`'s rows).
    pub fn forward(&self, input: ArrayView2<f64>) -> Forward {
        let mut forward = Forward::new(self, input.nrows());
        self.forward_into(input, &mut forward);
        forward
    }

    /// The forward pass into `forward`'s buffers (sized for `input`'s rows), as training sees
    /// it.
    pub fn forward_into(&self, input: ArrayView2<f64>, forward: &mut Forward) {
        self.forward_with(input, forward, Mode::Batch, true);
    }

    fn forward_with(
        &self,
        input: ArrayView2<f64>,
        forward: &mut Forward,
        mode: Mode,
        parallel: bool,
    ) {
        let path = Path::fastest();
        for layer in 0..self.hidden_layers() {
            let (done, rest) = forward.hidden.split_at_mut(layer);
            let previous = done.last().map_or(input, |z| z.view());
            let z = rest[0].as_slice_mut().expect("contiguous");
            self.affine(path, previous, layer, z, parallel);
            if let Some(norms) = &self.batchnorm {
                let bn = &norms[layer];
                let stats = &mut forward.stats[layer];
                match mode {
                    Mode::Batch => batchnorm::normalize_batch(path, z, stats),
                    Mode::Running => bn.normalize_with_running(path, z, &mut stats.std),
                }
                forward.normalized[layer]
                    .as_slice_mut()
                    .expect("contiguous")
                    .copy_from_slice(z);
                bn.scale_and_shift(path, z);
            }
            self.activation.apply_in_place(path, z);
        }
        let last = forward.hidden.last().map_or(input, |z| z.view());
        let logits = forward.logits.as_slice_mut().expect("contiguous");
        self.affine(path, last, self.hidden_layers(), logits, parallel);
    }

    /// `out = input · W + b` for `layer`.
    fn affine(
        &self,
        path: Path,
        input: ArrayView2<f64>,
        layer: usize,
        out: &mut [f64],
        parallel: bool,
    ) {
        let weights = self.weights[layer].view();
        multiply(
            parallel,
            path,
            row_major(input),
            rhs_row_major(weights),
            out,
        );
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
            true,
        );
        gradients
    }

    /// The backward pass into `gradients`' buffers; `packed` is scratch. `parallel`: whether
    /// the products are split into bands on the rayon pool.
    pub fn backward_into(
        &self,
        input: ArrayView2<f64>,
        forward: &Forward,
        labels: &[u32],
        gradients: &mut Gradients,
        packed: &mut PackedMatrix,
        parallel: bool,
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
            multiply(
                parallel,
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
                multiply(parallel, path, row_major(delta), packed.rhs(), grad);
                let z = row_major_data(forward.hidden[layer - 1].view());
                self.activation.scale_by_derivative(path, grad, z);
                // Through the normalization: ∂L/∂y becomes ∂L/∂a.
                if let Some(norms) = &self.batchnorm {
                    let below = layer - 1;
                    batchnorm::backward(
                        path,
                        grad,
                        row_major_data(forward.normalized[below].view()),
                        &norms[below].gamma,
                        &forward.stats[below],
                        &mut gradients.norm[below],
                    );
                }
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
        if let Some(norms) = &mut self.batchnorm {
            for (bn, g) in norms.iter_mut().zip(&gradients.norm) {
                elementwise::zip_in_place(path, &mut bn.gamma, &g.gamma, |w, g| w - rate * g);
                elementwise::zip_in_place(path, &mut bn.beta, &g.beta, |w, g| w - rate * g);
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
            parallel_products,
        } = workspace;
        self.forward_with(input, forward, Mode::Batch, *parallel_products);
        self.backward_into(
            input,
            forward,
            labels,
            gradients,
            packed,
            *parallel_products,
        );
        self.sgd_step(gradients, rate);
        if let Some(norms) = &mut self.batchnorm {
            for (bn, stats) in norms.iter_mut().zip(&forward.stats) {
                bn.update_running(stats);
            }
        }
        gradients.loss
    }

    /// Share of a batch's samples whose largest logit (of the last forward pass into
    /// `workspace`) is their label: the training accuracy of that batch, for free.
    pub fn batch_accuracy(workspace: &Workspace, labels: &[u32]) -> f64 {
        correct_share(workspace.forward.logits.view(), labels)
    }

    /// Share of samples whose largest logit is their label (ties go to the lower class), as
    /// inference sees it: batch normalization with the running statistics.
    ///
    /// Rows go through in blocks of 256 with one set of buffers: in inference
    /// every row's result depends on that row alone (and a product computes each row the same
    /// way in any block), so the blocks change nothing but the memory touched.
    pub fn accuracy(&self, input: ArrayView2<f64>, labels: &[u32]) -> f64 {
        if labels.is_empty() {
            return 0.0;
        }
        let mut forward = Forward::new(self, EVALUATION_ROWS.min(input.nrows()));
        let mut correct = 0;
        for (block, labels) in input
            .axis_chunks_iter(ndarray::Axis(0), EVALUATION_ROWS)
            .zip(labels.chunks(EVALUATION_ROWS))
        {
            if block.nrows() != forward.logits.nrows() {
                forward = Forward::new(self, block.nrows());
            }
            self.forward_with(block, &mut forward, Mode::Running, true);
            correct += correct_count(forward.logits.view(), labels);
        }
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

/// `out = lhs · rhs`, in bands on the rayon pool or on this thread.
fn multiply(parallel: bool, path: Path, lhs: Lhs, rhs: Rhs, out: &mut [f64]) {
    if parallel {
        product::multiply_in_parallel(path, lhs, rhs, out);
    } else {
        product::multiply(path, lhs, rhs, out);
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

/// Rows the accuracy evaluates at a time.
const EVALUATION_ROWS: usize = 256;

/// Rows whose largest logit is their label.
fn correct_count(logits: ArrayView2<f64>, labels: &[u32]) -> usize {
    logits
        .rows()
        .into_iter()
        .zip(labels)
        .filter(|(row, label)| argmax(row.as_slice().expect("contiguous")) == **label as usize)
        .count()
}

/// Share of rows whose largest logit is their label; 0 for no rows.
fn correct_share(logits: ArrayView2<f64>, labels: &[u32]) -> f64 {
    if labels.is_empty() {
        return 0.0;
    }
    correct_count(logits, labels) as f64 / labels.len() as f64
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
            batchnorm: None,
        };
        (mlp, input, labels)
    }

    /// [`tiny_network`] with batch normalization, γ and β moved away from 1 and 0 so that their
    /// gradients are exercised in general position.
    fn tiny_normalized_network(activation: Activation, seed: u64) -> (Mlp, Array2<f64>, Vec<u32>) {
        let (mut mlp, input, labels) = tiny_network(activation, seed);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed + 100);
        let mut normal = GaussianStream::new();
        let norms = mlp.weights[..mlp.hidden_layers()]
            .iter()
            .map(|w| {
                let mut bn = BatchNorm::new(w.ncols());
                let mut shift = vec![0.0; w.ncols()];
                normal.fill_scaled(&mut rng, &mut shift, 0.3);
                for (g, s) in bn.gamma.iter_mut().zip(&shift) {
                    *g += s;
                }
                normal.fill_scaled(&mut rng, &mut bn.beta, 0.2);
                bn
            })
            .collect();
        mlp.batchnorm = Some(norms);
        (mlp, input, labels)
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Part {
        Weight,
        Bias,
        Gamma,
        Beta,
    }

    fn parameter(mlp: &mut Mlp, part: Part, layer: usize, index: usize) -> &mut f64 {
        match part {
            Part::Weight => &mut mlp.weights[layer].as_slice_mut().unwrap()[index],
            Part::Bias => &mut mlp.biases.as_mut().unwrap()[layer][index],
            Part::Gamma => &mut mlp.batchnorm.as_mut().unwrap()[layer].gamma[index],
            Part::Beta => &mut mlp.batchnorm.as_mut().unwrap()[layer].beta[index],
        }
    }

    fn analytic(gradients: &Gradients, part: Part, layer: usize, index: usize) -> f64 {
        match part {
            Part::Weight => gradients.weights[layer].as_slice().unwrap()[index],
            Part::Bias => gradients.biases[layer][index],
            Part::Gamma => gradients.norm[layer].gamma[index],
            Part::Beta => gradients.norm[layer].beta[index],
        }
    }

    /// Backpropagation against a central difference for every parameter of `mlp`: the worst
    /// relative error, and the largest magnitude (either way) of the hidden layers' bias
    /// gradients when batch normalization cancels those biases (their true gradient is 0, so a
    /// relative error means nothing there).
    fn check_gradients(mlp: &Mlp, input: &Array2<f64>, labels: &[u32]) -> (f64, f64) {
        let h = 1e-6;
        let forward = mlp.forward(input.view());
        let gradients = mlp.backward(input.view(), &forward, labels);
        let hidden = mlp.hidden_layers();
        let normalized = mlp.batchnorm.is_some();
        let mut parts = vec![];
        for layer in 0..mlp.weights.len() {
            parts.push((Part::Weight, layer, mlp.weights[layer].len()));
            parts.push((Part::Bias, layer, gradients.biases[layer].len()));
            if normalized && layer < hidden {
                parts.push((Part::Gamma, layer, mlp.weights[layer].ncols()));
                parts.push((Part::Beta, layer, mlp.weights[layer].ncols()));
            }
        }
        let (mut worst, mut cancelled): (f64, f64) = (0.0, 0.0);
        for (part, layer, count) in parts {
            for index in 0..count {
                let mut plus = mlp.clone();
                *parameter(&mut plus, part, layer, index) += h;
                let mut minus = mlp.clone();
                *parameter(&mut minus, part, layer, index) -= h;
                let numeric =
                    (loss(&plus, input, labels) - loss(&minus, input, labels)) / (2.0 * h);
                let analytic = analytic(&gradients, part, layer, index);
                if normalized && part == Part::Bias && layer < hidden {
                    cancelled = cancelled.max(numeric.abs()).max(analytic.abs());
                } else {
                    worst = worst.max(relative_error(numeric, analytic));
                }
            }
        }
        (worst, cancelled)
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
        for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
            let (mlp, input, labels) = tiny_network(activation, 5);
            let (worst, _) = check_gradients(&mlp, &input, &labels);
            eprintln!("{activation:?}: worst relative error {worst:e}");
            assert!(
                worst < 1e-6,
                "{activation:?}: worst relative error {worst:e}"
            );
        }
    }

    /// The same through batch normalization: weights, biases, γ and β. The hidden layers'
    /// biases are subtracted again with the batch mean, so their gradient is 0 both ways.
    #[test]
    fn backpropagation_through_batch_normalization_matches_finite_differences() {
        for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
            let (mlp, input, labels) = tiny_normalized_network(activation, 5);
            let (worst, cancelled) = check_gradients(&mlp, &input, &labels);
            eprintln!(
                "{activation:?} with batch normalization: worst relative error {worst:e}, cancelled bias gradients below {cancelled:e}"
            );
            assert!(
                worst < 1e-6,
                "{activation:?}: worst relative error {worst:e}"
            );
            assert!(cancelled < 1e-8, "{activation:?}: {cancelled:e}");
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
