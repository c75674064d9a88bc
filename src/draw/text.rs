//! Every word a figure shows, in one place: axis descriptions, panel titles, notes, legend
//! names. English by default; an edition in another language passes its own [`FigureText`]
//! (from a strings table: it deserialises from TOML, missing keys keeping their English) and
//! the layout makes room for whatever it says.
//!
//! A text may hold placeholders in braces (`Layer {layer}`), filled in when the figure is drawn;
//! [`FigureText::problems`] lists any a translation lost or misspelt.

use serde::Deserialize;

/// The strings of a figure. Numbers, formulas (∂L/∂a) and the names of Xavier and He are
/// written here too, so a translation can adapt them (`N(0, σ²)` keeps its notation).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FigureText {
    /// A histogram panel's title; `{layer}` is the layer number.
    pub layer_title: String,
    /// The y axis of every histogram.
    pub count: String,
    /// The x axis of activation histograms.
    pub activation: String,
    /// The x axis of gradient histograms.
    pub gradient: String,
    /// The x axis of the gradient figure's chart, layers from input to output.
    pub layer_input_to_output: String,
    /// The y axis of the gradient figure's chart.
    pub rms_gradient: String,
    /// The name of the gradient figure's line.
    pub rms_gradient_line: String,
    /// The x axis of the depth chart.
    pub layer: String,
    /// The y axis of the depth chart.
    pub activation_std: String,
    /// The x axis of the training chart.
    pub iteration: String,
    /// The y axis of the training chart; `{window}` is the moving average's window.
    pub training_loss: String,
    /// How many values fell below the histogram's range: `{count}` values below `{value}`.
    pub below: String,
    /// How many values fell above the histogram's range: `{count}` values above `{value}`.
    pub above: String,
    /// How many values were not a number.
    pub not_a_number: String,
    /// The true heights of bars cut at the top of the y axis, `{counts}` left to right.
    pub cut_bars: String,
    /// Between the counts of `cut_bars`; a line may break after it.
    pub list_separator: String,
    /// Scheme names in a legend: weights N(0, `{std}`²), Xavier, He, all zero.
    pub normal_scheme: String,
    pub xavier_scheme: String,
    pub he_scheme: String,
    pub zero_scheme: String,
    /// A legend entry whose label does not name its scheme: `{label}` and `{scheme}`.
    pub labelled_scheme: String,
    /// The x axis of a sweep's chart, the weight scale σ on a log scale.
    pub weight_scale: String,
    /// The y axis of a sweep's chart: the std of the last layer, `{layer}`, on a log scale.
    pub layer_std: String,
    /// Activation names in a sweep chart's legend. (Its marks are named by `xavier_scheme` and
    /// `he_scheme`.)
    pub sigmoid: String,
    pub tanh: String,
    pub relu: String,
    /// A panel of the training sweep: weights N(0, `{std}`²).
    pub scale_title: String,
    /// The y axis of the sweep's panels; `{window}` is the moving average's window.
    pub batch_accuracy: String,
    /// The two lines of the sweep.
    pub with_batchnorm: String,
    pub without_batchnorm: String,
    /// The y axis of the training sweep's chart of test accuracy against σ (`weight_scale`).
    pub test_accuracy: String,
}

impl Default for FigureText {
    fn default() -> Self {
        FigureText::english()
    }
}

impl FigureText {
    /// The English strings, the default.
    pub fn english() -> Self {
        let s = str::to_string;
        FigureText {
            layer_title: s("Layer {layer}"),
            count: s("count"),
            activation: s("activation"),
            gradient: s("∂L/∂a"),
            layer_input_to_output: s("layer (input → output)"),
            rms_gradient: s("RMS gradient"),
            rms_gradient_line: s("RMS of ∂L/∂a"),
            layer: s("layer"),
            activation_std: s("std of activations"),
            iteration: s("iteration"),
            training_loss: s("training loss (moving average of {window})"),
            below: s("{count} below {value}"),
            above: s("{count} above {value}"),
            not_a_number: s("{count} NaN"),
            cut_bars: s("cut bars: {counts}"),
            list_separator: s(", "),
            normal_scheme: s("N(0, {std}²)"),
            xavier_scheme: s("Xavier"),
            he_scheme: s("He"),
            zero_scheme: s("zero"),
            labelled_scheme: s("{label}: {scheme}"),
            weight_scale: s("weight scale σ (log)"),
            layer_std: s("std of layer {layer} (log)"),
            sigmoid: s("sigmoid"),
            tanh: s("tanh"),
            relu: s("ReLU"),
            scale_title: s("σ = {std}"),
            batch_accuracy: s("batch accuracy (moving average of {window})"),
            with_batchnorm: s("with batch normalization"),
            without_batchnorm: s("without"),
            test_accuracy: s("test accuracy after training"),
        }
    }

