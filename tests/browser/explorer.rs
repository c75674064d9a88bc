//! The σ explorer of the "Explore the scale" lesson, as readers use it: without JavaScript the
//! checked radios decide the visible frame; with it, the slider moves the frame and the address
//! records the choice. Screenshots of both go to `target/screenshots/explorer-*.png`.

use serde_json::Value;

use crate::chromium::{Browser, Key, Page, View, WIDTHS};
use crate::reader_checks::{LAYOUT_TOLERANCE, open_with_checks, strings};
use crate::sites::{SiteOnDisk, book_site, target_dir};

const PAGE: &str = "09-explore.html";

/// What the explorer shows: the visible frame images (their file names), the visible statistics
/// captions, the checked radios' values, the visible chart markers, the slider (if visible), the
/// address's fragment, and the frame images that have loaded.
fn shown(tab: &Page<'_>) -> Value {
    tab.evaluate(
        "(() => {
           const e = document.getElementById('explore');
           const visible = sel => [...e.querySelectorAll(sel)].filter(x => x.checkVisibility());
           const slider = e.querySelector('.explorer-slider input');
           return {
             frames: visible('.explorer-frames img').map(i => i.getAttribute('src').split('/').pop()),
             captions: visible('.explorer-stats caption').map(c => c.textContent),
             std: e.querySelector('input[name=explore-std]:checked').value,
             act: e.querySelector('input[name=explore-act]:checked').value,
             // checkVisibility() says true of an SVG group with display: none; ask the style.
             markers: [...e.querySelectorAll('.sweep-stop')]
               .filter(g => getComputedStyle(g).display !== 'none')
               .map(g => g.getAttribute('data-stop')),
             checked_stop: e.querySelector('input[name=explore-std]:checked').getAttribute('data-stop'),
             slider: slider.checkVisibility() ? { value: slider.value, text: slider.getAttribute('aria-valuetext') } : null,
             hash: decodeURIComponent(location.hash),
             loaded: [...e.querySelectorAll('.explorer-frames img')]
               .filter(i => i.complete && i.naturalWidth > 0)
               .map(i => i.getAttribute('src').split('/').pop()),
           };
         })()",
    )
}

