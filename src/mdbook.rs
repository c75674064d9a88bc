//! `initbook mdbook`: initbook as an mdBook preprocessor, for authors whose book is an mdBook.
//!
//! mdBook runs the command twice: `initbook mdbook supports RENDERER` (exit 0 if initbook
//! works with that renderer), then `initbook mdbook` with `[context, book]` as JSON on stdin,
//! expecting the book back as JSON on stdout. initbook reads the few fields it needs from the
//! JSON as it came and writes back only chapters' `content`, so every other field — including any
//! a later mdBook adds — returns to mdBook exactly as it was sent. (mdBook's `mdbook-preprocessor`
//! crate has typed versions, but would bring mdBook's core and a regex engine into every build
//! of initbook, for six fields.)
//!
//! Chapters with `experiment` blocks go through the same stages as a lesson of an initbook
//! book: parse (`parse_chapter`: a chapter may take its title from `SUMMARY.md`), data sets
//! (paths relative to the book's `src` folder), the work budget, run (with the result cache in
//! `ROOT/target/initbook-cache/`, ROOT being the folder of `book.toml`, keyed as for a site),
//! draw and the figure's HTML, through the same theme partials as the site (`figure.html`,
//! `xref.html`, from the built-in theme or the book's `templates/`). Each block is replaced in
//! the chapter's Markdown by that HTML, each inline reference by its number and each
//! cross-reference `[](#id)` by "Figure 2.1", linked as on the site; every other byte of the
//! chapter is left for mdBook. A cross-reference to another chapter links `CHAPTER.html#id`
//! beside the current page. Chapters without blocks are not touched.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use pulldown_cmark::{CodeBlockKind, Event, Tag};
use serde_json::{Map, Value};

use crate::book::BookConfig;
use crate::cache::Cache;
use crate::data::load_datasets_in;
use crate::diagnostic::SourceFile;
use crate::dialect::{DIRECTIVE_INFO, markdown_events};
use crate::draw::FigureText;
use crate::error::{Error, Result};
use crate::lesson_text::{Piece, rewrite_lesson};
use crate::manifest::data_hashes;
use crate::parse::{assemble_book, parse_chapter};
use crate::render::markdown::{BookRenderer, Edition};
use crate::render::{load_theme, render_figure, reproduce};
use crate::run::run_all;
use crate::site::{data_shapes, draw_figures};

/// The renderers initbook's output suits: the figures are HTML.
pub fn supports_renderer(renderer: &str) -> bool {
    renderer == "html"
}

/// Reads `[context, book]` from `input`, returns the book with its experiments in place.
pub fn run_preprocessor(input: impl std::io::Read) -> Result<Value> {
    let protocol = |problem: String| Error::Other(format!("reading mdBook's input: {problem}"));
    let input: Value =
        serde_json::from_reader(input).map_err(|error| protocol(error.to_string()))?;
    let Value::Array(mut pair) = input else {
        return Err(protocol("expected `[context, book]`".to_string()));
    };
    let (Some(book), Some(context), None) = (pair.pop(), pair.pop(), pair.pop()) else {
        return Err(protocol("expected `[context, book]`".to_string()));
    };
    let context = Context::read(&context).map_err(protocol)?;
    if !book.get("items").is_some_and(Value::is_array) {
        return Err(protocol("the book has no `items` list".to_string()));
    }
    let cache = Cache::for_book(&context.root);
    preprocess(&context, book, &cache)
}

/// What initbook reads of mdBook's context: the book's folder and its `[book]` table.
pub struct Context {
    /// The folder of `book.toml`.
    pub root: PathBuf,
    /// The chapters' folder, relative to `root` (mdBook's default `src`).
    pub src: PathBuf,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub description: Option<String>,
}

impl Context {
    fn read(context: &Value) -> std::result::Result<Self, String> {
        let root = context["root"]
            .as_str()
            .ok_or("the context has no `root`")?;
        let book = &context["config"]["book"];
        let text = |key: &str| book[key].as_str().map(str::to_string);
        Ok(Context {
            root: PathBuf::from(root),
            src: PathBuf::from(book["src"].as_str().unwrap_or("src")),
            title: text("title"),
            authors: book["authors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|author| author.as_str().map(str::to_string))
                .collect(),
            language: text("language"),
            description: text("description"),
        })
    }
}

/// A chapter of mdBook's JSON: `{"Chapter": {"name", "content", "number", "sub_items", "path",
/// "source_path", …}}` (the other items, separators and part titles, are not chapters).
struct Chapter<'a>(&'a Map<String, Value>);

