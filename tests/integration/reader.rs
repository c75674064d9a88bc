//! What the site gives a reader beyond the text: the contents list of each page, heading
//! anchors, cross-references to figures, the search index and the print edition.

use crate::common;

use std::collections::BTreeSet;

use common::TinyBook;
use initbook::{Site, build_site};

fn page(site: &Site, name: &str) -> String {
    String::from_utf8(site.files[name].clone()).unwrap()
}

/// The error a book fails to build with, as printed.
fn build_error(book: &TinyBook) -> String {
    build_site(book.root()).unwrap_err().to_string()
}

/// Every `id="…"` on a page, in order.
fn ids(html: &str) -> Vec<&str> {
    html.split(" id=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect()
}

/// The text of every element `<tag …>` … `</tag>` (first level only), tags inside removed.
fn texts_of<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    html.split(open)
        .skip(1)
        .map(|rest| &rest[..rest.find(close).unwrap()])
        .collect()
}

const SECTIONS: &str = r#"# Sections

Opening words.

## The histograms

Text.

### A detail

More text.

#### Too deep for the contents

Deep.

## The histograms

Again.

## 가중치의 초깃값

학교에 갑니다. 초깃값을 정합니다.

## Custom anchor {#mine}

## Content

"#;

#[test]
fn headings_get_unicode_anchors_unique_on_the_page() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!("{SECTIONS}{}", &common::LESSON_TWO[17..]),
    );
    let two = page(&build_site(book.root()).unwrap(), "02-two.html");
    for (id, text) in [
        ("the-histograms", "The histograms"),
        ("a-detail", "A detail"),
        ("too-deep-for-the-contents", "Too deep for the contents"),
        ("the-histograms-1", "The histograms"),
        ("가중치의-초깃값", "가중치의 초깃값"),
        ("mine", "Custom anchor"),
        // The theme's own `id="content"` (the text column) keeps its id.
        ("content-1", "Content"),
    ] {
        assert!(
            two.contains(&format!(
                " id=\"{id}\">{text} <a class=\"self-link\" href=\"#{id}\""
            )),
            "no heading {text:?} with id {id:?} and its self-link in\n{two}"
        );
    }
    let all = ids(&two);
    let unique: BTreeSet<&str> = all.iter().copied().collect();
    assert_eq!(all.len(), unique.len(), "an id is used twice: {all:?}");
}

#[test]
fn the_contents_list_has_every_h2_and_h3_in_order() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!("{SECTIONS}{}", &common::LESSON_TWO[17..]),
    );
    let two = page(&build_site(book.root()).unwrap(), "02-two.html");
    let toc = texts_of(
        &two,
        "<nav class=\"toc\" aria-label=\"On this page\">",
        "</nav>",
    );
    assert_eq!(toc.len(), 1, "one contents list");
    let toc = toc[0];
    let entries: Vec<&str> = texts_of(toc, "<a href=\"#", "</a>");
    assert_eq!(
        entries,
        [
            "the-histograms\">The histograms",
            "a-detail\">A detail",
            "the-histograms-1\">The histograms",
            "가중치의-초깃값\">가중치의 초깃값",
            "mine\">Custom anchor",
            "content-1\">Content",
        ]
    );
    // The h3 is nested under its h2; the h4 is not listed.
    assert!(toc.contains("A detail</a></li>\n</ol>"), "{toc}");
    assert!(!toc.contains("Too deep"));
    // Every entry points at a heading of the page.
    for entry in &entries {
        let id = &entry[..entry.find('"').unwrap()];
        assert!(
            two.contains(&format!("<h2 id=\"{id}\"")) || two.contains(&format!("<h3 id=\"{id}\""))
        );
    }
    // A page without sections has no list.
    let one = page(&build_site(book.root()).unwrap(), "01-one.html");
    assert!(!one.contains("class=\"toc\""));
}

