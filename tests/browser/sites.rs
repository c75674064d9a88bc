//! The sites the browser opens: this repository's book, freshly built, and tiny books.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use initbook::cache::Cache;
use initbook::hash::sha256_hex;
use initbook::{Site, build_site, build_site_with};

/// A built site on disk, opened from `file://`.
pub struct SiteOnDisk {
    /// The directory holding `index.html` (absolute).
    pub dir: PathBuf,
    /// Every file of the site, `/`-separated relative paths.
    pub files: BTreeSet<String>,
}

impl SiteOnDisk {
    /// Writes `site` into `dir`, replacing whatever was there.
    pub fn write(site: &Site, dir: &Path) -> SiteOnDisk {
        if dir.exists() {
            std::fs::remove_dir_all(dir).unwrap();
        }
        for (path, bytes) in &site.files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        SiteOnDisk {
            dir: dir.canonicalize().unwrap(),
            files: site.files.keys().cloned().collect(),
        }
    }

    /// The site's HTML pages: `index.html` first, then the others in path order.
    pub fn pages(&self) -> Vec<&str> {
        let mut pages: Vec<&str> = self
            .files
            .iter()
            .map(String::as_str)
            .filter(|f| f.ends_with(".html"))
            .collect();
        pages.sort_by_key(|p| (*p != "index.html", *p));
        pages
    }

    /// The `file://` URL of a file of the site, e.g. `05-xavier.html?search=tanh`.
    pub fn url(&self, relative: &str) -> String {
        format!("{}{relative}", self.base_url())
    }

    /// `file:///…/site/`: every URL inside the site starts with it.
    pub fn base_url(&self) -> String {
        format!("file://{}/", self.dir.display())
    }

    /// The site-relative path of a `file://` URL, percent-decoded, without query or fragment;
    /// `None` when the URL points outside the site.
    pub fn relative_path(&self, url: &str) -> Option<String> {
        let path = url.split(['?', '#']).next().unwrap_or("");
        percent_decode(path)
            .strip_prefix(&self.base_url())
            .map(str::to_string)
    }
}

/// This repository's book, built once per test process (outcomes from the result cache under
/// `target/`, so only the first run computes them) into `target/tmp/browser-site/HASH/`.
/// The directory is named by the site's contents and written by renaming a finished copy into
/// place, so test processes running at once (cargo-nextest runs one per test) share it safely.
pub fn book_site() -> &'static SiteOnDisk {
    static SITE: OnceLock<SiteOnDisk> = OnceLock::new();
    SITE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let report = build_site_with(root, &Cache::for_book(root), &|_, _| {})
            .unwrap_or_else(|e| panic!("the book does not build: {e}"));
        let site = report.site;
        let mut listing = Vec::new();
        for (path, bytes) in &site.files {
            listing.extend_from_slice(format!("{path}\0{}\0", sha256_hex(bytes)).as_bytes());
        }
        let sites = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-site");
        let name = &sha256_hex(&listing)[..16];
        let dir = sites.join(name);
        if !dir.is_dir() {
            // Sites of earlier contents are stale: remove them (not this one, which another
            // process may just have finished, nor anyone's `.tmp` staging copy).
            for old in std::fs::read_dir(&sites).into_iter().flatten().flatten() {
                let old_name = old.file_name();
                let old_name = old_name.to_string_lossy();
                if old_name != name && !old_name.starts_with(".tmp") {
                    let _ = std::fs::remove_dir_all(old.path());
                }
            }
            std::fs::create_dir_all(&sites).unwrap();
            let staging = tempfile::tempdir_in(&sites).unwrap();
            SiteOnDisk::write(&site, &staging.path().join("site"));
            // Another process may have put the same site there first; theirs is as good.
            let _ = std::fs::rename(staging.path().join("site"), &dir);
        }
        SiteOnDisk {
            dir: dir.canonicalize().unwrap(),
            files: site.files.keys().cloned().collect(),
        }
    })
}

/// Builds a tiny book (see `tests/common`) into its own `output/`.
pub fn build_tiny(book: &crate::common::TinyBook) -> SiteOnDisk {
    let site = build_site(book.root()).unwrap_or_else(|e| panic!("the tiny book fails: {e}"));
    SiteOnDisk::write(&site, &book.output())
}

/// The target directory (`target/`), where screenshots and printed PDFs go.
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .to_path_buf()
}

/// Decodes `%XX` escapes (UTF-8) in a URL path or fragment; a malformed escape stays as it is.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_decode_as_utf8() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%ED%95%99%EA%B5%90%EC%97%90"), "학교에");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%2"), "%zz%2");
        assert_eq!(percent_decode("%+1"), "%+1");
    }

    #[test]
    fn pages_of_every_language_are_checked() {
        let site = SiteOnDisk {
            dir: PathBuf::from("/tmp/site"),
            files: [
                "index.html",
                "01-a.html",
                "ko/index.html",
                "ko/01-a.html",
                "figures/a.svg",
                "style.css",
            ]
            .map(String::from)
            .into(),
        };
        assert_eq!(
            site.pages(),
            ["index.html", "01-a.html", "ko/01-a.html", "ko/index.html"]
        );
    }

    #[test]
    fn urls_map_back_to_site_paths() {
        let site = SiteOnDisk {
            dir: PathBuf::from("/tmp/site"),
            files: BTreeSet::new(),
        };
        assert_eq!(site.url("index.html"), "file:///tmp/site/index.html");
        assert_eq!(
            site.relative_path("file:///tmp/site/figures/a%20b.svg?x#y")
                .as_deref(),
            Some("figures/a b.svg")
        );
        assert_eq!(site.relative_path("file:///tmp/other/index.html"), None);
        assert_eq!(site.relative_path("https://example.org/"), None);
    }
}
