//! The `experiment` directive: a fenced code block of TOML, checked key by key.
//!
//! Every problem is reported at the `file:line:col` of the key or value that caused it, with a
//! hint; all problems of a block are reported together. Sizes are checked here, before anything
//! is allocated, so a typo like `nodes = 1000000` is an error and not an out-of-memory kill.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, suggest};
use crate::numeric::depth::DepthParams;
use crate::numeric::gradients::GradientParams;
use crate::numeric::network::LabelledInit;
use crate::numeric::training::TrainingParams;
use crate::numeric::{Activation, ActivationParams, Experiment, Init};

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
    /// A training experiment's data set, as written (relative to `content/`), and where.
    pub data: Option<DataSource>,
    /// Show the statistics table.
    pub table: bool,
    /// Draw the figure (default). Without figure and table the block renders as a compact card.
    pub figure: bool,
    /// Clip the figure's y axis at this count (taller bars are cut and labelled), to show the
    /// shape of the rest when one bin towers over the others, like ReLU's zeros.
    pub y_max: Option<u64>,
    /// Moving-average window of a training figure's loss curves (iterations).
    pub smooth: usize,
    /// Where the block starts (its opening fence), for messages and the reproduce panel.
    pub line: usize,
    /// Byte span of the `id` value, to point at duplicates.
    pub id_span: Range<usize>,
}

/// Where a training experiment's data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSource {
    /// As written in the directive: relative to `content/`.
    pub path: String,
    /// Byte span of the value in the lesson, for errors while loading it.
    pub span: Range<usize>,
}

/// Limits checked before running anything. Each is far above what a lesson needs and far below
/// what would exhaust a laptop.
pub mod limits {
    pub const LAYERS: (i64, i64) = (1, 100);
    pub const NODES: (i64, i64) = (1, 2048);
    pub const SAMPLES: (i64, i64) = (1, 100_000);
    pub const BINS: (i64, i64) = (1, 1000);
    pub const STD: (f64, f64) = (0.0, 100.0);
    /// Largest absolute value allowed at either end of `range`.
    pub const RANGE_MAGNITUDE: f64 = 1e6;
    /// `samples × nodes`: one activation matrix (three are alive at a time), 80 MB.
    pub const MATRIX_ELEMENTS: u128 = 10_000_000;
    /// `samples × nodes² × layers` multiply-adds: a few seconds on one core.
    pub const WORK: u128 = 10_000_000_000;
    pub const ID_LENGTH: usize = 64;
    pub const Y_MAX: (i64, i64) = (1, i64::MAX);
    pub const DEPTH_LAYERS: (i64, i64) = (1, 200);
    pub const CLASSES: (i64, i64) = (2, 1000);
    pub const COMPARE: usize = 8;
    pub const TRAINING_LAYERS: (i64, i64) = (1, 20);
    pub const TRAINING_NODES: (i64, i64) = (1, 1024);
    pub const BATCH: (i64, i64) = (1, 4096);
    pub const ITERATIONS: (i64, i64) = (1, 100_000);
    pub const LEARNING_RATE: (f64, f64) = (0.0, 10.0);
    pub const SMOOTH: (i64, i64) = (1, 10_000);
    /// Activation matrices a gradient experiment keeps for the backward pass.
    pub const STORED_ELEMENTS: u128 = 20_000_000;
    /// Multiply-adds of one training run (forward and backward): well under a minute.
    pub const TRAINING_WORK: u128 = 200_000_000_000;

    /// [`size_problem`], and the activations a gradient experiment keeps for the backward pass.
    pub fn gradient_size_problem(layers: usize, nodes: usize, samples: usize) -> Option<String> {
        let stored = layers as u128 * samples as u128 * nodes as u128;
        size_problem(layers, nodes, samples).or_else(|| {
            (stored > STORED_ELEMENTS).then(|| {
                format!(
                    "layers × samples × nodes = {stored} activations to keep for the backward pass is too many (at most {STORED_ELEMENTS})"
                )
            })
        })
    }

    /// Multiply-adds of a training run, from what the directive knows (the input width is only
    /// known once the data is read; `nodes` stands in for it).
    pub fn training_work(layers: usize, nodes: usize, batch: usize, iterations: usize) -> u128 {
        3 * (layers as u128 + 1) * (nodes as u128).pow(2) * batch as u128 * iterations as u128
    }

