//! Each experiment as plain numpy + matplotlib: the same network, the same parameters, the same
//! order of work as the numeric core, with numpy's generator in place of ChaCha8.
//!
//! Every experiment cell starts with the line `seed = N` and ends its numbers in `stats` (a
//! list of dictionaries, printed as a table) before any plotting, so the same code can be run
//! headless to check it against initbook (`tests/integration/notebooks.rs`). The kind → code mapping is one
//! exhaustive `match`: a new kind does not compile until it has its code here.

use std::fmt::Write;

use crate::model::ExperimentSpec;
use crate::numeric::activations::NetworkParams;
use crate::numeric::batchnorm;
use crate::numeric::depth::DepthParams;
use crate::numeric::gradients::GradientParams;
use crate::numeric::network::LabelledInit;
use crate::numeric::sweep::SweepParams;
use crate::numeric::training::{Plot, TrainingParams};
use crate::numeric::{Activation, ActivationParams, Experiment, Init};

/// The first code cell: imports, the lesson's first seed, and the functions every experiment
/// cell uses (written once here so each cell shows only its experiment).
pub fn setup_code(seed: u64) -> String {
    format!(
        r#"import numpy as np
import matplotlib.pyplot as plt

seed = {seed}
rng = np.random.default_rng(seed)


def sigmoid(a):
    # The same function as 1 / (1 + exp(-a)), without overflow warnings for large |a|.
    return 0.5 * (1 + np.tanh(a / 2))


def relu(a):
    return np.maximum(a, 0)


# The derivatives, written with the layer's output z = f(a), as backpropagation uses them.
def sigmoid_derivative(z):
    return z * (1 - z)


def tanh_derivative(z):
    return 1 - z**2


def relu_derivative(z):
    return (z > 0).astype(float)


def weight_std(init, fan_in, std=None):
    """The standard deviation of a layer's weights under each scheme; n is the fan-in."""
    return {{
        "zero": 0.0,
        "normal": std,
        "xavier": np.sqrt(1 / fan_in),
        "he": np.sqrt(2 / fan_in),
    }}[init]


def softmax_cross_entropy(logits, labels):
    """The mean cross-entropy of softmax(logits) against labels, and its gradient."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = np.mean(np.log(total[:, 0]) - shifted[rows, labels])
    gradient = exp / total
    gradient[rows, labels] -= 1
    return loss, gradient / len(labels)


# Batch normalization, as initbook computes it (src/numeric/batchnorm.rs): each unit (column)
# normalized over the rows of the batch with the biased variance and ε = {epsilon:?} under the
# square root, then scaled by γ and shifted by β.
BN_EPSILON = {epsilon:?}
BN_MOMENTUM = {momentum:?}  # weight of the old value in the running statistics


def batch_norm(a):
    """x̂ = (a - mean) / sqrt(var + ε) over the batch, with the batch's mean, var and that sqrt."""
    mean = a.mean(axis=0)
    var = a.var(axis=0)
    std = np.sqrt(var + BN_EPSILON)
    return (a - mean) / std, mean, var, std


def batch_norm_backward(g, x_hat, gamma, std):
    """dL/dy → dL/da through y = γ x̂ + β (exact, through the batch's mean and variance),
    and dL/dγ, dL/dβ."""
    n = len(g)
    d_beta = g.sum(axis=0)
    d_gamma = (g * x_hat).sum(axis=0)
    return (gamma / std) * ((g - d_beta / n) - x_hat * (d_gamma / n)), d_gamma, d_beta
"#,
        epsilon = batchnorm::EPSILON,
        momentum = batchnorm::MOMENTUM,
    )
}

/// The code cell of one experiment.
pub fn experiment_code(spec: &ExperimentSpec) -> String {
    let mut code = format!("seed = {}\nrng = np.random.default_rng(seed)\n", spec.seed);
    match &spec.experiment {
        Experiment::Activations(p) => activations(&mut code, p, spec.y_max()),
        Experiment::Gradients(p) => gradients(&mut code, p, spec.y_max()),
        Experiment::Depth(p) => depth(&mut code, p),
        Experiment::Training(p) => training(&mut code, p, spec),
        Experiment::Sweep(p) => sweep(&mut code, p, spec.y_max()),
    }
    code
}

