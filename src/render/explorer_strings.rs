//! The σ explorer's words: the `explorer_*`, `activation_*`, `mark_*` and shared column strings of
//! the theme's strings table (`strings.toml`), gathered and checked once with the theme. `{name}`
//! in a string is filled in from the numbers; each string may use only its own names.

use super::strings::Strings;
use crate::numeric::Activation;
use crate::numeric::sweep::{Mark, Stop};

/// The explorer's words. [`ExplorerStrings::PLACEHOLDERS`] says which `{name}`s each string may
/// use.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplorerStrings {
    pub mark_stop: String,
    pub slider_value: String,
    pub stats_caption: String,
    pub stats_layer: String,
    pub stat_std: String,
    pub stat_edge: String,
    pub stat_unit_std: String,
    pub frame_title: String,
    pub frame_alt: String,
    pub activations: ActivationNames,
    pub marks: MarkNames,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActivationNames {
    pub sigmoid: String,
    pub tanh: String,
    pub relu: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MarkNames {
    pub xavier: String,
    pub he: String,
}

impl ExplorerStrings {
    /// The keys of the strings table that may use `{name}`s, and the names each may use. Every
    /// other `explorer_*` key may use none.
    const PLACEHOLDERS: [(&'static str, &'static [&'static str]); 6] = [
        ("explorer_mark_stop", &["sigma", "mark"]),
        ("explorer_slider_value", &["stop"]),
        ("explorer_stats_caption", &["stop", "activation"]),
        ("explorer_stats_layer", &["layer"]),
        ("explorer_frame_title", &["stop", "activation"]),
        (
            "explorer_frame_alt",
            &["stop", "activation", "layers", "stds", "edges"],
        ),
    ];

    /// Gathers the explorer's strings from the theme's table; says which one uses a `{name}` it
    /// cannot fill in.
    pub fn from_strings(strings: &Strings) -> std::result::Result<Self, String> {
        for (key, text) in strings.with_prefix("explorer_") {
            let allowed: &[&str] = Self::PLACEHOLDERS
                .iter()
                .find(|(name, _)| *name == key)
                .map_or(&[], |(_, names)| names);
            if let Some(unknown) = placeholders(text).find(|p| !allowed.contains(p)) {
                let known = if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                };
                return Err(format!(
                    "`{key}` uses {{{unknown}}}, which it cannot fill in (it can: {known})"
                ));
            }
        }
        let get = |key: &str| strings.get(key).to_string();
        Ok(ExplorerStrings {
            mark_stop: get("explorer_mark_stop"),
            slider_value: get("explorer_slider_value"),
            stats_caption: get("explorer_stats_caption"),
            stats_layer: get("explorer_stats_layer"),
            stat_std: get("column_std"),
            stat_edge: get("explorer_stat_edge"),
            stat_unit_std: get("column_unit_std"),
            frame_title: get("explorer_frame_title"),
            frame_alt: get("explorer_frame_alt"),
            activations: ActivationNames {
                sigmoid: get("activation_sigmoid"),
                tanh: get("activation_tanh"),
                relu: get("activation_relu"),
            },
            marks: MarkNames {
                xavier: get("mark_xavier"),
                he: get("mark_he"),
            },
        })
    }

    pub fn activation(&self, activation: Activation) -> &str {
        match activation {
            Activation::Sigmoid => &self.activations.sigmoid,
            Activation::Tanh => &self.activations.tanh,
            Activation::Relu => &self.activations.relu,
        }
    }

    pub fn mark(&self, mark: Mark) -> &str {
        match mark {
            Mark::Xavier => &self.marks.xavier,
            Mark::He => &self.marks.he,
        }
    }

    /// A stop as the controls label it: "0.05", or "0.141 (He)".
    pub fn stop_label(&self, stop: &Stop) -> String {
        let sigma = sigma_text(stop.std);
        match stop.mark {
            Some(mark) => fill(
                &self.mark_stop,
                &[("sigma", &sigma), ("mark", self.mark(mark))],
            ),
            None => sigma,
        }
    }
}

/// The `{name}`s of a string.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// `text` with each `{name}` replaced by its value.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

/// σ as the controls print it: at most three significant digits (0.0125, 0.141, 2).
fn sigma_text(std: f64) -> String {
    // Rounded through its decimal text, so the shortest form of the result has no noise digits.
    let rounded: f64 = format!("{std:.2e}").parse().unwrap_or(std);
    rounded.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built_in() -> Strings {
        Strings::built_in()
    }

    #[test]
    fn the_built_in_strings_read_and_fill_in() {
        let strings = ExplorerStrings::from_strings(&built_in()).unwrap();
        let stop = Stop {
            std: (2.0f64 / 100.0).sqrt(),
            mark: Some(Mark::He),
        };
        assert_eq!(strings.stop_label(&stop), "0.141 (He)");
        assert_eq!(
            strings.stop_label(&Stop {
                std: 0.0125,
                mark: None
            }),
            "0.0125"
        );
        assert_eq!(sigma_text(2.0), "2");
    }

    #[test]
    fn a_string_may_use_only_its_own_placeholders() {
        let mut broken = built_in();
        broken.set("explorer_slider_value", "σ = {sigma}");
        let error = ExplorerStrings::from_strings(&broken).unwrap_err();
        assert!(error.contains("{sigma}"), "{error}");
        assert!(error.contains("explorer_slider_value"), "{error}");
        let mut note = built_in();
        note.set("explorer_note", "σ = {stop}");
        let error = ExplorerStrings::from_strings(&note).unwrap_err();
        assert!(error.contains("it can: none"), "{error}");
    }
}
