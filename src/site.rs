//! The pipeline, end to end: load → parse → run → draw → render, all in memory.
//!
//! ```text
//! content/ ──load──▶ Book ──parse──▶ lessons + ExperimentSpecs (with spans) ──load data──▶
//!         ──run──▶ outcomes (pure, seeded, parallel) ──draw──▶ SVG strings
//!         ──render──▶ HTML pages (tera) + figures.json ──write──▶ output/ (all or nothing)
//! ```
//!
//! Each function here returns the site as bytes; only [`crate::write`] puts it on disk, so tests
//! and `initbook verify`-style comparisons never need the file system.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::book::load_book;
use crate::book_files::{ReadLedger, recording_reads};
use crate::cache::Cache;
use crate::data::{DatasetCache, load_datasets};
use crate::diagnostic::Diagnostics;
use crate::draw::{
    DrawingCache, FigureText, FrameLayout, draw_figure_with, draw_sweep_frame, sweep_frame_layout,
};
use crate::error::Result;
use crate::i18n::{Coverage, Edition, edition_dir, figure_text, language_links};
use crate::limits;
use crate::manifest::{MANIFEST_PATH, build_manifest, data_hashes};
use crate::model::{ExperimentSpec, ParsedBook};
use crate::notebook::{NotebookText, notebook_files};
use crate::numeric::Outcome;
use crate::numeric::sweep::{SweepFrame, SweepResult};
use crate::parse::parse_book;
use crate::render::explorer::{frame_svg_id, frame_text};
use crate::render::explorer_strings::ExplorerStrings;
use crate::render::{Theme, load_theme, render_site};
use crate::run::run_all;
use crate::site_paths::{figure_path, frame_path};

/// A built site in memory: path in the site (`/`-separated) → file contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub files: BTreeMap<String, Vec<u8>>,
    pub lessons: usize,
    pub experiments: usize,
    pub figures: usize,
}

/// One book built again and again, as `initbook serve` does after each change on disk: every
/// build with the same [`Cache`], and a build skipped when nothing it would read has changed
/// since the last good one ([`ReadLedger`]: the same files with the same bytes, the same ones
/// missing). Files the build does not read — an editor's swap and backup files, a draft that
/// `book.toml` does not list — then cost a replay of the reads, not a build.
pub struct Rebuilder {
    root: PathBuf,
    cache: Cache,
    /// What the last good build read.
    last_good: Option<ReadLedger>,
}

/// What [`Rebuilder::rebuild`] did.
#[derive(Debug)]
pub enum Rebuild {
    /// Built the book again (something it read had changed, or this was the first build).
    Built(BuildReport),
    /// Nothing the last good build read has changed: its site is what a build would give.
    Unchanged,
}

impl Rebuilder {
    pub fn new(root: &Path, cache: Cache) -> Self {
        Rebuilder {
            root: root.to_path_buf(),
            cache,
            last_good: None,
        }
    }

    /// Builds the book unless nothing the last good build read has changed. After a failed
    /// build the last good one still counts: a book edited back to it is [`Rebuild::Unchanged`].
    pub fn rebuild(&mut self) -> Result<Rebuild> {
        if self.last_good.as_ref().is_some_and(ReadLedger::unchanged) {
            return Ok(Rebuild::Unchanged);
        }
        let (built, ledger) =
            recording_reads(|| build_site_with(&self.root, &self.cache, &|_, _| {}));
        let report = built?;
        // A build reads at least `book.toml`; a ledger with no reads was not recorded (the
        // build ran on another thread) and could never see a change, so it is not kept.
        self.last_good = (!ledger.is_empty()).then_some(ledger);
        Ok(Rebuild::Built(report))
    }
}

/// Builds the book at `root` into memory, running every experiment (no cache).
pub fn build_site(root: &Path) -> Result<Site> {
    Ok(build_site_with(root, &Cache::disabled(), &|_, _| {})?.site)
}

/// A build, and how many distinct experiments it computed or found in the cache.
#[derive(Debug)]
pub struct BuildReport {
    pub site: Site,
    pub computed: usize,
    pub cached: usize,
    /// How much of each translated edition is translated (its gaps show English).
    pub coverage: Vec<Coverage>,
}

impl BuildReport {
    /// The line `initbook build` prints: what was built, in how long, and where it went.
    pub fn summary(&self, seconds: f64, out: &Path) -> String {
        let site = &self.site;
        format!(
            "Built {} lessons with {} figures ({} experiments: {} run, {} cached) in {seconds:.2} s → {}",
            site.lessons,
            site.figures,
            site.experiments,
            self.computed,
            self.cached,
            out.display()
        )
    }
}

