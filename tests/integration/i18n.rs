//! Translated editions (issue #11): catalogs extracted, updated and applied; the Korean site
//! beside the English one; coverage and `check --strict`; the shipped book's Korean pages.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::TinyBook;
use initbook::diagnostic::SourceFile;
use initbook::i18n::catalog::{Catalog, parse_catalog, write_catalog};

const BOOK_TOML: &str = "title = \"Tiny\"\nchapters = [\"01-one.md\", \"02-two.md\"]\n\n[languages.ko]\ntitle = \"작은 책\"\n";

fn initbook(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_initbook"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap()
}

fn ok(output: std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The tiny book with a Korean edition.
fn bilingual_book() -> TinyBook {
    let book = TinyBook::new();
    book.write("content/book.toml", BOOK_TOML);
    book
}

fn read_catalog(book: &TinyBook, stem: &str) -> Catalog {
    let path = format!("content/i18n/ko/{stem}.po");
    let text = std::fs::read_to_string(book.root().join(&path)).unwrap();
    parse_catalog(&SourceFile::new(path, text)).unwrap()
}

fn write_catalog_file(book: &TinyBook, stem: &str, catalog: &Catalog) {
    book.write(
        &format!("content/i18n/ko/{stem}.po"),
        &write_catalog(catalog),
    );
}

/// A stand-in translation that keeps code spans and math where they are: `[ko] ` + English.
fn translate_all(book: &TinyBook, stem: &str) {
    let mut catalog = read_catalog(book, stem);
    for entry in &mut catalog.entries {
        entry.msgstr = format!("[ko] {}", entry.msgid);
    }
    write_catalog_file(book, stem, &catalog);
}

#[test]
fn update_extracts_then_marks_exactly_the_edited_entry_fuzzy_and_the_removed_obsolete() {
    let book = bilingual_book();
    let report = ok(initbook(book.root(), &["i18n", "update", "ko"]));
    assert!(
        report.contains("content/i18n/ko/01-one.po: 0 unchanged, 4 new, 0 fuzzy, 0 obsolete"),
        "{report}"
    );
    let first = read_catalog(&book, "01-one");
    let ids: Vec<&str> = first.entries.iter().map(|e| e.msgid.as_str()).collect();
    // Prose only: the heading, the paragraph, the caption and the alt text; never an id, a
    // seed or a parameter.
    assert_eq!(
        ids,
        vec![
            "First lesson",
            "The std of layer 2 is `{small.layer2.std:.3}`; see [the next lesson](02-two.md).",
            "A small experiment",
            "Two histograms",
        ]
    );
    assert!(
        ids.iter()
            .all(|id| !id.contains("seed") && !id.contains("\"small\""))
    );
    assert_eq!(first.entries[1].references, vec!["content/01-one.md:3"]);

    // Translated, the catalog survives another update unchanged, byte for byte.
    translate_all(&book, "01-one");
    translate_all(&book, "02-two");
    let translated = std::fs::read(book.root().join("content/i18n/ko/01-one.po")).unwrap();
    ok(initbook(book.root(), &["i18n", "update", "ko"]));
    assert_eq!(
        std::fs::read(book.root().join("content/i18n/ko/01-one.po")).unwrap(),
        translated
    );

    // Edit one paragraph's English and add another: the edited entry alone turns fuzzy,
    // keeping its translation; the new one is empty.
    let lesson = common::LESSON_ONE
        .replace(
            "The std of layer 2 is",
            "The standard deviation of layer 2 is",
        )
        .replace(
            "# First lesson\n",
            "# First lesson\n\nA paragraph added here.\n",
        );
    book.write("content/01-one.md", &lesson);
    let report = ok(initbook(book.root(), &["i18n", "update", "ko"]));
    assert!(
        report.contains("01-one.po: 3 unchanged, 1 new, 1 fuzzy, 0 obsolete"),
        "{report}"
    );
    let after = read_catalog(&book, "01-one");
    let fuzzy: Vec<&str> = after
        .entries
        .iter()
        .filter(|e| e.fuzzy)
        .map(|e| e.msgid.as_str())
        .collect();
    assert_eq!(
        fuzzy,
        vec![
            "The standard deviation of layer 2 is `{small.layer2.std:.3}`; see [the next lesson](02-two.md)."
        ]
    );
    let edited = after.find(fuzzy[0]).unwrap();
    assert_eq!(
        edited.msgstr,
        "[ko] The std of layer 2 is `{small.layer2.std:.3}`; see [the next lesson](02-two.md)."
    );
    assert_eq!(after.find("A paragraph added here.").unwrap().msgstr, "");
    assert!(after.find("First lesson").unwrap().is_translated());

    // A paragraph that vanishes keeps its translation as an obsolete entry (`#~`).
    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace("Math: $\\sigma(a) = 1/(1+e^{-a})$.\n", ""),
    );
    let report = ok(initbook(book.root(), &["i18n", "update", "ko"]));
    assert!(
        report.contains("02-two.po: 3 unchanged, 0 new, 0 fuzzy, 1 obsolete"),
        "{report}"
    );
    let text = std::fs::read_to_string(book.root().join("content/i18n/ko/02-two.po")).unwrap();
    assert!(
        text.contains("#~ msgid \"Math: $\\\\sigma(a) = 1/(1+e^{-a})$.\"\n#~ msgstr \"[ko] Math:"),
        "{text}"
    );
    assert_eq!(read_catalog(&book, "02-two").obsolete.len(), 1);
    // Restored, the paragraph takes its translation back from the obsolete entry.
    book.write("content/02-two.md", common::LESSON_TWO);
    let report = ok(initbook(book.root(), &["i18n", "update", "ko"]));
    assert!(
        report.contains("02-two.po: 4 unchanged, 0 new, 0 fuzzy, 0 obsolete"),
        "{report}"
    );
}