fn function(activation: Activation) -> &'static str {
    match activation {
        Activation::Sigmoid => "sigmoid",
        Activation::Tanh => "np.tanh",
        Activation::Relu => "relu",
    }
}

/// A float as a Python literal (Rust's shortest round-trip form is valid Python).
fn float(x: f64) -> String {
    format!("{x:?}")
}

/// A string as a Python literal (a JSON string is one).
fn string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// `weight_std("normal", fan_in, std=0.01)` or `weight_std("he", fan_in)`.
fn weight_std_call(init: &Init, fan_in: &str) -> String {
    match init {
        Init::Normal { std } => format!("weight_std(\"normal\", {fan_in}, std={})", float(*std)),
        other => format!("weight_std(\"{}\", {fan_in})", other.name()),
    }
}

/// A layer's input to its activation: the weighted sums `product`, normalized over the batch
/// with batch normalization (γ = 1, β = 0 leave x̂ as it is).
fn weighted_sums(batchnorm: bool, product: &str) -> String {
    if batchnorm {
        format!("batch_norm({product})[0]")
    } else {
        product.to_string()
    }
}

fn network_sizes(code: &mut String, network: &NetworkParams) {
    let _ = writeln!(
        code,
        "samples, nodes, layers = {}, {}, {}",
        network.samples, network.nodes, network.layers
    );
}

/// Histograms in a grid of at most five columns, one panel per layer of `values`.
fn histogram_grid(code: &mut String, values: &str, range: &str, bins: usize, y_max: Option<u64>) {
    let _ = write!(
        code,
        "\ncolumns = min(layers, 5)\n\
         rows = -(-layers // columns)\n\
         fig = plt.figure(figsize=(3 * columns, 2.6 * rows))\n\
         for i, values in enumerate({values}):\n    \
             ax = fig.add_subplot(rows, columns, i + 1)\n    \
             ax.hist(values.ravel(), bins={bins}, range={range})\n    \
             ax.set_title(f\"layer {{i + 1}}\")\n"
    );
    if let Some(y_max) = y_max {
        let _ = writeln!(code, "    ax.set_ylim(0, {y_max})");
    }
}

fn activations(code: &mut String, p: &ActivationParams, y_max: Option<u64>) {
    let network = &p.network;
    network_sizes(code, network);
    let _ = write!(
        code,
        "scale = {scale}\n\
         \n\
         x = rng.standard_normal((samples, nodes))\n\
         activations = []\n\
         for layer in range(layers):\n    \
             w = rng.standard_normal((nodes, nodes)) * scale\n    \
             x = {f}({weighted_sums})\n    \
             activations.append(x)\n\
         \n\
         stats = [\n    \
             {{\"layer\": i + 1, \"mean\": z.mean(), \"std\": z.std()}}\n    \
             for i, z in enumerate(activations)\n\
         ]\n\
         for s in stats:\n    \
             print(f\"layer {{s['layer']}}: mean {{s['mean']:.4f}}, std {{s['std']:.4f}}\")\n",
        scale = weight_std_call(&network.init, "nodes"),
        f = function(network.activation),
        weighted_sums = weighted_sums(network.batchnorm, "x @ w"),
    );
    let range = format!("({}, {})", float(p.range.0), float(p.range.1));
    histogram_grid(code, "activations", &range, p.bins, y_max);
    code.push_str("fig.tight_layout()\nplt.show()\n");
}

