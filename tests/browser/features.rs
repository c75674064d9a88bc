//! The reader's features, used the way a reader uses them: search (from the URL, from the
//! keyboard, in Korean), the page contents lists, and the print edition printed to PDF.

use serde_json::Value;

use crate::chromium::{Browser, Key, Page, View, WIDTHS};
use crate::common::TinyBook;
use crate::print;
use crate::sites::{SiteOnDisk, book_site, build_tiny};

/// A window wide enough for the contents list beside the text (the theme's `84rem` breakpoint,
/// 1428 px); narrower, as at 1280 px, the list sits above the text.
const RAIL_SCREEN: u32 = 1440;

/// The text column's full width: the theme's `--measure`, 46rem of 17 px.
const MEASURE_PX: f64 = 46.0 * 17.0;

/// Waits until the search has answered (its status line says how many results) and returns the
/// results: `{ href, page, section, snippet, marks }` each.
fn search_results(tab: &Page<'_>) -> Vec<Value> {
    let results = tab.evaluate(
        "new Promise((resolve, reject) => {
           const status = document.querySelector('#search .search-status');
           const done = () => status.textContent !== '' &&
                              status.textContent !== document.getElementById('search').dataset.loading;
           const read = () => [...document.querySelectorAll('#search .search-list a')].map(a => ({
             href: a.getAttribute('href'),
             page: a.querySelector('.search-page').textContent,
             section: (a.querySelector('.search-section') || { textContent: '' }).textContent,
             snippet: a.querySelector('.search-snippet').textContent,
             marks: [...a.querySelectorAll('mark')].map(m => m.textContent),
           }));
           if (done()) return resolve(read());
           const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); resolve(read()); } });
           observer.observe(status, { childList: true, characterData: true, subtree: true });
           setTimeout(() => reject(new Error('no search results within 10 s: ' + status.textContent)), 10000);
         })",
    );
    results.as_array().expect("a list of results").clone()
}