#[test]
fn translated_headings_keep_the_english_anchors_so_copied_links_work() {
    let book = bilingual_book();
    book.write(
        "content/02-two.md",
        &format!("{}\n## Why it works\n\nText.\n", common::LESSON_TWO),
    );
    book.write(
        "content/01-one.md",
        &format!(
            "{}\nSee [why](02-two.md#why-it-works).\n",
            common::LESSON_ONE
        ),
    );
    ok(initbook(book.root(), &["i18n", "update", "ko"]));
    let mut catalog = read_catalog(&book, "02-two");
    let heading = catalog
        .entries
        .iter_mut()
        .find(|e| e.msgid == "Why it works")
        .expect("the heading is a text to translate");
    heading.msgstr = "왜 되는가".into();
    write_catalog_file(&book, "02-two", &catalog);
    link_to(&book, "[이유](02-two.md#why-it-works)를 보세요.");

    ok(initbook(book.root(), &["build"]));
    let korean = book.read_output("ko/02-two.html");
    assert!(
        korean.contains("<h2 id=\"why-it-works\">왜 되는가 "),
        "{korean}"
    );
    let linking = book.read_output("ko/01-one.html");
    assert!(
        linking.contains("<a href=\"02-two.html#why-it-works\">이유</a>"),
        "{linking}"
    );

    // A link to an anchor the English does not have is an error at the catalog's lesson.
    link_to(&book, "[이유](02-two.md#왜-되는가)를 보세요.");
    let build = initbook(book.root(), &["build"]);
    assert_eq!(build.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(
        stderr.contains("no section or figure \"왜-되는가\" in 02-two.md"),
        "{stderr}"
    );
    assert!(stderr.contains("content/i18n/ko/01-one.po"), "{stderr}");
    assert!(
        stderr.contains("the sections of 02-two.md: why-it-works"),
        "{stderr}"
    );
}

/// Translates the tiny book's paragraph that links to `02-two.md#why-it-works` as `msgstr`.
fn link_to(book: &TinyBook, msgstr: &str) {
    let mut catalog = read_catalog(book, "01-one");
    let link = catalog
        .entries
        .iter_mut()
        .find(|e| e.msgid.contains("02-two.md#why-it-works"))
        .expect("the link's paragraph is a text to translate");
    link.msgstr = msgstr.into();
    write_catalog_file(book, "01-one", &catalog);
}

#[test]
fn the_korean_edition_falls_back_to_english_and_check_counts_every_gap() {
    let book = bilingual_book();
    ok(initbook(book.root(), &["i18n", "update", "ko"]));
    // Lesson 1: everything translated but one fuzzy entry; lesson 2: nothing translated.
    let mut catalog = read_catalog(&book, "01-one");
    catalog.entries[0].msgstr = "첫째 강의".into();
    catalog.entries[1].msgstr =
        "[다음 강의](02-two.md)를 보세요. 2층의 표준편차는 `{small.layer2.std:.3}`입니다.".into();
    catalog.entries[2].msgstr = "작은 실험".into();
    catalog.entries[2].fuzzy = true;
    catalog.entries[3].msgstr = "히스토그램 두 개".into();
    write_catalog_file(&book, "01-one", &catalog);
    let fuzzy_line = read_catalog(&book, "01-one").entries[2].line;

    let check = ok(initbook(book.root(), &["check"]));
    // 4 entries of lesson 1 + 4 of lesson 2 + the book's title = 9 texts.
    assert!(
        check.contains("ko: 4/9 translated (44.4 %), 1 fuzzy, 4 missing"),
        "{check}"
    );
    let strict = initbook(book.root(), &["check", "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(
        stderr.contains(&format!("content/i18n/ko/01-one.po:{fuzzy_line}: fuzzy")),
        "{stderr}"
    );
    let missing_lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("content/i18n/ko/02-two.po:"))
        .collect();
    assert_eq!(missing_lines.len(), 4, "{stderr}");
    assert!(stderr.contains("5 untranslated or fuzzy texts"), "{stderr}");

    let build = initbook(book.root(), &["build"]);
    assert!(build.status.success());
    assert!(
        String::from_utf8_lossy(&build.stderr).contains("warning: ko: 4/9 translated"),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let korean = book.read_output("ko/01-one.html");
    assert!(korean.contains("<html lang=\"ko\">"));
    assert!(korean.contains("<h1>첫째 강의</h1>"), "{korean}");
    assert!(korean.contains("<a href=\"02-two.html\">다음 강의</a>를 보세요."));
    // The fuzzy caption falls back to English; the translated alt text is in the figure.
    assert!(korean.contains("A small experiment"));
    assert!(korean.contains("히스토그램 두 개"));
    assert!(korean.contains("그림 1.1"), "{korean}");
    // Lesson 2 has no translation: English text on a Korean page, Korean interface words.
    let second = book.read_output("ko/02-two.html");
    assert!(second.contains("<h1>Second lesson</h1>"));
    assert!(second.contains("<span class=\"pager-label\">이전</span>"));
    assert!(
        book.read_output("ko/index.html")
            .contains("<h1>작은 책</h1>")
    );

    // Translated completely, the strict check passes.
    catalog.entries[2].fuzzy = false;
    write_catalog_file(&book, "01-one", &catalog);
    translate_all(&book, "02-two");
    let check = ok(initbook(book.root(), &["check", "--strict"]));
    assert!(
        check.contains("ko: 9/9 translated (100.0 %), 0 fuzzy, 0 missing"),
        "{check}"
    );
}

#[test]
fn a_translation_that_loses_a_reference_is_a_gap_and_shows_english() {
    let book = bilingual_book();
    ok(initbook(book.root(), &["i18n", "update", "ko"]));
    let mut catalog = read_catalog(&book, "01-one");
    catalog.entries[1].msgstr = "2층의 표준편차는 `{small.layer1.std:.3}`입니다.".into();
    write_catalog_file(&book, "01-one", &catalog);
    let line = read_catalog(&book, "01-one").entries[1].line;
    let strict = initbook(book.root(), &["check", "--strict"]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(
        stderr.contains(&format!(
            "content/i18n/ko/01-one.po:{line}: the translation must keep these exactly as the English has them: `{{small.layer2.std:.3}}`"
        )),
        "{stderr}"
    );
    ok(initbook(book.root(), &["build"]));
    assert!(
        book.read_output("ko/01-one.html")
            .contains("The std of layer 2 is")
    );
}

#[test]
fn a_broken_catalog_is_an_error_at_its_line() {
    let book = bilingual_book();
    book.write(
        "content/i18n/ko/01-one.po",
        "msgid \"\"\nmsgstr \"Language: ko\\n\"\n\nmsgid \"First lesson\"\nmsgstr \"첫째 \"강의\"\"\n",
    );
    let output = initbook(book.root(), &["build"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("content/i18n/ko/01-one.po:5:12"),
        "{stderr}"
    );
    assert!(stderr.contains("must be escaped"), "{stderr}");
    assert!(!book.output().exists(), "a failed build writes nothing");
}

#[test]
fn pages_link_to_each_other_and_numbers_and_data_match_across_languages() {
    let book = bilingual_book();
    ok(initbook(book.root(), &["i18n", "update", "ko"]));
    let mut catalog = read_catalog(&book, "01-one");
    catalog.entries[1].msgstr =
        "[다음 강의](02-two.md)를 보세요. 2층의 표준편차는 `{small.layer2.std:.3}`입니다.".into();
    write_catalog_file(&book, "01-one", &catalog);
    ok(initbook(book.root(), &["build"]));

    for page in ["index.html", "01-one.html", "02-two.html"] {
        let english = book.read_output(page);
        let korean = book.read_output(&format!("ko/{page}"));
        assert!(english.contains("<html lang=\"en\">"));
        assert!(korean.contains("<html lang=\"ko\">"));
        assert!(english.contains(&format!(
            "<a href=\"ko/{page}\" hreflang=\"ko\" lang=\"ko\">한국어</a>"
        )));
        assert!(korean.contains(&format!(
            "<a href=\"../{page}\" hreflang=\"en\" lang=\"en\">English</a>"
        )));
        assert!(english.contains(&format!(
            "<link rel=\"alternate\" hreflang=\"ko\" href=\"ko/{page}\">"
        )));
        assert!(korean.contains(&format!(
            "<link rel=\"alternate\" hreflang=\"en\" href=\"../{page}\">"
        )));
        assert_eq!(stat_numbers(&english), stat_numbers(&korean), "{page}");
        assert_eq!(data_hashes(&english), data_hashes(&korean), "{page}");
    }
    assert!(!stat_numbers(&book.read_output("01-one.html")).is_empty());

    // figures.json: one data hash per figure, an SVG per language, each hash that of its file.
    let manifest: serde_json::Value =
        serde_json::from_str(&book.read_output("figures.json")).unwrap();
    for figure in manifest["figures"].as_array().unwrap() {
        let ko = &figure["translations"]["ko"];
        let english_svg = book.read_output(figure["svg"].as_str().unwrap());
        let korean_svg = book.read_output(ko["svg"].as_str().unwrap());
        assert_eq!(
            ko["svg"].as_str().unwrap(),
            format!("ko/{}", figure["svg"].as_str().unwrap())
        );
        assert_eq!(
            ko["svg_sha256"].as_str().unwrap(),
            initbook::hash::sha256_hex(korean_svg.as_bytes())
        );
        assert_ne!(english_svg, korean_svg);
        assert!(
            korean_svg.contains("개수"),
            "the Korean figure has Korean words"
        );
    }
    // `run --lang ko` reproduces the Korean figure byte for byte.
    let svg = book.root().join("small-ko.svg");
    ok(initbook(
        book.root(),
        &[
            "run",
            "small",
            "--seed",
            "42",
            "--lang",
            "ko",
            "--svg",
            svg.to_str().unwrap(),
        ],
    ));
    assert_eq!(
        std::fs::read(&svg).unwrap(),
        std::fs::read(book.output().join("ko/figures/small.svg")).unwrap()
    );
    assert!(
        book.read_output("ko/01-one.html")
            .contains("--lang ko --svg small.svg")
    );
    ok(initbook(book.root(), &["verify"]));
    // A Korean figure edited by hand is drift.
    std::fs::write(book.output().join("ko/figures/small.svg"), "<svg/>").unwrap();
    let verify = initbook(book.root(), &["verify"]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&verify.stderr).contains("small (ko)"));
}

#[test]
fn a_language_table_must_name_a_language() {
    let book = TinyBook::new();
    book.write(
        "content/book.toml",
        "title = \"Tiny\"\nchapters = [\"01-one.md\"]\n\n[languages.\"../x\"]\ntitle = \"x\"\n",
    );
    let output = initbook(book.root(), &["check"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`../x` is not a language tag"));
    let output = initbook(TinyBook::new().root(), &["i18n", "update", "ko"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("add a [languages.ko] table"));
}

/// The shipped book: every page exists in Korean, with `lang="ko"` and links both ways; the
/// numbers and data hashes on each Korean page are the English page's.
#[test]
fn the_shipped_korean_edition_has_every_page_and_the_same_numbers() {
    let output = Path::new(env!("CARGO_MANIFEST_DIR")).join("output");
    let mut pages = 0;
    for entry in std::fs::read_dir(&output).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".html") {
            continue;
        }
        pages += 1;
        let english = std::fs::read_to_string(output.join(&name)).unwrap();
        let korean = std::fs::read_to_string(output.join("ko").join(&name))
            .unwrap_or_else(|_| panic!("no ko/{name}"));
        assert!(korean.contains("<html lang=\"ko\">"), "ko/{name}");
        assert!(
            english.contains(&format!("href=\"ko/{name}\" hreflang=\"ko\"")),
            "{name}"
        );
        assert!(
            korean.contains(&format!("href=\"../{name}\" hreflang=\"en\"")),
            "ko/{name}"
        );
        assert_eq!(stat_numbers(&english), stat_numbers(&korean), "{name}");
        assert_eq!(data_hashes(&english), data_hashes(&korean), "{name}");
    }
    assert!(pages >= 9, "{pages} pages");
    let manifest: initbook::manifest::Manifest =
        serde_json::from_str(&std::fs::read_to_string(output.join("figures.json")).unwrap())
            .unwrap();
    for figure in manifest.figures.iter().filter(|f| f.svg.is_some()) {
        let korean = &figure.translations["ko"];
        let svg = std::fs::read(output.join(&korean.svg)).unwrap();
        assert_eq!(
            initbook::hash::sha256_hex(&svg),
            korean.svg_sha256,
            "{}",
            figure.id
        );
    }
}

/// The numbers of a page's inline references, sorted (a translation may reorder its sentences).
fn stat_numbers(html: &str) -> Vec<String> {
    let mut numbers: Vec<String> = html
        .split("<a class=\"stat\" ")
        .skip(1)
        .map(|rest| {
            let text = &rest[rest.find('>').unwrap() + 1..];
            text[..text.find("</a>").unwrap()].to_string()
        })
        .collect();
    numbers.sort();
    numbers
}

/// The data hashes in a page's Reproduce panels, in order.
fn data_hashes(html: &str) -> Vec<String> {
    html.split("<code class=\"hash\">")
        .skip(1)
        .map(|rest| rest[..rest.find('<').unwrap()].to_string())
        .collect()
}

#[test]
fn a_translation_cannot_change_an_experiment() {
    let book = bilingual_book();
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace("```experiment", "Plain words.\n\n```experiment"),
    );
    ok(initbook(book.root(), &["i18n", "update", "ko"]));
    let mut catalog = read_catalog(&book, "01-one");
    let entry = catalog
        .entries
        .iter_mut()
        .find(|e| e.msgid == "Plain words.")
        .unwrap();
    // A fence: the experiment block below it would become plain code in the translation.
    entry.msgstr = "```".into();
    write_catalog_file(&book, "01-one", &catalog);
    let output = initbook(book.root(), &["build"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The experiment is gone from the translated lesson, so its reference no longer resolves:
    // an error that names the translation's catalog.
    assert!(
        stderr
            .contains("in the ko translation (content/i18n/ko/01-one.po): no experiment \"small\""),
        "{stderr}"
    );
    assert!(!book.output().exists(), "a failed build writes nothing");
}