fn gradients(code: &mut String, p: &GradientParams, y_max: Option<u64>) {
    let network = &p.network;
    network_sizes(code, network);
    let activation = network.activation;
    let derivative = format!("{}_derivative", activation.name());
    let _ = write!(
        code,
        "classes = {classes}\n\
         scale = {scale}\n\
         \n\
         x = rng.standard_normal((samples, nodes))\n\
         weights = [rng.standard_normal((nodes, nodes)) * scale for _ in range(layers)]\n\
         # The linear output layer, then one random label per sample.\n\
         weights.append(rng.standard_normal((nodes, classes)) * scale)\n\
         labels = rng.integers(0, classes, samples)\n\
         \n\
         {forward}\
         loss, delta = softmax_cross_entropy(z[-1] @ weights[-1], labels)\n\
         \n\
         # Backward: delta becomes dL/da of each hidden layer's weighted sums, top down.\n\
         gradients = [None] * layers\n\
         for l in range(layers, 0, -1):\n    \
             delta = (delta @ weights[l].T) * {derivative}(z[l])\n    \
             {through_norm}\
             gradients[l - 1] = delta\n\
         \n\
         stats = [\n    \
             {{\n        \
                 \"layer\": i + 1,\n        \
                 \"grad_rms\": np.sqrt(np.mean(g**2)),\n        \
                 \"grad_mean_abs\": np.mean(np.abs(g)),\n    \
             }}\n    \
             for i, g in enumerate(gradients)\n\
         ]\n\
         print(f\"loss {{loss:.4f}}\")\n\
         for s in stats:\n    \
             print(f\"layer {{s['layer']}}: RMS {{s['grad_rms']:.3e}}, mean |g| {{s['grad_mean_abs']:.3e}}\")\n",
        classes = p.classes,
        scale = weight_std_call(&network.init, "nodes"),
        forward = gradient_forward(network.batchnorm, function(activation)),
        through_norm = if network.batchnorm {
            "# Through the normalization (γ = 1): dL/dy becomes dL/da, before it.\n    \
             delta = batch_norm_backward(delta, x_hats[l - 1], 1.0, stds[l - 1])[0]\n    "
        } else {
            ""
        },
    );
    let range = match p.range {
        Some((lo, hi)) => format!("({}, {})", float(lo), float(hi)),
        None => {
            code.push_str(
                "\n# initbook rounds this bound up to a round number.\n\
                 bound = 3 * max(s[\"grad_rms\"] for s in stats)\n",
            );
            "(-bound, bound)".to_string()
        }
    };
    histogram_grid(code, "gradients", &range, p.bins, y_max);
    code.push_str(
        "fig.tight_layout()\n\
         \n\
         fig = plt.figure(figsize=(6, 3))\n\
         ax = fig.add_subplot(1, 1, 1)\n\
         ax.plot(range(1, layers + 1), [s[\"grad_rms\"] for s in stats], marker=\"o\")\n\
         ax.set_yscale(\"log\")\n\
         ax.set_xlabel(\"layer\")\n\
         ax.set_ylabel(\"RMS of dL/da\")\n\
         plt.show()\n",
    );
}

/// The gradient experiment's forward pass, keeping what the backward pass needs.
fn gradient_forward(batchnorm: bool, f: &str) -> String {
    if batchnorm {
        format!(
            "# Forward: z[0] is the input, z[l] the output of layer l; each layer's weighted sums\n\
             # normalized over the samples (γ = 1, β = 0), keeping x̂ and sqrt(var + ε).\n\
             z, x_hats, stds = [x], [], []\n\
             for w in weights[:-1]:\n    \
                 x_hat, _, _, s = batch_norm(z[-1] @ w)\n    \
                 x_hats.append(x_hat)\n    \
                 stds.append(s)\n    \
                 z.append({f}(x_hat))\n"
        )
    } else {
        format!(
            "# Forward: z[0] is the input, z[l] the output of layer l.\n\
             z = [x]\n\
             for w in weights[:-1]:\n    \
                 z.append({f}(z[-1] @ w))\n"
        )
    }
}

/// `[("small", weight_std("normal", nodes, std=0.01)), …]`, each with its batch normalization
/// flag after the scale when `normalized`.
fn schemes(runs: &[LabelledInit], fan_in: &str, normalized: bool) -> String {
    let items: Vec<String> = runs
        .iter()
        .map(|run| {
            let flag = if normalized {
                format!(", {}", boolean(run.batchnorm))
            } else {
                String::new()
            };
            format!(
                "    ({}, {}{flag}),\n",
                string(&run.label),
                weight_std_call(&run.init, fan_in)
            )
        })
        .collect();
    format!("[\n{}]", items.concat())
}