/// Waits (a bounded number of evaluations, no timers: they never fire without scripts) until
/// the visible frame image has loaded, and returns what the explorer shows.
fn settled(tab: &Page<'_>) -> Value {
    for _ in 0..200 {
        let now = shown(tab);
        let loaded = now["loaded"].as_array().unwrap();
        if now["frames"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| loaded.contains(f))
        {
            return now;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    shown(tab)
}

/// The one visible frame, and checks that everything else the explorer shows agrees with it:
/// one statistics caption, one chart marker (the checked σ's).
#[track_caller]
fn one_frame(now: &Value) -> String {
    let frames = now["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 1, "one frame visible: {now:#}");
    assert_eq!(now["captions"].as_array().unwrap().len(), 1, "{now:#}");
    assert_eq!(
        now["markers"],
        serde_json::json!([now["checked_stop"]]),
        "the chart marks the checked σ: {now:#}"
    );
    frames[0].as_str().unwrap().to_string()
}

fn screenshot(tab: &Page<'_>, name: &str) {
    tab.screenshot(
        &target_dir()
            .join("screenshots")
            .join(format!("explorer-{name}.png")),
    );
}

fn click(tab: &Page<'_>, selector: &str) {
    tab.evaluate(&format!(
        "document.querySelector('{selector}').click(), true"
    ));
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn without_javascript_the_checked_radios_decide_the_visible_frame() {
    let site = book_site();
    let browser = Browser::launch();
    for width in WIDTHS {
        for view in [View::screen(width), View::screen(width).dark()] {
            let view = view.without_javascript();
            let tab = browser.open(&site.url(PAGE), view);
            let at = view.label();
            let now = settled(&tab);
            // It opens at Xavier's σ (the first mark) with the sigmoid. (Without scripts the
            // browser loads every frame: the HTML standard turns lazy loading off then.)
            assert_eq!(one_frame(&now), "sigmoid-xavier.svg", "{at}");
            assert_eq!(
                now["slider"],
                Value::Null,
                "{at}: no slider without scripts"
            );
            assert_eq!(now["captions"][0], "σ = 0.1 (Xavier), sigmoid", "{at}");
            screenshot(&tab, &format!("{}-before", at.replace(' ', "-")));

            // The keyboard: the checked σ radio takes focus, an arrow key checks the next one.
            tab.evaluate("document.querySelector('input[name=explore-std]:checked').focus(), true");
            tab.press(Key::ArrowRight);
            let now = settled(&tab);
            assert_eq!(now["std"], "0.125", "{at}");
            assert_eq!(one_frame(&now), "sigmoid-s0_125.svg", "{at}");
            assert_eq!(now["captions"][0], "σ = 0.125, sigmoid", "{at}");

            // A click on a label checks its radio: the activation, then a σ.
            click(&tab, "label[for=explore-act-1]");
            click(&tab, "label[for=explore-std-12]");
            let now = settled(&tab);
            assert_eq!(
                (now["std"].as_str(), now["act"].as_str()),
                (Some("he"), Some("tanh")),
                "{at}"
            );
            assert_eq!(one_frame(&now), "tanh-he.svg", "{at}");
            assert_eq!(
                now["hash"], "",
                "{at}: without scripts the address stays as it was"
            );
            screenshot(&tab, &format!("{}-after", at.replace(' ', "-")));
            assert!(tab.problems().is_empty(), "{at}: {:?}", tab.problems());
        }
    }
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn with_javascript_the_slider_moves_the_frame_and_the_address_keeps_it() {
    let site = book_site();
    let browser = Browser::launch();
    for width in WIDTHS {
        let view = View::screen(width);
        let at = view.label();
        let tab = browser.open(&site.url(PAGE), view);
        let now = settled(&tab);
        assert_eq!(one_frame(&now), "sigmoid-xavier.svg", "{at}");
        assert_eq!(
            now["slider"],
            serde_json::json!({ "value": "10", "text": "σ = 0.1 (Xavier)" }),
            "{at}"
        );
        screenshot(&tab, &format!("{}-before", at.replace(' ', "-")));

        // Arrow keys on the slider.
        tab.evaluate("document.getElementById('explore-slider').focus(), true");
        tab.press(Key::ArrowRight);
        tab.press(Key::ArrowRight);
        let now = settled(&tab);
        assert_eq!(now["std"], "he", "{at}: 0.125, then He's σ");
        assert_eq!(one_frame(&now), "sigmoid-he.svg", "{at}");
        assert_eq!(now["hash"], "#explore?std=he&act=sigmoid", "{at}");
        assert_eq!(now["slider"]["text"], "σ = 0.141 (He)", "{at}");
        tab.press(Key::ArrowLeft);
        let now = settled(&tab);
        assert_eq!(one_frame(&now), "sigmoid-s0_125.svg", "{at}");
        assert_eq!(now["hash"], "#explore?std=0.125&act=sigmoid", "{at}");

        // Dragging to the start (as a pointer would: a value and an input event).
        tab.evaluate(
            "(s => { s.value = 0; s.dispatchEvent(new Event('input', { bubbles: true })); })(document.getElementById('explore-slider')), true",
        );
        let now = settled(&tab);
        assert_eq!(one_frame(&now), "sigmoid-s0_01.svg", "{at}");
        assert_eq!(now["hash"], "#explore?std=0.01&act=sigmoid", "{at}");

        // The activation radios drive the same state; the slider follows a σ radio too.
        click(&tab, "label[for=explore-act-2]");
        click(&tab, "label[for=explore-std-24]");
        let now = settled(&tab);
        assert_eq!(one_frame(&now), "relu-s2.svg", "{at}");
        assert_eq!(now["hash"], "#explore?std=2&act=relu", "{at}");
        assert_eq!(now["slider"]["value"], "24", "{at}");
        screenshot(&tab, &format!("{}-after", at.replace(' ', "-")));
        assert!(tab.problems().is_empty(), "{at}: {:?}", tab.problems());
        drop(tab);

        // A linked position opens there.
        let tab = browser.open(&site.url(&format!("{PAGE}#explore?std=0.5&act=tanh")), view);
        let now = settled(&tab);
        assert_eq!(one_frame(&now), "tanh-s0_5.svg", "{at}");
        assert_eq!(now["slider"]["value"], "18", "{at}");
        let top = tab.evaluate("document.getElementById('explore').getBoundingClientRect().top");
        assert!(
            top.as_f64().unwrap().abs() < 2.0,
            "{at}: scrolled to the explorer: {top}"
        );
        assert!(tab.problems().is_empty(), "{at}: {:?}", tab.problems());
    }
}

#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn a_first_view_loads_the_page_its_styles_and_script_and_one_frame() {
    let site = book_site();
    let browser = Browser::launch();
    let tab = browser.open(&site.url(PAGE), View::screen(1280));
    let now = settled(&tab);
    // With scripts, lazy loading holds back every frame but the one shown.
    assert_eq!(now["loaded"], serde_json::json!(["sigmoid-xavier.svg"]));
    // What the page fetched: its stylesheets, scripts and loaded images (file:// loads leave no
    // resource timing entries to read).
    let fetched = crate::reader_checks::strings(&tab.evaluate(
        "[...document.querySelectorAll('link[rel=stylesheet], script[src], img')]
           .filter(e => e.tagName !== 'IMG' || (e.complete && e.naturalWidth > 0))
           .map(e => e.href || e.src)",
    ));
    let mut files: Vec<String> = fetched
        .iter()
        .filter_map(|url| site.relative_path(url))
        .collect();
    files.insert(0, PAGE.to_string());
    assert_eq!(
        files,
        [
            PAGE,
            "style.css",
            "search.js",
            "explorer.css",
            "figures/explore/sigmoid-xavier.svg",
            "explorer.js"
        ]
    );
    let size = |path: &str| std::fs::metadata(site.dir.join(path)).unwrap().len();
    let first_view: u64 = files.iter().map(|f| size(f)).sum();
    let frames = site_frames(site);
    let all_frames: u64 = frames.iter().map(|f| size(f)).sum();
    println!(
        "page weight of {PAGE}: HTML {} bytes; a first view loads {first_view} bytes ({}); all {} frames: {all_frames} bytes",
        size(PAGE),
        files.join(", "),
        frames.len()
    );
    // A first view is far lighter than the frames it can show.
    assert!(first_view * 5 < all_frames, "{first_view} vs {all_frames}");
    assert!(tab.problems().is_empty(), "{:?}", tab.problems());
}

fn site_frames(site: &SiteOnDisk) -> Vec<String> {
    site.files
        .iter()
        .filter(|f| f.starts_with("figures/explore/"))
        .cloned()
        .collect()
}

/// Every frame of the explorer, opened as the SVG document it is (the page shows it as an
/// `<img>`, whose text the page checks cannot reach), drawn with the book's English words and
/// with Korean ones in the layout the Korean frames share: with Chromium's fonts no two labels
/// overlap and none leaves the frame.
#[test]
#[ignore = "needs Chromium: cargo test --release --test browser -- --include-ignored"]
fn every_frame_keeps_its_text_apart_in_chromium_in_english_and_korean() {
    let site = book_site();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (book, outcomes) = crate::common::book_outcomes(root);
    let spec = book.find_experiment("explore").unwrap();
    let initbook::numeric::Outcome::Sweep(result) = &outcomes[&spec.id] else {
        panic!("explore is a sweep");
    };
    let korean = crate::common::korean_figure_text();
    let layout = initbook::draw::sweep_frame_layout(spec, result, &korean);
    let korean_dir = target_dir().join("korean-frames");
    let _ = std::fs::remove_dir_all(&korean_dir);
    std::fs::create_dir_all(&korean_dir).unwrap();
    let mut urls: Vec<String> = site_frames(site).iter().map(|f| site.url(f)).collect();
    assert_eq!(urls.len(), result.frames.len());
    for frame in &result.frames {
        let svg = initbook::draw::draw_sweep_frame(
            spec, frame, &layout, &korean, "frame", "frame", "frame",
        );
        let path = korean_dir.join(format!("{}.svg", frame.name()));
        std::fs::write(&path, svg).unwrap();
        urls.push(format!("file://{}", path.canonicalize().unwrap().display()));
    }
    let browser = Browser::launch();
    let mut findings = Vec::new();
    for url in &urls {
        let tab = open_with_checks(&browser, url, View::screen(1280));
        let texts = tab.evaluate("document.querySelectorAll('svg text').length");
        assert!(texts.as_u64().unwrap() > 10, "{url}: {texts} texts");
        let found =
            strings(&tab.evaluate(&format!("__initbookChecks.figureText({LAYOUT_TOLERANCE})")));
        findings.extend(found.into_iter().map(|detail| format!("{url}: {detail}")));
        assert!(tab.problems().is_empty(), "{url}: {:?}", tab.problems());
    }
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}