/// Where a link inside the site lands: opens `href` (relative to the site) and returns the
/// text of the element it points at. Panics unless that element is at the top of the window
/// (or as near as the page scrolls: an element near the end of a page stays lower down).
fn landing(browser: &Browser, site: &SiteOnDisk, href: &str, view: View) -> String {
    let tab = browser.open(&site.url(href), view);
    let landed = tab.evaluate(
        "(() => {
           const id = decodeURIComponent(location.hash.slice(1));
           const target = id ? document.getElementById(id) : document.documentElement;
           if (!target) return { text: '', top: -99, end: false };
           const end = Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight;
           return { text: target.textContent.trim(), top: target.getBoundingClientRect().top, end };
         })()",
    );
    assert!(tab.problems().is_empty(), "{href}: {:?}", tab.problems());
    let top = landed["top"].as_f64().unwrap_or(-99.0);
    let shown =
        (-2.0..40.0).contains(&top) || (landed["end"] == true && (-2.0..800.0).contains(&top));
    assert!(
        shown,
        "{href}: the target is {top}px from the top of the window"
    );
    landed["text"].as_str().unwrap_or("").to_string()
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn a_search_in_the_url_lists_the_sigma_one_lesson_first_and_lands_on_its_heading() {
    let site = book_site();
    let browser = Browser::launch();
    for width in WIDTHS {
        let view = View::screen(width);
        let tab = browser.open(&site.url("05-xavier.html?search=saturation"), view);
        let value = tab.evaluate("document.getElementById('search-input').value");
        assert_eq!(value, "saturation", "the query from the URL is in the box");
        let results = search_results(&tab);
        assert!(results.len() >= 2, "{width}px: {results:#?}");
        let first = &results[0];
        let href = first["href"].as_str().unwrap();
        assert!(
            href.starts_with("03-std-one.html"),
            "{width}px: the first result is {first}"
        );
        assert_eq!(first["page"], "Weights with σ = 1: saturation");
        assert!(
            results
                .iter()
                .any(|r| r["marks"].as_array().unwrap().iter().any(|m| m
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .starts_with("saturat"))),
            "the matches are highlighted in the snippets: {results:#?}"
        );
        assert!(tab.problems().is_empty(), "{:?}", tab.problems());
        // Every result lands on its heading at the top of the window (a page's opening on the
        // text column, `#content`, whose first words are the title).
        for result in results.iter().take(4) {
            let href = result["href"].as_str().unwrap();
            let text = landing(&browser, site, href, view);
            let expected = match result["section"].as_str().unwrap() {
                "" => result["page"].as_str().unwrap(),
                section => section,
            };
            assert!(
                text.starts_with(expected),
                "{href} lands on {text:?}, not the heading {expected:?}"
            );
        }
        let text = landing(&browser, site, href, view);
        assert!(text.to_lowercase().contains("saturation"), "{href}: {text}");
    }
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn the_keyboard_focuses_the_search_moves_through_results_and_opens_them() {
    let site = book_site();
    let browser = Browser::launch();
    let focused = "document.activeElement.id || document.activeElement.getAttribute('href')";
    for key in [Key::Slash, Key::S] {
        let tab = browser.open(&site.url("01-introduction.html"), View::screen(1280));
        tab.press(key);
        assert_eq!(
            tab.evaluate(focused),
            "search-input",
            "{key:?} focuses the box"
        );
        assert_eq!(
            tab.evaluate("document.getElementById('search-input').value"),
            "",
            "{key:?} is not typed into the box"
        );
    }
    let tab = browser.open(&site.url("01-introduction.html"), View::screen(390));
    tab.press(Key::Slash);
    tab.type_text("saturation");
    let results = search_results(&tab);
    let hrefs: Vec<&str> = results
        .iter()
        .map(|r| r["href"].as_str().unwrap())
        .collect();
    tab.press(Key::ArrowDown);
    assert_eq!(tab.evaluate(focused), hrefs[0]);
    tab.press(Key::ArrowDown);
    assert_eq!(tab.evaluate(focused), hrefs[1]);
    tab.press(Key::ArrowUp);
    assert_eq!(tab.evaluate(focused), hrefs[0]);
    tab.press(Key::ArrowUp);
    assert_eq!(tab.evaluate(focused), "search-input");
    // "s" and "/" are letters while typing.
    tab.press(Key::S);
    assert_eq!(
        tab.evaluate("document.getElementById('search-input').value"),
        "saturations"
    );
    tab.press(Key::Escape);
    assert_eq!(
        tab.evaluate("[document.getElementById('search-input').value, document.querySelectorAll('#search li').length]"),
        serde_json::json!(["", 0])
    );
    tab.type_text("saturation");
    search_results(&tab);
    assert!(tab.problems().is_empty(), "{:?}", tab.problems());
    tab.press(Key::Enter);
    tab.wait_for_load();
    let location = tab.evaluate("location.pathname.split('/').pop() + location.hash");
    assert_eq!(location, hrefs[0], "Enter opens the first result");
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn every_page_contents_list_links_to_its_headings_beside_or_above_the_text() {
    let site = book_site();
    let browser = Browser::launch();
    let lessons: Vec<&str> = site
        .pages()
        .into_iter()
        .filter(|p| !p.ends_with("index.html") && !p.ends_with("print.html"))
        .collect();
    for page in lessons {
        for width in WIDTHS.into_iter().chain([RAIL_SCREEN]) {
            let tab = browser.open(&site.url(page), View::screen(width));
            let at = format!("{page} at {width}px");
            let layout = tab.evaluate(
                "(() => {
                   const toc = document.querySelector('nav.toc');
                   const box = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
                   return {
                     toc: box(toc),
                     title: box(document.querySelector('article h1')),
                     text: box(document.querySelector('article > p')),
                     article: box(document.querySelector('article')),
                     headings: [...document.querySelectorAll('article h2, article h3')].map(h => h.id),
                     entries: [...toc.querySelectorAll('a')].map(a => a.getAttribute('href').slice(1)),
                   };
                 })()",
            );
            assert_eq!(
                layout["entries"], layout["headings"],
                "{at}: the list names every h2 and h3, in order"
            );
            let (toc, title, text) = (&layout["toc"], &layout["title"], &layout["text"]);
            let f = |v: &Value, k: &str| v[k].as_f64().unwrap();
            if width >= RAIL_SCREEN {
                assert!(
                    f(toc, "left") >= f(text, "right"),
                    "{at}: the list is beside the text: {layout}"
                );
                let article = &layout["article"];
                assert!(
                    f(article, "right") - f(article, "left") >= MEASURE_PX - 1.0,
                    "{at}: the text keeps its full measure beside the list: {layout}"
                );
            } else {
                assert!(
                    f(toc, "top") >= f(title, "bottom") && f(toc, "bottom") <= f(text, "top"),
                    "{at}: the list is between the title and the text: {layout}"
                );
            }
            for id in layout["entries"].as_array().unwrap() {
                let id = id.as_str().unwrap();
                let landed = tab.evaluate(&format!(
                    "(() => {{
                       const link = [...document.querySelectorAll('nav.toc a')].find(a => a.getAttribute('href') === '#' + {id});
                       link.click();
                       const heading = document.getElementById({id});
                       const r = heading.getBoundingClientRect();
                       const bottom = Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight;
                       const toc = document.querySelector('nav.toc').getBoundingClientRect();
                       return {{ hash: decodeURIComponent(location.hash), top: r.top, bottom, tocShown: toc.top < innerHeight && toc.bottom > 0 }};
                     }})()",
                    id = serde_json::to_string(id).unwrap()
                ));
                assert_eq!(landed["hash"], format!("#{id}"), "{at}");
                let top = landed["top"].as_f64().unwrap();
                assert!(
                    (-2.0..40.0).contains(&top)
                        || (landed["bottom"] == true && (-2.0..900.0).contains(&top)),
                    "{at}: #{id} is {top}px from the top after following its entry"
                );
                if width >= RAIL_SCREEN {
                    assert_eq!(
                        landed["tocShown"], true,
                        "{at}: the list stays in view at #{id}"
                    );
                }
            }
            assert!(tab.problems().is_empty(), "{at}: {:?}", tab.problems());
        }
    }
}