fn depth(code: &mut String, p: &DepthParams) {
    // A batch-normalized scheme carries its flag; a comparison without one reads as before.
    let normalized = p.runs.iter().any(|run| run.batchnorm);
    let (flag, unpack, sums) = if normalized {
        (
            ", batch normalization",
            "label, scale, normalize",
            "batch_norm(x @ w)[0] if normalize else x @ w",
        )
    } else {
        ("", "label, scale", "x @ w")
    };
    let _ = write!(
        code,
        "samples, nodes, layers = {samples}, {nodes}, {layers}\n\
         # (label, weight std{flag}) of each compared scheme\n\
         schemes = {schemes}\n\
         \n\
         stats = []\n\
         for {unpack} in schemes:\n    \
             rng = np.random.default_rng(seed)  # every scheme sees the same input\n    \
             x = rng.standard_normal((samples, nodes))\n    \
             stds = []\n    \
             for layer in range(layers):\n        \
                 w = rng.standard_normal((nodes, nodes)) * scale\n        \
                 x = {f}({sums})\n        \
                 stds.append(x.std())\n    \
             stats.append({{\"label\": label, \"std\": stds}})\n    \
             print(f\"{{label}}: std {{stds[0]:.3g}} at layer 1, {{stds[-1]:.3g}} at layer {{layers}}\")\n\
         \n\
         fig = plt.figure(figsize=(7, 4))\n\
         ax = fig.add_subplot(1, 1, 1)\n\
         for s in stats:\n    \
             ax.plot(range(1, layers + 1), s[\"std\"], label=s[\"label\"])\n\
         ax.set_yscale(\"log\")\n\
         ax.set_xlabel(\"layer\")\n\
         ax.set_ylabel(\"std of the activations\")\n\
         ax.legend()\n\
         plt.show()\n",
        samples = p.samples,
        nodes = p.nodes,
        layers = p.layers,
        schemes = schemes(&p.runs, "nodes", normalized),
        f = function(p.activation),
    );
}

/// A Python boolean.
fn boolean(flag: bool) -> &'static str {
    if flag { "True" } else { "False" }
}

/// The parts of the training cell that batch normalization adds, empty when no compared scheme
/// normalizes: the cell of a comparison without it stays as short as the training lesson's.
struct TrainingNorm {
    /// After `for label, init, std`.
    unpack: &'static str,
    /// The scheme tuple's comment.
    columns: &'static str,
    /// Before the batches: γ, β and the running statistics of each hidden layer.
    start: &'static str,
    /// The forward pass over a batch, from `z = [features[rows]]` to the last hidden layer.
    forward: &'static str,
    /// In the backward pass, after `delta` has gone through the activation's derivative.
    backward: &'static str,
    /// The `accuracy` function (inference: the running statistics) and its extra argument.
    accuracy: &'static str,
    accuracy_argument: &'static str,
}

impl TrainingNorm {
    fn new(normalized: bool) -> Self {
        if !normalized {
            return TrainingNorm {
                unpack: "",
                columns: "",
                start: "",
                forward: "        z = [features[rows]]\n\
                           \x20       for w, b in zip(weights[:-1], biases[:-1]):\n\
                           \x20           z.append(f(z[-1] @ w + b))\n",
                backward: "",
                accuracy: "def accuracy(weights, biases, rows):\n\
                            \x20   z = features[rows]\n\
                            \x20   for w, b in zip(weights[:-1], biases[:-1]):\n\
                            \x20       z = f(z @ w + b)\n\
                            \x20   logits = z @ weights[-1] + biases[-1]\n\
                            \x20   return np.mean(logits.argmax(axis=1) == labels[rows])\n",
                accuracy_argument: "",
            };
        }
        TrainingNorm {
            unpack: ", normalize",
            columns: ", batch normalization",
            start: "    # γ = 1, β = 0 and running statistics 0 for each hidden layer (used with\n\
                    \x20   # batch normalization only).\n\
                    \x20   norms = [\n\
                    \x20       {\"gamma\": np.ones(nodes), \"beta\": np.zeros(nodes),\n\
                    \x20        \"mean\": np.zeros(nodes), \"var\": np.zeros(nodes)}\n\
                    \x20       for _ in range(layers)\n\
                    \x20   ]\n",
            forward: "        z, x_hats, stds = [features[rows]], [], []\n\
                      \x20       for w, b, norm in zip(weights[:-1], biases[:-1], norms):\n\
                      \x20           a = z[-1] @ w + b\n\
                      \x20           if normalize:\n\
                      \x20               x_hat, mean, var, s = batch_norm(a)  # s = sqrt(var + ε)\n\
                      \x20               x_hats.append(x_hat)\n\
                      \x20               stds.append(s)\n\
                      \x20               # The running statistics for inference, from this batch.\n\
                      \x20               norm[\"mean\"] = BN_MOMENTUM * norm[\"mean\"] + (1 - BN_MOMENTUM) * mean\n\
                      \x20               norm[\"var\"] = BN_MOMENTUM * norm[\"var\"] + (1 - BN_MOMENTUM) * var\n\
                      \x20               a = norm[\"gamma\"] * x_hat + norm[\"beta\"]\n\
                      \x20           z.append(f(a))\n",
            backward: "                if normalize:\n\
                       \x20                   # Through γ x̂ + β and the normalization; γ and β learn too.\n\
                       \x20                   norm = norms[l - 1]\n\
                       \x20                   delta, d_gamma, d_beta = batch_norm_backward(\n\
                       \x20                       delta, x_hats[l - 1], norm[\"gamma\"], stds[l - 1]\n\
                       \x20                   )\n\
                       \x20                   norm[\"gamma\"] -= learning_rate * d_gamma\n\
                       \x20                   norm[\"beta\"] -= learning_rate * d_beta\n",
            accuracy: "def accuracy(weights, biases, rows, norms=None):\n\
                       \x20   \"\"\"As inference sees it: normalized with the running statistics.\"\"\"\n\
                       \x20   z = features[rows]\n\
                       \x20   for l, (w, b) in enumerate(zip(weights[:-1], biases[:-1])):\n\
                       \x20       a = z @ w + b\n\
                       \x20       if norms is not None:\n\
                       \x20           n = norms[l]\n\
                       \x20           a = n[\"gamma\"] * (a - n[\"mean\"]) / np.sqrt(n[\"var\"] + BN_EPSILON) + n[\"beta\"]\n\
                       \x20       z = f(a)\n\
                       \x20   logits = z @ weights[-1] + biases[-1]\n\
                       \x20   return np.mean(logits.argmax(axis=1) == labels[rows])\n",
            accuracy_argument: ", norms if normalize else None",
        }
    }
}

