//! The checks every page must pass, in every view: what a reader gets, looked at by machine.
//!
//! [`check_site`] opens each page of a site once per [`View`] and runs every [`PageCheck`] on it;
//! checks that do not depend on the view (language, alt text, links) run in the first view only.
//! Findings are collected, not asserted one by one, so a failing run lists everything wrong at
//! once. To add a check: write it (usually a function in `page_checks.js`) and add it to
//! [`PAGE_CHECKS`]; every page of every view then runs it, and the negative tests show it can
//! fail.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use serde_json::Value;

use crate::chromium::{Browser, Page, View, WIDTHS};
use crate::sites::{SiteOnDisk, percent_decode};

/// The in-page functions, installed as `window.__initbookChecks` in each opened page.
const PAGE_CHECKS_JS: &str = include_str!("page_checks.js");

/// axe-core, vendored unmodified (see `tests/fixtures/axe-core/README.md`).
const AXE_SOURCE: &str = include_str!("../fixtures/axe-core/axe.min.js");
const AXE_VERSION: &str = "4.14.1";

/// The WCAG 2 A and AA rules of axe (2.0, 2.1 and 2.2).
const AXE_TAGS: &[&str] = &[
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa",
];

/// Violations we accept, each with the reason; a violation is excused when its rule matches and
/// the offending element's selector contains `target`.
struct AxeException {
    rule: &'static str,
    target: &'static str,
    reason: &'static str,
}

/// None today: wide statistics tables and display formulas scroll in boxes that the keyboard can
/// reach and that are named for screen readers (`tabindex="0"`, `role="region"`, a label).
const AXE_EXCEPTIONS: &[AxeException] = &[];

/// WCAG 2 AA for normal text (1.4.3); we hold large text to it too.
pub const MIN_CONTRAST: f64 = 4.5;

/// How far (CSS px) two figure texts may intersect, or a box exceed its column, before it counts:
/// anti-aliased edges touch.
pub const LAYOUT_TOLERANCE: f64 = 1.0;

/// From this window width on, tables and paragraphs must fit the text column without scrolling.
pub const WIDE_SCREEN: u32 = 1280;

/// One thing wrong with one page in one view.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub page: String,
    pub view: String,
    pub check: &'static str,
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}: {}",
            self.page, self.view, self.check, self.detail
        )
    }
}

/// The findings of a run, printed one per line when a test fails.
pub fn list(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("  {f}\n")).collect()
}

