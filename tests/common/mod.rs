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