#[test]
fn a_heading_whose_anchor_is_an_experiment_id_is_an_error() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace("The std of layer 2", "## Small\n\nThe std of layer 2"),
    );
    let error = build_error(&book);
    assert!(error.contains("content/01-one.md:3:1"), "{error}");
    assert!(
        error.contains("the heading \"Small\" would get the anchor \"small\", the id of the experiment at line 7"),
        "{error}"
    );
    assert!(error.contains("## Small {#small-section}"), "{error}");

    // Written out, the same id is an error too; another one is fine.
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace(
            "The std of layer 2",
            "## Small {#small}\n\nThe std of layer 2",
        ),
    );
    let error = build_error(&book);
    assert!(error.contains("content/01-one.md:3:1"), "{error}");
    assert!(
        error.contains("the heading's id \"small\" is the id of the experiment"),
        "{error}"
    );
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace(
            "The std of layer 2",
            "## Small {#small-section}\n\nThe std of layer 2",
        ),
    );
    let one = page(&build_site(book.root()).unwrap(), "01-one.html");
    assert!(one.contains("<h2 id=\"small-section\">Small"));
}

#[test]
fn a_written_heading_id_used_twice_is_an_error() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!(
            "{}\n## One {{#same}}\n\n## Two {{#same}}\n",
            common::LESSON_TWO
        ),
    );
    let error = build_error(&book);
    assert!(error.contains("content/02-two.md:20:1"), "{error}");
    assert!(
        error.contains("the id \"same\" is already used on this page"),
        "{error}"
    );
}

