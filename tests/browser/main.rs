//! The site as readers get it, in a real browser: headless Chromium opens the freshly built
//! book from `file://` and checks every page at 390 px and 1280 px, light and dark — errors and
//! failed loads, links and anchors, alt text, language, sideways scrolling, contrast, axe-core's
//! WCAG 2 A/AA rules — plus the keyboard path and printing. Negative tests build tiny books
//! with one defect each and show the same checks report it.
//!
//! The tests that need Chromium are `#[ignore]`d, so a plain `cargo test` on a machine without
//! it lists them as ignored instead of passing them. Run them with
//! `cargo test --release --test browser -- --include-ignored` (CI does); without Chromium they fail and
//! say how to install it. Screenshots of every page go to `target/screenshots/`, printed PDFs to
//! `target/pdf/`.

#[path = "../common/mod.rs"]
mod common;

mod chromium;
mod explorer;
mod features;
mod print;
mod reader_checks;
mod sites;

use chromium::{Browser, Key, View, WIDTHS};
use common::TinyBook;
use reader_checks::{
    Finding, LAYOUT_TOLERANCE, Screenshots, check_site, list, open_with_checks, screenshot_name,
    standard_views, strings, text_needing_javascript,
};
use sites::{SiteOnDisk, book_site, build_tiny, target_dir};

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn every_page_passes_the_reader_checks_at_both_widths_light_and_dark() {
    let site = book_site();
    let browser = Browser::launch();
    let shots = Screenshots {
        dir: target_dir().join("screenshots"),
    };
    // Only this run's screenshots: a page that is gone leaves none behind.
    let _ = std::fs::remove_dir_all(&shots.dir);
    let views = standard_views();
    let findings = check_site(&browser, site, &views, Some(&shots));
    assert!(
        findings.is_empty(),
        "{} findings:\n{}",
        findings.len(),
        list(&findings)
    );
    // The run covered the whole book: the contents page and every lesson, with a screenshot of
    // each page in each view.
    let pages = site.pages();
    assert!(
        pages.len() > 1 && pages[0] == "index.html",
        "pages: {pages:?}"
    );
    for page in &pages {
        for view in &views {
            let name = screenshot_name(page, view);
            assert!(shots.dir.join(&name).is_file(), "no screenshot {name}");
        }
    }
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn every_page_reads_completely_without_javascript() {
    let browser = Browser::launch();
    let findings = text_needing_javascript(&browser, book_site(), 1280);
    assert!(findings.is_empty(), "{}", list(&findings));
}

#[test]
#[ignore = "needs Chromium and poppler-utils: cargo test --release --test browser -- --include-ignored"]
fn every_lesson_prints_to_a_pdf_with_its_text_and_whole_figures() {
    let site = book_site();
    let browser = Browser::launch();
    // print.html, the whole book, has its own test (features.rs).
    for page in site
        .pages()
        .into_iter()
        .filter(|p| !p.ends_with("index.html") && !p.ends_with("print.html"))
    {
        let pdf = check_printed(&browser, site, page);
        // A lesson is two to six A4 pages; a runaway layout (a figure or a line per page, a
        // sheet per screen) would go far past this.
        assert!(pdf.pages <= 12, "{page} printed to {} pages", pdf.pages);
    }
}

/// Prints `page` and checks what every printed page must show: no errors, its title on the
/// first page, its last paragraph, no sidebar, no page left nearly empty before the last, no
/// figure split across a page break. Returns the PDF for page-specific checks.
fn check_printed(browser: &Browser, site: &SiteOnDisk, page: &str) -> print::Pdf {
    let tab = browser.open(&site.url(page), View::screen(1280).for_print());
    let expected = tab.evaluate(
        "({ title: document.querySelector('h1').textContent,
            last: (() => {
                // The words as printed: without the TeX source a formula keeps in <annotation>.
                const p = [...document.querySelectorAll('article > p')]
                    .filter(p => p.checkVisibility()).pop().cloneNode(true);
                p.querySelectorAll('annotation').forEach(a => a.remove());
                return p.textContent.trim().split(/\\s+/).slice(0, 6).join(' ');
            })(),
            sidebar: document.querySelector('nav.sidebar').checkVisibility() })",
    );
    let figures = print::printed_figures(&tab);
    let pdf = print::print(&tab, page.trim_end_matches(".html"));
    let shown = pdf.path.display();
    let problems = tab.problems();
    assert!(problems.is_empty(), "printing {page}: {problems:?}");
    let title = expected["title"].as_str().unwrap();
    assert_eq!(
        pdf.pages_with(title).first(),
        Some(&0),
        "{shown}: the title {title:?} is not on the first page"
    );
    let last = expected["last"].as_str().unwrap();
    assert!(
        !pdf.pages_with(last).is_empty(),
        "{shown}: the last paragraph ({last:?}…) is missing"
    );
    assert_eq!(expected["sidebar"], false, "{page}: the sidebar is printed");
    for (n, text) in pdf.page_texts.iter().enumerate().take(pdf.pages - 1) {
        assert!(
            text.len() >= 200,
            "{shown}: page {} is nearly empty: {text:?}",
            n + 1
        );
    }
    let split = print::split_figures(&pdf, &figures);
    assert!(
        split.is_empty(),
        "{shown}: figures split across pages: {split:#?}"
    );
    pdf
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn the_skip_link_is_the_first_tab_stop_and_lands_on_the_text() {
    let site = book_site();
    let browser = Browser::launch();
    for page in ["index.html", "03-std-one.html"] {
        for width in WIDTHS {
            let tab = browser.open(&site.url(page), View::screen(width));
            let at = format!("{page} at {width}px");
            tab.press(Key::Tab);
            let focused = tab.evaluate(
                "(() => { const e = document.activeElement, r = e.getBoundingClientRect();
                   return { class: e.className, href: e.getAttribute('href'),
                            shown: r.width > 0 && r.left >= 0 && r.top >= 0 &&
                                   r.right <= innerWidth && r.bottom <= innerHeight }; })()",
            );
            assert_eq!(
                focused["class"], "skip-link",
                "{at}: the first Tab stop is {focused}"
            );
            assert_eq!(
                focused["shown"], true,
                "{at}: the focused skip link is off screen"
            );
            tab.press(Key::Enter);
            let landed = tab.evaluate(
                "new Promise(r => requestAnimationFrame(() => r({ hash: location.hash,
                   top: document.querySelector('main').getBoundingClientRect().top })))",
            );
            assert_eq!(landed["hash"], "#content", "{at}: Enter on the skip link");
            let top = landed["top"].as_f64().unwrap();
            assert!(
                top.abs() < 2.0,
                "{at}: the text starts {top}px from the top of the window"
            );
            tab.press(Key::Tab);
            let next = tab.evaluate(
                "document.activeElement !== document.body && \
                 document.activeElement.closest('main') !== null",
            );
            assert_eq!(
                next, true,
                "{at}: the Tab after the skip link does not land in the text"
            );
            assert!(tab.problems().is_empty(), "{at}: {:?}", tab.problems());
        }
    }
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn dark_mode_darkens_the_page_and_keeps_figures_on_light_paper() {
    let site = book_site();
    let browser = Browser::launch();
    let colours = |view: View| {
        let tab = browser.open(&site.url("03-std-one.html"), view);
        let found = tab.evaluate(
            "({ page: getComputedStyle(document.documentElement).backgroundColor,
                text: getComputedStyle(document.querySelector('article p')).color,
                plot: getComputedStyle(document.querySelector('figure .plot')).backgroundColor,
                ink: getComputedStyle(document.querySelector('figure .plot svg text')).fill })",
        );
        let luminance = |key: &str| relative_luminance(found[key].as_str().unwrap());
        ["page", "text", "plot", "ink"].map(luminance)
    };
    let [page, text, plot, ink] = colours(View::screen(1280).dark());
    assert!(
        page < 0.05 && text > 0.5,
        "dark scheme: page {page}, text {text}"
    );
    assert!(
        plot > 0.9 && ink < 0.1,
        "dark scheme: figure paper {plot}, ink {ink}"
    );
    let [page, text, plot, ink] = colours(View::screen(1280));
    assert!(
        page > 0.9 && text < 0.05,
        "light scheme: page {page}, text {text}"
    );
    assert!(
        plot > 0.9 && ink < 0.1,
        "light scheme: figure paper {plot}, ink {ink}"
    );
}

