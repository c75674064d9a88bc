//! Shared by the benchmarks.

// Each benchmark target compiles this module and uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository: the package's folder for the benchmarks of initbook's own package
/// (`compare`, `serve_latency`), the folder above it for the criterion benchmarks, whose package
/// is `benches/` (see `benches/Cargo.toml`).
pub fn repo() -> PathBuf {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    if package.join("content").is_dir() {
        package.to_path_buf()
    } else {
        package
            .parent()
            .expect("benches/ is inside the repository")
            .to_path_buf()
    }
}

/// A copy of the tutorial's `content/` in a fresh temporary directory, so a benchmark can edit
/// lessons and fill a cache without touching the repository.
pub fn copy_of_the_tutorial() -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &book.path().join("content"));
    book
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The tutorial's lessons the benchmark book takes its prose from, and the one experiment each of
/// its chapters runs (the classic 1000 × 100 × 5 network, one scheme per chapter).
const BENCHMARK_CHAPTERS: [(&str, &str); 6] = [
    (
        "01-introduction.md",
        "init = \"normal\"\nstd = 1.0\nactivation = \"sigmoid\"",
    ),
    (
        "02-zero.md",
        "init = \"normal\"\nstd = 0.01\nactivation = \"sigmoid\"",
    ),
    (
        "03-std-one.md",
        "init = \"xavier\"\nactivation = \"sigmoid\"",
    ),
    (
        "04-std-small.md",
        "init = \"xavier\"\nactivation = \"tanh\"\nrange = [-1.0, 1.0]",
    ),
    ("05-xavier.md", "init = \"xavier\"\nactivation = \"relu\""),
    ("06-he.md", "init = \"he\"\nactivation = \"relu\""),
];

/// Writes the benchmark book into `dir`, twice over the same text:
/// - `dir/initbook/content/`: `book.toml` and six chapters, each the prose of one of the
///   tutorial's lessons 01–06 followed by one activation experiment (six in all, see
///   [`BENCHMARK_CHAPTERS`]);
/// - `dir/mdbook/`: an mdBook (`book.toml`, `src/SUMMARY.md`) of the same chapters as prose
///   only, without the experiment blocks.
///
/// The lessons' own experiment blocks are left out, their inline numbers replaced by a plain
/// number and their links into the book by their text (a figure reference by "the figure"), so
/// the prose of both books is the same Markdown and names nothing the benchmark book lacks.
pub fn write_benchmark_book(dir: &Path) {
    let tutorial = repo().join("content");
    let content = dir.join("initbook/content");
    let mdbook_src = dir.join("mdbook/src");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::create_dir_all(&mdbook_src).unwrap();
    let mut summary = String::from("# Summary\n\n");
    let mut chapter_list = Vec::new();
    for (index, (lesson, experiment)) in BENCHMARK_CHAPTERS.iter().enumerate() {
        let prose = prose_of(&std::fs::read_to_string(tutorial.join(lesson)).unwrap());
        let title = prose
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("# ")
            .to_string();
        let block = format!(
            "\n```experiment\nid = \"benchmark-{index}\"\ncaption = \"Benchmark experiment {index}\"\n\
             alt = \"Five histograms, one per layer.\"\nseed = 42\n{experiment}\n```\n"
        );
        std::fs::write(content.join(lesson), format!("{prose}{block}")).unwrap();
        std::fs::write(mdbook_src.join(lesson), &prose).unwrap();
        summary.push_str(&format!("- [{title}]({lesson})\n"));
        chapter_list.push(format!("\"{lesson}\""));
    }
    std::fs::write(
        content.join("book.toml"),
        format!(
            "title = \"Benchmark book\"\nauthor = \"initbook\"\nlanguage = \"en\"\n\
             chapters = [{}]\n",
            chapter_list.join(", ")
        ),
    )
    .unwrap();
    std::fs::write(mdbook_src.join("SUMMARY.md"), summary).unwrap();
    std::fs::write(
        dir.join("mdbook/book.toml"),
        "[book]\ntitle = \"Benchmark book\"\nauthors = [\"initbook\"]\nlanguage = \"en\"\n",
    )
    .unwrap();
}

/// A lesson without its `experiment` blocks, with each inline reference `` `{…}` `` replaced by
/// a plain number.
fn prose_of(lesson: &str) -> String {
    let mut prose = String::new();
    let mut in_experiment = false;
    for line in lesson.lines() {
        if line.trim_start().starts_with("```experiment") {
            in_experiment = true;
        } else if in_experiment {
            in_experiment = !line.trim_start().starts_with("```");
        } else {
            let mut rest = line;
            while let Some(start) = rest.find("`{") {
                let Some(length) = rest[start..].find("}`") else {
                    break;
                };
                prose.push_str(&rest[..start]);
                prose.push_str("0.5");
                rest = &rest[start + length + 2..];
            }
            prose.push_str(rest);
            prose.push('\n');
        }
    }
    without_book_links(&prose)
}

/// `text` for every link `[text](lesson.md#anchor)` or `[text](#anchor)`, "the figure" for a
/// figure reference `[](#id)`; other links are kept.
fn without_book_links(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(open) = rest.find('[') {
        let Some(middle) = rest[open..].find("](").map(|at| open + at) else {
            break;
        };
        let Some(close) = rest[middle..].find(')').map(|at| middle + at) else {
            break;
        };
        let text = &rest[open + 1..middle];
        let destination = &rest[middle + 2..close];
        let into_book = destination.starts_with('#')
            || (!destination.contains(':') && destination.contains(".md"));
        if text.contains('[') || !into_book {
            out.push_str(&rest[..open + 1]);
            rest = &rest[open + 1..];
            continue;
        }
        out.push_str(&rest[..open]);
        out.push_str(if text.is_empty() { "the figure" } else { text });
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}