#[test]
fn cross_references_read_as_the_figure_number_and_link_to_it() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!(
            "{}\nSee [](#small), [](02-two.md#tiny-tanh), [](./02-two.md#tiny-tanh) and [the tanh figure](02-two.md#tiny-tanh).\n",
            common::LESSON_ONE
        ),
    );
    book.write(
        "content/02-two.md",
        &format!("{}\nAs [](01-one.md#small) showed.\n", common::LESSON_TWO),
    );
    let site = build_site(book.root()).unwrap();
    let one = page(&site, "01-one.html");
    assert!(
        one.contains(r#"See <a class="xref" href="01-one.html#small">Figure 1.1</a>, <a class="xref" href="02-two.html#tiny-tanh">Figure 2.1</a>, <a class="xref" href="02-two.html#tiny-tanh">Figure 2.1</a> and <a href="02-two.html#tiny-tanh">the tanh figure</a>."#),
        "{one}"
    );
    // The number is the caption's.
    assert!(one.contains(r#"<span class="figure-number">Figure 1.1</span> — A small experiment"#));
    let two = page(&site, "02-two.html");
    assert!(two.contains(r#"As <a class="xref" href="01-one.html#small">Figure 1.1</a> showed."#));
}

/// Builds the tiny book with `line` added to its first lesson and returns the error.
fn reference_error(line: &str) -> String {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!("{}\n{line}\n", common::LESSON_ONE),
    );
    build_error(&book)
}

#[test]
fn a_cross_reference_to_an_unknown_figure_is_an_error_with_a_suggestion() {
    // Line 19 of the lesson; the caret is under the id.
    let error = reference_error("See [](#smal).");
    assert!(
        error.contains("error: no figure \"smal\" in this lesson"),
        "{error}"
    );
    assert!(error.contains("content/01-one.md:19:9"), "{error}");
    assert!(error.contains("= hint: did you mean `#small`?"), "{error}");

    let error = reference_error("See [](02-two.md#tiny-tahn).");
    assert!(
        error.contains("no figure \"tiny-tahn\" in 02-two.md"),
        "{error}"
    );
    assert!(error.contains("content/01-one.md:19:18"), "{error}");
    assert!(
        error.contains("did you mean `02-two.md#tiny-tanh`?"),
        "{error}"
    );

    // On the wrong page: the hint says where it is.
    let error = reference_error("See [](#tiny-tanh).");
    assert!(
        error.contains("no figure \"tiny-tanh\" in this lesson"),
        "{error}"
    );
    assert!(
        error.contains("\"tiny-tanh\" is a figure of 02-two.md: write [](02-two.md#tiny-tanh)"),
        "{error}"
    );

    let error = reference_error("See [](03-three.md#tiny-tanh).");
    assert!(
        error.contains("no lesson \"03-three.md\" in the book"),
        "{error}"
    );

    let error = reference_error("See [](02-two.md).");
    assert!(
        error.contains("a link with no text must name a figure"),
        "{error}"
    );

    let error = reference_error("See [](#nothing-like-it).");
    assert!(
        error.contains("no figure \"nothing-like-it\" in this lesson"),
        "{error}"
    );
    assert!(
        error.contains("the figures of this lesson: small"),
        "{error}"
    );
}

#[test]
fn a_cross_reference_to_a_section_or_an_unnumbered_block_is_an_error() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!(
            "{}\n## Notes\n\nSee [](#notes).\n\n```experiment\nid = \"quiet\"\ncaption = \"Numbers only\"\nalt = \"None\"\nseed = 1\ninit = \"he\"\nactivation = \"relu\"\nlayers = 1\nnodes = 4\nsamples = 4\nfigure = false\n```\n\nAnd [](#quiet).\n",
            common::LESSON_ONE
        ),
    );
    let error = build_error(&book);
    assert!(
        error.contains("no figure \"notes\" in this lesson"),
        "{error}"
    );
    assert!(
        error.contains("\"notes\" is a section; a link to a section needs text: [Notes](#notes)"),
        "{error}"
    );
    assert!(
        error.contains(
            "experiment \"quiet\" draws no figure (`figure = false`), so it has no number to show"
        ),
        "{error}"
    );
    assert!(error.contains("content/01-one.md:36:9"), "{error}");
    assert!(error.contains("2 errors in the content"), "{error}");
}

#[test]
fn a_link_with_text_to_a_missing_section_or_lesson_is_an_error_where_it_is_written() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!("{}\n## Why it works\n\nText.\n", common::LESSON_TWO),
    );
    // Good links: a section, a figure and a whole lesson, on this page and on another.
    book.write(
        "content/01-one.md",
        &format!(
            "{}\n## Here\n\n[Why](02-two.md#why-it-works), [the tanh run](02-two.md#tiny-tanh), [here](#here), [two](02-two.md).\n",
            common::LESSON_ONE
        ),
    );
    build_site(book.root()).expect("every link resolves");

    book.write(
        "content/01-one.md",
        &format!(
            "{}\nSee [why](02-two.md#why-it-work) and [the third](03-three.md#x).\n",
            common::LESSON_ONE
        ),
    );
    let error = build_error(&book);
    assert!(
        error.contains("error: no section or figure \"why-it-work\" in 02-two.md"),
        "{error}"
    );
    assert!(error.contains("content/01-one.md:19:21"), "{error}");
    assert!(
        error.contains("did you mean `02-two.md#why-it-works`?"),
        "{error}"
    );
    assert!(
        error.contains("no lesson \"03-three.md\" in the book"),
        "{error}"
    );
    assert!(error.contains("2 errors in the content"), "{error}");
}

#[test]
fn a_link_to_a_lesson_that_does_not_parse_reports_only_that_lessons_error() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!(
            "{}\nSee [the tanh run](02-two.md#tiny-tanh) and [](02-two.md#tiny-tanh).\n",
            common::LESSON_ONE
        ),
    );
    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace("nodes = 10", "nodes = 0"),
    );
    let error = build_error(&book);
    assert!(error.contains("content/02-two.md"), "{error}");
    assert!(error.contains("1 error in the content"), "{error}");
}

#[test]
fn a_broken_cross_reference_does_not_hide_the_other_lessons_errors() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!("{}\nSee [](#gone).\n", common::LESSON_ONE),
    );
    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace("nodes = 10", "nodes = 0"),
    );
    let error = build_error(&book);
    let first = error.find("content/01-one.md:19").expect(&error);
    let second = error.find("content/02-two.md").expect(&error);
    assert!(first < second, "errors in file order:\n{error}");
}

