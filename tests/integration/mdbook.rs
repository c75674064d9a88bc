//! `initbook mdbook`, mdBook's preprocessor protocol: the `supports` check, and the
//! `[context, book]` JSON that a real mdBook 0.5.4 sent (captured in `tests/fixtures/mdbook/`,
//! see its README) turned into the book with figures, numbers and errors at `file:line:col`.
//!
//! The end-to-end test runs a real `mdbook build` on `tests/fixtures/mdbook-book/`; it is
//! `#[ignore]`d because it needs the `mdbook` binary (`cargo install mdbook --locked --version
//! 0.5.4`). Run it with `cargo test --release --test integration mdbook:: -- --include-ignored`; without mdbook it fails.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The captured input, with its book root moved to `root`.
fn captured_input(root: &Path) -> Value {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/mdbook/context-and-book.json"))
        .unwrap();
    let mut input: Value = serde_json::from_str(&text).unwrap();
    input[0]["root"] = Value::String(root.display().to_string());
    input
}

fn preprocess(input: &Value) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_initbook"))
        .arg("mdbook")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn chapter_content(book: &Value, index: usize) -> &str {
    book["items"][index]["Chapter"]["content"].as_str().unwrap()
}

#[test]
fn supports_the_html_renderer_only() {
    let supports = |renderer: &str| {
        Command::new(env!("CARGO_BIN_EXE_initbook"))
            .args(["mdbook", "supports", renderer])
            .status()
            .unwrap()
            .code()
    };
    assert_eq!(supports("html"), Some(0));
    assert_eq!(supports("epub"), Some(1));
}

#[test]
fn the_captured_book_comes_back_with_figures_and_numbers() {
    let root = tempfile::tempdir().unwrap();
    let input = captured_input(root.path());
    let output = preprocess(&input);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let book: Value = serde_json::from_slice(&output.stdout).unwrap();
    // Only the chapters' content changed: every other field goes back to mdBook as it came.
    let without_content = |book: &Value| {
        let mut book = book.clone();
        for item in book["items"].as_array_mut().unwrap() {
            item["Chapter"]["content"] = Value::Null;
        }
        book
    };
    assert_eq!(without_content(&book), without_content(&input[1]));
    assert_eq!(book["items"].as_array().unwrap().len(), 2);

    let first = chapter_content(&book, 0);
    assert!(first.starts_with("# Activations\n"), "{first}");
    assert!(!first.contains("```experiment"), "{first}");
    assert!(first.contains("<figure class=\"experiment\" id=\"mdbook-relu-he\">"));
    assert!(first.contains("<svg"));
    assert!(first.contains("Figure 1.1</span>"));
    assert!(first.contains("<table class=\"stats\">"), "table = true");
    assert!(first.contains("<summary>Reproduce</summary>"));
    assert!(
        first.contains("src/chapter_1.md:5"),
        "where the block is defined"
    );
    assert!(
        !first.contains("notebooks/"),
        "no notebook link outside an initbook site"
    );
    assert!(
        !first.contains("{mdbook-relu-he"),
        "the reference is resolved: {first}"
    );
    assert!(first.contains("<a class=\"stat\" href=\"chapter_1.html#mdbook-relu-he\""));
    // The figure is one raw HTML block: no blank line inside it.
    let figure = &first[first.find("<figure").unwrap()..first.find("</figure>").unwrap()];
    assert!(!figure.contains("\n\n"));

    // The second chapter has no title heading; mdBook's name stands in and nothing is added.
    let second = chapter_content(&book, 1);
    assert!(second.starts_with("Gradients through"), "{second}");
    assert!(second.contains("Figure 2.1</span>"));
    assert!(!second.contains("{mdbook-grad-tanh"));

    // The results went into the cache under the book's root, keyed as for a site: a second
    // run gives the same book from it.
    let cached = std::fs::read_dir(root.path().join("target/initbook-cache"))
        .unwrap()
        .count();
    assert_eq!(cached, 2);
    let again = preprocess(&input);
    assert!(again.status.success());
    assert_eq!(again.stdout, output.stdout);
}

#[test]
fn a_chapter_without_experiments_is_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let mut input = captured_input(root.path());
    let plain = "# Plain\n\nNo experiments, and `{not.a.reference}` stays as written. $5 and $6.\n";
    input[1]["items"][0]["Chapter"]["content"] = Value::String(plain.to_string());
    let output = preprocess(&input);
    assert!(output.status.success());
    let book: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(chapter_content(&book, 0), plain);
}

