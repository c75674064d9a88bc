//! `figures.json`: what every figure of the site was made from, and fingerprints of what it is.
//!
//! For each experiment: where it is defined, its parameters after defaults, its seed and RNG, the
//! SHA-256 of its SVG file and the SHA-256 of its *data* — a canonical serialisation of the
//! statistics and histogram counts the figure is drawn from. Two hashes let `initbook verify`
//! tell a changed result (the data hash moves) from a changed drawing (only the SVG hash moves).
//!
//! The canonical data serialisation is the compact JSON of [`ActivationResult`]: fields in
//! declaration order, floats in Rust's shortest round-trip form (exact: every finite `f64` has
//! exactly one such text), so equal bits give equal text and any changed bit of a finite value
//! changes the text. (JSON has no NaN or infinity; serde_json writes them as `null`.)

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::hash::sha256_hex;
use crate::model::ParsedBook;
use crate::numeric::sweep::SweepFrame;
use crate::numeric::{LayerStats, Outcome};
use crate::site_paths::{figure_path, frame_path, page_name};

/// The RNG every experiment uses, named as a reader would call it.
pub const RNG: &str = "rand_chacha::ChaCha8Rng::seed_from_u64(seed)";
/// Where the manifest goes in the site.
pub const MANIFEST_PATH: &str = "figures.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub initbook_version: String,
    /// Sorted by id.
    pub figures: Vec<FigureRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureRecord {
    pub id: String,
    /// The lesson file, relative to the book root.
    pub lesson: String,
    /// Line of the directive's opening fence.
    pub line: usize,
    /// The page the figure is on.
    pub page: String,
    pub kind: String,
    /// Every parameter after defaults, as `initbook run --json` prints them.
    pub params: serde_json::Value,
    /// A training experiment's data set.
    pub data_file: Option<String>,
    pub seed: u64,
    pub rng: String,
    /// The SVG file in the site, or `null` for an experiment shown without a figure.
    pub svg: Option<String>,
    pub svg_sha256: Option<String>,
    /// The figure of each translated edition, by language tag: the same data drawn with that
    /// language's words, so its own SVG and hash (and the one `data_sha256`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, TranslatedSvg>,
    pub data_sha256: String,
    /// A sweep's frames, in its order; absent for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frames: Option<Vec<FrameRecord>>,
}

/// One frame of a sweep: which it is, its statistics, and the hashes of its SVG and its data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameRecord {
    /// Names the frame among its sweep's (`tanh-s0_1`), as its SVG file does.
    pub name: String,
    pub activation: String,
    pub std: f64,
    pub mark: Option<String>,
    /// The frame's SVG file, or `null` for a sweep shown without a figure.
    pub svg: Option<String>,
    pub svg_sha256: Option<String>,
    /// The data hash of the activation experiment the frame equals.
    pub data_sha256: String,
    pub layers: Vec<FrameLayer>,
}

/// The statistics of one layer of a frame (its histogram counts are in the data hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameLayer {
    pub layer: usize,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
    pub unit_std: f64,
    pub unit_mean_std: f64,
    pub zero_frac: f64,
    pub edge_frac: f64,
    pub deriv_mean: f64,
    pub below: u64,
    pub above: u64,
    pub nan: u64,
}

impl From<&LayerStats> for FrameLayer {
    fn from(stats: &LayerStats) -> Self {
        FrameLayer {
            layer: stats.layer,
            mean: stats.mean,
            std: stats.std,
            min: stats.min,
            max: stats.max,
            unit_std: stats.unit_std,
            unit_mean_std: stats.unit_mean_std,
            zero_frac: stats.zero_frac,
            edge_frac: stats.edge_frac,
            deriv_mean: stats.deriv_mean,
            below: stats.below,
            above: stats.above,
            nan: stats.nan,
        }
    }
}

/// A translated edition in the site: its directory (`ko/`), its figures' SVGs by id and its
/// sweep frames' SVGs by path relative to that directory.
pub type TranslatedEdition = (String, BTreeMap<String, String>, BTreeMap<String, String>);

/// A translated edition's SVG of a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslatedSvg {
    /// The SVG file in the site (`ko/figures/ID.svg`).
    pub svg: String,
    pub svg_sha256: String,
    /// A sweep's frames in that edition: SVG path in the site → its SHA-256.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub frames: BTreeMap<String, String>,
}

/// The canonical bytes of a result (see the module docs).
pub fn canonical_data(result: &Outcome) -> Vec<u8> {
    serde_json::to_vec(result).expect("plain data serialises")
}

