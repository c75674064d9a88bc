//! The offline search index: every section of every lesson (its page, heading and text, numbers
//! as printed, figure captions), as one JavaScript file the pages load with a `<script>` tag —
//! from `file://` a page may run a script file, but `fetch`, XHR and `import()` of local files
//! are refused. The theme's `search.js` queries it.
//!
//! Words are found the way the Unicode standard splits text into words (UAX #29), and lowercased;
//! a query word matches every indexed word it begins. That one rule serves English ("init" finds
//! "initialization") and Korean, where particles attach to the word they follow: "학교" finds
//! "학교에", "초깃값" finds "초깃값을" and "초깃값이", with no dictionary.
//!
//! The file holds `pages` (`[href, title]`), `docs` (`[page, anchor, heading, text]`, one per
//! section), `terms` (every word, sorted by UTF-16 code units as JavaScript compares strings, so
//! the script can binary-search a prefix) and `postings` (for each term, `[doc, count, doc,
//! count, …]`).

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

/// Where the index goes in the site.
pub const INDEX_PATH: &str = "searchindex.js";

/// The global the index file defines, which `search.js` reads.
pub const INDEX_GLOBAL: &str = "initbookSearchIndex";

/// One section of a lesson, as the index sees it.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    /// The page, `03-std-one.html`.
    pub page: &'a str,
    /// The page's title.
    pub title: &'a str,
    /// The section's heading id; `None` for the page's opening.
    pub anchor: Option<&'a str>,
    pub heading: &'a str,
    /// The section's plain text.
    pub text: &'a str,
}

/// The words of `text`, lowercased: Unicode word boundaries, punctuation and spaces dropped.
pub fn tokenize(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text).map(Cow::into_owned)
}

/// [`tokenize`], allocating only for words that lowercasing changes.
fn words(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.unicode_words().map(|word| {
        // `is_uppercase` alone would miss titlecase letters such as `ǅ`, which lowercase too.
        let unchanged = |c: char| {
            let mut lower = c.to_lowercase();
            lower.next() == Some(c) && lower.next().is_none()
        };
        if word.chars().all(unchanged) {
            Cow::Borrowed(word)
        } else {
            Cow::Owned(word.to_lowercase())
        }
    })
}

/// The built index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchIndex {
    pages: Vec<(String, String)>,
    docs: Vec<(usize, String, String, String)>,
    terms: Vec<String>,
    postings: Vec<Vec<usize>>,
}

