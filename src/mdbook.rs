//! `initbook mdbook`: initbook as an mdBook preprocessor, for authors whose book is an mdBook.
//!
//! mdBook runs the command twice: `initbook mdbook supports RENDERER` (exit 0 if initbook
//! works with that renderer), then `initbook mdbook` with `[context, book]` as JSON on stdin,
//! expecting the book back as JSON on stdout. The types are mdBook's own, from its published
//! `mdbook-preprocessor` crate.
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

use mdbook_preprocessor::PreprocessorContext;
use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use pulldown_cmark::{CodeBlockKind, Event, Tag};

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
pub fn run_preprocessor(input: impl std::io::Read) -> Result<Book> {
    let (context, book) = mdbook_preprocessor::parse_input(input)
        .map_err(|error| Error::Other(format!("reading mdBook's input: {error:#}")))?;
    let cache = Cache::for_book(&context.root);
    preprocess(&context, book, &cache)
}

/// A chapter that holds experiment blocks, where it is in the book.
struct Found {
    /// The chapter's path in the book, as mdBook gives it.
    path: PathBuf,
    /// Its figures' chapter number: its section number ("2.1"), else its place in the book.
    number: String,
}

/// Runs and draws every experiment of the book's chapters, taking outcomes from `cache`.
pub fn preprocess(context: &PreprocessorContext, mut book: Book, cache: &Cache) -> Result<Book> {
    let src = context.config.book.src.clone();
    let mut found = Vec::new();
    let mut parsed = Vec::new();
    let mut place = 0;
    for item in book.iter() {
        let BookItem::Chapter(chapter) = item else {
            continue;
        };
        place += 1;
        let Some(path) = &chapter.path else { continue };
        if !has_directive(&chapter.content) {
            continue;
        }
        let source_path = chapter.source_path.as_ref().unwrap_or(path);
        let source = SourceFile::new(src.join(source_path), chapter.content.clone());
        let file = source.path.clone();
        let mut lesson = parse_chapter(source, &chapter.name);
        // Links with text are mdBook's: it numbers headings its own way and reads chapters
        // initbook does not (those without experiments), so they are not checked here.
        if let Ok(lesson) = &mut lesson {
            lesson.section_links.clear();
        }
        parsed.push((file, lesson));
        found.push(Found {
            path: path.clone(),
            number: section_number(chapter).unwrap_or_else(|| place.to_string()),
        });
    }
    if found.is_empty() {
        return Ok(book);
    }
    let config = &context.config.book;
    let parsed_book = assemble_book(
        BookConfig {
            title: config.title.clone().unwrap_or_default(),
            author: (!config.authors.is_empty()).then(|| config.authors.join(", ")),
            language: config.language.clone().unwrap_or_else(|| "en".to_string()),
            description: config.description.clone(),
            // An mdBook is one language; its translations are mdBook's business.
            languages: Vec::new(),
        },
        parsed,
    )?;
    let root = &context.root;
    let datasets = load_datasets_in(root, &src, &parsed_book, cache.datasets())?;
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
    book.for_each_chapter_mut(|chapter: &mut Chapter| {
        if let Some(content) = chapter.path.as_ref().and_then(|p| contents.remove(p)) {
            chapter.content = content;
        }
    });
    Ok(book)
}

/// Whether a chapter's Markdown has a fenced `experiment` block.
fn has_directive(markdown: &str) -> bool {
    markdown_events(markdown).any(|(event, _)| {
        matches!(event, Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
            if info.trim() == DIRECTIVE_INFO)
    })
}

/// "2.1" for section 2.1 of the book.
fn section_number(chapter: &Chapter) -> Option<String> {
    let number = chapter.number.as_ref()?;
    let parts: Vec<String> = number.iter().map(u32::to_string).collect();
    (!parts.is_empty()).then(|| parts.join("."))
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
    fn html_blocks_have_no_blank_lines_inside() {
        assert_eq!(html_block("<a>\n\n  \n<b>\n"), "\n\n<a>\n<b>\n\n");
        assert!(supports_renderer("html"));
        assert!(!supports_renderer("epub"));
    }
}
