//! `initbook verify` and the figure manifest: a reader can check that every figure is exactly
//! what its parameters and seed produce.

use crate::common;

use std::process::{Command, Output};

use common::TinyBook;
use initbook::hash::sha256_hex;
use initbook::manifest::Manifest;
use initbook::verify::{Drift, compare_with_disk};
use initbook::{build_site, write::write_site};

fn initbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_initbook"))
        .args(args)
        .output()
        .unwrap()
}

fn built_book() -> TinyBook {
    let book = TinyBook::new();
    write_site(&build_site(book.root()).unwrap().files, &book.output()).unwrap();
    book
}

fn drift(book: &TinyBook) -> Vec<Drift> {
    let fresh = build_site(book.root()).unwrap();
    compare_with_disk(&fresh, &book.output()).unwrap().drift
}

#[test]
fn a_fresh_build_verifies() {
    let book = built_book();
    assert_eq!(drift(&book), vec![]);
    let output = initbook(&["verify", "--root", book.root().to_str().unwrap()]);
    assert!(output.status.success());
    let said = String::from_utf8(output.stdout).unwrap();
    assert!(
        said.contains("matches a fresh build (2 figures, 12 files)"),
        "{said}"
    );
}

#[test]
fn one_changed_svg_byte_is_a_drawing_change_of_that_figure() {
    let book = built_book();
    let svg = book.output().join("figures/small.svg");
    let mut bytes = std::fs::read(&svg).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&svg, bytes).unwrap();
    assert_eq!(
        drift(&book),
        vec![Drift::DrawingChanged { id: "small".into() }]
    );

    let output = initbook(&["verify", "--root", book.root().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let said = String::from_utf8(output.stderr).unwrap();
    assert!(said.contains("figure small: drawing changed"), "{said}");
}

#[test]
fn a_changed_seed_is_a_data_change_of_that_figure_and_its_page() {
    let book = built_book();
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace("seed = 42", "seed = 43"),
    );
    assert_eq!(
        drift(&book),
        vec![
            Drift::DataChanged { id: "small".into() },
            Drift::PageChanged {
                path: "01-one.html".into()
            },
            // The contents page quotes the lesson's first paragraph, number included.
            Drift::PageChanged {
                path: "index.html".into()
            },
            // The lesson's notebook shows the seed and the numbers.
            Drift::PageChanged {
                path: "notebooks/01-one.ipynb".into()
            },
            // The print edition holds the lesson, and the search index its words.
            Drift::PageChanged {
                path: "print.html".into()
            },
            Drift::PageChanged {
                path: "searchindex.js".into()
            },
        ]
    );
}

#[test]
fn missing_extra_and_foreign_sites_are_explained() {
    let book = TinyBook::new();
    let fresh = build_site(book.root()).unwrap();
    let error = compare_with_disk(&fresh, &book.output())
        .unwrap_err()
        .to_string();
    assert!(error.contains("no site at"), "{error}");

    let book = built_book();
    std::fs::remove_file(book.output().join("figures.json")).unwrap();
    let error = compare_with_disk(&fresh, &book.output())
        .unwrap_err()
        .to_string();
    assert!(error.contains("has no figures.json"), "{error}");

    let book = built_book();
    let path = book.output().join("figures.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    std::fs::write(&path, text.replace(&format!("\"{version}\""), "\"0.0.1\"")).unwrap();
    std::fs::write(book.output().join("stray.html"), "x").unwrap();
    std::fs::remove_file(book.output().join("02-two.html")).unwrap();
    let found = drift(&book);
    assert!(found.contains(&Drift::Version {
        on_disk: "0.0.1".into(),
        current: version.into()
    }));
    assert!(found.contains(&Drift::FileExtra {
        path: "stray.html".into()
    }));
    assert!(found.contains(&Drift::FileMissing {
        path: "02-two.html".into()
    }));
}

#[test]
fn manifest_hashes_match_the_files() {
    let book = built_book();
    let manifest: Manifest = serde_json::from_str(&book.read_output("figures.json")).unwrap();
    assert_eq!(manifest.figures.len(), 2);
    let ids: Vec<&str> = manifest.figures.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["small", "tiny-tanh"], "sorted by id");
    for figure in &manifest.figures {
        let svg = figure.svg.as_ref().unwrap();
        let bytes = std::fs::read(book.output().join(svg)).unwrap();
        assert_eq!(
            figure.svg_sha256.as_deref(),
            Some(sha256_hex(&bytes).as_str())
        );
        // The data hash is the hash of the canonical serialisation of what `run` computes.
        let json = initbook(&[
            "run",
            &figure.id,
            "--json",
            "--root",
            book.root().to_str().unwrap(),
        ]);
        let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(
            report["data_sha256"],
            figure.data_sha256.as_str(),
            "{}",
            figure.id
        );
        // The page's Reproduce panel shows the same hash.
        let page = book.read_output(&figure.page);
        assert!(page.contains(&figure.data_sha256));
    }
    let small = manifest.figure("small").unwrap();
    assert_eq!(
        (small.lesson.as_str(), small.line, small.seed),
        ("content/01-one.md", 5, 42)
    );
    assert_eq!(small.params["init"], "he");
    assert_eq!(small.params["nodes"], 20);
    assert!(small.rng.contains("ChaCha8Rng"));
}

/// On the tiny book; tests/integration/determinism.rs compares whole builds of the tutorial, manifest included.
#[test]
fn manifest_is_identical_across_builds_and_thread_counts() {
    let book = TinyBook::new();
    let with_threads = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
            .install(|| build_site(book.root()).unwrap().files["figures.json"].clone())
    };
    let one = with_threads(1);
    assert_eq!(one, with_threads(2));
    assert_eq!(one, with_threads(1));
}