/// The search index of a site, as JSON.
fn search_index(site: &Site) -> serde_json::Value {
    let js = page(site, "searchindex.js");
    let json = js
        .strip_prefix("window.initbookSearchIndex = ")
        .and_then(|rest| rest.strip_suffix(";\n"))
        .expect("the index defines one global");
    serde_json::from_str(json).unwrap()
}

#[test]
fn the_search_index_holds_every_sections_words_and_no_html() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!("{}\n## Saturated *units*\n\nThe `{{tiny-tanh.layer3.std:.4}}` of [layer 3](#tiny-tanh), see [](#tiny-tanh).\n", common::LESSON_TWO),
    );
    let site = build_site(book.root()).unwrap();
    let index = search_index(&site);
    let pages: Vec<(&str, &str)> = index["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap()))
        .collect();
    assert_eq!(
        pages,
        [
            ("01-one.html", "First lesson"),
            ("02-two.html", "Second lesson")
        ]
    );
    let docs = index["docs"].as_array().unwrap();
    // One document per section: each lesson's opening, and the section of lesson two.
    let sections: Vec<(u64, &str, &str)> = docs
        .iter()
        .map(|d| {
            (
                d[0].as_u64().unwrap(),
                d[1].as_str().unwrap(),
                d[2].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sections,
        [
            (0, "", "First lesson"),
            (1, "", "Second lesson"),
            (1, "saturated-units", "Saturated units")
        ]
    );
    let text = docs[2][3].as_str().unwrap();
    // The number as the page prints it, the cross-reference as it reads.
    let two = page(&site, "02-two.html");
    let number = texts_of(&two, "<a class=\"stat\"", "</a>")[0];
    let number = &number[number.find('>').unwrap() + 1..];
    assert_eq!(text, format!("The {number} of layer 3, see Figure 2.1."));
    // Captions, as the figure shows them.
    assert!(docs[1][3].as_str().unwrap().contains("Figure 2.1 — Tanh"));
    let terms: Vec<&str> = index["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for word in [
        "first",
        "lesson",
        "saturated",
        "units",
        "tanh",
        "figure",
        "2.1",
        number,
        "math",
    ] {
        assert!(terms.contains(&word), "{word} is not indexed: {terms:?}");
    }
    assert!(
        terms.windows(2).all(|w| w[0] < w[1]),
        "terms are sorted and unique"
    );
    // Plain text: no tags, entities, Markdown or LaTeX (a formula reads as it is shown).
    assert!(
        docs[1][3]
            .as_str()
            .unwrap()
            .contains("Math: σ(a)=1/(1+e−a)."),
        "{}",
        docs[1][3]
    );
    for doc in docs {
        for field in doc.as_array().unwrap().iter().filter_map(|f| f.as_str()) {
            let tag = field.match_indices('<').any(|(at, _)| {
                field[at + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
            });
            assert!(!tag, "a tag in {field:?}");
            for markup in ["&amp;", "&lt;", "&#", "`", "{", "$", "\\"] {
                assert!(!field.contains(markup), "{markup} in {field:?}");
            }
        }
    }
    for term in &terms {
        assert!(
            term.chars()
                .all(|c| c.is_alphanumeric() || "'’.,_".contains(c)),
            "{term:?}"
        );
    }
}

#[test]
fn korean_pages_are_indexed_by_word_with_their_particles() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!("{SECTIONS}{}", &common::LESSON_TWO[17..]),
    );
    let site = build_site(book.root()).unwrap();
    let index = search_index(&site);
    let terms: Vec<&str> = index["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for word in [
        "학교에",
        "갑니다",
        "초깃값을",
        "정합니다",
        "가중치의",
        "초깃값",
    ] {
        assert!(terms.contains(&word), "{word} is not indexed: {terms:?}");
    }
    // A stem is a prefix of the word with its particle: the rule search.js matches by.
    assert!(terms.iter().any(|t| t.starts_with("학교") && *t != "학교"));
    let docs = index["docs"].as_array().unwrap();
    assert!(
        docs.iter()
            .any(|d| d[1] == "가중치의-초깃값" && d[2] == "가중치의 초깃값")
    );
}

#[test]
fn every_page_loads_the_search_which_hides_without_javascript() {
    let book = TinyBook::new();
    let site = build_site(book.root()).unwrap();
    for name in ["index.html", "01-one.html", "02-two.html", "print.html"] {
        let html = page(&site, name);
        assert!(
            html.contains("<script src=\"search.js\" defer></script>"),
            "{name}"
        );
        assert!(
            html.contains("<form class=\"search\" id=\"search\" role=\"search\" hidden data-index=\"searchindex.js\""),
            "{name}: the search form is hidden until its script shows it"
        );
    }
    assert!(page(&site, "search.js").contains("initbookSearchIndex"));
}

#[test]
fn the_print_edition_holds_every_lesson_once_in_order_with_unique_ids() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!("{}\n## Notes\n\nSee [](02-two.md#tiny-tanh), [the notes](02-two.md#notes) and [lesson two](02-two.md).[^n]\n\n[^n]: A footnote.\n", common::LESSON_ONE),
    );
    book.write(
        "content/02-two.md",
        &format!("{}\n## Notes\n\nSee [](01-one.md#small) and [above](#notes).[^n]\n\n[^n]: Another footnote, <https://example.org/a> and [the site](https://example.org/b).\n", common::LESSON_TWO),
    );
    let site = build_site(book.root()).unwrap();
    let print = page(&site, "print.html");
    let chapters = texts_of(&print, "<section class=\"chapter lesson\" id=\"", "\"");
    assert_eq!(chapters, ["01-one", "02-two"]);
    let titles = texts_of(&print, "<h2 class=\"chapter-title\">", "</h2>");
    assert_eq!(
        titles,
        [
            "<span class=\"chapter-number\">1.</span> First lesson",
            "<span class=\"chapter-number\">2.</span> Second lesson"
        ]
    );
    // Each lesson's text once: its figures and its own words.
    for unique in [
        "id=\"small\"",
        "id=\"tiny-tanh\"",
        "Math: <math",
        "A footnote.",
        "Another footnote,",
    ] {
        assert_eq!(print.matches(unique).count(), 1, "{unique}");
    }
    // No id twice; every link inside the page lands on an id of the page.
    let all = ids(&print);
    let unique: BTreeSet<&str> = all.iter().copied().collect();
    assert_eq!(all.len(), unique.len(), "an id is used twice: {all:?}");
    for href in texts_of(&print, "href=\"#", "\"") {
        assert!(unique.contains(href), "#{href} leads nowhere in print.html");
    }
    // Lessons' sections are one level down, their ids carry the lesson's name; links between
    // lessons stay in the page.
    assert!(print.contains("<h3 id=\"01-one--notes\">Notes"));
    assert!(print.contains("<h3 id=\"02-two--notes\">Notes"));
    assert!(print.contains(r##"See <a class="xref" href="#tiny-tanh">Figure 2.1</a>, <a href="#02-two--notes">the notes</a> and <a href="#02-two">lesson two</a>"##));
    assert!(print.contains(r##"See <a class="xref" href="#small">Figure 1.1</a> and <a href="#02-two--notes">above</a>"##));
    assert!(print.contains(r##"<a class="stat" href="#small""##));
    assert!(
        !print.contains(".html#"),
        "no link leaves the print edition for a lesson page"
    );
    // A web address written out is marked, so that print does not write it out twice.
    assert!(print.contains(r#"<a class="url" href="https://example.org/a">https://example.org/a</a> and <a href="https://example.org/b">the site</a>"#));
    // The sidebar links to it.
    assert!(page(&site, "01-one.html").contains("<a href=\"print.html\""));
}

#[test]
fn interface_strings_come_from_one_table_a_book_can_override() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!("{}\nSee [](#small).\n\n## Section\n", common::LESSON_ONE),
    );
    book.write(
        "templates/strings.toml",
        "figure = \"Fig.\"\non_this_page = \"In this lesson\"\n",
    );
    let site = build_site(book.root()).unwrap();
    let one = page(&site, "01-one.html");
    assert!(
        one.contains("<span class=\"figure-number\">Fig. 1.1</span>"),
        "{one}"
    );
    assert!(one.contains(">Fig. 1.1</a>"));
    assert!(one.contains("aria-label=\"In this lesson\""));
    // The keys it does not override keep the built-in words.
    assert!(one.contains(">Next</span>"));

    book.write("templates/strings.toml", "figure = 3\n");
    let error = build_error(&book);
    assert!(error.contains("`figure` must be a string"), "{error}");
}

#[test]
fn figure_and_table_markup_come_from_templates() {
    let book = TinyBook::new();
    let one = page(&build_site(book.root()).unwrap(), "01-one.html");
    // The statistics table scrolls in a box the keyboard can reach and a screen reader names.
    assert!(
        one.contains(r#"<div class="table-scroll" tabindex="0" role="region" aria-label="Table of figure 1.1"><table class="stats">"#),
        "{one}"
    );
    assert!(one.contains(r#"<th scope="col" title="mean over units of each unit&#39;s std across samples">unit std</th>"#));
    // So does a display formula, which may be wider than a phone.
    book.write(
        "content/02-two.md",
        &format!("{}\n$$a = z W$$\n", common::LESSON_TWO),
    );
    let two = page(&build_site(book.root()).unwrap(), "02-two.html");
    assert!(
        two.contains(r#"<span class="math-display" tabindex="0" role="region" aria-label="Formula"><math display="block">"#),
        "{two}"
    );

    book.write(
        "templates/figure.html",
        "<figure id=\"{{ id }}\" class=\"mine\">{{ strings.figure }} {{ number }}: {{ caption }}{% if table %}{% include \"stats-table.html\" %}{% endif %}</figure>\n",
    );
    book.write(
        "templates/stats-table.html",
        "<table>{% for row in table.rows %}<tr><td>{{ row.header }}</td></tr>{% endfor %}</table>",
    );
    let one = page(&build_site(book.root()).unwrap(), "01-one.html");
    assert!(
        one.contains("<figure id=\"small\" class=\"mine\">Figure 1.1: A small experiment<table><tr><td>1</td></tr><tr><td>2</td></tr></table></figure>"),
        "{one}"
    );
}

#[test]
fn a_heading_with_math_code_and_a_footnote_keeps_them_out_of_its_anchor_and_list_entry() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!(
            "{}\n## The $\\tanh$ case of `{{tiny-tanh.layer1.std:.2}}` and [](#tiny-tanh)[^a]\n\n[^a]: A note.\n",
            common::LESSON_TWO
        ),
    );
    let two = page(&build_site(book.root()).unwrap(), "02-two.html");
    let number = texts_of(&two, "<a class=\"stat\"", "</a>")[0];
    let number = &number[number.find('>').unwrap() + 1..];
    // The anchor comes from the heading as written, so it stays when the number changes.
    let id = "the-tanh-case-of-tiny-tanh-layer1-std-2-and";
    assert!(two.contains(&format!("<h2 id=\"{id}\">The <math")), "{two}");
    let toc = texts_of(&two, "<nav class=\"toc\"", "</nav>")[0];
    let entry = texts_of(toc, &format!("<a href=\"#{id}\">"), "</a></li>")[0];
    assert!(entry.starts_with("The <math"), "{entry}");
    assert!(
        entry.ends_with(&format!("case of {number} and Figure 2.1")),
        "{entry}"
    );
    assert!(!entry.contains("<a ") && !entry.contains("<sup"), "{entry}");
    // The self-link is named by the heading as it reads.
    assert!(
        two.contains(&format!("aria-label=\"Link to this section: The tanh case of {number} and Figure 2.1\">#</a></h2>")),
        "{two}"
    );
}