fn training(code: &mut String, p: &TrainingParams, spec: &ExperimentSpec) {
    let data = spec
        .data
        .as_ref()
        .map(|d| d.path.as_str())
        .expect("a training experiment names its data");
    let activation = p.activation;
    let normalized = p.runs.iter().any(|run| run.batchnorm);
    let norm = TrainingNorm::new(normalized);
    let runs: Vec<String> = p
        .runs
        .iter()
        .map(|run| {
            let std = match run.init {
                Init::Normal { std } => float(std),
                _ => "None".to_string(),
            };
            let flag = if normalized {
                format!(", {}", boolean(run.batchnorm))
            } else {
                String::new()
            };
            format!(
                "    ({}, \"{}\", {std}{flag}),\n",
                string(&run.label),
                run.init.name()
            )
        })
        .collect();
    let accuracy_plot = p.plot == Plot::Accuracy;
    let (curve, curve_label) = if accuracy_plot {
        ("accuracy_curve", "batch accuracy")
    } else {
        ("loss_curve", "training loss")
    };
    let _ = write!(
        code,
        "# The data set ships beside this notebook; features are scaled by their largest value.\n\
         data = np.loadtxt({data}, delimiter=\",\")\n\
         features = data[:, :-1] / np.abs(data[:, :-1]).max()\n\
         labels = data[:, -1].astype(int)\n\
         classes = labels.max() + 1\n\
         layers, nodes = {layers}, {nodes}\n\
         learning_rate, batch, iterations = {learning_rate}, {batch}, {iterations}\n\
         test_fraction = {test_fraction}\n\
         f, derivative = {f}, {f_name}_derivative\n\
         # (label, init, std{columns}) of each compared scheme\n\
         schemes = [\n{runs}]\n\
         \n\
         # One test split and one sequence of mini-batches, the same for every scheme.\n\
         order = rng.permutation(len(labels))\n\
         test_count = int(len(labels) * test_fraction)\n\
         test, train = order[:test_count], order[test_count:]\n\
         batches = rng.choice(train, size=(iterations, batch))  # uniform, with replacement\n\
         sizes = [features.shape[1]] + [nodes] * layers + [classes]\n\
         \n\
         \n\
         {accuracy}\
         \n\
         \n\
         stats, curves = [], []\n\
         for label, init, std{unpack} in schemes:\n    \
             # The weights' own stream, the same for every scheme; biases start at zero.\n    \
             weight_rng = np.random.default_rng([seed, 1])\n    \
             weights = [\n        \
                 weight_rng.standard_normal((m, n)) * weight_std(init, m, std)\n        \
                 for m, n in zip(sizes, sizes[1:])\n    \
             ]\n    \
             biases = [np.zeros(n) for n in sizes[1:]]\n\
         {start}    \
             loss_curve, accuracy_curve = [], []\n    \
             for rows in batches:\n\
         {forward}        \
                 logits = z[-1] @ weights[-1] + biases[-1]\n        \
                 loss, delta = softmax_cross_entropy(logits, labels[rows])\n        \
                 loss_curve.append(loss)\n        \
                 accuracy_curve.append(np.mean(logits.argmax(axis=1) == labels[rows]))\n        \
                 # Backpropagation and one SGD step, from the output layer down.\n        \
                 for l in range(len(weights) - 1, -1, -1):\n            \
                     grad_w, grad_b = z[l].T @ delta, delta.sum(axis=0)\n            \
                     if l > 0:\n                \
                         delta = (delta @ weights[l].T) * derivative(z[l])\n\
         {backward}            \
                     weights[l] -= learning_rate * grad_w\n            \
                     biases[l] -= learning_rate * grad_b\n    \
             curves.append((label, {curve}))\n    \
             stats.append(\n        \
                 {{\n            \
                     \"label\": label,\n            \
                     \"final_loss\": np.mean(loss_curve[-50:]),\n            \
                     \"train_accuracy\": accuracy(weights, biases, train{accuracy_argument}),\n            \
                     \"test_accuracy\": accuracy(weights, biases, test{accuracy_argument}),\n            \
                     # units with distinct incoming weights, per hidden layer (to 10 decimals:\n            \
                     # the columns of a matrix product may differ in their last bits)\n            \
                     \"distinct_units\": [np.unique(w.round(10), axis=1).shape[1] for w in weights[:-1]],\n        \
                 }}\n    \
             )\n\
         for s in stats:\n    \
             print(\n        \
                 f\"{{s['label']}}: final loss {{s['final_loss']:.3f}}, \"\n        \
                 f\"train accuracy {{s['train_accuracy']:.1%}}, test accuracy {{s['test_accuracy']:.1%}}, \"\n        \
                 f\"distinct units {{s['distinct_units']}}\"\n    \
             )\n\
         \n\
         window = {smooth}  # moving average of the curves\n\
         fig = plt.figure(figsize=(7, 4))\n\
         ax = fig.add_subplot(1, 1, 1)\n\
         for label, curve in curves:\n    \
             smooth = np.convolve(curve, np.ones(window) / window, mode=\"valid\")\n    \
             ax.plot(np.arange(len(smooth)) + window, smooth, label=label)\n\
         ax.set_xlabel(\"iteration\")\n\
         ax.set_ylabel(\"{curve_label}\")\n\
         ax.legend(fontsize=\"small\", ncol=2)\n",
        data = string(data),
        layers = p.hidden_layers,
        nodes = p.nodes,
        learning_rate = float(p.learning_rate),
        batch = p.batch,
        iterations = p.iterations,
        test_fraction = float(p.test_fraction),
        f = function(activation),
        f_name = activation.name(),
        columns = norm.columns,
        runs = runs.concat(),
        accuracy = norm.accuracy,
        unpack = norm.unpack,
        start = norm.start,
        forward = norm.forward,
        backward = norm.backward,
        accuracy_argument = norm.accuracy_argument,
        smooth = spec.smooth().min(p.iterations),
    );
    if accuracy_plot && normalized {
        // The page's lower chart: test accuracy against σ, one line without and one with.
        code.push_str(
            "\n\
             # The test accuracy after training against the weights' σ, without and with\n\
             # batch normalization.\n\
             fig = plt.figure(figsize=(7, 4))\n\
             ax = fig.add_subplot(1, 1, 1)\n\
             for flag, name in [(False, \"without\"), (True, \"with batch normalization\")]:\n    \
                 runs = [(std, s[\"test_accuracy\"]) for (_, _, std, normalize), s in zip(schemes, stats) if normalize == flag and std is not None]\n    \
                 ax.plot([r[0] for r in runs], [r[1] for r in runs], marker=\"o\", label=name)\n\
             ax.set_xscale(\"log\")\n\
             ax.set_xlabel(\"weight scale σ\")\n\
             ax.set_ylabel(\"test accuracy\")\n\
             ax.legend()\n",
        );
    }
    code.push_str("plt.show()\n");
}