/// Builds the book at `root` into memory, taking outcomes from `cache` where it can.
/// `progress(done, total)` is called as experiments finish.
pub fn build_site_with(
    root: &Path,
    cache: &Cache,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<BuildReport> {
    let loaded = load_book(root)?;
    let book = parse_book(&loaded)?;
    let editions = crate::i18n::translated_editions(root, &loaded, &book)?;
    let themes = edition_themes(root, &book, &editions)?;
    let datasets = load_datasets(root, &book, cache.datasets())?;
    crate::budget::check_book(&book, &data_shapes(&datasets))?;
    // One run serves every edition: the translations have the English experiments.
    let run = run_all(&book, &datasets, cache, progress);
    let results = &run.outcomes;
    let data_hashes = data_hashes(results);
    let own = Edition {
        tag: book.config.language.clone(),
        book: book.clone(),
        coverage: Coverage::default(),
    };
    // The editions are rendered side by side (they share nothing but what they read), and
    // their files put together in edition order, so the site's bytes and the error reported
    // do not depend on which finished first. Nothing from here on reads the book's files.
    let all_editions: Vec<(&Edition, &EditionWords)> = std::iter::once(&own)
        .chain(&editions)
        .zip(&themes)
        .collect();
    let rendered: Vec<Result<RenderedEdition>> = all_editions
        .par_iter()
        .map(|&(edition, words)| {
            let mut rendered =
                render_edition(edition, results, &data_hashes, words, cache.drawings())?;
            // Each edition's notebooks, in its language, with the data sets beside them.
            rendered.files.extend(notebook_files(
                &edition.book,
                results,
                &datasets,
                &words.theme,
                &words.notebook,
            ));
            Ok(rendered)
        })
        .collect();
    // Whether or not an edition failed: what this build used is what the memos keep.
    cache.end_build();
    let mut files = BTreeMap::new();
    let mut svgs = BTreeMap::new();
    let mut own_frames = BTreeMap::new();
    let mut translated_svgs = BTreeMap::new();
    for ((edition, _), rendered) in all_editions.iter().zip(rendered) {
        let RenderedEdition {
            files: edition_files,
            svgs: edition_svgs,
            frames: frame_svgs,
        } = rendered?;
        let dir = edition_dir(&edition.tag, &own.tag);
        for (path, bytes) in edition_files {
            files.insert(format!("{dir}{path}"), bytes);
        }
        if edition.tag == own.tag {
            svgs = edition_svgs;
            own_frames = frame_svgs;
        } else {
            translated_svgs.insert(edition.tag.clone(), (dir, edition_svgs, frame_svgs));
        }
    }
    let manifest = build_manifest(
        &book,
        results,
        &data_hashes,
        &svgs,
        &own_frames,
        &translated_svgs,
    );
    files.insert(MANIFEST_PATH.to_string(), manifest.to_json().into_bytes());
    Ok(BuildReport {
        site: Site {
            files,
            lessons: book.lessons.len(),
            experiments: results.len(),
            figures: svgs.len(),
        },
        computed: run.computed,
        cached: run.cached,
        coverage: editions.into_iter().map(|e| e.coverage).collect(),
    })
}

/// The words of one edition: its theme (interface strings), its figures' and its notebooks'.
struct EditionWords {
    theme: Theme,
    figure: FigureText,
    notebook: NotebookText,
}

/// The words of each edition: the book's own language, then each translation in `editions`'
/// order.
fn edition_themes(
    root: &Path,
    english: &ParsedBook,
    editions: &[Edition],
) -> Result<Vec<EditionWords>> {
    let own = english.config.language.as_str();
    std::iter::once(own)
        .chain(editions.iter().map(|e| e.tag.as_str()))
        .map(|tag| {
            let translation = (tag != own).then_some(tag);
            let links = language_links(&english.config, tag);
            Ok(EditionWords {
                theme: load_theme(root)?.for_edition(root, translation, &links)?,
                figure: figure_text(root, tag, own)?,
                notebook: NotebookText::for_edition(root, tag, own)?,
            })
        })
        .collect()
}

/// One edition, drawn and rendered.
struct RenderedEdition {
    /// Its files, by path in the edition's directory.
    files: Vec<(String, Vec<u8>)>,
    /// Its figures' SVGs by id.
    svgs: BTreeMap<String, String>,
    /// Its sweep frames' SVGs by path in the edition's directory.
    frames: BTreeMap<String, String>,
}

/// Draws and renders one edition with its theme and figure words. Drawings come from
/// `drawings` where an earlier build made them.
fn render_edition(
    edition: &Edition,
    results: &BTreeMap<String, Outcome>,
    data_hashes: &BTreeMap<String, String>,
    words: &EditionWords,
    drawings: &DrawingCache,
) -> Result<RenderedEdition> {
    let EditionWords {
        theme,
        figure: text,
        ..
    } = words;
    let svgs = draw_figures(&edition.book, results, data_hashes, text, drawings);
    let frames = draw_frames(
        &edition.book,
        results,
        data_hashes,
        &theme.explorer,
        text,
        drawings,
    );
    check_sweep_weight(&edition.book, results, &svgs, &frames.svgs)?;
    let pages = render_site(
        &edition.book,
        results,
        &svgs,
        &frames.sizes,
        data_hashes,
        theme,
    )?;
    let mut files: Vec<(String, Vec<u8>)> = pages.into_iter().collect();
    for (id, svg) in &svgs {
        files.push((figure_path(id), svg.clone().into_bytes()));
    }
    for (path, svg) in &frames.svgs {
        files.push((path.clone(), svg.clone().into_bytes()));
    }
    Ok(RenderedEdition {
        files,
        svgs,
        frames: frames.svgs,
    })
}

/// What `initbook check` found: everything is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSummary {
    pub lessons: usize,
    pub experiments: usize,
    pub references: usize,
    /// The estimated cost of the book's experiments (see [`crate::budget`]).
    pub cost: crate::budget::BookCost,
    /// How much of each translated edition is translated.
    pub coverage: Vec<Coverage>,
}