#[test]
fn a_content_error_names_the_chapter_file_line_and_column() {
    let root = tempfile::tempdir().unwrap();
    let mut input = captured_input(root.path());
    let content = chapter_content(&input[1], 1).replace("seed = 7", "sede = 7");
    input[1]["items"][1]["Chapter"]["content"] = Value::String(content);
    let output = preprocess(&input);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("src/chapter_2.md:8:1"), "{stderr}");
    assert!(stderr.contains("sede = 7"), "the source line: {stderr}");
    assert!(stderr.contains("did you mean `seed`?"), "{stderr}");
}

#[test]
fn duplicate_ids_across_chapters_are_an_error() {
    let root = tempfile::tempdir().unwrap();
    let mut input = captured_input(root.path());
    let content = chapter_content(&input[1], 1).replace("mdbook-grad-tanh", "mdbook-relu-he");
    input[1]["items"][1]["Chapter"]["content"] = Value::String(content);
    let output = preprocess(&input);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("duplicate experiment id"), "{stderr}");
    assert!(stderr.contains("src/chapter_1.md:6"), "{stderr}");
}

#[test]
fn cross_references_read_figure_numbers_through_the_theme() {
    let root = tempfile::tempdir().unwrap();
    let mut input = captured_input(root.path());
    let content = format!(
        "{}\nAs [](#mdbook-relu-he) shows, and [](chapter_2.md#mdbook-grad-tanh) too; \
         [the figure](#mdbook-relu-he) keeps its text.\n",
        chapter_content(&input[1], 0)
    );
    input[1]["items"][0]["Chapter"]["content"] = Value::String(content);
    let output = preprocess(&input);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let book: Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = chapter_content(&book, 0);
    assert!(
        first.contains(
            "As <a class=\"xref\" href=\"chapter_1.html#mdbook-relu-he\">Figure 1.1</a> shows"
        ),
        "{first}"
    );
    assert!(
        first.contains(
            "<a class=\"xref\" href=\"chapter_2.html#mdbook-grad-tanh\">Figure 2.1</a> too"
        ),
        "{first}"
    );
    assert!(first.contains("[the figure](#mdbook-relu-he) keeps its text"));

    // A cross-reference to no figure is an error at its place, with a suggestion.
    let content = format!(
        "{}\nSee [](#mdbook-relu-hee).\n",
        chapter_content(&input[1], 1)
    );
    input[1]["items"][1]["Chapter"]["content"] = Value::String(content);
    let output = preprocess(&input);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("src/chapter_2.md:"), "{stderr}");
    assert!(stderr.contains("mdbook-relu-he"), "did you mean: {stderr}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
#[ignore = "needs mdbook 0.5 on PATH: cargo test --release --test integration mdbook:: -- --include-ignored"]
fn a_real_mdbook_build_shows_the_figures() {
    let mdbook = std::env::var_os("MDBOOK").map_or_else(|| PathBuf::from("mdbook"), PathBuf::from);
    let version = Command::new(&mdbook)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| {
            panic!("this test needs mdbook (cargo install mdbook --locked --version 0.5.4): {e}")
        });
    assert!(
        String::from_utf8_lossy(&version.stdout).contains("v0.5"),
        "mdbook 0.5 is needed, found {}",
        String::from_utf8_lossy(&version.stdout)
    );
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/fixtures/mdbook-book"), dir.path());
    // `initbook` is found on PATH, as the book.toml line `command = "initbook mdbook"` expects.
    let bin = Path::new(env!("CARGO_BIN_EXE_initbook")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let output = Command::new(&mdbook)
        .arg("build")
        .current_dir(dir.path())
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "mdbook build: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page = std::fs::read_to_string(dir.path().join("book/chapter_1.html")).unwrap();
    assert!(page.contains("<figure class=\"experiment\" id=\"mdbook-relu-he\">"));
    assert!(page.contains("<svg"));
    assert!(page.contains("Figure 1.1"));
    assert!(page.contains("<a class=\"stat\""));
    let second = std::fs::read_to_string(dir.path().join("book/chapter_2.html")).unwrap();
    assert!(second.contains("Figure 2.1"));
    assert!(!second.contains("{mdbook-grad-tanh"));
}

#[test]
fn links_with_text_are_left_to_mdbook() {
    // initbook checks a lesson's links into the book; in an mdBook they may name chapters
    // initbook does not read (no experiments) and headings mdBook numbers its own way.
    let root = tempfile::tempdir().unwrap();
    let mut input = captured_input(root.path());
    let content = format!(
        "{}\nSee [the introduction](intro.md#why) and [a section](chapter_2.md#a-heading).\n",
        chapter_content(&input[1], 0)
    );
    input[1]["items"][0]["Chapter"]["content"] = Value::String(content);
    let output = preprocess(&input);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let book: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        chapter_content(&book, 0).contains(
            "See [the introduction](intro.md#why) and [a section](chapter_2.md#a-heading)."
        )
    );
}