    /// The combined size bounds, checked before anything is allocated.
    pub fn size_problem(layers: usize, nodes: usize, samples: usize) -> Option<String> {
        let elements = samples as u128 * nodes as u128;
        let work = elements * nodes as u128 * layers as u128;
        if elements > MATRIX_ELEMENTS {
            Some(format!(
                "samples × nodes = {elements} is too large (at most {MATRIX_ELEMENTS})"
            ))
        } else if work > WORK {
            Some(format!(
                "samples × nodes² × layers = {work} multiply-adds is too large (at most {WORK})"
            ))
        } else {
            None
        }
    }
}

/// Keys every kind takes.
pub const COMMON_KEYS: [&str; 7] = ["id", "caption", "alt", "seed", "kind", "table", "figure"];

/// The keys of each kind, besides the common ones, in the order the reference documents them.
pub fn kind_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "activations" => &[
            "init",
            "std",
            "activation",
            "layers",
            "nodes",
            "samples",
            "bins",
            "range",
            "y_max",
        ],
        "gradients" => &[
            "init",
            "std",
            "activation",
            "layers",
            "nodes",
            "samples",
            "classes",
            "bins",
            "range",
            "y_max",
        ],
        "depth" => &["activation", "layers", "nodes", "samples", "compare"],
        "training" => &[
            "activation",
            "layers",
            "nodes",
            "learning_rate",
            "batch",
            "iterations",
            "test_fraction",
            "data",
            "compare",
            "smooth",
        ],
        _ => &[],
    }
}