impl std::fmt::Display for CheckSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ok: {} lessons, {} experiments, {} inline references\n{}",
            self.lessons,
            self.experiments,
            self.references,
            crate::budget::describe(&self.cost)
        )?;
        for coverage in &self.coverage {
            write!(f, "\n{}", coverage.summary())?;
        }
        Ok(())
    }
}

/// Loads and checks the book and its templates without running or writing anything.
pub fn check_book(root: &Path) -> Result<CheckSummary> {
    let loaded = load_book(root)?;
    let book = parse_book(&loaded)?;
    let editions = crate::i18n::translated_editions(root, &loaded, &book)?;
    edition_themes(root, &book, &editions)?;
    let datasets = load_datasets(root, &book, &DatasetCache::default())?;
    let cost = crate::budget::check_book(&book, &data_shapes(&datasets))?;
    Ok(CheckSummary {
        coverage: editions.into_iter().map(|e| e.coverage).collect(),
        cost,
        lessons: book.lessons.len(),
        experiments: book.experiments().count(),
        references: book.lessons.iter().map(|l| l.references.len()).sum(),
    })
}

/// The frames of the book's sweeps, drawn.
struct DrawnFrames {
    /// SVG by path in the site.
    svgs: BTreeMap<String, String>,
    /// The width and height every frame of a sweep has, by the sweep's id.
    sizes: BTreeMap<String, (u32, u32)>,
}

/// Draws every frame of every sweep that shows a figure, in parallel, each sweep's frames in
/// the layout they share. Each frame is named and described in the words of the theme's
/// explorer strings.
fn draw_frames(
    book: &ParsedBook,
    results: &BTreeMap<String, Outcome>,
    data_hashes: &BTreeMap<String, String>,
    strings: &ExplorerStrings,
    text: &FigureText,
    drawings: &DrawingCache,
) -> DrawnFrames {
    let sweeps: Vec<(&ExperimentSpec, &SweepResult)> = book
        .experiments()
        .filter(|(_, spec)| spec.figure)
        .filter_map(|(_, spec)| match &results[&spec.id] {
            Outcome::Sweep(result) => Some((spec, result)),
            _ => None,
        })
        .collect();
    let sweep_keys: BTreeMap<&str, String> = sweeps
        .iter()
        .map(|&(spec, _)| {
            let key = DrawingCache::figure_key(spec, &data_hashes[&spec.id], text);
            (spec.id.as_str(), key)
        })
        .collect();
    let layouts: BTreeMap<&str, FrameLayout> = sweeps
        .par_iter()
        .map(|&(spec, result)| {
            let id = spec.id.as_str();
            let layout =
                drawings.layout_or(&sweep_keys[id], || sweep_frame_layout(spec, result, text));
            (id, layout)
        })
        .collect();
    let frames: Vec<(&ExperimentSpec, &SweepFrame)> = sweeps
        .iter()
        .flat_map(|&(spec, result)| result.frames.iter().map(move |frame| (spec, frame)))
        .collect();
    let svgs = frames
        .par_iter()
        .map(|&(spec, frame)| {
            let words = frame_text(strings, frame);
            let id = frame_svg_id(spec, frame);
            let layout = &layouts[spec.id.as_str()];
            let key = DrawingCache::frame_key(
                &sweep_keys[spec.id.as_str()],
                &frame.name(),
                &words.title,
                &words.alt,
            );
            let svg = drawings.get_or_draw(key, || {
                draw_sweep_frame(spec, frame, layout, text, &id, &words.title, &words.alt)
            });
            (frame_path(&spec.id, &frame.name()), svg)
        })
        .collect();
    let sizes = layouts
        .iter()
        .map(|(id, layout)| (id.to_string(), (layout.width, layout.height)))
        .collect();
    DrawnFrames { svgs, sizes }
}

