//! Render stage: parsed lessons + results + SVGs → the site's pages, in memory.

pub mod blurb;
pub mod figure;
pub mod markdown;
pub mod templates;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::i18n::{LanguageLink, Strings};
use crate::model::{Lesson, ParsedBook};
use crate::numeric::Outcome;
use crate::site_paths::page_name;
pub use figure::{FigureHtml, describe_experiment, render_figure};
use markdown::LessonBody;
pub use templates::{Theme, load_theme};

/// A lesson as the templates see it.
#[derive(Serialize)]
struct LessonLink<'a> {
    number: usize,
    title: &'a str,
    href: String,
    current: bool,
    summary: String,
}

#[derive(Serialize)]
struct PageContext<'a> {
    number: usize,
    title: &'a str,
    content: String,
    source: String,
}

/// The language of the pages being rendered: their interface strings and their links to the
/// same page in the book's other languages.
pub struct PageLanguage<'a> {
    pub strings: &'a Strings,
    /// The edition's tag when it is a translation (its figures are drawn with its own words:
    /// the Reproduce command says `--lang TAG`); `None` for the book's own language.
    pub translation: Option<&'a str>,
    /// Every language of the book, this one marked current (empty for a book in one language).
    pub links: &'a [LanguageLink],
}

/// Renders every page. Returns `(path in the site, contents)`, `index.html` and `style.css`
/// included; figures are added by the caller. Paths are relative to the edition's directory.
pub fn render_site(
    book: &ParsedBook,
    results: &BTreeMap<String, Outcome>,
    svgs: &BTreeMap<String, String>,
    data_hashes: &BTreeMap<String, String>,
    theme: &Theme,
    language: &PageLanguage,
) -> Result<Vec<(String, Vec<u8>)>> {
    let chapter_pages: HashMap<String, String> = book
        .lessons
        .iter()
        .filter_map(|lesson| {
            let file = lesson.source.path.file_name()?.to_str()?.to_string();
            Some((file, page_name(&lesson.slug)))
        })
        .collect();
    let bodies: Vec<LessonBody> = book
        .lessons
        .iter()
        .enumerate()
        .map(|(chapter_index, lesson)| {
            let figures =
                lesson_figures(chapter_index, lesson, results, svgs, data_hashes, language);
            markdown::render_lesson_body(lesson, &figures, results, &chapter_pages)
        })
        .collect();

    let mut files = Vec::with_capacity(book.lessons.len() + 2);
    let mut base = tera::Context::new();
    base.insert("book", &book_context(book));
    base.insert("strings", language.strings);
    base.insert("languages", language.links);
    for (i, (lesson, body)) in book.lessons.iter().zip(&bodies).enumerate() {
        let mut context = base.clone();
        let lessons = lesson_links(book, &bodies, Some(i));
        let neighbour = |j: Option<usize>| j.and_then(|j| lessons.get(j));
        context.insert("previous", &neighbour(i.checked_sub(1)));
        context.insert("next", &neighbour(Some(i + 1)));
        context.insert(
            "page",
            &PageContext {
                number: i + 1,
                title: &lesson.title,
                content: body.html.clone(),
                source: lesson.source.path.display().to_string(),
            },
        );
        context.insert("lessons", &lessons);
        context.insert("page_href", &page_name(&lesson.slug));
        let html = render_template(theme, "page.html", &context)?;
        files.push((page_name(&lesson.slug), html.into_bytes()));
    }

    let mut context = base;
    context.insert("lessons", &lesson_links(book, &bodies, None));
    context.insert("figure_count", &svgs.len());
    context.insert("page_href", "index.html");
    let html = render_template(theme, "index.html", &context)?;
    files.push(("index.html".to_string(), html.into_bytes()));
    files.push((
        "style.css".to_string(),
        theme.stylesheet.clone().into_bytes(),
    ));
    Ok(files)
}

/// The HTML of each experiment block of the lesson (chapter `chapter_index + 1`), by id. Blocks
/// that show a figure or a table are numbered "3.1", "3.2", … in order.
fn lesson_figures<'a>(
    chapter_index: usize,
    lesson: &'a Lesson,
    results: &BTreeMap<String, Outcome>,
    svgs: &BTreeMap<String, String>,
    data_hashes: &BTreeMap<String, String>,
    language: &PageLanguage,
) -> HashMap<&'a str, FigureHtml> {
    let mut figures = HashMap::new();
    let mut shown = 0;
    for spec in &lesson.experiments {
        let number = if spec.figure || spec.table {
            shown += 1;
            Some(format!("{}.{shown}", chapter_index + 1))
        } else {
            None
        };
        let svg = spec.figure.then(|| svgs[&spec.id].as_str());
        let html = render_figure(
            lesson,
            spec,
            number.as_deref(),
            svg,
            &results[&spec.id],
            &data_hashes[&spec.id],
            language,
        );
        figures.insert(spec.id.as_str(), html);
    }
    figures
}

/// The contents as the templates see it, with lesson `current` marked.
fn lesson_links<'a>(
    book: &'a ParsedBook,
    bodies: &[LessonBody],
    current: Option<usize>,
) -> Vec<LessonLink<'a>> {
    book.lessons
        .iter()
        .zip(bodies)
        .enumerate()
        .map(|(i, (lesson, body))| LessonLink {
            number: i + 1,
            title: &lesson.title,
            href: page_name(&lesson.slug),
            current: current == Some(i),
            summary: body.summary.clone(),
        })
        .collect()
}

fn book_context(book: &ParsedBook) -> BTreeMap<&'static str, Option<&str>> {
    let config = &book.config;
    BTreeMap::from([
        ("title", Some(config.title.as_str())),
        ("author", config.author.as_deref()),
        ("language", Some(config.language.as_str())),
        ("description", config.description.as_deref()),
    ])
}

fn render_template(theme: &Theme, name: &str, context: &tera::Context) -> Result<String> {
    theme
        .tera
        .render(name, context)
        .map_err(|error| Error::Other(format!("rendering template {name}: {error}")))
}
