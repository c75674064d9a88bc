//! Render stage: parsed lessons + results + SVGs → the site's pages, in memory: one page per
//! lesson (with its contents list), the contents page, the print edition (`print.html`, the
//! whole book on one page), the search index and the theme's assets.

pub mod blurb;
pub mod explorer;
pub mod explorer_strings;
pub mod figure;
pub mod markdown;
pub mod print;
pub mod strings;
pub mod templates;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::error::Result;
use crate::model::{ExperimentSpec, ParsedBook};
use crate::numeric::Outcome;
use crate::search::{self, SearchIndex};
use crate::site_paths::{notebook_path, page_name};
pub use figure::{Reproduce, describe_experiment, render_figure, reproduce};
pub use markdown::FigureHtml;
use markdown::{BookRenderer, Edition, LessonBody, TocEntry};
pub use templates::{Strings, Theme, load_theme};

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
    title_html: &'a str,
    content: &'a str,
    toc: &'a [TocEntry],
    source: String,
    /// The lesson's Jupyter notebook, relative to the page.
    notebook: String,
}

/// Renders every page. Returns `(path in the site, contents)`: the lessons, `index.html`,
/// `print.html`, the search index and the theme's assets (the explorer's where a page shows
/// one); figures are added by the caller. `svgs` are the figures by experiment id, `frame_sizes`
/// the size of each sweep's frames, by the sweep's id.
pub fn render_site(
    book: &ParsedBook,
    results: &BTreeMap<String, Outcome>,
    svgs: &BTreeMap<String, String>,
    frame_sizes: &BTreeMap<String, (u32, u32)>,
    data_hashes: &BTreeMap<String, String>,
    theme: &Theme,
) -> Result<Vec<(String, Vec<u8>)>> {
    let numbers = book.figure_numbers();
    let mut figures = HashMap::new();
    for (lesson, spec) in book.experiments() {
        let notebook = notebook_path(&lesson.slug);
        let html = block_html(
            theme,
            spec,
            numbers.get(spec.id.as_str()).map(String::as_str),
            spec.figure.then(|| svgs[&spec.id].as_str()),
            frame_sizes.get(&spec.id).copied(),
            &results[&spec.id],
            reproduce(theme, lesson, spec, &data_hashes[&spec.id], Some(&notebook)),
        )?;
        figures.insert(spec.id.as_str(), html);
    }
    let renderer = BookRenderer {
        book,
        theme,
        results,
        figures,
        numbers,
    };
    let bodies = book
        .lessons
        .iter()
        .map(|lesson| renderer.lesson(lesson, Edition::Pages))
        .collect::<Result<Vec<LessonBody>>>()?;

    let mut files = Vec::with_capacity(book.lessons.len() + 5);
    let mut base = tera::Context::new();
    base.insert("book", &book_context(book));
    base.insert("print_current", &false);
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
                title_html: &body.title_html,
                content: &body.html,
                toc: &body.toc,
                source: lesson.source.path.display().to_string(),
                notebook: notebook_path(&lesson.slug),
            },
        );
        context.insert("lessons", &lessons);
        // The same page in the book's other languages has this file name (`base.html`).
        context.insert("page_href", &page_name(&lesson.slug));
        let html = theme.render("page.html", &context)?;
        files.push((page_name(&lesson.slug), html.into_bytes()));
    }

    let mut context = base.clone();
    context.insert("lessons", &lesson_links(book, &bodies, None));
    context.insert("figure_count", &svgs.len());
    context.insert("page_href", "index.html");
    let html = theme.render("index.html", &context)?;
    files.push(("index.html".to_string(), html.into_bytes()));

    let mut context = base;
    context.insert("lessons", &lesson_links(book, &bodies, None));
    context.insert("print_current", &true);
    context.insert("page_href", print::PRINT_PATH);
    let html = print::render_print_edition(&renderer, &context)?;
    files.push((print::PRINT_PATH.to_string(), html.into_bytes()));

    let pages: Vec<String> = book.lessons.iter().map(|l| page_name(&l.slug)).collect();
    let documents: Vec<search::Document<'_>> = book
        .lessons
        .iter()
        .zip(&bodies)
        .zip(&pages)
        .flat_map(|((lesson, body), page)| {
            body.sections.iter().map(move |section| search::Document {
                page,
                title: &lesson.title,
                anchor: section.anchor.as_deref(),
                heading: &section.heading,
                text: &section.text,
            })
        })
        .collect();
    files.push((
        search::INDEX_PATH.to_string(),
        SearchIndex::build(&documents).to_js().into_bytes(),
    ));
    for (name, text) in &theme.assets {
        files.push((name.to_string(), text.clone().into_bytes()));
    }
    if explorer::book_has_explorer(book.experiments().map(|(_, spec)| spec)) {
        files.extend(explorer::explorer_assets(theme)?);
    }
    Ok(files)
}

/// The HTML of one experiment block: a figure (`figure.html`), or the explorer of a sweep that
/// shows a figure (`explorer.html`), which the print edition shows without its controls.
fn block_html(
    theme: &Theme,
    spec: &ExperimentSpec,
    number: Option<&str>,
    svg: Option<&str>,
    frame_size: Option<(u32, u32)>,
    outcome: &Outcome,
    reproduce: Reproduce<'_>,
) -> Result<FigureHtml> {
    if let (Outcome::Sweep(result), Some(number), Some(chart), Some(frame_size)) =
        (outcome, number, svg, frame_size)
    {
        let explorer = |edition| {
            explorer::render_explorer(
                theme,
                edition,
                spec,
                number,
                explorer::SweepDrawing { chart, frame_size },
                result,
                reproduce.clone(),
            )
        };
        return Ok(FigureHtml {
            html: explorer(Edition::Pages)?,
            print: Some(explorer(Edition::Print)?),
        });
    }
    Ok(FigureHtml {
        html: render_figure(theme, spec, number, svg, outcome, reproduce)?,
        print: None,
    })
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
