//! Golden vectors: data hashes for a handful of (parameters, seed) cases, committed in
//! `tests/golden/data-hashes.toml`. If a dependency upgrade (rand_chacha, rand_distr, …) or a
//! change to the engine moves any value of any of them, this fails. Changing the file is a
//! deliberate act: every figure of every book changes with it.

use initbook::hash::sha256_hex;
use initbook::manifest::canonical_data;
use initbook::numeric::sweep::{Mark, SweepParams, run_sweep};
use initbook::numeric::{
    Activation, ActivationParams, Init, NetworkParams, Outcome, run_activations,
};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    init: String,
    std: Option<f64>,
    activation: String,
    layers: Option<usize>,
    nodes: Option<usize>,
    samples: Option<usize>,
    bins: Option<usize>,
    range: Option<(f64, f64)>,
    batchnorm: Option<bool>,
    seed: u64,
    data_sha256: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepCase {
    std: Vec<f64>,
    #[serde(default)]
    marks: Vec<String>,
    activation: Vec<String>,
    layers: usize,
    nodes: usize,
    samples: usize,
    seed: u64,
    data_sha256: String,
}

#[derive(Deserialize)]
struct Golden {
    case: Vec<Case>,
    sweep: Vec<SweepCase>,
}

impl Case {
    fn params(&self) -> ActivationParams {
        let init = match self.init.as_str() {
            "zero" => Init::Zero,
            "normal" => Init::Normal {
                std: self.std.unwrap(),
            },
            "xavier" => Init::Xavier,
            "he" => Init::He,
            other => panic!("unknown init {other}"),
        };
        let classic =
            ActivationParams::classic(init, Activation::from_name(&self.activation).unwrap());
        ActivationParams {
            network: NetworkParams {
                layers: self.layers.unwrap_or(classic.network.layers),
                nodes: self.nodes.unwrap_or(classic.network.nodes),
                samples: self.samples.unwrap_or(classic.network.samples),
                batchnorm: self.batchnorm.unwrap_or(false),
                ..classic.network
            },
            bins: self.bins.unwrap_or(classic.bins),
            range: self.range.unwrap_or(classic.range),
        }
    }
}

#[test]
fn data_hashes_match_the_golden_vectors() {
    let text = include_str!("../golden/data-hashes.toml");
    let golden: Golden = toml::from_str(text).unwrap();
    assert!(golden.case.len() >= 5);
    let mut wrong = Vec::new();
    for (index, case) in golden.case.iter().enumerate() {
        let result = Outcome::Activations(run_activations(&case.params(), case.seed));
        let hash = sha256_hex(&canonical_data(&result));
        if hash != case.data_sha256 {
            wrong.push(format!(
                "case {} ({} / {}, seed {}): {hash}",
                index + 1,
                case.init,
                case.activation,
                case.seed
            ));
        }
    }
    assert!(wrong.is_empty(), "values changed:\n{}", wrong.join("\n"));
}

#[test]
fn sweep_data_hashes_match_the_golden_vectors() {
    let golden: Golden = toml::from_str(include_str!("../golden/data-hashes.toml")).unwrap();
    assert!(!golden.sweep.is_empty());
    for case in &golden.sweep {
        let params = SweepParams {
            activations: case
                .activation
                .iter()
                .map(|a| Activation::from_name(a).unwrap())
                .collect(),
            stds: case.std.clone(),
            marks: case
                .marks
                .iter()
                .map(|m| Mark::from_name(m).unwrap())
                .collect(),
            layers: case.layers,
            nodes: case.nodes,
            samples: case.samples,
            bins: 30,
            range: None,
        };
        let result = Outcome::Sweep(run_sweep(&params, case.seed));
        assert_eq!(
            sha256_hex(&canonical_data(&result)),
            case.data_sha256,
            "sweep {:?} × {:?}, seed {}",
            case.std,
            case.activation,
            case.seed
        );
    }
}
