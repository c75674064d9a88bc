//! The result cache: rebuilds re-run exactly the experiments whose inputs changed, and never
//! use a damaged entry.

use crate::common;

use common::TinyBook;
use initbook::cache::{Cache, cache_dir};
use initbook::{BuildReport, build_site, build_site_with};

fn cached_build(book: &TinyBook) -> BuildReport {
    build_site_with(book.root(), &Cache::for_book(book.root()), &|_, _| {}).unwrap()
}

#[test]
fn a_second_build_runs_nothing_and_gives_the_same_bytes() {
    let book = TinyBook::new();
    let first = cached_build(&book);
    assert_eq!((first.computed, first.cached), (2, 0));
    let second = cached_build(&book);
    assert_eq!((second.computed, second.cached), (0, 2));
    assert!(second.site == first.site);
    assert!(
        second.site == build_site(book.root()).unwrap(),
        "cached equals uncached"
    );
}

/// A training run that diverges (its loss overflows to infinity, then NaN, written as `null`) is
/// cached like any other: the second build computes nothing and gives the same bytes.
#[test]
fn a_diverging_training_run_is_cached_too() {
    let book = TinyBook::of_kinds();
    let lesson = std::fs::read_to_string(book.root().join("content/02-two.md")).unwrap();
    book.write(
        "content/02-two.md",
        &lesson
            .replace("layers = 2\nnodes = 8", "layers = 5\nnodes = 30")
            .replace(
                "compare = [{ init = \"zero\" }, { init = \"he\" }]",
                "learning_rate = 1.0\ncompare = [{ init = \"normal\", std = 100.0 }]",
            ),
    );
    let first = cached_build(&book);
    let entries: Vec<String> = std::fs::read_dir(cache_dir(book.root()))
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    assert!(
        entries.iter().any(|entry| entry.contains("null")),
        "no diverged loss in the cache"
    );
    let second = cached_build(&book);
    assert_eq!((second.computed, second.cached), (0, first.computed));
    assert!(second.site == first.site);
}

/// `serve` rebuilds with one `Cache`, which keeps the figures it drew: a rebuild draws only
/// what changed, and its bytes are a fresh build's.
#[test]
fn a_rebuild_with_the_same_cache_redraws_exactly_what_changed() {
    let book = TinyBook::of_kinds();
    let cache = Cache::for_book(book.root());
    let build = || {
        build_site_with(book.root(), &cache, &|_, _| {})
            .unwrap()
            .site
    };
    let first = build();
    assert!(!cache.drawings().is_empty());
    let kept = cache.drawings().len();
    assert!(build() == first);
    assert_eq!(cache.drawings().len(), kept);
    // A new caption, and a block moved down by a paragraph above it.
    let lesson = std::fs::read_to_string(book.root().join("content/02-two.md")).unwrap();
    book.write(
        "content/02-two.md",
        &lesson
            .replace("caption = \"Depth\"", "caption = \"Depth, renamed\"")
            .replace("# Kinds\n", "# Kinds\n\nA new paragraph.\n"),
    );
    let edited = build();
    assert!(
        edited == build_site(book.root()).unwrap(),
        "equals a fresh build"
    );
    let depth = String::from_utf8(edited.files["figures/deep.svg"].clone()).unwrap();
    assert!(depth.contains("Depth, renamed"));
    // The old drawing of the renamed figure is forgotten.
    assert_eq!(cache.drawings().len(), kept);
}

/// A rebuild with the same `Cache` takes the outcomes the last build used from memory: with
/// their files gone it still runs nothing, while a new `Cache` finds nothing and runs them all.
/// An outcome the last build did not use is forgotten.
#[test]
fn a_rebuild_with_the_same_cache_keeps_the_last_builds_outcomes_in_memory() {
    let book = TinyBook::new();
    let cache = Cache::for_book(book.root());
    let build = || build_site_with(book.root(), &cache, &|_, _| {}).unwrap();
    let first = build();
    assert_eq!((first.computed, first.cached), (2, 0));
    std::fs::remove_dir_all(cache_dir(book.root())).unwrap();
    let second = build();
    assert_eq!((second.computed, second.cached), (0, 2));
    assert!(second.site == first.site);
    let fresh = cached_build(&book);
    assert_eq!((fresh.computed, fresh.cached), (2, 0));

    // The seed of one experiment changes and changes back: its first outcome was not used by
    // the build in between, so it is no longer in memory (nor, here, on disk).
    let lesson = std::fs::read_to_string(book.root().join("content/01-one.md")).unwrap();
    let reseeded = lesson.replacen("seed = ", "seed = 1", 1);
    assert_ne!(lesson, reseeded);
    std::fs::remove_dir_all(cache_dir(book.root())).unwrap();
    book.write("content/01-one.md", &reseeded);
    assert_eq!(build().computed, 1);
    book.write("content/01-one.md", &lesson);
    std::fs::remove_dir_all(cache_dir(book.root())).unwrap();
    assert_eq!(build().computed, 1);
}