impl SearchIndex {
    /// Indexes `documents` (in reading order): the words of each one's heading and text.
    pub fn build(documents: &[Document<'_>]) -> SearchIndex {
        let mut pages: Vec<(String, String)> = Vec::new();
        let mut docs = Vec::with_capacity(documents.len());
        // Term → its postings, `[doc, count, …]` with docs in order (documents are visited in
        // order). A hash map for speed: the terms are sorted below, so its order never shows.
        let mut postings: HashMap<String, Vec<usize>> = HashMap::new();
        for (n, document) in documents.iter().enumerate() {
            if pages.last().is_none_or(|(page, _)| page != document.page) {
                pages.push((document.page.to_string(), document.title.to_string()));
            }
            docs.push((
                pages.len() - 1,
                document.anchor.unwrap_or_default().to_string(),
                document.heading.to_string(),
                document.text.to_string(),
            ));
            for word in words(document.heading).chain(words(document.text)) {
                let list = match postings.get_mut(word.as_ref()) {
                    Some(list) => list,
                    None => postings.entry(word.into_owned()).or_default(),
                };
                match list.len().checked_sub(2) {
                    Some(last) if list[last] == n => list[last + 1] += 1,
                    _ => list.extend([n, 1]),
                }
            }
        }
        let mut terms: Vec<(String, Vec<usize>)> = postings.into_iter().collect();
        terms.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        let (terms, postings) = terms.into_iter().unzip();
        SearchIndex {
            pages,
            docs,
            terms,
            postings,
        }
    }

    /// The index as the JavaScript file the pages load.
    pub fn to_js(&self) -> String {
        let json = serde_json::to_string(self).expect("the index serializes");
        format!("window.{INDEX_GLOBAL} = {json};\n")
    }

    /// The documents in which every word of `query` begins some indexed word (of the heading
    /// or the text), in reading order: the matching rule `search.js` applies before ranking.
    pub fn matching(&self, query: &str) -> Vec<usize> {
        let mut found: Option<Vec<usize>> = None;
        for word in tokenize(query) {
            let mut docs: Vec<usize> = self
                .terms
                .iter()
                .zip(&self.postings)
                .filter(|(term, _)| term.starts_with(&word))
                .flat_map(|(_, postings)| postings.iter().step_by(2).copied())
                .collect();
            docs.sort_unstable();
            docs.dedup();
            found = Some(match found {
                None => docs,
                Some(before) => before.into_iter().filter(|d| docs.contains(d)).collect(),
            });
        }
        found.unwrap_or_default()
    }

    /// Every indexed word, sorted as JavaScript sorts strings.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(
        page: &'a str,
        anchor: Option<&'a str>,
        heading: &'a str,
        text: &'a str,
    ) -> Document<'a> {
        Document {
            page,
            title: "Title",
            anchor,
            heading,
            text,
        }
    }

    #[test]
    fn words_split_on_unicode_boundaries_and_lowercase() {
        let words: Vec<String> = tokenize("Xavier's σ = 0.1, ReLU-units; 학교에 갑니다.").collect();
        assert_eq!(
            words,
            ["xavier's", "σ", "0.1", "relu", "units", "학교에", "갑니다"]
        );
    }

    #[test]
    fn titlecase_letters_and_a_final_sigma_lowercase_too() {
        // `ǅ` is titlecase, not uppercase; `Σ` ending a word becomes the final form `ς`.
        let words: Vec<String> = tokenize("ǅungla ΟΔΟΣ").collect();
        assert_eq!(words, ["ǆungla", "οδος"]);
    }

    #[test]
    fn a_korean_stem_finds_words_with_particles() {
        let index = SearchIndex::build(&[
            doc("a.html", None, "가중치의 초깃값", "초깃값을 정하는 방법"),
            doc(
                "a.html",
                Some("b"),
                "학교",
                "학교에 갑니다. 초깃값이 중요합니다.",
            ),
            doc("c.html", None, "Zero", "Nothing here."),
        ]);
        assert_eq!(index.matching("학교"), [1]);
        assert_eq!(index.matching("초깃값"), [0, 1]);
        assert_eq!(index.matching("초깃값을"), [0]);
        assert_eq!(index.matching("초깃값 학교"), [1], "every word must match");
    }

    #[test]
    fn matching_is_by_prefix_and_ignores_case() {
        let index = SearchIndex::build(&[
            doc("a.html", None, "Saturation", "Sigmoid units SATURATE."),
            doc("b.html", None, "Xavier", "Initialization with σ = 1/√n."),
        ]);
        assert_eq!(index.matching("satur"), [0]);
        assert_eq!(index.matching("Saturation"), [0]);
        assert_eq!(index.matching("INIT"), [1]);
        assert_eq!(index.matching("σ"), [1]);
        assert!(index.matching("relu").is_empty());
        assert!(index.matching("").is_empty());
    }

    #[test]
    fn terms_are_sorted_as_javascript_compares_strings() {
        // U+FF41 (fullwidth a) comes after U+1D4A9 (script N) in code points, before it in UTF-16.
        let index = SearchIndex::build(&[doc("a.html", None, "x", "ａ 𝒩 b")]);
        let terms: Vec<&str> = index.terms().iter().map(String::as_str).collect();
        assert_eq!(terms, ["b", "x", "𝒩", "ａ"]);
        let js = index.to_js();
        assert!(js.starts_with("window.initbookSearchIndex = {\"pages\":[[\"a.html\",\"Title\"]]"));
        assert!(js.ends_with("};\n"));
    }
}