/// The canonical bytes of one frame of a sweep: the same as those of the activation experiment
/// the frame equals (`{"layers":[…]}`), so the two have one data hash.
pub fn frame_data(frame: &SweepFrame) -> Vec<u8> {
    let data = ActivationData {
        layers: &frame.layers,
    };
    serde_json::to_vec(&data).expect("plain data serialises")
}

/// The data hash of one frame of a sweep.
pub fn frame_data_hash(frame: &SweepFrame) -> String {
    sha256_hex(&frame_data(frame))
}

/// An activation experiment's result, borrowed: serialises as [`crate::numeric::ActivationResult`].
#[derive(Serialize)]
struct ActivationData<'a> {
    layers: &'a [LayerStats],
}

/// The data hash of every experiment, by id.
pub fn data_hashes(results: &BTreeMap<String, Outcome>) -> BTreeMap<String, String> {
    results
        .par_iter()
        .map(|(id, result)| (id.clone(), sha256_hex(&canonical_data(result))))
        .collect()
}

/// The manifest of a built book. `svgs` are the figures by id, `frame_svgs` the sweeps' frames by
/// path in the site, `translated` each translated edition's directory in the site (`ko/`) and its
/// SVGs, by language tag.
pub fn build_manifest(
    book: &ParsedBook,
    results: &BTreeMap<String, Outcome>,
    data_hashes: &BTreeMap<String, String>,
    svgs: &BTreeMap<String, String>,
    frame_svgs: &BTreeMap<String, String>,
    translated: &BTreeMap<String, TranslatedEdition>,
) -> Manifest {
    // Hashing every figure and frame of every edition is most of the work: experiments, and a
    // sweep's frames, are recorded in parallel (collected in order).
    let experiments: Vec<_> = book.experiments().collect();
    let mut figures: Vec<FigureRecord> = experiments
        .into_par_iter()
        .map(|(lesson, spec)| {
            let svg = svgs.get(&spec.id);
            FigureRecord {
                id: spec.id.clone(),
                lesson: lesson.source.path.display().to_string().replace('\\', "/"),
                line: spec.origin().line,
                page: page_name(&lesson.slug),
                kind: spec.experiment.kind().name().to_string(),
                params: serde_json::to_value(&spec.experiment).expect("plain data serialises"),
                data_file: spec.data.as_ref().map(|d| format!("content/{}", d.path)),
                seed: spec.seed,
                rng: RNG.to_string(),
                svg: svg.map(|_| figure_path(&spec.id)),
                svg_sha256: svg.map(|svg| sha256_hex(svg.as_bytes())),
                translations: translated
                    .iter()
                    .filter_map(|(tag, (dir, svgs, frame_svgs))| {
                        let svg = svgs.get(&spec.id)?;
                        let frames = match &results[&spec.id] {
                            Outcome::Sweep(result) => result
                                .frames
                                .par_iter()
                                .filter_map(|frame| {
                                    let path = frame_path(&spec.id, &frame.name());
                                    let svg = frame_svgs.get(&path)?;
                                    Some((format!("{dir}{path}"), sha256_hex(svg.as_bytes())))
                                })
                                .collect(),
                            _ => BTreeMap::new(),
                        };
                        Some((
                            tag.clone(),
                            TranslatedSvg {
                                svg: format!("{dir}{}", figure_path(&spec.id)),
                                svg_sha256: sha256_hex(svg.as_bytes()),
                                frames,
                            },
                        ))
                    })
                    .collect(),
                data_sha256: data_hashes[&spec.id].clone(),
                frames: match &results[&spec.id] {
                    Outcome::Sweep(result) => Some(
                        result
                            .frames
                            .par_iter()
                            .map(|frame| {
                                let path = frame_path(&spec.id, &frame.name());
                                let svg = frame_svgs.get(&path);
                                FrameRecord {
                                    name: frame.name(),
                                    activation: frame.activation.name().to_string(),
                                    std: frame.std,
                                    mark: frame.mark.map(|m| m.name().to_string()),
                                    svg_sha256: svg.map(|svg| sha256_hex(svg.as_bytes())),
                                    svg: svg.map(|_| path),
                                    data_sha256: frame_data_hash(frame),
                                    layers: frame.layers.iter().map(FrameLayer::from).collect(),
                                }
                            })
                            .collect(),
                    ),
                    _ => None,
                },
            }
        })
        .collect();
    figures.sort_by(|a, b| a.id.cmp(&b.id));
    Manifest {
        initbook_version: env!("CARGO_PKG_VERSION").to_string(),
        figures,
    }
}

impl Manifest {
    /// Pretty JSON with a final newline: stable bytes, readable diffs.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plain data serialises");
        text.push('\n');
        text
    }

    pub fn figure(&self, id: &str) -> Option<&FigureRecord> {
        self.figures.iter().find(|f| f.id == id)
    }
}
