//! The HTML that takes an `experiment` block's place: the figure with its numbered caption, the
//! optional statistics table, and a "Reproduce" panel with the command that regenerates it.

use std::fmt::Write;

use crate::draw::escape_xml as escape_html;
use crate::numeric::{Activation, ExperimentParams, ExperimentResult, Init, LayerStats};
use crate::parse::reference::Value;
use crate::parse::{ExperimentSpec, Lesson, NumberFormat};

pub struct FigureHtml {
    pub html: String,
}

/// Renders one experiment block. `number` is "3.1"-style when the block shows a figure or a
/// table; `svg` is the drawn figure when `spec.figure` is set.
pub fn render_figure(
    lesson: &Lesson,
    spec: &ExperimentSpec,
    number: Option<&str>,
    svg: Option<&str>,
    result: &ExperimentResult,
    data_hash: &str,
) -> FigureHtml {
    let mut html = String::new();
    let id = &spec.id;
    let caption = escape_html(&spec.caption);
    let w = &mut html;
    match number {
        Some(number) => {
            let _ = writeln!(w, "<figure class=\"experiment\" id=\"{id}\">");
            if let Some(svg) = svg {
                let _ = writeln!(w, "<div class=\"plot\">\n{}</div>", svg.trim_end());
            }
            if spec.table {
                stats_table(w, spec, result);
            }
            let _ = writeln!(
                w,
                "<figcaption><span class=\"figure-number\">Figure {number}</span> — {caption} <span class=\"seed\">(seed {})</span></figcaption>",
                spec.seed
            );
        }
        None => {
            // Neither figure nor table: the numbers are used in the prose only.
            let _ = writeln!(
                w,
                "<figure class=\"experiment compact\" id=\"{id}\">\n<figcaption>Experiment <code>{id}</code> — {caption} <span class=\"seed\">(seed {})</span></figcaption>",
                spec.seed
            );
        }
    }
    reproduce_panel(w, lesson, spec, data_hash);
    let _ = writeln!(w, "</figure>");
    FigureHtml { html }
}

fn stats_table(w: &mut String, spec: &ExperimentSpec, result: &ExperimentResult) {
    let relu = spec.params.activation == Activation::Relu;
    let _ = writeln!(w, "<div class=\"table-scroll\"><table class=\"stats\">");
    let _ = write!(
        w,
        "<thead><tr><th scope=\"col\">Layer</th><th scope=\"col\">mean</th><th scope=\"col\">std</th>\
         <th scope=\"col\" title=\"mean over units of each unit's std across samples\">unit std</th>\
         <th scope=\"col\">min</th><th scope=\"col\">max</th>\
         <th scope=\"col\" title=\"mean of the activation's derivative f′(a)\">mean f′(a)</th>"
    );
    if relu {
        let _ = write!(w, "<th scope=\"col\">zeros</th>");
    }
    let _ = writeln!(w, "</tr></thead>\n<tbody>");
    for layer in &result.layers {
        let LayerStats {
            mean,
            std,
            unit_std,
            min,
            max,
            deriv_mean,
            ..
        } = *layer;
        let _ = write!(w, "<tr><th scope=\"row\">{}</th>", layer.layer);
        for value in [mean, std, unit_std, min, max, deriv_mean] {
            let _ = write!(w, "<td>{}</td>", table_number(value));
        }
        if relu {
            let _ = write!(
                w,
                "<td>{}</td>",
                NumberFormat::Percent(1).format(Value::Real(layer.zero_frac))
            );
        }
        let _ = writeln!(w, "</tr>");
    }
    let _ = writeln!(w, "</tbody></table></div>");
}

/// Four decimals, or scientific notation for values too small to show that way.
pub fn table_number(value: f64) -> String {
    let format = if value != 0.0 && value.abs() < 0.001 {
        NumberFormat::Scientific(2)
    } else {
        NumberFormat::Fixed(4)
    };
    format.format(Value::Real(value))
}

fn reproduce_panel(w: &mut String, lesson: &Lesson, spec: &ExperimentSpec, data_hash: &str) {
    let command = if spec.figure {
        format!(
            "initbook run {id} --seed {seed} --svg {id}.svg",
            id = spec.id,
            seed = spec.seed
        )
    } else {
        format!(
            "initbook run {id} --seed {seed} --json",
            id = spec.id,
            seed = spec.seed
        )
    };
    let _ = writeln!(
        w,
        "<details class=\"reproduce\">\n<summary>Reproduce</summary>\n<pre><code>{command}</code></pre>\n\
         <p>{params}; RNG ChaCha8, seed {seed}. Defined in <code>{path}:{line}</code>.</p>\n\
         <p>SHA-256 of the data: <code class=\"hash\">{data_hash}</code><br>\
         <code>initbook verify</code> checks that the figure on this page is exactly what these \
         parameters and seed produce.</p>\n</details>",
        seed = spec.seed,
        params = escape_html(&describe_params(&spec.params)),
        path = lesson.source.path.display(),
        line = spec.line,
    );
}

/// "init normal (std 1), sigmoid, 5 layers × 100 units, 1000 samples, 30 bins over [0, 1]"
pub fn describe_params(params: &ExperimentParams) -> String {
    let init = match params.init {
        Init::Normal { std } => format!("init normal (std {std})"),
        Init::Xavier => "init xavier (std 1/√n)".to_string(),
        Init::He => "init he (std √(2/n))".to_string(),
        Init::Zero => "init zero".to_string(),
    };
    format!(
        "{init}, {}, {} layers × {} units, {} samples, {} bins over [{}, {}]",
        params.activation.name(),
        params.layers,
        params.nodes,
        params.samples,
        params.bins,
        params.range.0,
        params.range.1
    )
}