/// WCAG relative luminance of a computed `rgb(r, g, b)` colour.
fn relative_luminance(rgb: &str) -> f64 {
    let channels: Vec<f64> = rgb
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .map(|c| {
            c.trim()
                .parse()
                .unwrap_or_else(|_| panic!("not a colour: {rgb}"))
        })
        .collect();
    let linear = |c: f64| {
        let s = c / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(channels[0]) + 0.7152 * linear(channels[1]) + 0.0722 * linear(channels[2])
}

// The negative tests: one defect each in a tiny book, reported by the checks above.

/// Runs the reader checks on a tiny book in the given views and returns its findings.
fn tiny_findings(book: &TinyBook, views: &[View]) -> Vec<Finding> {
    let site = build_tiny(book);
    let browser = Browser::launch();
    check_site(&browser, &site, views, None)
}

fn assert_reported(findings: &[Finding], page: &str, check: &str, detail: &str) {
    assert!(
        findings
            .iter()
            .any(|f| f.page == page && f.check == check && f.detail.contains(detail)),
        "expected a {check} finding on {page} containing {detail:?}, got:\n{}",
        list(findings)
    );
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn a_link_to_a_missing_anchor_or_page_is_reported() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!(
            // The build checks Markdown links; raw HTML in a lesson (and a template) is left to
            // this check.
            "{}\nSee <a href=\"02-two.html#nowhere\">a section that is gone</a>, [the tanh figure](02-two.md#tiny-tanh) \
             and <a href=\"03-three.html\">a lost page</a>.\n",
            common::LESSON_ONE
        ),
    );
    let findings = tiny_findings(&book, &[View::screen(1280)]);
    assert_reported(
        &findings,
        "01-one.html",
        "links",
        "02-two.html has no element with id \"nowhere\"",
    );
    assert_reported(
        &findings,
        "01-one.html",
        "links",
        "there is no file 03-three.html",
    );
    // The print edition holds the same paragraph, with the same dead links.
    assert_reported(
        &findings,
        "print.html",
        "links",
        "02-two.html has no element with id \"nowhere\"",
    );
    assert_reported(
        &findings,
        "print.html",
        "links",
        "there is no file 03-three.html",
    );
    assert_eq!(
        findings.len(),
        4,
        "only the two dead links, on the lesson and in the print edition:\n{}",
        list(&findings)
    );
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn a_console_error_or_failed_load_from_a_template_is_reported() {
    let book = TinyBook::new();
    let base = include_str!("../../templates/base.html").replace(
        "</body>",
        "<link rel=\"stylesheet\" href=\"missing.css\">\n\
         <script>console.error('injected by a test template')</script>\n</body>",
    );
    book.write("templates/base.html", &base);
    let findings = tiny_findings(&book, &[View::screen(390)]);
    for page in ["index.html", "01-one.html", "02-two.html"] {
        assert_reported(
            &findings,
            page,
            "errors",
            "console error: injected by a test template",
        );
        assert_reported(&findings, page, "errors", "missing.css");
    }
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn text_that_only_a_script_writes_is_reported() {
    let book = TinyBook::new();
    let base = include_str!("../../templates/base.html").replace(
        "</main>",
        "<script>document.currentScript.after('Written by a script.')</script>\n</main>",
    );
    book.write("templates/base.html", &base);
    let site = build_tiny(&book);
    let browser = Browser::launch();
    let findings = text_needing_javascript(&browser, &site, 390);
    for page in ["index.html", "01-one.html", "02-two.html"] {
        assert_reported(&findings, page, "no-js", "Written by a script.");
    }
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn a_picture_without_alt_text_is_reported() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!(
            "{}\n![](figures/small.svg)\n\n<svg role=\"img\" width=\"40\" height=\"10\"><rect width=\"40\" height=\"10\"/></svg>\n",
            common::LESSON_TWO
        ),
    );
    let findings = tiny_findings(&book, &[View::screen(1280)]);
    assert_reported(
        &findings,
        "02-two.html",
        "alt text",
        "(src=\"figures/small.svg\") has no alt text",
    );
    assert_reported(
        &findings,
        "02-two.html",
        "alt text",
        "svg in #content has no <title> or aria-label",
    );
    assert_reported(&findings, "02-two.html", "axe", "svg-img-alt");
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn low_contrast_in_the_dark_and_sideways_scrolling_are_reported() {
    let book = TinyBook::new();
    let style = format!(
        "{}\n@media (prefers-color-scheme: dark) {{ .lesson p {{ color: #555; }} }}\n",
        include_str!("../../templates/style.css")
    );
    book.write("templates/style.css", &style);
    book.write(
        "content/02-two.md",
        &format!(
            "{}\n<div style=\"width: 1600px\">A very wide box.</div>\n",
            common::LESSON_TWO
        ),
    );
    let light = View::screen(1280);
    let dark = light.dark();
    let findings = tiny_findings(&book, &[light, dark]);
    let contrast: Vec<&Finding> = findings.iter().filter(|f| f.check == "contrast").collect();
    assert!(
        !contrast.is_empty() && contrast.iter().all(|f| f.view == dark.label()),
        "grey text on the dark background, and only there:\n{}",
        list(&findings)
    );
    assert_reported(&findings, "02-two.html", "axe", "color-contrast");
    assert_reported(
        &findings,
        "02-two.html",
        "overflow",
        "the page scrolls sideways",
    );
    assert_reported(
        &findings,
        "02-two.html",
        "overflow",
        "div in #content reaches",
    );
}

/// The σ = 1 gradient figure's first panel as it was drawn before the layout reserved room for
/// its labels (the text elements copied from that SVG): the out-of-range notes ran into the top
/// y tick label. Besides, a label running off the figure's right edge, a table whose text cannot
/// wrap and a paragraph that scrolls in its own box.
const LAYOUT_DEFECTS: &str = r##"
<figure class="experiment"><div class="plot">
<svg id="overlap" width="820" height="120" viewBox="0 0 820 120" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="overlap-title"><title id="overlap-title">Text drawn over text</title>
<rect x="0" y="0" width="820" height="120" fill="#FFFFFF"/>
<text x="79" y="9" dy="0.76em" text-anchor="middle" font-family="sans-serif" font-size="16.935483870967744" fill="#000000">Layer 1</text>
<text x="62" y="42" dy="0.5ex" text-anchor="end" font-family="sans-serif" font-size="12.903225806451614" fill="#444444">40000</text>
<text x="153" y="31" dy="0.76em" text-anchor="end" font-family="sans-serif" font-size="12.096774193548388" fill="#A03C1E">441 below -5×10⁻⁴</text>
<text x="153" y="45" dy="0.76em" text-anchor="end" font-family="sans-serif" font-size="12.096774193548388" fill="#A03C1E">444 above 5×10⁻⁴</text>
<text x="790" y="90" dy="0.5ex" text-anchor="start" font-family="sans-serif" font-size="14" fill="#444444">off the edge</text>
</svg>
</div></figure>

<table><tr><td style="white-space: nowrap">A cell whose words may not wrap, so that the table is much wider than any text column on a desktop screen</td></tr></table>

<p style="white-space: nowrap; overflow-x: auto">A paragraph that scrolls sideways in its own box instead of wrapping like the others, long enough to be wider than the text column on any screen.</p>
"##;

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn overlapping_figure_text_and_blocks_wider_than_the_text_column_are_reported() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!("{}\n{LAYOUT_DEFECTS}", common::LESSON_TWO),
    );
    let (wide, narrow) = (View::screen(1280), View::screen(390).dark());
    let findings = tiny_findings(&book, &[wide, narrow]);
    for view in [wide, narrow] {
        let at = |check: &str, detail: &str| {
            findings.iter().any(|f| {
                f.page == "02-two.html"
                    && f.view == view.label()
                    && f.check == check
                    && f.detail.contains(detail)
            })
        };
        for detail in [
            "#overlap: \"40000\" and \"441 below -5×10⁻⁴\" overlap by",
            "#overlap: \"40000\" and \"444 above 5×10⁻⁴\" overlap by",
            "#overlap: \"off the edge\" sticks out of the figure by",
        ] {
            assert!(
                at("figure text", detail),
                "{}: no {detail:?} in\n{}",
                view.label(),
                list(&findings)
            );
        }
    }
    assert_reported(
        &findings,
        "02-two.html",
        "wide blocks",
        "table in #content \"A cell whose words may not wrap, so that\" is",
    );
    assert_reported(
        &findings,
        "02-two.html",
        "wide blocks",
        "p in #content \"A paragraph that scrolls sideways in its\" is",
    );
    // Tables may scroll in their box on a phone: the width check is for wide screens only.
    assert!(
        findings
            .iter()
            .filter(|f| f.check == "wide blocks")
            .all(|f| f.view == wide.label()),
        "{}",
        list(&findings)
    );
    // The tiny book's own figures, drawn by initbook, are clean.
    let figure_text: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.check == "figure text")
        .collect();
    assert!(
        figure_text
            .iter()
            .all(|f| f.detail.starts_with("#overlap:")),
        "{}",
        list(&findings)
    );
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn figures_drawn_with_korean_words_keep_their_text_apart_in_chromium() {
    // The book's pages in `lang="ko"` (so Chromium sets their text in Noto Sans CJK, as it will
    // the Korean edition's) with every figure drawn with the Korean strings.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (book, outcomes) = common::book_outcomes(root);
    let korean = common::korean_figure_text();
    let mut files = book_site_files();
    let mut replaced = 0;
    for (_, spec) in book.experiments().filter(|(_, spec)| spec.figure) {
        let outcome = &outcomes[&spec.id];
        let english = initbook::draw::draw_figure(spec, outcome);
        let translated = initbook::draw::draw_figure_with(spec, outcome, &korean);
        for page in files
            .iter_mut()
            .filter(|(p, _)| p.ends_with(".html"))
            .map(|(_, page)| page)
        {
            let html = String::from_utf8(std::mem::take(page)).unwrap();
            replaced += html.matches(english.trim_end()).count();
            *page = html
                .replace(english.trim_end(), translated.trim_end())
                .into_bytes();
        }
    }
    assert!(replaced >= 10, "only {replaced} figures on the pages");
    // The English pages (the Korean edition's, in ko/, are Korean already).
    for (path, page) in files
        .iter_mut()
        .filter(|(p, _)| p.ends_with(".html") && !p.contains('/'))
    {
        let html = String::from_utf8(std::mem::take(page)).unwrap();
        assert!(html.contains("<html lang=\"en\">"), "{path}");
        *page = html
            .replace("<html lang=\"en\">", "<html lang=\"ko\">")
            .into_bytes();
    }
    let site = initbook::Site {
        files,
        lessons: 0,
        experiments: 0,
        figures: 0,
    };
    let site = sites::SiteOnDisk::write(
        &site,
        &std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("korean-figures"),
    );
    let browser = Browser::launch();
    // Beside target/screenshots/, which the full run empties when it starts.
    let shots = target_dir().join("screenshots-ko-figures");
    std::fs::create_dir_all(&shots).unwrap();
    let mut findings = Vec::new();
    let mut figures_seen = 0;
    // Both widths; the colour scheme moves no text (figures keep their white paper), so one
    // view of each scheme is enough.
    let views = [View::screen(390).dark(), View::screen(1280)];
    for page in site.pages() {
        for view in views {
            let tab = open_with_checks(&browser, &site.url(page), view);
            figures_seen += tab
                .evaluate("document.querySelectorAll('figure svg text').length > 0 ? document.querySelectorAll('figure svg').length : 0")
                .as_u64()
                .unwrap();
            let found =
                strings(&tab.evaluate(&format!("__initbookChecks.figureText({LAYOUT_TOLERANCE})")));
            findings.extend(
                found
                    .into_iter()
                    .map(|detail| format!("{page} [{}] {detail}", view.label())),
            );
            if view == View::screen(1280) {
                tab.screenshot(&shots.join(screenshot_name(page, &view)));
            }
            assert!(tab.problems().is_empty(), "{page}: {:?}", tab.problems());
        }
    }
    assert!(figures_seen >= 20, "only {figures_seen} figures looked at");
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}

/// The files of this repository's book as built for the browser tests.
fn book_site_files() -> std::collections::BTreeMap<String, Vec<u8>> {
    let site = book_site();
    site.files
        .iter()
        .map(|f| (f.clone(), std::fs::read(site.dir.join(f)).unwrap()))
        .collect()
}