    /// Each text with the placeholders it must hold, by field name.
    fn templates(&self) -> [(&'static str, &str, &'static [&'static str]); 31] {
        [
            ("layer_title", &self.layer_title, &["layer"]),
            ("count", &self.count, &[]),
            ("activation", &self.activation, &[]),
            ("gradient", &self.gradient, &[]),
            ("layer_input_to_output", &self.layer_input_to_output, &[]),
            ("rms_gradient", &self.rms_gradient, &[]),
            ("rms_gradient_line", &self.rms_gradient_line, &[]),
            ("layer", &self.layer, &[]),
            ("activation_std", &self.activation_std, &[]),
            ("iteration", &self.iteration, &[]),
            ("training_loss", &self.training_loss, &["window"]),
            ("below", &self.below, &["count", "value"]),
            ("above", &self.above, &["count", "value"]),
            ("not_a_number", &self.not_a_number, &["count"]),
            ("cut_bars", &self.cut_bars, &["counts"]),
            ("list_separator", &self.list_separator, &[]),
            ("normal_scheme", &self.normal_scheme, &["std"]),
            ("xavier_scheme", &self.xavier_scheme, &[]),
            ("he_scheme", &self.he_scheme, &[]),
            ("zero_scheme", &self.zero_scheme, &[]),
            (
                "labelled_scheme",
                &self.labelled_scheme,
                &["label", "scheme"],
            ),
            ("weight_scale", &self.weight_scale, &[]),
            ("layer_std", &self.layer_std, &["layer"]),
            ("sigmoid", &self.sigmoid, &[]),
            ("tanh", &self.tanh, &[]),
            ("relu", &self.relu, &[]),
            ("scale_title", &self.scale_title, &["std"]),
            ("batch_accuracy", &self.batch_accuracy, &["window"]),
            ("with_batchnorm", &self.with_batchnorm, &[]),
            ("without_batchnorm", &self.without_batchnorm, &[]),
            ("test_accuracy", &self.test_accuracy, &[]),
        ]
    }

    /// What is wrong with these strings: a placeholder missing, or one that is not known
    /// (`{layers}` for `{layer}`), or a text left empty. Empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, template, wanted) in self.templates() {
            if template.trim().is_empty() {
                problems.push(format!("`{name}` is empty"));
            }
            let used = placeholders(template);
            for missing in wanted.iter().filter(|w| !used.contains(w)) {
                problems.push(format!("`{name}` = {template:?} lacks {{{missing}}}"));
            }
            for unknown in used.iter().filter(|u| !wanted.contains(u)) {
                let known: Vec<String> = wanted.iter().map(|w| format!("{{{w}}}")).collect();
                problems.push(format!(
                    "`{name}` = {template:?} has an unknown placeholder {{{unknown}}}{}",
                    if known.is_empty() {
                        " (it takes none)".to_string()
                    } else {
                        format!(" (it takes {})", known.join(", "))
                    }
                ));
            }
        }
        problems
    }
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_string();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// The `{name}` placeholders of a template, in order.
fn placeholders(template: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        found.push(&after[..close]);
        rest = &after[close + 1..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_complete_and_fills_in() {
        let text = FigureText::english();
        assert_eq!(text.problems(), Vec::<String>::new());
        assert_eq!(fill(&text.layer_title, &[("layer", "3")]), "Layer 3");
        assert_eq!(
            fill(&text.below, &[("count", "441"), ("value", "-5×10⁻⁴")]),
            "441 below -5×10⁻⁴"
        );
    }

    #[test]
    fn a_translation_reads_from_toml_and_keeps_english_where_silent() {
        let korean: FigureText = toml::from_str(
            "layer_title = \"{layer}층\"\ncount = \"개수\"\nactivation = \"활성화 값\"\n",
        )
        .unwrap();
        assert_eq!(fill(&korean.layer_title, &[("layer", "1")]), "1층");
        assert_eq!(korean.count, "개수");
        assert_eq!(korean.iteration, "iteration");
        assert!(korean.problems().is_empty());
        assert!(toml::from_str::<FigureText>("cuont = \"x\"").is_err());
    }

    #[test]
    fn lost_or_unknown_placeholders_are_problems() {
        let text = FigureText {
            layer_title: "층".to_string(),
            below: "{count} below {valeu}".to_string(),
            count: " ".to_string(),
            ..FigureText::english()
        };
        assert_eq!(
            text.problems(),
            [
                "`layer_title` = \"층\" lacks {layer}",
                "`count` is empty",
                "`below` = \"{count} below {valeu}\" lacks {value}",
                "`below` = \"{count} below {valeu}\" has an unknown placeholder {valeu} (it takes {count}, {value})",
            ]
        );
    }
}