/// Every key any kind knows.
pub fn all_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = COMMON_KEYS.to_vec();
    for kind in Experiment::KINDS {
        for key in kind_keys(kind) {
            if !keys.contains(key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// The text inside a code block, with a map back to byte offsets in the Markdown file.
///
/// pulldown-cmark hands the block over in pieces (one per line when the block is indented), so
/// each piece remembers where it came from.
#[derive(Debug, Default, Clone)]
pub struct BlockText {
    pub text: String,
    /// `(offset in text, offset in file)` at the start of each piece.
    pieces: Vec<(usize, usize)>,
}

impl BlockText {
    pub fn push(&mut self, piece: &str, file_offset: usize) {
        self.pieces.push((self.text.len(), file_offset));
        self.text.push_str(piece);
    }

    pub fn file_offset(&self, text_offset: usize) -> usize {
        let index = self
            .pieces
            .partition_point(|&(start, _)| start <= text_offset)
            .saturating_sub(1);
        match self.pieces.get(index) {
            Some(&(text_start, file_start)) => file_start + (text_offset - text_start),
            None => text_offset,
        }
    }

    fn file_span(&self, span: Range<usize>) -> Range<usize> {
        self.file_offset(span.start)..self.file_offset(span.end)
    }
}

/// Parses and checks one block. `fence` is the span of the whole fenced block in the file.
pub fn parse_experiment(
    file: &SourceFile,
    block: &BlockText,
    fence: Range<usize>,
) -> Result<ExperimentSpec, Diagnostics> {
    let (table, syntax_errors) = DeTable::parse_recoverable(&block.text);
    if !syntax_errors.is_empty() {
        let diagnostics = syntax_errors
            .iter()
            .map(|error| {
                let span = block.file_span(error.span().unwrap_or(0..0));
                file.error(
                    span,
                    format!("invalid TOML: {}", error.message().trim_end()),
                )
                .with_hint("the block holds TOML: key = value, one per line; strings in \"quotes\"")
            })
            .collect();
        return Err(Diagnostics(diagnostics));
    }
    let mut checker = Checker {
        file,
        block,
        fence,
        diagnostics: Diagnostics::default(),
        suggested: Vec::new(),
    };
    let spec = checker.check(table.get_ref());
    match spec {
        Some(spec) if checker.diagnostics.is_empty() => Ok(spec),
        _ => Err(checker.diagnostics),
    }
}

/// The `id` a block declares, even if the block has other errors: references to a broken
/// experiment are then not reported as references to a missing one.
pub fn declared_id(block: &BlockText) -> Option<String> {
    let (table, _) = DeTable::parse_recoverable(&block.text);
    let (_, value) = table
        .get_ref()
        .iter()
        .find(|(key, _)| key.get_ref() == "id")?;
    value.get_ref().as_str().map(str::to_string)
}

/// What [`Checker::network_keys`] read; `None` where a problem was reported.
struct NetworkKeys {
    init: Option<Init>,
    activation: Option<Activation>,
    layers: Option<usize>,
    nodes: Option<usize>,
    samples: Option<usize>,
    bins: Option<usize>,
}

struct Checker<'a> {
    file: &'a SourceFile,
    block: &'a BlockText,
    fence: Range<usize>,
    diagnostics: Diagnostics,
    /// Keys suggested for misspelled ones: not reported again as missing.
    suggested: Vec<String>,
}

type Entry<'t, 'i> = (
    &'t Spanned<std::borrow::Cow<'i, str>>,
    &'t Spanned<DeValue<'i>>,
);

impl Checker<'_> {
    fn at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.file.error(self.block.file_span(span), message)
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn check(&mut self, table: &DeTable<'_>) -> Option<ExperimentSpec> {
        // Report in source order, whatever order the table keeps its keys in.
        let mut entries: Vec<Entry<'_, '_>> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        let find = |name: &str| entries.iter().copied().find(|(k, _)| k.get_ref() == name);

        let kind = match find("kind") {
            Some(entry) => self.required_choice(Some(entry), "kind", &Experiment::KINDS),
            None => Some("activations".to_string()),
        };
        self.check_keys(&entries, kind.as_deref());
        let kind = kind?;

        let id = self.required_string(find("id"), "id", "id = \"sigmoid-std1\"");
        let id_span = find("id").map(|(_, v)| self.block.file_span(v.span()));
        if let (Some(id), Some((_, value))) = (&id, find("id"))
            && let Some(problem) = id_problem(id)
        {
            let diagnostic = self.at(value.span(), problem).with_hint(
                "ids use lowercase letters, digits and single dashes, e.g. \"xavier-tanh\"",
            );
            self.report(diagnostic);
        }
        let caption = self.required_string(
            find("caption"),
            "caption",
            "caption = \"σ = 1: sigmoid activations pile up at 0 and 1\"",
        );
        let alt = self.required_string(
            find("alt"),
            "alt",
            "alt = \"Five histograms, one per layer, ...\" (what the figure shows, for screen readers)",
        );
        let seed = match find("seed") {
            Some(entry) => self.integer(entry, (0, i64::MAX)).map(|s| s as u64),
            None => {
                self.missing("seed", "seed = 42");
                None
            }
        };
        let table = self.optional_bool(find("table"), false);
        let figure = self.optional_bool(find("figure"), true);
        let y_max = match find("y_max") {
            Some(entry) => self.integer(entry, limits::Y_MAX).map(|n| Some(n as u64)),
            None => Some(None),
        };
        let smooth = self.optional_integer(find("smooth"), limits::SMOOTH, 25);

        let (experiment, data) = match kind.as_str() {
            "activations" => (
                self.activations(&entries, &find)
                    .map(Experiment::Activations),
                Some(None),
            ),
            "gradients" => (
                self.gradients(&entries, &find).map(Experiment::Gradients),
                Some(None),
            ),
            "depth" => (
                self.depth(&entries, &find).map(Experiment::Depth),
                Some(None),
            ),
            _ => {
                let data = match find("data") {
                    Some(entry) => self.data_source(entry).map(Some),
                    None => {
                        self.missing(
                            "data",
                            "data = \"data/digits.csv.gz\" (relative to content/)",
                        );
                        None
                    }
                };
                (
                    self.training(&entries, &find).map(Experiment::Training),
                    data,
                )
            }
        };

        let (line, _) = self.file.line_col(self.fence.start);
        Some(ExperimentSpec {
            id: id?,
            caption: caption?,
            alt: alt?,
            seed: seed?,
            experiment: experiment?,
            data: data?,
            table: table?,
            figure: figure?,
            y_max: y_max?,
            smooth: smooth?,
            line,
            id_span: id_span?,
        })
    }

    /// Unknown keys, and keys of another kind than this block's.
    fn check_keys(&mut self, entries: &[Entry<'_, '_>], kind: Option<&str>) {
        let allowed: Vec<&str> = match kind {
            Some(kind) => COMMON_KEYS.iter().chain(kind_keys(kind)).copied().collect(),
            None => all_keys(),
        };
        let known = all_keys();
        for (key, _) in entries {
            let name = key.get_ref().as_ref();
            if allowed.contains(&name) {
                continue;
            }
            let diagnostic = if known.contains(&name) {
                let kind = kind.unwrap_or("activations");
                let takes: Vec<&str> = Experiment::KINDS
                    .into_iter()
                    .filter(|k| kind_keys(k).contains(&name))
                    .collect();
                self.at(
                    key.span(),
                    format!("`{name}` does not apply to kind = \"{kind}\""),
                )
                .with_hint(format!(
                    "`{name}` belongs to kind = {}; this kind takes: {}",
                    quoted_list(&takes),
                    allowed.join(", ")
                ))
            } else {
                let hint = match suggest(name, &allowed) {
                    Some(close) => {
                        let hint = format!("did you mean `{close}`?");
                        self.suggested.push(close);
                        hint
                    }
                    None => format!("known keys: {}", allowed.join(", ")),
                };
                self.at(
                    key.span(),
                    format!("unknown key `{name}` in experiment block"),
                )
                .with_hint(hint)
            };
            self.report(diagnostic);
        }
    }

    /// `init` and, for the normal scheme, `std`, from `entries` (the block, or one `compare`
    /// entry).
    fn init<'t, 'i>(&mut self, find: &dyn Fn(&str) -> Option<Entry<'t, 'i>>) -> Option<Init> {
        let init_name = self.required_choice(find("init"), "init", &Init::NAMES);
        let std = find("std").and_then(|entry| self.float(entry, limits::STD));
        match (init_name.as_deref(), find("std")) {
            (Some("normal"), None) => {
                self.missing(
                    "std",
                    "std = 0.01 (init = \"normal\" needs its standard deviation)",
                );
                None
            }
            (Some("normal"), Some(_)) => std.map(|std| Init::Normal { std }),
            (Some(other), Some((key, _))) => {
                let diagnostic = self
                    .at(key.span(), format!("`std` does not apply to init = \"{other}\""))
                    .with_hint(
                        "only init = \"normal\" takes a std; xavier and he derive it from the fan-in",
                    );
                self.report(diagnostic);
                None
            }
            (Some("zero"), None) => Some(Init::Zero),
            (Some("xavier"), None) => Some(Init::Xavier),
            (Some("he"), None) => Some(Init::He),
            _ => None,
        }
    }

    fn activation(
        &mut self,
        entry: Option<Entry<'_, '_>>,
        default: Option<Activation>,
    ) -> Option<Activation> {
        if entry.is_none()
            && let Some(default) = default
        {
            return Some(default);
        }
        self.required_choice(entry, "activation", &Activation::NAMES)
            .and_then(|name| Activation::from_name(&name))
    }

    /// The keys activation and gradient experiments share: the network and its histograms.
    fn network_keys<'t, 'i>(
        &mut self,
        find: &dyn Fn(&str) -> Option<Entry<'t, 'i>>,
    ) -> NetworkKeys {
        NetworkKeys {
            init: self.init(find),
            activation: self.activation(find("activation"), None),
            layers: self.optional_integer(find("layers"), limits::LAYERS, 5),
            nodes: self.optional_integer(find("nodes"), limits::NODES, 100),
            samples: self.optional_integer(find("samples"), limits::SAMPLES, 1000),
            bins: self.optional_integer(find("bins"), limits::BINS, 30),
        }
    }

    fn activations<'t, 'i>(
        &mut self,
        entries: &[Entry<'t, 'i>],
        find: &dyn Fn(&str) -> Option<Entry<'t, 'i>>,
    ) -> Option<ActivationParams> {
        let keys = self.network_keys(find);
        let range = match find("range") {
            Some(entry) => self.range(entry),
            None => Some((0.0, 1.0)),
        };
        let (layers, nodes, samples) = (keys.layers?, keys.nodes?, keys.samples?);
        if let Some(problem) = limits::size_problem(layers, nodes, samples) {
            self.report_size(entries, problem, layers, nodes, samples);
            return None;
        }
        Some(ActivationParams {
            init: keys.init?,
            activation: keys.activation?,
            layers,
            nodes,
            samples,
            bins: keys.bins?,
            range: range?,
        })
    }

    fn gradients<'t, 'i>(
        &mut self,
        entries: &[Entry<'t, 'i>],
        find: &dyn Fn(&str) -> Option<Entry<'t, 'i>>,
    ) -> Option<GradientParams> {
        let keys = self.network_keys(find);
        let classes = self.optional_integer(find("classes"), limits::CLASSES, 10);
        let range = match find("range") {
            Some(entry) => self.range(entry).map(Some),
            None => Some(None),
        };
        let (layers, nodes, samples) = (keys.layers?, keys.nodes?, keys.samples?);
        if let Some(problem) = limits::gradient_size_problem(layers, nodes, samples) {
            self.report_size(entries, problem, layers, nodes, samples);
            return None;
        }
        Some(GradientParams {
            init: keys.init?,
            activation: keys.activation?,
            layers,
            nodes,
            samples,
            classes: classes?,
            bins: keys.bins?,
            range: range?,
        })
    }

    fn depth<'t, 'i>(
        &mut self,
        entries: &[Entry<'t, 'i>],
        find: &dyn Fn(&str) -> Option<Entry<'t, 'i>>,
    ) -> Option<DepthParams> {
        let activation = self.activation(find("activation"), None);
        let layers = self.optional_integer(find("layers"), limits::DEPTH_LAYERS, 50);
        let nodes = self.optional_integer(find("nodes"), limits::NODES, 100);
        let samples = self.optional_integer(find("samples"), limits::SAMPLES, 1000);
        let runs = self.compare(find("compare"));
        let (layers, nodes, samples) = (layers?, nodes?, samples?);
        if let Some(problem) = limits::size_problem(layers, nodes, samples) {
            self.report_size(entries, problem, layers, nodes, samples);
            return None;
        }
        Some(DepthParams {
            activation: activation?,
            layers,
            nodes,
            samples,
            runs: runs?,
        })
    }

    fn training<'t, 'i>(
        &mut self,
        entries: &[Entry<'t, 'i>],
        find: &dyn Fn(&str) -> Option<Entry<'t, 'i>>,
    ) -> Option<TrainingParams> {
        let activation = self.activation(find("activation"), Some(Activation::Relu));
        let layers = self.optional_integer(find("layers"), limits::TRAINING_LAYERS, 4);
        let nodes = self.optional_integer(find("nodes"), limits::TRAINING_NODES, 100);
        let learning_rate = match find("learning_rate") {
            Some(entry) => self.float(entry, limits::LEARNING_RATE),
            None => Some(0.01),
        };
        let batch = self.optional_integer(find("batch"), limits::BATCH, 128);
        let iterations = self.optional_integer(find("iterations"), limits::ITERATIONS, 1000);
        let test_fraction = match find("test_fraction") {
            Some(entry) => self.float(entry, (0.0, 0.9)),
            None => Some(0.2),
        };
        let runs = self.compare(find("compare"));
        let (layers, nodes, batch, iterations) = (layers?, nodes?, batch?, iterations?);
        let work = limits::training_work(layers, nodes, batch, iterations);
        if work > limits::TRAINING_WORK {
            let problem = format!(
                "about {work} multiply-adds per training run is too much (at most {})",
                limits::TRAINING_WORK
            );
            let blamed = ["iterations", "batch", "nodes", "layers"]
                .into_iter()
                .find_map(|name| entries.iter().find(|(k, _)| k.get_ref() == name))
                .map(|(_, value)| value.span());
            let diagnostic = match blamed {
                Some(span) => self.at(span, problem),
                None => self.file.error(self.fence.clone(), problem),
            };
            self.report(diagnostic.with_hint("lower iterations, batch, nodes or layers"));
            return None;
        }
        Some(TrainingParams {
            activation: activation?,
            hidden_layers: layers,
            nodes,
            learning_rate: learning_rate?,
            batch,
            iterations,
            test_fraction: test_fraction?,
            runs: runs?,
        })
    }

    fn data_source(&mut self, entry: Entry<'_, '_>) -> Option<DataSource> {
        let path = self.required_string(Some(entry), "data", "data = \"data/digits.csv.gz\"")?;
        let span = self.block.file_span(entry.1.span());
        let escapes = path.starts_with('/')
            || path.contains('\\')
            || path.split('/').any(|part| part == "..");
        if escapes {
            let diagnostic = self
                .at(
                    entry.1.span(),
                    format!("data path \"{path}\" leaves content/"),
                )
                .with_hint("give a path inside content/, e.g. \"data/digits.csv.gz\"");
            self.report(diagnostic);
            return None;
        }
        Some(DataSource { path, span })
    }

    /// `compare = [{ init = "normal", std = 0.01 }, { init = "he", label = "he" }]`
    fn compare(&mut self, entry: Option<Entry<'_, '_>>) -> Option<Vec<LabelledInit>> {
        let example = "compare = [{ init = \"xavier\" }, { init = \"he\" }]";
        let Some(entry) = entry else {
            self.missing("compare", example);
            return None;
        };
        let DeValue::Array(items) = entry.1.get_ref() else {
            self.wrong_type(entry, "an array of schemes", example);
            return None;
        };
        if items.is_empty() || items.len() > limits::COMPARE {
            let diagnostic = self
                .at(
                    entry.1.span(),
                    format!("`compare` lists {} schemes", items.len()),
                )
                .with_hint(format!(
                    "compare 1 to {} schemes, e.g. {example}",
                    limits::COMPARE
                ));
            self.report(diagnostic);
            return None;
        }
        let mut runs: Vec<LabelledInit> = Vec::new();
        let mut complete = true;
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                let diagnostic = self
                    .at(item.span(), "each scheme in `compare` is a table")
                    .with_hint("e.g. { init = \"normal\", std = 0.01 }");
                self.report(diagnostic);
                complete = false;
                continue;
            };
            let fields: Vec<Entry<'_, '_>> = table.iter().collect();
            for (key, _) in &fields {
                let name = key.get_ref().as_ref();
                if !["init", "std", "label"].contains(&name) {
                    let diagnostic = self
                        .at(
                            key.span(),
                            format!("unknown key `{name}` in a `compare` scheme"),
                        )
                        .with_hint("a scheme takes init, std (for init = \"normal\") and label");
                    self.report(diagnostic);
                    complete = false;
                }
            }
            let find = |name: &str| fields.iter().copied().find(|(k, _)| k.get_ref() == name);
            // A missing init inside a scheme is reported at the scheme, not at the fence.
            if find("init").is_none() {
                let diagnostic = self
                    .at(item.span(), "this scheme has no `init`")
                    .with_hint("e.g. { init = \"he\" }");
                self.report(diagnostic);
                complete = false;
                continue;
            }
            let is_normal =
                matches!(find("init"), Some((_, v)) if v.get_ref().as_str() == Some("normal"));
            if is_normal && find("std").is_none() {
                let diagnostic = self
                    .at(
                        item.span(),
                        "this scheme has init = \"normal\" but no `std`",
                    )
                    .with_hint("e.g. { init = \"normal\", std = 0.01 }");
                self.report(diagnostic);
                complete = false;
                continue;
            }
            let init = self.init(&find);
            let label = match find("label") {
                Some(label_entry) => {
                    let label =
                        self.required_string(Some(label_entry), "label", "label = \"small\"");
                    if let Some(label) = &label
                        && id_problem(label).is_some()
                    {
                        let diagnostic = self
                            .at(label_entry.1.span(), format!("invalid label \"{label}\""))
                            .with_hint("labels name the scheme in references: lowercase letters, digits and dashes");
                        self.report(diagnostic);
                    }
                    label
                }
                None => init.map(|init| init.name().to_string()),
            };
            match (init, label) {
                (Some(init), Some(label)) => {
                    if runs.iter().any(|r| r.label == label) {
                        let diagnostic = self
                            .at(item.span(), format!("two schemes are labelled \"{label}\""))
                            .with_hint("give each scheme its own label, e.g. label = \"small\"");
                        self.report(diagnostic);
                        complete = false;
                    }
                    runs.push(LabelledInit { label, init });
                }
                _ => complete = false,
            }
        }
        complete.then_some(runs)
    }

    /// Reports a missing key at the opening fence, unless a misspelling of it was reported.
    fn missing(&mut self, key: &str, example: &str) {
        if self.suggested.iter().any(|s| s == key) {
            return;
        }
        let fence = self.fence.clone();
        let first_line_end = self.file.text[fence.clone()]
            .find('\n')
            .map_or(fence.end, |i| fence.start + i);
        let diagnostic = self
            .file
            .error(
                fence.start..first_line_end,
                format!("experiment block is missing `{key}`"),
            )
            .with_hint(format!("add e.g. {example}"));
        self.report(diagnostic);
    }

    fn wrong_type(&mut self, entry: Entry<'_, '_>, expected: &str, example: &str) {
        let (key, value) = entry;
        let diagnostic = self
            .at(
                value.span(),
                format!(
                    "`{}` must be {expected}, found {}",
                    key.get_ref(),
                    describe(value.get_ref())
                ),
            )
            .with_hint(format!("e.g. {example}"));
        self.report(diagnostic);
    }

    fn required_string(
        &mut self,
        entry: Option<Entry<'_, '_>>,
        key: &str,
        example: &str,
    ) -> Option<String> {
        let Some(entry) = entry else {
            self.missing(key, example);
            return None;
        };
        match entry.1.get_ref() {
            DeValue::String(text) if text.trim().is_empty() => {
                let diagnostic = self
                    .at(entry.1.span(), format!("`{key}` is empty"))
                    .with_hint(format!("e.g. {example}"));
                self.report(diagnostic);
                None
            }
            DeValue::String(text) => Some(text.to_string()),
            _ => {
                self.wrong_type(entry, "a string", example);
                None
            }
        }
    }

    fn required_choice(
        &mut self,
        entry: Option<Entry<'_, '_>>,
        key: &str,
        choices: &[&str],
    ) -> Option<String> {
        let example = format!("{key} = \"{}\"", choices[choices.len() - 1]);
        let text = self.required_string(entry, key, &example)?;
        if choices.contains(&text.as_str()) {
            return Some(text);
        }
        let (_, value) = entry.expect("a string was found, so the entry exists");
        let mut hint = format!("one of {}", quoted_list(choices));
        if let Some(close) = suggest(&text, choices) {
            hint = format!("did you mean \"{close}\"? ({hint})");
        }
        let diagnostic = self
            .at(value.span(), format!("unknown {key} \"{text}\""))
            .with_hint(hint);
        self.report(diagnostic);
        None
    }

    fn integer(&mut self, entry: Entry<'_, '_>, (lo, hi): (i64, i64)) -> Option<i64> {
        let (key, value) = entry;
        let key = key.get_ref().to_string();
        let DeValue::Integer(integer) = value.get_ref() else {
            self.wrong_type(entry, "an integer", &format!("{key} = {}", lo.max(1)));
            return None;
        };
        match i64::from_str_radix(integer.as_str(), integer.radix()).ok() {
            Some(n) if (lo..=hi).contains(&n) => Some(n),
            _ => {
                let hint = if hi == i64::MAX {
                    format!("{key} must be a whole number from {lo} to {hi}")
                } else {
                    format!("{key} must be between {lo} and {hi}")
                };
                let diagnostic = self
                    .at(value.span(), format!("`{key}` = {integer} is out of range"))
                    .with_hint(hint);
                self.report(diagnostic);
                None
            }
        }
    }

    fn optional_integer(
        &mut self,
        entry: Option<Entry<'_, '_>>,
        bounds: (i64, i64),
        default: usize,
    ) -> Option<usize> {
        match entry {
            Some(entry) => self.integer(entry, bounds).map(|n| n as usize),
            None => Some(default),
        }
    }

    /// A finite number in `(lo, hi]`.
    fn float(&mut self, entry: Entry<'_, '_>, (lo, hi): (f64, f64)) -> Option<f64> {
        let (key, value) = entry;
        let key = key.get_ref().to_string();
        let Some(number) = number_value(value.get_ref()) else {
            self.wrong_type(entry, "a number", &format!("{key} = 0.01"));
            return None;
        };
        if number.is_finite() && number > lo && number <= hi {
            return Some(number);
        }
        let diagnostic = self
            .at(value.span(), format!("`{key}` = {number} is out of range"))
            .with_hint(format!("{key} must be greater than {lo} and at most {hi}"));
        self.report(diagnostic);
        None
    }

    fn optional_bool(&mut self, entry: Option<Entry<'_, '_>>, default: bool) -> Option<bool> {
        let Some(entry) = entry else {
            return Some(default);
        };
        match entry.1.get_ref() {
            DeValue::Boolean(flag) => Some(*flag),
            _ => {
                let example = format!("{} = {}", entry.0.get_ref(), !default);
                self.wrong_type(entry, "true or false", &example);
                None
            }
        }
    }

    fn range(&mut self, entry: Entry<'_, '_>) -> Option<(f64, f64)> {
        let (_, value) = entry;
        let items = match value.get_ref() {
            DeValue::Array(items) if items.len() == 2 => items,
            _ => {
                self.wrong_type(entry, "two numbers [lo, hi]", "range = [0.0, 1.0]");
                return None;
            }
        };
        let mut ends = [0.0; 2];
        for (end, item) in ends.iter_mut().zip(items.iter()) {
            match number_value(item.get_ref()) {
                Some(n) if n.is_finite() && n.abs() <= limits::RANGE_MAGNITUDE => *end = n,
                _ => {
                    let diagnostic = self
                        .at(item.span(), "each end of `range` must be a finite number")
                        .with_hint(format!(
                            "e.g. range = [-1.0, 1.0]; ends within ±{:e}",
                            limits::RANGE_MAGNITUDE
                        ));
                    self.report(diagnostic);
                    return None;
                }
            }
        }
        if !(ends[1] - ends[0]).is_normal() || ends[0] >= ends[1] {
            let diagnostic = self
                .at(value.span(), "`range` must go from low to high")
                .with_hint("the first number is the low end, e.g. range = [-1.0, 1.0]");
            self.report(diagnostic);
            return None;
        }
        Some((ends[0], ends[1]))
    }

    /// Reports a size bound at the key furthest above its default (or at the fence).
    fn report_size(
        &mut self,
        entries: &[Entry<'_, '_>],
        problem: String,
        layers: usize,
        nodes: usize,
        samples: usize,
    ) {
        let ratios = [
            ("nodes", nodes as f64 / 100.0),
            ("samples", samples as f64 / 1000.0),
            ("layers", layers as f64 / 5.0),
        ];
        let blamed = ratios
            .into_iter()
            .filter_map(|(name, ratio)| {
                let (_, value) = entries.iter().find(|(k, _)| k.get_ref() == name)?;
                Some((ratio, value.span()))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let diagnostic = match blamed {
            Some((_, span)) => self.at(span, problem),
            None => self.file.error(self.fence.clone(), problem),
        };
        self.report(diagnostic.with_hint(
            "lower nodes, samples or layers; the classic experiment is 1000 samples × 100 nodes × 5 layers",
        ));
    }
}

/// A TOML integer or float as `f64`.
fn number_value(value: &DeValue<'_>) -> Option<f64> {
    match value {
        DeValue::Float(float) => float.as_str().parse::<f64>().ok(),
        DeValue::Integer(integer) => i64::from_str_radix(integer.as_str(), integer.radix())
            .ok()
            .map(|n| n as f64),
        _ => None,
    }
}

/// Why `id` is not a valid experiment id, if it is not.
pub fn id_problem(id: &str) -> Option<String> {
    let well_formed = !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if !well_formed {
        Some(format!("invalid experiment id \"{id}\""))
    } else if id.len() > limits::ID_LENGTH {
        Some(format!(
            "experiment id is {} characters long (at most {})",
            id.len(),
            limits::ID_LENGTH
        ))
    } else {
        None
    }
}

fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(text) => format!("the string \"{text}\""),
        DeValue::Integer(integer) => format!("the integer {integer}"),
        DeValue::Float(float) => format!("the number {float}"),
        DeValue::Boolean(flag) => format!("{flag}"),
        DeValue::Datetime(_) => "a date".to_string(),
        DeValue::Array(items) => format!("an array of {} items", items.len()),
        DeValue::Table(_) => "a table".to_string(),
    }
}

fn quoted_list(choices: &[&str]) -> String {
    choices
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