impl Chapter<'_> {
    fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    fn name(&self) -> &str {
        self.text("name").unwrap_or_default()
    }

    fn content(&self) -> &str {
        self.text("content").unwrap_or_default()
    }

    /// The chapter's file relative to `src`; none for a draft chapter (no file yet).
    fn path(&self) -> Option<&str> {
        self.text("path")
    }

    /// "2.1" for section 2.1 of the book.
    fn section_number(&self) -> Option<String> {
        let parts: Vec<String> = self
            .0
            .get("number")?
            .as_array()?
            .iter()
            .map(|part| part.as_u64().map(|n| n.to_string()))
            .collect::<Option<_>>()?;
        (!parts.is_empty()).then(|| parts.join("."))
    }
}

/// The book's chapters in reading order (each before its sub-chapters), as mdBook walks them.
fn chapters(items: &[Value]) -> Vec<Chapter<'_>> {
    let mut found = Vec::new();
    for item in items {
        if let Some(chapter) = item.get("Chapter").and_then(Value::as_object) {
            found.push(Chapter(chapter));
            if let Some(sub_items) = chapter.get("sub_items").and_then(Value::as_array) {
                found.extend(chapters(sub_items));
            }
        }
    }
    found
}

/// Calls `change` with every chapter's JSON object, in the same order as [`chapters`].
fn for_each_chapter_mut(items: &mut [Value], change: &mut impl FnMut(&mut Map<String, Value>)) {
    for item in items {
        if let Some(chapter) = item.get_mut("Chapter").and_then(Value::as_object_mut) {
            change(chapter);
            if let Some(sub_items) = chapter.get_mut("sub_items").and_then(Value::as_array_mut) {
                for_each_chapter_mut(sub_items, change);
            }
        }
    }
}

/// A chapter that holds experiment blocks, where it is in the book.
struct Found {
    /// The chapter's path in the book, as mdBook gives it.
    path: PathBuf,
    /// Its figures' chapter number: its section number ("2.1"), else its place in the book.
    number: String,
}

/// Runs and draws every experiment of the book's chapters, taking outcomes from `cache`.
pub fn preprocess(context: &Context, mut book: Value, cache: &Cache) -> Result<Value> {
    let src = &context.src;
    let mut found = Vec::new();
    let mut parsed = Vec::new();
    let items = book["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (index, chapter) in chapters(items).iter().enumerate() {
        let place = index + 1;
        let Some(path) = chapter.path() else { continue };
        if !has_directive(chapter.content()) {
            continue;
        }
        let source_path = chapter.text("source_path").unwrap_or(path);
        let source = SourceFile::new(src.join(source_path), chapter.content().to_string());
        let file = source.path.clone();
        let mut lesson = parse_chapter(source, chapter.name());
        // Links with text are mdBook's: it numbers headings its own way and reads chapters
        // initbook does not (those without experiments), so they are not checked here.
        if let Ok(lesson) = &mut lesson {
            lesson.section_links.clear();
        }
        parsed.push((file, lesson));
        found.push(Found {
            path: PathBuf::from(path),
            number: chapter
                .section_number()
                .unwrap_or_else(|| place.to_string()),
        });
    }
    if found.is_empty() {
        return Ok(book);
    }
    let parsed_book = assemble_book(
        BookConfig {
            title: context.title.clone().unwrap_or_default(),
            author: (!context.authors.is_empty()).then(|| context.authors.join(", ")),
            language: context.language.clone().unwrap_or_else(|| "en".to_string()),
            description: context.description.clone(),
            // An mdBook is one language; its translations are mdBook's business.
            languages: Vec::new(),
        },
        parsed,
    )?;
    let root = &context.root;
    let datasets = load_datasets_in(root, src, &parsed_book, cache.datasets())?;
    crate::budget::check_book(&parsed_book, &data_shapes(&datasets))?;
    let run = run_all(&parsed_book, &datasets, cache, &|_, _| {});
    let results = &run.outcomes;
    let hashes = data_hashes(results);
    let svgs = draw_figures(
        &parsed_book,
        results,
        &hashes,
        &FigureText::english(),
        cache.drawings(),
    );

    let theme = load_theme(root)?;
    let renderer = BookRenderer {
        book: &parsed_book,
        theme: &theme,
        results,
        figures: HashMap::new(),
        numbers: parsed_book.figure_numbers_by(|index| found[index].number.clone()),
    };
    let mut contents: BTreeMap<PathBuf, String> = BTreeMap::new();
    for (lesson, chapter) in parsed_book.lessons.iter().zip(&found) {
        // The first template error, if any: the rewrite's callback can only skip a piece.
        let mut failed: Option<Error> = None;
        let mut keep = |html: Result<String>| match html {
            Ok(html) => Some(html),
            Err(error) => {
                failed.get_or_insert(error);
                None
            }
        };
        let content = rewrite_lesson(lesson, |piece| match piece {
            Piece::Experiment(spec) => keep(
                render_figure(
                    &theme,
                    spec,
                    renderer.numbers.get(spec.id.as_str()).map(String::as_str),
                    svgs.get(&spec.id).map(String::as_str),
                    &results[&spec.id],
                    reproduce(&theme, lesson, spec, &hashes[&spec.id], None),
                )
                .map(|html| html_block(&html)),
            ),
            Piece::Reference(reference) => {
                Some(renderer.reference_html(Edition::Pages, lesson, reference).0)
            }
            Piece::FigureRef(reference) => keep(
                renderer
                    .xref_html(Edition::Pages, lesson, reference)
                    .map(|(html, _)| html),
            ),
            Piece::FrontMatter | Piece::Title | Piece::Link { .. } => None,
        });
        if let Some(error) = failed {
            return Err(error);
        }
        contents.insert(chapter.path.clone(), content);
    }
    if let Some(items) = book["items"].as_array_mut() {
        for_each_chapter_mut(items, &mut |chapter| {
            let path = chapter
                .get("path")
                .and_then(Value::as_str)
                .map(PathBuf::from);
            if let Some(content) = path.and_then(|path| contents.remove(&path)) {
                chapter.insert("content".to_string(), Value::String(content));
            }
        });
    }
    Ok(book)
}

