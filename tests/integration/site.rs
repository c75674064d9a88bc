//! The built site: pages, figures, references, math, templates, and the offline promise.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::TinyBook;
use initbook::book_files::{ReadLedger, recording_reads};
use initbook::cache::Cache;
use initbook::numeric::run_activations;
use initbook::{Rebuild, Rebuilder, build_site};

fn page(site: &initbook::Site, name: &str) -> String {
    String::from_utf8(site.files[name].clone()).unwrap()
}

#[test]
fn pages_have_navigation_and_titles() {
    let book = TinyBook::new();
    let site = build_site(book.root()).unwrap();
    let one = page(&site, "01-one.html");
    assert!(one.contains("<title>First lesson · Tiny</title>"));
    assert!(one.contains(r#"<li class="current"><a href="01-one.html" aria-current="page">"#));
    assert!(one.contains(
        r#"<a href="02-two.html"><span class="lesson-number">2.</span> Second lesson</a>"#
    ));
    assert!(one.contains(r#"rel="next" href="02-two.html""#));
    assert!(
        !one.contains(r#"rel="prev""#),
        "the first lesson has no previous one"
    );
    let two = page(&site, "02-two.html");
    assert!(two.contains(r#"rel="prev" href="01-one.html""#));
    assert!(!two.contains(r#"rel="next""#));
    let index = page(&site, "index.html");
    assert!(index.contains("<h1>Tiny</h1>"));
    assert!(index.contains(r#"<a href="01-one.html">First lesson</a>"#));
    assert!(index.contains(r#"<html lang="en">"#));
}

#[test]
fn figures_are_inline_numbered_and_labelled() {
    let book = TinyBook::new();
    let site = build_site(book.root()).unwrap();
    let one = page(&site, "01-one.html");
    assert!(one.contains(r#"<figure class="experiment" id="small">"#));
    assert!(one.contains(r#"<span class="figure-number">Figure 1.1</span> — A small experiment <span class="seed">(seed 42)</span>"#));
    let svg = String::from_utf8(site.files["figures/small.svg"].clone()).unwrap();
    assert!(svg.contains(r#"<title id="small-title">A small experiment</title>"#));
    assert!(svg.contains(r#"<desc id="small-desc">Two histograms</desc>"#));
    assert!(svg.contains("\nLayer 1\n") && svg.contains("\nLayer 2\n"));
    assert!(
        one.contains(svg.trim_end()),
        "the page embeds the same SVG as the file"
    );
    // table = true: one row per layer.
    assert_eq!(one.matches(r#"<tr><th scope="row">"#).count(), 2);
    assert!(one.contains("initbook run small --seed 42 --svg small.svg"));
    assert!(page(&site, "02-two.html").contains("Figure 2.1"));
}

#[test]
fn references_show_the_experiment_value() {
    let book = TinyBook::new();
    let site = build_site(book.root()).unwrap();
    let lesson = initbook::parse::parse_lesson(initbook::diagnostic::SourceFile::new(
        "content/01-one.md",
        common::LESSON_ONE.to_string(),
    ))
    .unwrap();
    let spec = &lesson.experiments[0];
    let expected = format!(
        "{:.3}",
        match &spec.experiment {
            initbook::numeric::Experiment::Activations(params) => {
                run_activations(params, spec.seed).layers[1].std
            }
            other => panic!("the tiny book's first experiment is {other:?}"),
        }
    );
    let one = page(&site, "01-one.html");
    assert!(
        one.contains(&format!(r##"<a class="stat" href="01-one.html#small" title="small: layer 2, std (seed 42)">{expected}</a>"##)),
        "{one}"
    );
    assert!(!one.contains("{small."), "no reference is left unrendered");
}

#[test]
fn links_between_lessons_point_at_pages() {
    let book = TinyBook::new();
    let site = build_site(book.root()).unwrap();
    assert!(page(&site, "01-one.html").contains(r#"<a href="02-two.html">the next lesson</a>"#));
}

#[test]
fn math_is_mathml_at_build_time() {
    let book = TinyBook::new();
    let site = build_site(book.root()).unwrap();
    let two = page(&site, "02-two.html");
    assert!(two.contains("<math display=\"inline\">"));
    assert!(!two.contains("$\\sigma"), "no raw LaTeX left");
}

#[test]
fn templates_in_the_book_override_the_built_in_ones() {
    let book = TinyBook::new();
    book.write("templates/style.css", "body { color: red; }\n");
    book.write(
        "templates/page.html",
        "<html><title>{{ page.title }}</title><body>{{ page.content | safe }}</body></html>\n",
    );
    let site = build_site(book.root()).unwrap();
    assert_eq!(page(&site, "style.css"), "body { color: red; }\n");
    assert!(page(&site, "01-one.html").starts_with("<html><title>First lesson</title>"));
    // index.html still comes from the built-in theme.
    assert!(page(&site, "index.html").contains("<nav class=\"sidebar\""));
}

#[test]
fn a_broken_template_is_an_error() {
    let book = TinyBook::new();
    book.write("templates/page.html", "{% if %}\n");
    let error = build_site(book.root()).unwrap_err().to_string();
    assert!(error.contains("templates"), "{error}");
}

/// The tutorial, built once for the tests that read it, its outcomes from the result cache
/// under `target/` (tests/integration/determinism.rs computes them afresh and compares with output/).
fn the_tutorial() -> &'static initbook::Site {
    &the_tutorial_and_its_reads().0
}

/// [`the_tutorial`], and every read of the book's files its build made.
fn the_tutorial_and_its_reads() -> &'static (initbook::Site, ReadLedger) {
    static BUILT: std::sync::OnceLock<(initbook::Site, ReadLedger)> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let cache = initbook::cache::Cache::for_book(&root);
        let (report, reads) =
            recording_reads(|| initbook::build_site_with(&root, &cache, &|_, _| {}));
        (report.unwrap().site, reads)
    })
}

/// Every file under `dir`, relative to `root`.
fn files_under(root: &Path, dir: &str) -> BTreeSet<PathBuf> {
    common::snapshot(&root.join(dir))
        .into_iter()
        .map(|(path, _)| Path::new(dir).join(path))
        .collect()
}

/// `serve` skips a rebuild when nothing the last good build read has changed (`Rebuilder`), so
/// a file the build depends on but reads some other way — not through `book_files`, or on a
/// worker thread the recording does not see — would have its edits ignored. Every file of the
/// tutorial's `content/` and `templates/` is read through the ledger, but for the one the build
/// never opens.
#[test]
fn the_build_reads_every_file_of_the_book_through_the_ledger() {
    let (_, reads) = the_tutorial_and_its_reads();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let read: BTreeSet<PathBuf> = reads.files().map(Path::to_path_buf).collect();
    let mut on_disk = files_under(&root, "content");
    on_disk.extend(files_under(&root, "templates"));
    let unread: Vec<&PathBuf> = on_disk.difference(&read).collect();
    // The data set's licence and source note is for people.
    assert_eq!(unread, [Path::new("content/data/README.md")]);
    assert!(read.len() > 40, "{read:?}");
    assert!(reads.unchanged(), "nothing changed since the build");
}

/// A rebuild as `serve` makes it: skipped while nothing the last good build read has changed,
/// made as soon as something has, and equal to a fresh build.
#[test]
fn a_rebuild_is_skipped_until_something_the_build_reads_changes() {
    let book = TinyBook::new();
    let mut rebuilder = Rebuilder::new(book.root(), Cache::for_book(book.root()));
    let built = |rebuild: Rebuild| match rebuild {
        Rebuild::Built(report) => report.site,
        Rebuild::Unchanged => panic!("the book changed, but the rebuild was skipped"),
    };
    let first = built(rebuilder.rebuild().unwrap());
    assert_eq!(first, build_site(book.root()).unwrap());
    let skipped = |rebuilder: &mut Rebuilder, what: &str| {
        assert!(
            matches!(rebuilder.rebuild().unwrap(), Rebuild::Unchanged),
            "{what}: rebuilt although nothing the build reads changed"
        );
    };
    skipped(&mut rebuilder, "nothing");
    // What editors leave beside lessons, a lesson saved without edits, a draft not in the book.
    book.write("content/.01-one.md.swp", "swap");
    book.write("content/01-one.md~", "backup");
    book.write("content/01-one.md", common::LESSON_ONE);
    book.write("content/99-draft.md", "# Not listed in book.toml\n");
    skipped(&mut rebuilder, "files the build does not read");

    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace("Math:", "Edited math:"),
    );
    let edited = built(rebuilder.rebuild().unwrap());
    assert!(page(&edited, "02-two.html").contains("Edited math:"));
    assert_eq!(edited, build_site(book.root()).unwrap());
    skipped(&mut rebuilder, "nothing since the edit");

    // A template the book did not override until now.
    book.write("templates/style.css", "body { color: rebeccapurple; }\n");
    let restyled = built(rebuilder.rebuild().unwrap());
    assert_ne!(restyled, edited);
    assert_eq!(restyled, build_site(book.root()).unwrap());

    // A failed build leaves the last good one as the reference: undoing the mistake is a
    // return to it, not a rebuild.
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace("nodes = 20", "nodes = 0"),
    );
    assert!(rebuilder.rebuild().is_err());
    book.write("content/01-one.md", common::LESSON_ONE);
    skipped(
        &mut rebuilder,
        "the book back as it was at the last good build",
    );
}

#[test]
fn the_tutorial_loads_nothing_from_the_network() {
    let site = the_tutorial();
    assert!(site.lessons >= 7);
    for (path, bytes) in &site.files {
        let Ok(text) = std::str::from_utf8(bytes) else {
            // The data sets beside each edition's notebooks are the book's own files, gzip and
            // all.
            assert!(
                path.starts_with("notebooks/data/") || path.starts_with("ko/notebooks/data/"),
                "{path} is not text"
            );
            continue;
        };
        for forbidden in [
            "src=\"http",
            "src=\"//",
            "@import",
            "url(",
            "<link rel=\"preconnect",
            "fetch(",
            "XMLHttpRequest",
        ] {
            assert!(!text.contains(forbidden), "{path} contains {forbidden}");
        }
        for link in text.split("<link ").skip(1) {
            let link = &link[..link.find('>').unwrap()];
            // The stylesheet, or the same page in another language (a relative file).
            let local_page = link.starts_with("rel=\"alternate\"")
                && !link.contains("href=\"http")
                && !link.contains("href=\"//")
                && link.ends_with(".html\"");
            assert!(
                link.contains("href=\"style.css\"")
                    || link.contains("href=\"explorer.css\"")
                    || local_page,
                "{path} links {link}"
            );
        }
        // The scripts a page loads are the theme's search and the σ explorer's, from the site
        // itself; nothing inline.
        for script in text.split("<script").skip(1) {
            let tag = &script[..script.find('>').unwrap()];
            assert!(
                [" src=\"search.js\" defer", " src=\"explorer.js\" defer"].contains(&tag),
                "{path} has a script {tag}"
            );
            assert!(
                script[tag.len() + 1..].starts_with("</script>"),
                "{path} has an inline script"
            );
        }
    }
}

#[test]
fn every_figure_file_is_used_on_a_page() {
    let site = the_tutorial();
    let pages: String = site
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    for path in site.files.keys().filter(|p| p.starts_with("figures/")) {
        let id = path.trim_start_matches("figures/").trim_end_matches(".svg");
        if id.contains('/') {
            // A frame of a sweep (`figures/ID/FRAME.svg`): an image of its explorer.
            assert!(
                pages.contains(&format!("src=\"{path}\"")),
                "{path} is not on any page"
            );
        } else {
            assert!(
                pages.contains(&format!("id=\"{id}\"")),
                "{id} is not on any page"
            );
        }
    }
}

#[test]
fn numbers_quoted_on_the_contents_page_link_to_their_lesson() {
    let book = TinyBook::new();
    let index = page(&build_site(book.root()).unwrap(), "index.html");
    assert!(index.contains(r##"href="01-one.html#small""##), "{index}");
}

#[test]
fn the_contents_page_shows_each_description_or_whole_first_sentences() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!(
            "+++\ndescription = \"Two histograms & a number.\"\n+++\n\n{}",
            common::LESSON_ONE
        ),
    );
    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace(
            "Math: $\\sigma(a) = 1/(1+e^{-a})$.",
            "Tanh keeps its spread. The table:\n\n| a |\n|---|\n| 1 |",
        ),
    );
    let site = build_site(book.root()).unwrap();
    let index = page(&site, "index.html");
    assert!(
        index.contains("<p>Two histograms &amp; a number.</p>"),
        "{index}"
    );
    assert!(index.contains("<p>Tanh keeps its spread.</p>"), "{index}");
    assert!(!index.contains("The table:"), "{index}");
    // The page itself keeps its whole paragraph and shows no front matter.
    let one = page(&site, "01-one.html");
    assert!(
        !one.contains("description") && !one.contains("+++"),
        "{one}"
    );
    assert!(page(&site, "02-two.html").contains("Tanh keeps its spread. The table:"));
}
