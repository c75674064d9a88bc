//! The σ explorer's words: the theme's `explorer.toml`, every string the explorer of a sweep
//! shows, read and checked once with the theme. One table, so that an edition in another language
//! replaces one file; `{name}` in a string is filled in from the numbers.

use serde::{Deserialize, Serialize};

use crate::numeric::Activation;
use crate::numeric::sweep::{Mark, Stop};

/// The explorer's words. [`ExplorerStrings::PLACEHOLDERS`] says which `{name}`s each string may
/// use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplorerStrings {
    pub std_legend: String,
    pub activation_legend: String,
    pub note: String,
    pub mark_stop: String,
    pub slider_value: String,
    pub stats_caption: String,
    pub stats_layers: String,
    pub stats_layer: String,
    pub stat_std: String,
    pub stat_edge: String,
    pub stat_unit_std: String,
    pub frame_title: String,
    pub frame_alt: String,
    pub activations: ActivationNames,
    pub marks: MarkNames,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivationNames {
    pub sigmoid: String,
    pub tanh: String,
    pub relu: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkNames {
    pub xavier: String,
    pub he: String,
}

impl ExplorerStrings {
    /// The names each string may use.
    const PLACEHOLDERS: [(&'static str, &'static [&'static str]); 5] = [
        ("mark_stop", &["sigma", "mark"]),
        ("slider_value", &["stop"]),
        ("stats_caption", &["stop", "activation"]),
        ("stats_layer", &["layer"]),
        ("frame_title", &["stop", "activation"]),
    ];
    const FRAME_ALT: &'static [&'static str] = &["stop", "activation", "layers", "stds", "edges"];

    /// Reads the strings table; says what is wrong with it.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let strings: ExplorerStrings = toml::from_str(text).map_err(|e| e.to_string())?;
        let table = toml::Value::try_from(&strings).map_err(|e| e.to_string())?;
        for (name, value) in table.as_table().into_iter().flatten() {
            let Some(text) = value.as_str() else { continue };
            let allowed: &[&str] = match name.as_str() {
                "frame_alt" => Self::FRAME_ALT,
                _ => Self::PLACEHOLDERS
                    .iter()
                    .find(|(key, _)| key == name)
                    .map_or(&[], |(_, names)| names),
            };
            if let Some(unknown) = placeholders(text).find(|p| !allowed.contains(p)) {
                let known = if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                };
                return Err(format!(
                    "`{name}` uses {{{unknown}}}, which it cannot fill in (it can: {known})"
                ));
            }
        }
        Ok(strings)
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

    const BUILT_IN: &str = include_str!("../../templates/explorer.toml");

    #[test]
    fn the_built_in_strings_read_and_fill_in() {
        let strings = ExplorerStrings::parse(BUILT_IN).unwrap();
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
        let broken = BUILT_IN.replace("σ = {stop}", "σ = {sigma}");
        assert_ne!(broken, BUILT_IN, "the built-in table has the phrase");
        let error = ExplorerStrings::parse(&broken).unwrap_err();
        assert!(error.contains("{sigma}"), "{error}");
        let missing = BUILT_IN.replace("stat_std", "stat_sd");
        assert!(ExplorerStrings::parse(&missing).is_err());
    }
}
