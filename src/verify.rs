//! `initbook verify`: rebuild in memory, compare with the site on disk, and say what drifted.
//!
//! Differences are reported per figure — whether its *data* changed (the experiment now gives
//! other numbers) or only its *drawing* (same numbers, other SVG bytes) — and per page. Reads the
//! site directory; writes nothing.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::hash::sha256_hex;
use crate::manifest::{FigureRecord, MANIFEST_PATH, Manifest};
use crate::site::{Site, build_site};

/// One way the site on disk differs from a fresh build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The site was built by another version of initbook.
    Version { on_disk: String, current: String },
    /// The experiment gives other numbers than the site shows.
    DataChanged { id: String },
    /// Same numbers, but the SVG file differs from what they draw.
    DrawingChanged { id: String },
    /// Frames of a sweep whose numbers (`data`) or only SVG files differ, by name.
    FramesChanged {
        id: String,
        data: bool,
        frames: Vec<String>,
    },
    /// In the book, not in the site.
    FigureMissing { id: String },
    /// In the site, no longer in the book.
    FigureRemoved { id: String },
    /// A page (or other file) differs.
    PageChanged { path: String },
    /// A file the build makes is absent.
    FileMissing { path: String },
    /// A file the build does not make is present.
    FileExtra { path: String },
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Drift::Version { on_disk, current } => write!(
                f,
                "the site was built by initbook {on_disk}; this is initbook {current}"
            ),
            Drift::DataChanged { id } => write!(
                f,
                "figure {id}: data changed — its parameters and seed now give other numbers"
            ),
            Drift::DrawingChanged { id } => write!(
                f,
                "figure {id}: drawing changed — same data, but the SVG differs"
            ),
            Drift::FramesChanged { id, data, frames } => {
                const SHOWN: usize = 6;
                let mut names = frames[..frames.len().min(SHOWN)].join(", ");
                if frames.len() > SHOWN {
                    names.push_str(&format!(" and {} more", frames.len() - SHOWN));
                }
                let what = if *data {
                    "data changed"
                } else {
                    "drawing changed — same data, but the SVG differs"
                };
                write!(f, "figure {id}: {what} in {} frames: {names}", frames.len())
            }
            Drift::FigureMissing { id } => {
                write!(f, "figure {id}: in the book but not in the site")
            }
            Drift::FigureRemoved { id } => {
                write!(f, "figure {id}: in the site but no longer in the book")
            }
            Drift::PageChanged { path } => write!(f, "page {path} differs"),
            Drift::FileMissing { path } => write!(f, "{path} is missing"),
            Drift::FileExtra { path } => write!(f, "{path} is not part of a fresh build"),
        }
    }
}

/// The outcome of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub figures: usize,
    pub files: usize,
    pub drift: Vec<Drift>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.drift.is_empty()
    }

    /// What differs in the site at `site_dir`, one difference a line, and what to do about it.
    fn drift_message(&self, site_dir: &Path) -> String {
        let count = self.drift.len();
        let mut message = format!(
            "{} differs from a fresh build ({count} difference{}):",
            site_dir.display(),
            if count == 1 { "" } else { "s" }
        );
        for drift in &self.drift {
            message.push_str(&format!("\n  - {drift}"));
        }
        message.push_str("\nrebuild with `initbook build` to bring the site up to date");
        message
    }
}

/// `initbook verify`: builds the book at `root` in memory and compares it with the site in
/// `site_dir`. Says so when they are the same; any drift is an error that lists it.
pub fn verify_site(root: &Path, site_dir: &Path) -> Result<String> {
    let report = compare_with_disk(&build_site(root)?, site_dir)?;
    if !report.is_clean() {
        return Err(Error::Other(report.drift_message(site_dir)));
    }
    Ok(format!(
        "verify: {} matches a fresh build ({} figures, {} files)",
        site_dir.display(),
        report.figures,
        report.files
    ))
}

/// Compares `fresh` (a build in memory) with the site in `site_dir`.
pub fn compare_with_disk(fresh: &Site, site_dir: &Path) -> Result<VerifyReport> {
    if !site_dir.is_dir() {
        return Err(Error::Other(format!(
            "no site at {}: build it first with `initbook build`",
            site_dir.display()
        )));
    }
    let on_disk_manifest = read_manifest(site_dir)?;
    let fresh_manifest: Manifest = serde_json::from_slice(&fresh.files[MANIFEST_PATH])
        .expect("the manifest we just built parses");

    let mut drift = Vec::new();
    if on_disk_manifest.initbook_version != fresh_manifest.initbook_version {
        drift.push(Drift::Version {
            on_disk: on_disk_manifest.initbook_version.clone(),
            current: fresh_manifest.initbook_version.clone(),
        });
    }
    let on_disk_files = read_tree(site_dir)?;
    let explained = figure_drift(
        &fresh_manifest,
        &on_disk_manifest,
        &on_disk_files,
        &mut drift,
    );
    file_drift(fresh, &on_disk_files, &explained, &mut drift);
    // A manifest that matches in every figure but not in its bytes (e.g. a lesson line moved).
    if drift.is_empty() && on_disk_files.get(MANIFEST_PATH) != fresh.files.get(MANIFEST_PATH) {
        drift.push(Drift::PageChanged {
            path: MANIFEST_PATH.to_string(),
        });
    }
    Ok(VerifyReport {
        figures: fresh_manifest.figures.len(),
        files: fresh.files.len(),
        drift,
    })
}

