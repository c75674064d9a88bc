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

use serde::{Deserialize, Serialize};

use crate::hash::sha256_hex;
use crate::model::ParsedBook;
use crate::numeric::Outcome;
use crate::site_paths::{figure_path, page_name};

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
}

/// A translated edition's SVG of a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslatedSvg {
    /// The SVG file in the site (`ko/figures/ID.svg`).
    pub svg: String,
    pub svg_sha256: String,
}

/// The canonical bytes of a result (see the module docs).
pub fn canonical_data(result: &Outcome) -> Vec<u8> {
    serde_json::to_vec(result).expect("plain data serialises")
}

/// The data hash of every experiment, by id.
pub fn data_hashes(results: &BTreeMap<String, Outcome>) -> BTreeMap<String, String> {
    results
        .iter()
        .map(|(id, result)| (id.clone(), sha256_hex(&canonical_data(result))))
        .collect()
}

/// The manifest of a built book. `translated` holds each translated edition's directory in the
/// site (`ko/`) and its SVGs, by language tag.
pub fn build_manifest(
    book: &ParsedBook,
    data_hashes: &BTreeMap<String, String>,
    svgs: &BTreeMap<String, String>,
    translated: &BTreeMap<String, (String, BTreeMap<String, String>)>,
) -> Manifest {
    let mut figures: Vec<FigureRecord> = book
        .experiments()
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
                    .filter_map(|(tag, (dir, svgs))| {
                        let svg = svgs.get(&spec.id)?;
                        Some((
                            tag.clone(),
                            TranslatedSvg {
                                svg: format!("{dir}{}", figure_path(&spec.id)),
                                svg_sha256: sha256_hex(svg.as_bytes()),
                            },
                        ))
                    })
                    .collect(),
                data_sha256: data_hashes[&spec.id].clone(),
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