/// A check of an open page: returns its findings as sentences.
pub struct PageCheck {
    pub name: &'static str,
    /// Run in every view, or only in the first one (the answer does not depend on the view).
    pub every_view: bool,
    pub run: fn(&Page<'_>, &View) -> Vec<String>,
}

/// Every check run on every page. Links are checked across pages, in [`check_site`].
pub const PAGE_CHECKS: &[PageCheck] = &[
    PageCheck {
        name: "errors",
        every_view: true,
        run: |page, _| page.problems(),
    },
    PageCheck {
        name: "lang",
        every_view: false,
        run: |page, _| {
            let lang = page.evaluate("document.documentElement.getAttribute('lang') || ''");
            language_problem(lang.as_str().unwrap_or(""))
                .into_iter()
                .collect()
        },
    },
    PageCheck {
        name: "alt text",
        every_view: false,
        run: |page, _| strings(&page.evaluate("__initbookChecks.missingAlternatives()")),
    },
    PageCheck {
        name: "ids",
        every_view: false,
        run: |page, _| strings(&page.evaluate("__initbookChecks.duplicateIds()")),
    },
    PageCheck {
        name: "overflow",
        every_view: true,
        run: |page, _| strings(&page.evaluate("__initbookChecks.overflow()")),
    },
    PageCheck {
        name: "figure text",
        every_view: true,
        run: |page, _| {
            strings(&page.evaluate(&format!("__initbookChecks.figureText({LAYOUT_TOLERANCE})")))
        },
    },
    PageCheck {
        name: "wide blocks",
        every_view: true,
        // On a phone a wide table may scroll in its box; on a desktop screen it must fit.
        run: |page, view| {
            if view.width < WIDE_SCREEN {
                return Vec::new();
            }
            strings(&page.evaluate(&format!("__initbookChecks.wideBlocks({LAYOUT_TOLERANCE})")))
        },
    },
    PageCheck {
        name: "contrast",
        every_view: true,
        run: |page, _| {
            strings(&page.evaluate(&format!("__initbookChecks.contrast({MIN_CONTRAST})")))
        },
    },
    PageCheck {
        name: "axe",
        every_view: true,
        run: |page, _| axe_violations(page),
    },
];

/// The views every page of the book is checked in: both widths, light and dark.
pub fn standard_views() -> Vec<View> {
    WIDTHS
        .iter()
        .flat_map(|&width| [View::screen(width), View::screen(width).dark()])
        .collect()
}

/// Where [`check_site`] saves a screenshot of each page in each view, if anywhere.
pub struct Screenshots {
    pub dir: PathBuf,
}

/// Opens every page of `site` in every view, runs [`PAGE_CHECKS`], checks every link inside
/// the site, and returns all findings (sorted). With `screenshots`, saves
/// `PAGE-WIDTH-SCHEME.png` of each page and view there. Pages are visited by a few threads at
/// once, each in its own tab (Chromium renders every tab in its own process).
pub fn check_site(
    browser: &Browser,
    site: &SiteOnDisk,
    views: &[View],
    screenshots: Option<&Screenshots>,
) -> Vec<Finding> {
    let visits: Vec<(&str, View, bool)> = site
        .pages()
        .into_iter()
        .flat_map(|page| {
            views
                .iter()
                .enumerate()
                .map(move |(n, view)| (page, *view, n == 0))
        })
        .collect();
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(3));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(&(page, view, first)) = visits.get(next.fetch_add(1, Relaxed)) {
                    let visited = visit(browser, site, page, view, first, screenshots);
                    done.lock().unwrap().push((page, view, visited));
                }
            });
        }
    });
    let mut findings = Vec::new();
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links = Vec::new();
    for (page, view, visited) in done.into_inner().unwrap() {
        findings.extend(visited.findings);
        if let Some(inventory) = visited.inventory {
            ids.insert(
                page.to_string(),
                strings(&inventory["ids"]).into_iter().collect(),
            );
            for link in inventory["links"].as_array().into_iter().flatten() {
                links.push((page, view, link.clone()));
            }
        }
    }
    for (page, view, link) in links {
        if let Some(detail) = broken_link(site, &ids, &link) {
            findings.push(Finding {
                page: page.to_string(),
                view: view.label(),
                check: "links",
                detail,
            });
        }
    }
    findings.sort();
    findings.dedup();
    findings
}

/// What one visit of one page in one view found, and (on the page's first visit) its ids and
/// links for the cross-page link check.
struct Visit {
    findings: Vec<Finding>,
    inventory: Option<Value>,
}

fn visit(
    browser: &Browser,
    site: &SiteOnDisk,
    page_path: &str,
    view: View,
    first: bool,
    screenshots: Option<&Screenshots>,
) -> Visit {
    let page = open_with_checks(browser, &site.url(page_path), view);
    let mut findings = Vec::new();
    let mut found = |check: &'static str, details: Vec<String>| {
        findings.extend(details.into_iter().map(|detail| Finding {
            page: page_path.to_string(),
            view: view.label(),
            check,
            detail,
        }));
    };
    for check in PAGE_CHECKS.iter().filter(|c| c.every_view || first) {
        found(check.name, (check.run)(&page, &view));
    }
    let inventory = first.then(|| page.evaluate("__initbookChecks.inventory()"));
    if let Some(shots) = screenshots {
        page.screenshot(&shots.dir.join(screenshot_name(page_path, &view)));
    }
    // Anything logged while the checks ran (axe, the in-page scripts) counts too.
    found("errors", page.problems());
    Visit {
        findings,
        inventory,
    }
}

/// `05-xavier-390px-dark.png`: the screenshot of a page in a view.
pub fn screenshot_name(page: &str, view: &View) -> String {
    let stem = page.trim_end_matches(".html").replace('/', "-");
    format!("{stem}-{}.png", view.label().replace(' ', "-"))
}