/// Whether a chapter's Markdown has a fenced `experiment` block.
fn has_directive(markdown: &str) -> bool {
    markdown_events(markdown).any(|(event, _)| {
        matches!(event, Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
            if info.trim() == DIRECTIVE_INFO)
    })
}

/// HTML that Markdown keeps as one raw block: blank lines around it and none inside (a blank
/// line would end the block and turn the rest into paragraphs).
fn html_block(html: &str) -> String {
    let lines: Vec<&str> = html.lines().filter(|l| !l.trim().is_empty()).collect();
    format!("\n\n{}\n\n", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fenced_experiment_blocks_count() {
        assert!(has_directive("# A\n\n```experiment\nid = \"a\"\n```\n"));
        assert!(!has_directive("# A\n\n```toml\nid = \"a\"\n```\n"));
        assert!(!has_directive("# A\n\n    experiment\n"));
    }

    #[test]
    fn chapters_are_read_in_mdbooks_order_and_only_content_is_written() {
        let mut book = serde_json::json!({ "items": [
            { "Chapter": { "name": "One", "content": "a", "number": [1], "path": "one.md",
                "future_field": { "kept": true },
                "sub_items": [
                    { "Chapter": { "name": "Draft", "content": "", "number": [1, 1],
                        "path": null, "sub_items": [] } },
                    { "Chapter": { "name": "One.Two", "content": "b", "number": [1, 2],
                        "path": "one/two.md", "sub_items": [] } }
                ] } },
            "Separator",
            { "PartTitle": "Part" },
            { "Chapter": { "name": "Two", "content": "c", "number": null, "path": "two.md",
                "sub_items": [] } }
        ] });
        let items = book["items"].as_array().unwrap();
        let found = chapters(items);
        let names: Vec<String> = found.iter().map(|c| c.name().to_string()).collect();
        assert_eq!(names, ["One", "Draft", "One.Two", "Two"]);
        let numbers: Vec<Option<String>> = found.iter().map(Chapter::section_number).collect();
        assert_eq!(
            numbers,
            [
                Some("1".into()),
                Some("1.1".into()),
                Some("1.2".into()),
                None
            ]
        );
        assert_eq!(found[1].path(), None);

        let before = book.clone();
        let mut seen = Vec::new();
        for_each_chapter_mut(book["items"].as_array_mut().unwrap(), &mut |chapter| {
            seen.push(chapter["name"].as_str().unwrap().to_string());
            if chapter["name"] == "One.Two" {
                chapter.insert("content".into(), Value::String("B".into()));
            }
        });
        assert_eq!(seen, names);
        assert_eq!(
            book["items"][0]["Chapter"]["sub_items"][1]["Chapter"]["content"],
            "B"
        );
        book["items"][0]["Chapter"]["sub_items"][1]["Chapter"]["content"] = "b".into();
        assert_eq!(book, before, "nothing else changed");
    }

    #[test]
    fn the_context_gives_the_root_and_the_book_table() {
        let context = Context::read(&serde_json::json!({
            "root": "/books/one",
            "config": { "book": { "title": "T", "authors": ["A", "B"], "language": null } },
            "renderer": "html"
        }))
        .unwrap();
        assert_eq!(context.root, PathBuf::from("/books/one"));
        assert_eq!(context.src, PathBuf::from("src"), "mdBook's default");
        assert_eq!(context.title.as_deref(), Some("T"));
        assert_eq!(context.authors, ["A", "B"]);
        assert_eq!(context.language, None);
        assert!(Context::read(&serde_json::json!({ "config": {} })).is_err());
        assert!(run_preprocessor("{}".as_bytes()).is_err());
        assert!(run_preprocessor("[{}, {}]".as_bytes()).is_err());
    }

    #[test]
    fn html_blocks_have_no_blank_lines_inside() {
        assert_eq!(html_block("<a>\n\n  \n<b>\n"), "\n\n<a>\n<b>\n\n");
        assert!(supports_renderer("html"));
        assert!(!supports_renderer("epub"));
    }
}