#[test]
#[ignore = "needs Chromium and poppler-utils: cargo test --release --test browser -- --include-ignored"]
fn the_print_edition_prints_the_book_each_lesson_on_a_new_page_no_figure_split() {
    let site = book_site();
    let browser = Browser::launch();
    let tab = browser.open(&site.url("print.html"), View::screen(1280).for_print());
    let chapters = tab.evaluate(
        "[...document.querySelectorAll('.chapter-title')].map(h => h.textContent.replace(/\\s+/g, ' ').trim())",
    );
    let chapters: Vec<String> = serde_json::from_value(chapters).unwrap();
    // All pages of the book's own language (not those of a translation, in a directory) but
    // index.html and print.html.
    let lessons = site.pages().iter().filter(|p| !p.contains('/')).count() - 2;
    assert_eq!(chapters.len(), lessons, "{chapters:?}");
    let hidden = tab.evaluate(
        "['nav.sidebar', '#search', 'nav.toc', '.print-link', 'details.reproduce', '.self-link']
           .filter(s => [...document.querySelectorAll(s)].some(e => e.checkVisibility()))",
    );
    assert_eq!(hidden, serde_json::json!([]), "printed but should not be");
    let figures = print::printed_figures(&tab);
    assert!(figures.len() >= 15, "{} figures", figures.len());
    let pdf = print::print(&tab, "print");
    let shown = pdf.path.display();
    assert!(tab.problems().is_empty(), "{:?}", tab.problems());
    // The whole book: a title page and contents, then two to six pages a lesson.
    assert!(
        (lessons * 2..=lessons * 7).contains(&pdf.pages),
        "{shown}: {} pages for {lessons} lessons",
        pdf.pages
    );
    // Each lesson starts a page of its own, in order.
    let mut previous = 0;
    for chapter in &chapters {
        let starts: Vec<usize> = (0..pdf.pages)
            .filter(|&p| pdf.page_texts[p].starts_with(chapter.as_str()))
            .collect();
        assert_eq!(
            starts.len(),
            1,
            "{shown}: {chapter:?} starts pages {starts:?}"
        );
        assert!(starts[0] > previous, "{shown}: {chapter:?} is out of order");
        previous = starts[0];
    }
    let split = print::split_figures(&pdf, &figures);
    assert!(
        split.is_empty(),
        "{shown}: figures split across pages: {split:#?}"
    );
    for text in &pdf.page_texts {
        for absent in ["On this page", "Skip to the text", "Built with initbook"] {
            assert!(!text.contains(absent), "{shown}: {absent:?} is printed");
        }
    }
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn a_korean_query_finds_words_with_particles_attached() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        "# 가중치의 초깃값\n\n학교에 갑니다.\n\n## 초깃값 고르기\n\n초깃값을 잘 골라야 합니다. 초깃값이 작으면 기울기가 사라집니다.\n",
    );
    let site = build_tiny(&book);
    let browser = Browser::launch();
    let tab = browser.open(&site.url("01-one.html?search=학교"), View::screen(1280));
    let results = search_results(&tab);
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["href"], "02-two.html#content");
    assert_eq!(results[0]["marks"], serde_json::json!(["학교에"]));

    let tab = browser.open(&site.url("01-one.html?search=초깃값"), View::screen(1280));
    let results = search_results(&tab);
    let hrefs: Vec<&str> = results
        .iter()
        .map(|r| r["href"].as_str().unwrap())
        .collect();
    // The section whose heading has the word comes first; the title has it too.
    assert_eq!(
        hrefs,
        [
            "02-two.html#%EC%B4%88%EA%B9%83%EA%B0%92-%EA%B3%A0%EB%A5%B4%EA%B8%B0",
            "02-two.html#content"
        ]
    );
    assert_eq!(
        results[0]["marks"],
        serde_json::json!(["초깃값을", "초깃값이"])
    );
    let text = landing(&browser, &site, hrefs[0], View::screen(1280));
    assert!(text.starts_with("초깃값 고르기"), "{text}");
    assert!(tab.problems().is_empty(), "{:?}", tab.problems());
}
