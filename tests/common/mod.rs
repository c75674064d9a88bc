//! Tiny books in temporary directories, for tests that build real sites.

#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};

use tempfile::TempDir;

pub const LESSON_ONE: &str = r#"# First lesson

The std of layer 2 is `{small.layer2.std:.3}`; see [the next lesson](02-two.md).

```experiment
id = "small"
caption = "A small experiment"
alt = "Two histograms"
seed = 42
init = "he"
activation = "relu"
layers = 2
nodes = 20
samples = 50
range = [0.0, 2.0]
table = true
```
"#;

pub const LESSON_TWO: &str = r#"# Second lesson

Math: $\sigma(a) = 1/(1+e^{-a})$.

```experiment
id = "tiny-tanh"
caption = "Tanh"
alt = "Three histograms"
seed = 7
init = "xavier"
activation = "tanh"
layers = 3
nodes = 10
samples = 40
range = [-1.0, 1.0]
```
"#;

/// A two-lesson book in a fresh temporary directory.
pub struct TinyBook {
    pub dir: TempDir,
}

impl TinyBook {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let book = TinyBook { dir };
        book.write(
            "content/book.toml",
            "title = \"Tiny\"\nauthor = \"Tester\"\nchapters = [\"01-one.md\", \"02-two.md\"]\n",
        );
        book.write("content/01-one.md", LESSON_ONE);
        book.write("content/02-two.md", LESSON_TWO);
        book
    }

    /// The two-lesson book whose second lesson has one small experiment of each kind but
    /// activations (`grads`, `deep`, `learn`, the last on a 60-row data set), small enough to
    /// run in a blink.
    pub fn of_kinds() -> Self {
        let book = TinyBook::new();
        // A tiny data set: two features, label = whether the first is larger.
        let rows: String = (0..60)
            .map(|i| {
                let (a, b) = ((i * 7) % 11, (i * 5) % 13);
                format!("{a},{b},{}\n", u8::from(a > b))
            })
            .collect();
        book.write("content/data/tiny.csv", &rows);
        book.write(
            "content/02-two.md",
            r#"# Kinds

```experiment
id = "grads"
kind = "gradients"
caption = "Gradients"
alt = "Histograms"
seed = 3
init = "xavier"
activation = "tanh"
layers = 3
nodes = 20
samples = 50
```

```experiment
id = "deep"
kind = "depth"
caption = "Depth"
alt = "Lines"
seed = 3
activation = "relu"
layers = 12
nodes = 20
samples = 50
compare = [{ init = "xavier" }, { init = "he" }]
```

```experiment
id = "learn"
kind = "training"
caption = "Training"
alt = "Curves"
seed = 3
data = "data/tiny.csv"
layers = 2
nodes = 8
batch = 16
iterations = 30
compare = [{ init = "zero" }, { init = "he" }]
```
"#,
        );
        book
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn output(&self) -> PathBuf {
        self.root().join("output")
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.root().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn read_output(&self, relative: &str) -> String {
        std::fs::read_to_string(self.output().join(relative)).unwrap()
    }
}

/// The figure strings of the Korean edition, from the built-in `templates/figure.ko.toml` (in
/// the terms of the Korean edition of *Deep Learning from Scratch*, issue #11's glossary): the
/// layout tests draw every figure with them.
pub fn korean_figure_text() -> initbook::draw::FigureText {
    initbook::i18n::figure_text(Path::new("/nonexistent-book"), "ko", "en").unwrap()
}

/// The book at `root`, parsed, and the outcome of each of its experiments (from the result
/// cache under `root/target/`, so only a first run computes them).
pub fn book_outcomes(
    root: &Path,
) -> (
    initbook::model::ParsedBook,
    std::collections::BTreeMap<String, initbook::numeric::Outcome>,
) {
    let book = initbook::parse::parse_book(&initbook::book::load_book(root).unwrap()).unwrap();
    let cache = initbook::cache::Cache::for_book(root);
    let datasets = initbook::data::load_datasets(root, &book, cache.datasets()).unwrap();
    let run = initbook::run::run_all(&book, &datasets, &cache, &|_, _| {});
    (book, run.outcomes)
}

/// The tutorial (`content/` of this repository), parsed, with every experiment's outcome:
/// [`book_outcomes`] once per test process, so tests that start together share one computation
/// (`OnceLock` makes the others wait) instead of each running the book.
pub fn tutorial_outcomes() -> &'static (
    initbook::model::ParsedBook,
    std::collections::BTreeMap<String, initbook::numeric::Outcome>,
) {
    static TUTORIAL: std::sync::OnceLock<(
        initbook::model::ParsedBook,
        std::collections::BTreeMap<String, initbook::numeric::Outcome>,
    )> = std::sync::OnceLock::new();
    TUTORIAL.get_or_init(|| book_outcomes(Path::new(env!("CARGO_MANIFEST_DIR"))))
}

/// Every file below `dir`, relative to it, with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}