/// Pages read completely without JavaScript: every line of text `<main>` shows with scripts
/// running is there with scripts disabled too (a script may enhance a page, never supply its
/// content; text shown only without scripts, like a `<noscript>` note, is fine).
pub fn text_needing_javascript(browser: &Browser, site: &SiteOnDisk, width: u32) -> Vec<Finding> {
    let text = |page: &str, view: View| {
        let tab = browser.open(&site.url(page), view);
        let text = tab.evaluate("document.querySelector('main').innerText");
        text.as_str().unwrap_or("").to_string()
    };
    let without = View::screen(width).without_javascript();
    let mut findings = Vec::new();
    for page in site.pages() {
        let scripted = text(page, View::screen(width));
        let plain = text(page, without);
        let plain: BTreeSet<&str> = plain.lines().map(str::trim).collect();
        let missing: Vec<&str> = scripted
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !plain.contains(line))
            .collect();
        if !missing.is_empty() {
            findings.push(Finding {
                page: page.to_string(),
                view: without.label(),
                check: "no-js",
                detail: format!("text that only scripts show: {missing:?}"),
            });
        }
    }
    findings
}

/// Opens a page and installs the in-page checks (`window.__initbookChecks`).
pub fn open_with_checks<'b>(browser: &'b Browser, url: &str, view: View) -> Page<'b> {
    let page = browser.open(url, view);
    page.evaluate(&format!("window.__initbookChecks = {PAGE_CHECKS_JS}; true"));
    page
}

/// Why `link` (from the page inventory) does not lead anywhere, if it does not.
fn broken_link(
    site: &SiteOnDisk,
    ids: &BTreeMap<String, BTreeSet<String>>,
    link: &Value,
) -> Option<String> {
    let href = link["href"].as_str().unwrap_or("");
    let url = link["url"].as_str().unwrap_or("");
    let from = link["from"].as_str().unwrap_or("a link");
    if !url.starts_with("file:") {
        // Web links cannot be followed offline; the site must not *load* anything from the
        // network (the "errors" check sees that), but it may point readers elsewhere.
        return None;
    }
    let Some(target) = site.relative_path(url) else {
        return Some(format!("{from} href=\"{href}\" leaves the site"));
    };
    if !site.files.contains(&target) {
        return Some(format!("{from} href=\"{href}\": there is no file {target}"));
    }
    let fragment = url.split_once('#').map(|(_, f)| percent_decode(f));
    match (fragment, ids.get(&target)) {
        (Some(fragment), Some(target_ids)) if !fragment.is_empty() => (!target_ids
            .contains(&fragment))
        .then(|| format!("{from} href=\"{href}\": {target} has no element with id \"{fragment}\"")),
        _ => None,
    }
}

