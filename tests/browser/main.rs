//! The site as readers get it, in a real browser: headless Chromium opens the freshly built
//! book from `file://` and checks every page at 390 px and 1280 px, light and dark — errors and
//! failed loads, links and anchors, alt text, language, sideways scrolling, contrast, axe-core's
//! WCAG 2 A/AA rules — plus the keyboard path and printing. Negative tests build tiny books
//! with one defect each and show the same checks report it.
//!
//! The tests that need Chromium are `#[ignore]`d, so a plain `cargo test` on a machine without
//! it lists them as ignored instead of passing them. Run them with
//! `cargo test --test browser -- --include-ignored` (CI does); without Chromium they fail and
//! say how to install it. Screenshots of every page go to `target/screenshots/`, printed PDFs to
//! `target/pdf/`.

#[path = "../common/mod.rs"]
mod common;

mod chromium;
mod explorer;
mod print;
mod reader_checks;
mod sites;

use chromium::{Browser, Key, View, WIDTHS};
use common::TinyBook;
use reader_checks::{
    Finding, Screenshots, check_site, list, screenshot_name, standard_views,
    text_needing_javascript,
};
use sites::{SiteOnDisk, book_site, build_tiny, target_dir};

#[test]
#[ignore = "needs Chromium: cargo test --test browser -- --include-ignored"]
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
#[ignore = "needs Chromium: cargo test --test browser -- --include-ignored"]
fn every_page_reads_completely_without_javascript() {
    let browser = Browser::launch();
    let findings = text_needing_javascript(&browser, book_site(), 1280);
    assert!(findings.is_empty(), "{}", list(&findings));
}

#[test]
#[ignore = "needs Chromium and poppler-utils: cargo test --test browser -- --include-ignored"]
fn every_lesson_prints_to_a_pdf_with_its_text_and_whole_figures() {
    let site = book_site();
    let browser = Browser::launch();
    for page in site.pages().into_iter().filter(|p| *p != "index.html") {
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
            last: [...document.querySelectorAll('article > p')].filter(p => p.checkVisibility())
                    .pop().textContent.trim().split(/\\s+/).slice(0, 6).join(' '),
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
#[ignore = "needs Chromium: cargo test --test browser -- --include-ignored"]
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
#[ignore = "needs Chromium: cargo test --test browser -- --include-ignored"]
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
#[ignore = "needs Chromium: cargo test --test browser -- --include-ignored"]
fn a_link_to_a_missing_anchor_or_page_is_reported() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!(
            "{}\nSee [a section that is gone](02-two.md#nowhere), [the tanh figure](02-two.md#tiny-tanh) \
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
    assert_eq!(
        findings.len(),
        2,
        "only the two dead links:\n{}",
        list(&findings)
    );
}

#[test]
#[ignore = "needs Chromium: cargo test --test browser -- --include-ignored"]
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
#[ignore = "needs Chromium: cargo test --test browser -- --include-ignored"]
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
#[ignore = "needs Chromium: cargo test --test browser -- --include-ignored"]
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
#[ignore = "needs Chromium: cargo test --test browser -- --include-ignored"]
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