/// The manifest of the site on disk, or why there is none this initbook can read.
fn read_manifest(site_dir: &Path) -> Result<Manifest> {
    let path = site_dir.join(MANIFEST_PATH);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| {
            Error::Other(format!(
                "{} is not a manifest this initbook can read ({error}); rebuild with `initbook build`",
                path.display()
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(Error::Other(format!(
            "{} has no {MANIFEST_PATH}: it was not built by this version of initbook; rebuild with `initbook build`",
            site_dir.display()
        ))),
        Err(error) => Err(Error::io("read", &path, error)),
    }
}

/// Each figure's drift: data changed, only the drawing changed, missing or removed. Returns the
/// files the figures explain (their SVGs, and the manifest), which need no report of their own.
fn figure_drift<'m>(
    fresh: &'m Manifest,
    on_disk: &'m Manifest,
    on_disk_files: &BTreeMap<String, Vec<u8>>,
    drift: &mut Vec<Drift>,
) -> Vec<&'m str> {
    let mut explained: Vec<&str> = vec![MANIFEST_PATH];
    for figure in &fresh.figures {
        let id = figure.id.clone();
        let Some(old) = on_disk.figure(&figure.id) else {
            drift.push(Drift::FigureMissing { id });
            continue;
        };
        if old.data_sha256 != figure.data_sha256 {
            drift.push(Drift::DataChanged { id });
        } else if let Some(svg) = &figure.svg {
            // Hash the file itself: the manifest on disk could be stale or edited.
            let actual = on_disk_files.get(svg).map(|bytes| sha256_hex(bytes));
            if actual.as_ref() != figure.svg_sha256.as_ref() {
                drift.push(Drift::DrawingChanged { id });
            }
        }
        if let Some(svg) = &figure.svg {
            explained.push(svg);
        }
        // Each translated edition's drawing of the same data.
        for (tag, translated) in &figure.translations {
            let actual = on_disk_files
                .get(&translated.svg)
                .map(|bytes| sha256_hex(bytes));
            if old.data_sha256 == figure.data_sha256
                && actual.as_ref() != Some(&translated.svg_sha256)
            {
                drift.push(Drift::DrawingChanged {
                    id: format!("{} ({tag})", figure.id),
                });
            }
            explained.push(&translated.svg);
            for (path, sha) in &translated.frames {
                let actual = on_disk_files.get(path).map(|bytes| sha256_hex(bytes));
                if old.data_sha256 == figure.data_sha256 && actual.as_ref() != Some(sha) {
                    drift.push(Drift::DrawingChanged {
                        id: format!("{} ({tag}, {path})", figure.id),
                    });
                }
                explained.push(path);
            }
        }
        frame_drift(figure, old, on_disk_files, drift);
        for record in [figure, old] {
            explained.extend(
                record
                    .frames
                    .iter()
                    .flatten()
                    .filter_map(|f| f.svg.as_deref()),
            );
        }
    }
    for old in &on_disk.figures {
        if fresh.figure(&old.id).is_none() {
            drift.push(Drift::FigureRemoved { id: old.id.clone() });
            explained.extend(old.svg.as_deref());
            for translated in old.translations.values() {
                explained.push(&translated.svg);
                explained.extend(translated.frames.keys().map(String::as_str));
            }
            explained.extend(old.frames.iter().flatten().filter_map(|f| f.svg.as_deref()));
        }
    }
    explained
}

/// A sweep's frames: those whose data changed (or that are new), else those whose SVG file on
/// disk is not what the fresh build draws.
fn frame_drift(
    fresh: &FigureRecord,
    old: &FigureRecord,
    on_disk_files: &BTreeMap<String, Vec<u8>>,
    drift: &mut Vec<Drift>,
) {
    let Some(frames) = &fresh.frames else {
        return;
    };
    let old_frames = old.frames.as_deref().unwrap_or_default();
    let mut data = Vec::new();
    let mut drawing = Vec::new();
    for frame in frames {
        let before = old_frames.iter().find(|o| o.name == frame.name);
        if before.is_none_or(|before| before.data_sha256 != frame.data_sha256) {
            data.push(frame.name.clone());
        } else if let Some(svg) = &frame.svg {
            let actual = on_disk_files.get(svg).map(|bytes| sha256_hex(bytes));
            if actual.as_ref() != frame.svg_sha256.as_ref() {
                drawing.push(frame.name.clone());
            }
        }
    }
    for (is_data, frames) in [(true, data), (false, drawing)] {
        if !frames.is_empty() {
            drift.push(Drift::FramesChanged {
                id: fresh.id.clone(),
                data: is_data,
                frames,
            });
        }
    }
}

/// Pages and other files that differ, are missing or are extra (figures aside).
fn file_drift(
    fresh: &Site,
    on_disk_files: &BTreeMap<String, Vec<u8>>,
    explained: &[&str],
    drift: &mut Vec<Drift>,
) {
    for (path, bytes) in &fresh.files {
        if explained.contains(&path.as_str()) {
            continue;
        }
        match on_disk_files.get(path) {
            None => drift.push(Drift::FileMissing { path: path.clone() }),
            Some(on_disk) if on_disk != bytes => {
                drift.push(Drift::PageChanged { path: path.clone() })
            }
            Some(_) => {}
        }
    }
    for path in on_disk_files.keys() {
        // The marker `build` writes beside the site is not part of it.
        if path == crate::write::MARKER {
            continue;
        }
        if !fresh.files.contains_key(path) && !explained.contains(&path.as_str()) {
            drift.push(Drift::FileExtra { path: path.clone() });
        }
    }
}

/// Every file below `dir`, by `/`-separated relative path.
fn read_tree(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut pending: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| Error::io("read", &current, e))?;
        for entry in entries {
            let path = entry.map_err(|e| Error::io("read", &current, e))?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .expect("below dir")
                    .to_string_lossy()
                    .replace('\\', "/");
                let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
                files.insert(relative, bytes);
            }
        }
    }
    Ok(files)
}
