//! The parsed book: what the parse stage produces and every later stage reads. Lessons with their
//! checked `experiment` directives and resolved inline references.
//!
//! Its own module so that the stages after parse (run, draw, render, the manifest) depend on the
//! model, never on the parser.

pub mod target;

use std::collections::BTreeMap;
use std::ops::Range;

use crate::book::BookConfig;
use crate::diagnostic::SourceFile;
use crate::limits;
use crate::numeric::{Experiment, Kind};
use crate::schema::{Fallback, Key, Lit, Type, Values};
pub use target::{StatRef, Target};

/// One lesson, parsed and checked.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub source: SourceFile,
    /// The output page's file stem (the lesson file's stem).
    pub slug: String,
    /// The text of the lesson's first level-1 heading.
    pub title: String,
    /// Its blurb for the contents page, from the front matter's `description` (plain text).
    pub description: Option<String>,
    pub experiments: Vec<ExperimentSpec>,
    pub references: Vec<StatRef>,
    /// Its section headings (level 2 and deeper), in order, each with its anchor id.
    pub headings: Vec<Heading>,
    /// Its links to figures (`[](#id)`, `[](05-xavier.md#id)`), checked against the book.
    pub figure_refs: Vec<FigureRef>,
    /// Its links with text to another lesson or to an anchor (`[the split](04-std-small.md#split)`,
    /// `[above](#why)`), checked against the book: the lesson exists, and the anchor is one of
    /// its sections, figures or footnotes.
    pub section_links: Vec<FigureRef>,
    /// The labels of its footnotes, which name their anchors.
    pub footnotes: Vec<String>,
}

impl Lesson {
    pub fn experiment(&self, id: &str) -> Option<&ExperimentSpec> {
        self.experiments.iter().find(|e| e.id == id)
    }

    /// The lesson's file name, as other lessons link to it: `05-xavier.md`.
    pub fn file_name(&self) -> &str {
        self.source
            .path
            .file_name()
            .and_then(|name| name.to_str())
            .expect("book.toml only accepts UTF-8 .md names")
    }
}

/// The ids the built-in theme gives elements of every page; a heading's anchor steps aside for
/// them (`## Content` becomes `#content-1`).
pub const THEME_IDS: [&str; 4] = ["content", "search", "search-input", "search-results"];

/// A section heading of a lesson, level 2 or deeper (the level-1 heading is the title).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    /// Its anchor on the page: written as `{#id}` or made from its text, unique on the page and
    /// never an experiment's id.
    pub id: String,
    /// Its text, for messages.
    pub text: String,
    /// Where it is in the lesson.
    pub span: Range<usize>,
}

/// A Markdown link to a lesson's anchor. With empty text it names an experiment:
/// `[](#sigmoid-std1)` on the same page, `[](05-xavier.md#xavier-tanh)` on another, and reads
/// "Figure 3.1" on the site. With text it may name any anchor, or none (a whole lesson).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureRef {
    /// The whole link, `[](…)`; render finds the link by where it starts.
    pub span: Range<usize>,
    /// The lesson file it names (`05-xavier.md`), `None` for this lesson.
    pub lesson: Option<String>,
    /// The id after the `#`: an experiment's for a figure reference; empty for a link with
    /// text to a whole lesson.
    pub id: String,
    /// Where the id is written, for errors.
    pub id_span: Range<usize>,
}

/// The whole book, parsed: ready to run.
#[derive(Debug, Clone)]
pub struct ParsedBook {
    pub config: BookConfig,
    pub lessons: Vec<Lesson>,
}

impl ParsedBook {
    /// Every experiment of the book with the lesson it is on, in reading order.
    pub fn experiments(&self) -> impl Iterator<Item = (&Lesson, &ExperimentSpec)> {
        self.lessons
            .iter()
            .flat_map(|lesson| lesson.experiments.iter().map(move |spec| (lesson, spec)))
    }

    pub fn find_experiment(&self, id: &str) -> Option<&ExperimentSpec> {
        self.experiments()
            .map(|(_, spec)| spec)
            .find(|spec| spec.id == id)
    }

    /// The lesson of a file name as lessons link to it (`05-xavier.md` or `./05-xavier.md`).
    pub fn lesson_by_file(&self, file: &str) -> Option<&Lesson> {
        let file = file.trim_start_matches("./");
        self.lessons
            .iter()
            .find(|lesson| lesson.file_name() == file)
    }

    /// The number of every numbered experiment (one that shows a figure or a table), by id:
    /// "3.2" is the second numbered block of the third lesson. Captions and cross-references
    /// both read it from here.
    pub fn figure_numbers(&self) -> BTreeMap<&str, String> {
        self.figure_numbers_by(|chapter| (chapter + 1).to_string())
    }

    /// [`Self::figure_numbers`] with each lesson's chapter named by `chapter_number` from its
    /// index: an mdBook's chapter is its section number ("2.1"), not its place among lessons.
    pub fn figure_numbers_by(
        &self,
        chapter_number: impl Fn(usize) -> String,
    ) -> BTreeMap<&str, String> {
        let mut numbers = BTreeMap::new();
        for (chapter, lesson) in self.lessons.iter().enumerate() {
            let chapter = chapter_number(chapter);
            let numbered = lesson.experiments.iter().filter(|spec| spec.numbered());
            for (n, spec) in numbered.enumerate() {
                numbers.insert(spec.id.as_str(), format!("{chapter}.{}", n + 1));
            }
        }
        numbers
    }
}