/// What is wrong with `<html lang="…">`, if anything: missing, or not shaped like a BCP 47
/// tag (`en`, `ko`, `en-GB`, `zh-Hant-TW`).
fn language_problem(lang: &str) -> Option<String> {
    let well_formed = lang.split('-').enumerate().all(|(i, part)| {
        let length = if i == 0 { 2..=3 } else { 1..=8 };
        length.contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if lang.is_empty() {
        Some("<html> has no lang attribute".to_string())
    } else if !well_formed {
        Some(format!("<html lang=\"{lang}\"> is not a language tag"))
    } else {
        None
    }
}

/// Runs axe-core's WCAG 2 A/AA rules on the page; one finding per rule and element, minus the
/// listed exceptions. `preload: false` keeps axe from re-reading the stylesheets with
/// XMLHttpRequest, which `file://` pages refuse (and log as an error); it costs only the
/// `css-orientation-lock` rule's certainty (the theme sets no orientation).
pub fn axe_violations(page: &Page<'_>) -> Vec<String> {
    if page.evaluate("typeof axe === 'object'") != Value::Bool(true) {
        let version = page.evaluate(&format!("{AXE_SOURCE}\n;axe.version"));
        assert_eq!(
            version, AXE_VERSION,
            "the vendored axe-core is not the version noted"
        );
    }
    let tags = serde_json::to_string(AXE_TAGS).unwrap();
    let violations = page.evaluate(&format!(
        "axe.run(document, {{ runOnly: {{ type: 'tag', values: {tags} }}, resultTypes: ['violations'], preload: false }})
           .then(r => r.violations.map(v => ({{
             rule: v.id,
             help: v.help,
             nodes: v.nodes.map(n => ({{ target: n.target.join(' '), summary: n.failureSummary || '' }})),
           }})))"
    ));
    let mut findings = Vec::new();
    for violation in violations.as_array().into_iter().flatten() {
        let rule = violation["rule"].as_str().unwrap_or("?");
        for node in violation["nodes"].as_array().into_iter().flatten() {
            let target = node["target"].as_str().unwrap_or("");
            let excused = AXE_EXCEPTIONS
                .iter()
                .any(|e| e.rule == rule && target.contains(e.target) && !e.reason.is_empty());
            if !excused {
                findings.push(format!(
                    "{rule} ({}) at `{target}`: {}",
                    violation["help"].as_str().unwrap_or(""),
                    node["summary"].as_str().unwrap_or("").replace('\n', " ")
                ));
            }
        }
    }
    findings
}

/// A JSON array of strings as a `Vec` (anything else is a bug in the in-page script).
pub fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected a list from the page, got {value}"))
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteOnDisk {
        SiteOnDisk {
            dir: PathBuf::from("/books/tiny/output"),
            files: ["index.html", "01-one.html", "figures/a.svg"]
                .map(String::from)
                .into(),
        }
    }

    fn link(href: &str, url: &str) -> Value {
        serde_json::json!({ "href": href, "url": url, "from": "a in #content" })
    }

    #[test]
    fn links_resolve_to_files_and_ids_of_the_site() {
        let site = site();
        let ids = BTreeMap::from([
            (
                "index.html".to_string(),
                BTreeSet::from(["content".to_string()]),
            ),
            (
                "01-one.html".to_string(),
                BTreeSet::from(["학교".to_string(), "x".to_string()]),
            ),
        ]);
        let base = "file:///books/tiny/output/";
        let check = |href: &str, url: &str| broken_link(&site, &ids, &link(href, url));
        assert_eq!(check("01-one.html", &format!("{base}01-one.html")), None);
        assert_eq!(check("#x", &format!("{base}01-one.html#x")), None);
        assert_eq!(
            check(
                "01-one.html#%ED%95%99%EA%B5%90",
                &format!("{base}01-one.html#%ED%95%99%EA%B5%90")
            ),
            None
        );
        assert_eq!(
            check("figures/a.svg#p", &format!("{base}figures/a.svg#p")),
            None
        );
        assert_eq!(check("https://example.org/", "https://example.org/"), None);
        assert_eq!(
            check("01-one.html#gone", &format!("{base}01-one.html#gone")).unwrap(),
            "a in #content href=\"01-one.html#gone\": 01-one.html has no element with id \"gone\""
        );
        assert_eq!(
            check("02-two.html", &format!("{base}02-two.html?q=1")).unwrap(),
            "a in #content href=\"02-two.html\": there is no file 02-two.html"
        );
        assert_eq!(
            check("../x.html", "file:///books/tiny/x.html").unwrap(),
            "a in #content href=\"../x.html\" leaves the site"
        );
    }

    #[test]
    fn language_tags_are_checked() {
        for good in ["en", "ko", "en-GB", "zh-Hant-TW"] {
            assert_eq!(language_problem(good), None, "{good}");
        }
        assert_eq!(
            language_problem("").unwrap(),
            "<html> has no lang attribute"
        );
        for bad in ["english", "e", "en_GB", "en-", "{{ book.language }}"] {
            assert!(language_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn findings_name_page_view_and_check() {
        let finding = Finding {
            page: "03-std-one.html".into(),
            view: View::screen(390).dark().without_javascript().label(),
            check: "contrast",
            detail: "p \"x\": 2.10:1".into(),
        };
        assert_eq!(
            finding.to_string(),
            "03-std-one.html [390px dark no-js] contrast: p \"x\": 2.10:1"
        );
        assert_eq!(
            screenshot_name("05-xavier.html", &View::screen(1280).dark()),
            "05-xavier-1280px-dark.png"
        );
    }
}