/// A Python list of floats.
fn floats(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|&x| float(x)).collect();
    format!("[{}]", items.join(", "))
}

fn sweep(code: &mut String, p: &SweepParams, y_max: Option<u64>) {
    let functions: Vec<String> = p
        .activations
        .iter()
        .map(|&a| format!("    {}: {},\n", string(a.name()), function(a)))
        .collect();
    let ranges: Vec<String> = p
        .activations
        .iter()
        .map(|&a| {
            let (lo, hi) = p.range_of(a);
            format!(
                "    {}: ({}, {}),\n",
                string(a.name()),
                float(lo),
                float(hi)
            )
        })
        .collect();
    let marks: Vec<String> = p
        .marks
        .iter()
        .map(|m| format!("    {0}: weight_std({0}, nodes),\n", string(m.name())))
        .collect();
    // The frame the page opens at: the first mark, else the middle of the axis.
    let shown_std = match p.marks.first() {
        Some(mark) => format!("marks[{}]", string(mark.name())),
        None => "stops[len(stops) // 2]".to_string(),
    };
    let _ = write!(
        code,
        "samples, nodes, layers = {samples}, {nodes}, {layers}\n\
         # The swept activations, and each one's histogram range.\n\
         functions = {{\n{functions}}}\n\
         ranges = {{\n{ranges}}}\n\
         # The σ axis: the listed scales and the marks' σ for `nodes` inputs, in increasing order.\n\
         marks = {{\n{marks}}}\n\
         stops = sorted(set({stds}) | set(marks.values()))\n\
         \n\
         # One draw for the whole sweep: the input, then unit-variance weights for every layer.\n\
         # Each frame multiplies the same weights by its σ, so between frames only the scale changes.\n\
         x = rng.standard_normal((samples, nodes))\n\
         unit_weights = [rng.standard_normal((nodes, nodes)) for _ in range(layers)]\n\
         \n\
         \n\
         def forward(f, std):\n    \
             z, activations = x, []\n    \
             for g in unit_weights:\n        \
                 z = f(z @ (g * std))\n        \
                 activations.append(z)\n    \
             return activations\n\
         \n\
         \n\
         stats = []\n\
         for name, f in functions.items():\n    \
             for std in stops:\n        \
                 layer_stats = [{{\"mean\": z.mean(), \"std\": z.std()}} for z in forward(f, std)]\n        \
                 stats.append({{\"activation\": name, \"std\": std, \"layers\": layer_stats}})\n\
         for s in stats:\n    \
             print(f\"{{s['activation']}} σ={{s['std']:.4g}}: std of layer {{layers}} {{s['layers'][-1]['std']:.4g}}\")\n\
         \n\
         # Each activation's last-layer std against σ, the marks as dashed lines.\n\
         fig = plt.figure(figsize=(7, 4))\n\
         ax = fig.add_subplot(1, 1, 1)\n\
         for name in functions:\n    \
             frames = [s for s in stats if s[\"activation\"] == name]\n    \
             ax.plot(stops, [s[\"layers\"][-1][\"std\"] for s in frames], marker=\".\", label=name)\n\
         for mark, std in marks.items():\n    \
             ax.axvline(std, linestyle=\"--\", color=\"gray\")\n    \
             ax.annotate(mark, (std, 1), xycoords=(\"data\", \"axes fraction\"), va=\"top\")\n\
         ax.set_xscale(\"log\")\n\
         ax.set_yscale(\"log\")\n\
         ax.set_xlabel(\"weight scale σ\")\n\
         ax.set_ylabel(f\"std of layer {{layers}}\")\n\
         ax.legend()\n\
         \n\
         # The histograms of one frame, as the page shows it: change these two to see another.\n\
         shown_activation, shown_std = {shown_activation}, {shown_std}\n\
         shown = forward(functions[shown_activation], shown_std)\n",
        samples = p.samples,
        nodes = p.nodes,
        layers = p.layers,
        functions = functions.concat(),
        ranges = ranges.concat(),
        marks = marks.concat(),
        stds = floats(&p.stds),
        shown_activation = string(p.activations[0].name()),
    );
    histogram_grid(code, "shown", "ranges[shown_activation]", p.bins, y_max);
    code.push_str("fig.tight_layout()\nplt.show()\n");
}