/// One `experiment` block, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentSpec {
    /// Unique in the book; names the figure file and the `initbook run` handle.
    pub id: String,
    pub caption: String,
    /// Text alternative for the figure, for screen readers.
    pub alt: String,
    pub seed: u64,
    pub experiment: Experiment,
    /// The block's keys of its kind, checked, defaults filled in: what `experiment` was built
    /// from, and what `initbook run` lays its flags over.
    pub values: Values,
    /// A training experiment's data set, as written (relative to `content/`), and where.
    pub data: Option<DataSource>,
    /// Show the statistics table.
    pub table: bool,
    /// Draw the figure (default). Without figure and table the block renders as a compact card.
    pub figure: bool,
    /// Where the block is in its lesson; `None` for an experiment described by `initbook run`'s
    /// flags alone.
    pub origin: Option<Origin>,
}

/// Where an experiment block is in its lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The line of its opening fence, for messages, the manifest and the reproduce panel.
    pub line: usize,
    /// Byte span of the `id` value, to point at duplicates.
    pub id_span: Range<usize>,
}

impl ExperimentSpec {
    /// Whether the block is numbered ("Figure 3.1"): it shows a figure or a table (a sweep only a
    /// figure, its explorer; a sweep without one is a compact card). Only numbered blocks can be
    /// cross-referenced.
    pub fn numbered(&self) -> bool {
        self.figure || (self.table && !matches!(self.experiment, Experiment::Sweep(_)))
    }

    /// Where a lesson's experiment is. Every experiment of a parsed book has an origin.
    pub fn origin(&self) -> &Origin {
        self.origin
            .as_ref()
            .expect("an experiment of a lesson has an origin")
    }

    /// Clip the figure's y axis at this count (taller bars are cut and labelled), to show the
    /// shape of the rest when one bin towers over the others, like ReLU's zeros.
    pub fn y_max(&self) -> Option<u64> {
        self.values.try_int("y_max").map(|n| n as u64)
    }

    /// The `initbook run` command that reproduces the block exactly: its figure (drawn with the
    /// words of the edition `lang`, when a translation's), or its numbers when it shows none.
    pub fn reproduce_command(&self, lang: Option<&str>) -> String {
        let (id, seed) = (&self.id, self.seed);
        let lang = lang.map(|tag| format!(" --lang {tag}")).unwrap_or_default();
        if self.figure {
            format!("initbook run {id} --seed {seed}{lang} --svg {id}.svg")
        } else {
            format!("initbook run {id} --seed {seed} --json")
        }
    }

    /// Moving-average window of a training figure's loss curves (iterations); 1 (no smoothing)
    /// for kinds without the key.
    pub fn smooth(&self) -> usize {
        self.values.try_count("smooth").unwrap_or(1)
    }
}

/// The keys every kind takes.
pub const COMMON_KEYS: [Key; 7] = [
    Key {
        name: "id",
        ty: Type::Id,
        default: Fallback::Required,
        doc: "names the figure (`figures/ID.svg`, `#ID`) and the `initbook run` handle",
        example: Some(Lit::Text("sigmoid-std1")),
        flag: false,
    },
    Key {
        name: "caption",
        ty: Type::Text,
        default: Fallback::Required,
        doc: "the figure caption, and the SVG's `<title>`",
        example: Some(Lit::Text("σ = 1: sigmoid activations pile up at 0 and 1")),
        flag: false,
    },
    Key {
        name: "alt",
        ty: Type::Text,
        default: Fallback::Required,
        doc: "what the figure shows, for screen readers (the SVG's `<desc>`)",
        example: Some(Lit::Verbatim(
            "\"Five histograms, one per layer, ...\" (what the figure shows, for screen readers)",
        )),
        flag: false,
    },
    Key {
        name: "seed",
        ty: Type::Integer {
            min: limits::SEED.0,
            max: limits::SEED.1,
        },
        default: Fallback::Required,
        doc: "seed of the experiment's ChaCha8 generator",
        example: Some(Lit::Int(42)),
        flag: true,
    },
    Key {
        name: "kind",
        ty: Type::Choice(&Kind::NAMES),
        default: Fallback::Value(Lit::Text("activations")),
        doc: "what the experiment runs (the kinds above)",
        example: None,
        flag: false,
    },
    Key {
        name: "table",
        ty: Type::Bool,
        default: Fallback::Value(Lit::Bool(false)),
        doc: "show the statistics table under the figure",
        example: None,
        flag: false,
    },
    Key {
        name: "figure",
        ty: Type::Bool,
        default: Fallback::Value(Lit::Bool(true)),
        doc: "draw the figure; with `figure = false` the block is a compact card whose numbers the prose can use",
        example: None,
        flag: false,
    },
];

/// Where a training experiment's data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSource {
    /// As written in the directive: relative to `content/`.
    pub path: String,
    /// Byte span of the value in the lesson, for errors while loading it.
    pub span: Range<usize>,
}