#[test]
fn editing_prose_captions_or_templates_runs_nothing() {
    let book = TinyBook::new();
    cached_build(&book);
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE
            .replace("The std of layer 2", "The spread of layer 2")
            .replace("A small experiment", "A renamed caption"),
    );
    book.write("templates/style.css", "body { margin: 0; }\n");
    let report = cached_build(&book);
    assert_eq!(report.computed, 0);
    let page = String::from_utf8(report.site.files["01-one.html"].clone()).unwrap();
    assert!(page.contains("The spread of layer 2") && page.contains("A renamed caption"));
}

#[test]
fn changing_one_parameter_runs_exactly_that_experiment() {
    let book = TinyBook::new();
    cached_build(&book);
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace("samples = 50", "samples = 51"),
    );
    let report = cached_build(&book);
    assert_eq!((report.computed, report.cached), (1, 1));
    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace("seed = 7", "seed = 8"),
    );
    assert_eq!(cached_build(&book).computed, 1);
}

#[test]
fn a_damaged_entry_is_recomputed_not_used() {
    let book = TinyBook::new();
    let clean = cached_build(&book).site;
    let dir = cache_dir(book.root());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert_eq!(entries.len(), 2);

    // Truncated.
    let bytes = std::fs::read(&entries[0]).unwrap();
    std::fs::write(&entries[0], &bytes[..bytes.len() / 2]).unwrap();
    // One digit changed in the payload, header untouched: the checksum catches it.
    let text = std::fs::read_to_string(&entries[1]).unwrap();
    let at = text
        .rfind(|c: char| c.is_ascii_digit() && c != '9')
        .unwrap();
    let mut changed = text.into_bytes();
    changed[at] += 1;
    std::fs::write(&entries[1], changed).unwrap();

    let report = cached_build(&book);
    assert_eq!(report.computed, 2, "both damaged entries were recomputed");
    assert!(report.site == clean);
    assert_eq!(cached_build(&book).computed, 0, "and written back intact");
}

#[test]
fn disabled_cache_runs_everything_and_writes_nothing() {
    let book = TinyBook::new();
    cached_build(&book);
    let report = build_site_with(book.root(), &Cache::disabled(), &|_, _| {}).unwrap();
    assert_eq!((report.computed, report.cached), (2, 0));
    std::fs::remove_dir_all(cache_dir(book.root())).unwrap();
    build_site_with(book.root(), &Cache::disabled(), &|_, _| {}).unwrap();
    assert!(!cache_dir(book.root()).exists());
}

#[test]
fn clean_removes_the_cache() {
    let book = TinyBook::new();
    cached_build(&book);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_initbook"))
        .args(["clean", "--root", book.root().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!cache_dir(book.root()).exists());
}

#[test]
fn an_entry_of_the_wrong_shape_with_a_valid_checksum_is_recomputed() {
    let book = TinyBook::new();
    let clean = cached_build(&book).site;
    let parsed =
        initbook::parse::parse_book(&initbook::book::load_book(book.root()).unwrap()).unwrap();
    let small = parsed.find_experiment("small").unwrap();
    let entry = cache_dir(book.root()).join(format!(
        "{}.json",
        Cache::key(&small.experiment, small.seed, None)
    ));
    // One layer fewer than the experiment has (the lesson quotes layer 2), under a checksum
    // that matches: an entry edited by hand, or written by a broken engine.
    let text = std::fs::read_to_string(&entry).unwrap();
    let (_, payload) = text.split_once('\n').unwrap();
    let mut outcome: serde_json::Value = serde_json::from_str(payload).unwrap();
    outcome["layers"].as_array_mut().unwrap().truncate(1);
    let payload = outcome.to_string();
    let header = format!("sha256:{}", initbook::hash::sha256_hex(payload.as_bytes()));
    std::fs::write(&entry, format!("{header}\n{payload}")).unwrap();

    let report = cached_build(&book);
    assert_eq!(report.computed, 1, "the misshapen entry was recomputed");
    assert!(report.site == clean);
}
