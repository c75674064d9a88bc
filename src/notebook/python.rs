//! Each experiment as plain numpy + matplotlib: the same network, the same parameters, the same
//! order of work as the numeric core, with numpy's generator in place of ChaCha8.
//!
//! Every experiment cell starts with the line `seed = N` and ends its numbers in `stats` (a
//! list of dictionaries, printed as a table) before any plotting, so the same code can be run
//! headless to check it against initbook (`tests/notebooks.rs`). The kind → code mapping is one
//! exhaustive `match`: a new kind does not compile until it has its code here.

use std::fmt::Write;

use crate::model::ExperimentSpec;
use crate::numeric::activations::NetworkParams;
use crate::numeric::depth::DepthParams;
use crate::numeric::gradients::GradientParams;
use crate::numeric::network::LabelledInit;
use crate::numeric::sweep::SweepParams;
use crate::numeric::training::TrainingParams;
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
"#
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
             x = {f}(x @ w)\n    \
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
         # Forward: z[0] is the input, z[l] the output of layer l.\n\
         z = [x]\n\
         for w in weights[:-1]:\n    \
             z.append({f}(z[-1] @ w))\n\
         loss, delta = softmax_cross_entropy(z[-1] @ weights[-1], labels)\n\
         \n\
         # Backward: delta becomes dL/da of each hidden layer's weighted sums, top down.\n\
         gradients = [None] * layers\n\
         for l in range(layers, 0, -1):\n    \
             delta = (delta @ weights[l].T) * {derivative}(z[l])\n    \
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
        f = function(activation),
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

/// `[("small", weight_std("normal", nodes, std=0.01)), …]`
fn schemes(runs: &[LabelledInit], fan_in: &str) -> String {
    let items: Vec<String> = runs
        .iter()
        .map(|run| {
            format!(
                "    ({}, {}),\n",
                string(&run.label),
                weight_std_call(&run.init, fan_in)
            )
        })
        .collect();
    format!("[\n{}]", items.concat())
}

fn depth(code: &mut String, p: &DepthParams) {
    let _ = write!(
        code,
        "samples, nodes, layers = {samples}, {nodes}, {layers}\n\
         # (label, weight std) of each compared scheme\n\
         schemes = {schemes}\n\
         \n\
         stats = []\n\
         for label, scale in schemes:\n    \
             rng = np.random.default_rng(seed)  # every scheme sees the same input\n    \
             x = rng.standard_normal((samples, nodes))\n    \
             stds = []\n    \
             for layer in range(layers):\n        \
                 w = rng.standard_normal((nodes, nodes)) * scale\n        \
                 x = {f}(x @ w)\n        \
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
        schemes = schemes(&p.runs, "nodes"),
        f = function(p.activation),
    );
}

fn training(code: &mut String, p: &TrainingParams, spec: &ExperimentSpec) {
    let data = spec
        .data
        .as_ref()
        .map(|d| d.path.as_str())
        .expect("a training experiment names its data");
    let activation = p.activation;
    let derivative = format!("{}_derivative", activation.name());
    let runs: Vec<String> = p
        .runs
        .iter()
        .map(|run| {
            let std = match run.init {
                Init::Normal { std } => float(std),
                _ => "None".to_string(),
            };
            format!(
                "    ({}, \"{}\", {std}),\n",
                string(&run.label),
                run.init.name()
            )
        })
        .collect();
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
         # (label, init, std) of each compared scheme\n\
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
         def accuracy(weights, biases, rows):\n    \
             z = features[rows]\n    \
             for w, b in zip(weights[:-1], biases[:-1]):\n        \
                 z = {f}(z @ w + b)\n    \
             logits = z @ weights[-1] + biases[-1]\n    \
             return np.mean(logits.argmax(axis=1) == labels[rows])\n\
         \n\
         \n\
         stats, losses = [], []\n\
         for label, init, std in schemes:\n    \
             # The weights' own stream, the same for every scheme; biases start at zero.\n    \
             weight_rng = np.random.default_rng([seed, 1])\n    \
             weights = [\n        \
                 weight_rng.standard_normal((m, n)) * weight_std(init, m, std)\n        \
                 for m, n in zip(sizes, sizes[1:])\n    \
             ]\n    \
             biases = [np.zeros(n) for n in sizes[1:]]\n    \
             loss_curve = []\n    \
             for rows in batches:\n        \
                 z = [features[rows]]\n        \
                 for w, b in zip(weights[:-1], biases[:-1]):\n            \
                     z.append({f}(z[-1] @ w + b))\n        \
                 loss, delta = softmax_cross_entropy(z[-1] @ weights[-1] + biases[-1], labels[rows])\n        \
                 loss_curve.append(loss)\n        \
                 # Backpropagation and one SGD step, from the output layer down.\n        \
                 for l in range(len(weights) - 1, -1, -1):\n            \
                     grad_w, grad_b = z[l].T @ delta, delta.sum(axis=0)\n            \
                     if l > 0:\n                \
                         delta = (delta @ weights[l].T) * {derivative}(z[l])\n            \
                     weights[l] -= learning_rate * grad_w\n            \
                     biases[l] -= learning_rate * grad_b\n    \
             losses.append((label, loss_curve))\n    \
             stats.append(\n        \
                 {{\n            \
                     \"label\": label,\n            \
                     \"final_loss\": np.mean(loss_curve[-50:]),\n            \
                     \"train_accuracy\": accuracy(weights, biases, train),\n            \
                     \"test_accuracy\": accuracy(weights, biases, test),\n            \
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
         window = {smooth}  # moving average of the loss curves\n\
         fig = plt.figure(figsize=(7, 4))\n\
         ax = fig.add_subplot(1, 1, 1)\n\
         for label, loss_curve in losses:\n    \
             smooth = np.convolve(loss_curve, np.ones(window) / window, mode=\"valid\")\n    \
             ax.plot(np.arange(len(smooth)) + window, smooth, label=label)\n\
         ax.set_xlabel(\"iteration\")\n\
         ax.set_ylabel(\"training loss\")\n\
         ax.legend()\n\
         plt.show()\n",
        data = string(data),
        layers = p.hidden_layers,
        nodes = p.nodes,
        learning_rate = float(p.learning_rate),
        batch = p.batch,
        iterations = p.iterations,
        test_fraction = float(p.test_fraction),
        runs = runs.concat(),
        f = function(activation),
        smooth = spec.smooth().min(p.iterations),
    );
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