/// The sweeps of a page may draw at most [`limits::SWEEP_SVG_PER_PAGE`] bytes of SVG (frames and
/// charts), which a reader may download moving through them. Known only once drawn; reported at
/// the page's heaviest sweep.
fn check_sweep_weight(
    book: &ParsedBook,
    results: &BTreeMap<String, Outcome>,
    svgs: &BTreeMap<String, String>,
    frame_svgs: &BTreeMap<String, String>,
) -> Result<()> {
    let mut diagnostics = Diagnostics::default();
    for lesson in &book.lessons {
        let sweeps: Vec<(&ExperimentSpec, usize, usize)> = lesson
            .experiments
            .iter()
            .filter(|spec| spec.figure)
            .filter_map(|spec| match &results[&spec.id] {
                Outcome::Sweep(result) => Some((spec, result)),
                _ => None,
            })
            .map(|(spec, result)| {
                let frames: usize = result
                    .frames
                    .iter()
                    .map(|frame| frame_svgs[&frame_path(&spec.id, &frame.name())].len())
                    .sum();
                (spec, result.frames.len(), svgs[&spec.id].len() + frames)
            })
            .collect();
        let total: usize = sweeps.iter().map(|(_, _, bytes)| bytes).sum();
        let Some(&(heaviest, frames, bytes)) = sweeps.iter().max_by_key(|(_, _, bytes)| *bytes)
        else {
            continue;
        };
        if total <= limits::SWEEP_SVG_PER_PAGE {
            continue;
        }
        let megabytes = |bytes: usize| format!("{:.1} MB", bytes as f64 / 1e6);
        diagnostics.push(
            lesson
                .source
                .error(
                    heaviest.origin().id_span.clone(),
                    format!(
                        "the sweeps on this page draw {} of SVG, more than {} per page (\"{}\": {frames} frames of {} KB on average, and its chart)",
                        megabytes(total),
                        megabytes(limits::SWEEP_SVG_PER_PAGE),
                        heaviest.id,
                        bytes / frames.max(1) / 1000
                    ),
                )
                .with_hint("sweep fewer σ values or activations, or draw less in each frame: fewer layers or bins"),
        );
    }
    Ok(diagnostics.into_result(())?)
}

/// The shape of each loaded data set, for the work budget.
pub(crate) fn data_shapes(
    datasets: &BTreeMap<String, crate::data::DataFile>,
) -> impl Fn(&str) -> Option<crate::budget::DataShape> + '_ {
    |path| {
        datasets
            .get(path)
            .map(|file| crate::budget::DataShape::of_dataset(&file.dataset))
    }
}

/// Draws every experiment that shows a figure, in parallel, with the words of `text`.
pub(crate) fn draw_figures(
    book: &ParsedBook,
    results: &BTreeMap<String, Outcome>,
    data_hashes: &BTreeMap<String, String>,
    text: &FigureText,
    drawings: &DrawingCache,
) -> BTreeMap<String, String> {
    let specs: Vec<_> = book
        .experiments()
        .map(|(_, spec)| spec)
        .filter(|spec| spec.figure)
        .collect();
    specs
        .par_iter()
        .map(|spec| {
            let key = DrawingCache::figure_key(spec, &data_hashes[&spec.id], text);
            let svg =
                drawings.get_or_draw(key, || draw_figure_with(spec, &results[&spec.id], text));
            (spec.id.clone(), svg)
        })
        .collect()
}
