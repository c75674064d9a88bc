//! Render stage: parsed lessons + results + SVGs → the site's pages, in memory.

pub mod blurb;
pub mod explorer;
pub mod explorer_strings;
pub mod figure;
pub mod markdown;
pub mod templates;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Lesson, ParsedBook};
use crate::numeric::{Experiment, Outcome};
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

/// Renders every page. Returns `(path in the site, contents)`, `index.html` and `style.css`
/// included; figures are added by the caller. `svgs` are the figures by experiment id,
/// `frame_sizes` the size of each sweep's frames, by the sweep's id.
pub fn render_site(
    book: &ParsedBook,
    results: &BTreeMap<String, Outcome>,
    svgs: &BTreeMap<String, String>,
    frame_sizes: &BTreeMap<String, (u32, u32)>,
    data_hashes: &BTreeMap<String, String>,
    theme: &Theme,
) -> Result<Vec<(String, Vec<u8>)>> {
    let chapter_pages: HashMap<String, String> = book
        .lessons
        .iter()
        .filter_map(|lesson| {
            let file = lesson.source.path.file_name()?.to_str()?.to_string();
            Some((file, page_name(&lesson.slug)))
        })
        .collect();
    let mut bodies: Vec<LessonBody> = Vec::with_capacity(book.lessons.len());
    for (chapter_index, lesson) in book.lessons.iter().enumerate() {
        let figures = lesson_figures(
            chapter_index,
            lesson,
            results,
            svgs,
            frame_sizes,
            data_hashes,
            theme,
        )?;
        bodies.push(markdown::render_lesson_body(
            lesson,
            &figures,
            results,
            &chapter_pages,
        ));
    }

    let mut files = Vec::with_capacity(book.lessons.len() + 2);
    let mut base = tera::Context::new();
    base.insert("book", &book_context(book));
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
        let html = render_template(theme, "page.html", &context)?;
        files.push((page_name(&lesson.slug), html.into_bytes()));
    }

    let mut context = base;
    context.insert("lessons", &lesson_links(book, &bodies, None));
    context.insert("figure_count", &svgs.len());
    let html = render_template(theme, "index.html", &context)?;
    files.push(("index.html".to_string(), html.into_bytes()));
    files.push((
        "style.css".to_string(),
        theme.stylesheet.clone().into_bytes(),
    ));
    if explorer::book_has_explorer(book.experiments().map(|(_, spec)| spec)) {
        files.extend(explorer::explorer_assets(theme)?);
    }
    Ok(files)
}

/// The HTML of each experiment block of the lesson (chapter `chapter_index + 1`), by id. Blocks
/// that show a figure or a table are numbered "3.1", "3.2", … in order; a sweep with a figure is
/// an explorer (a sweep without one, a compact card).
fn lesson_figures<'a>(
    chapter_index: usize,
    lesson: &'a Lesson,
    results: &BTreeMap<String, Outcome>,
    svgs: &BTreeMap<String, String>,
    frame_sizes: &BTreeMap<String, (u32, u32)>,
    data_hashes: &BTreeMap<String, String>,
    theme: &Theme,
) -> Result<HashMap<&'a str, FigureHtml>> {
    let mut figures = HashMap::new();
    let mut shown = 0;
    for spec in &lesson.experiments {
        let sweep = matches!(spec.experiment, Experiment::Sweep(_));
        let number = if spec.figure || (spec.table && !sweep) {
            shown += 1;
            Some(format!("{}.{shown}", chapter_index + 1))
        } else {
            None
        };
        let svg = spec.figure.then(|| svgs[&spec.id].as_str());
        let outcome = &results[&spec.id];
        let html = match (outcome, number.as_deref(), svg) {
            (Outcome::Sweep(result), Some(number), Some(chart)) => FigureHtml {
                html: explorer::render_explorer(
                    theme,
                    lesson,
                    spec,
                    number,
                    explorer::SweepDrawing {
                        chart,
                        frame_size: frame_sizes[&spec.id],
                    },
                    result,
                    &data_hashes[&spec.id],
                )?,
            },
            _ => render_figure(
                lesson,
                spec,
                number.as_deref(),
                svg,
                outcome,
                &data_hashes[&spec.id],
            ),
        };
        figures.insert(spec.id.as_str(), html);
    }
    Ok(figures)
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
