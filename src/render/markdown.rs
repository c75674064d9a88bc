//! A lesson's Markdown → its HTML body, with figures in place of directives, numbers in place of
//! references, and MathML in place of `$…$`.

use std::collections::{BTreeMap, HashMap};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use pulldown_latex::config::DisplayMode;

use super::figure::FigureHtml;
use crate::dialect::{DIRECTIVE_INFO, markdown_events};
use crate::model::{Lesson, StatRef};
use crate::numeric::Outcome;
use crate::site_paths::page_name;

/// The rendered body of a lesson, and its blurb for the contents page.
pub struct LessonBody {
    pub html: String,
    pub summary: String,
}

/// Renders `lesson`. `figures` holds the HTML for each of its experiments; `results` the results
/// its references read from; `chapter_pages` maps lesson file names to page names, so that links
/// between lessons written as `02-zero.md` keep working on the site.
pub fn render_lesson_body(
    lesson: &Lesson,
    figures: &HashMap<&str, FigureHtml>,
    results: &BTreeMap<String, Outcome>,
    chapter_pages: &HashMap<String, String>,
) -> LessonBody {
    let references: HashMap<usize, &StatRef> = lesson
        .references
        .iter()
        .map(|r| (r.span.start, r))
        .collect();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut experiment_index = 0;
    let mut in_directive = false;

    for (event, range) in markdown_events(&lesson.source.text) {
        match event {
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(ref info)))
                if info.trim() == DIRECTIVE_INFO =>
            {
                in_directive = true;
                let spec = &lesson.experiments[experiment_index];
                experiment_index += 1;
                events.push(Event::Html(figures[spec.id.as_str()].html.clone().into()));
            }
            Event::End(TagEnd::CodeBlock) if in_directive => in_directive = false,
            _ if in_directive => {}
            Event::Code(_) if references.contains_key(&range.start) => {
                let reference = references[&range.start];
                events.push(Event::InlineHtml(
                    reference_html(lesson, reference, results).into(),
                ));
            }
            Event::InlineMath(latex) => {
                events.push(Event::InlineHtml(mathml(&latex, false).into()))
            }
            Event::DisplayMath(latex) => {
                events.push(Event::InlineHtml(mathml(&latex, true).into()))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = rewrite_chapter_link(dest_url, chapter_pages);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            other => events.push(other),
        }
    }
    let experiment_ids: Vec<String> = lesson.experiments.iter().map(|e| e.id.clone()).collect();
    add_heading_ids(&mut events, experiment_ids);
    let summary = super::blurb::blurb(lesson.description.as_deref(), &events);
    let mut html = String::with_capacity(lesson.source.text.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    LessonBody { html, summary }
}

/// The number a reference stands for, linked to its figure.
fn reference_html(
    lesson: &Lesson,
    reference: &StatRef,
    results: &BTreeMap<String, Outcome>,
) -> String {
    let spec = lesson
        .experiment(&reference.experiment)
        .expect("the parse stage checked the experiment exists");
    let value = reference.target.value(spec, &results[&spec.id]);
    // The page name in the link keeps it working where the paragraph is quoted (the contents page).
    format!(
        "<a class=\"stat\" href=\"{page}#{id}\" title=\"{id}: {what} (seed {seed})\">{text}</a>",
        page = page_name(&lesson.slug),
        id = spec.id,
        what = reference.target.describe(spec),
        seed = spec.seed,
        text = reference.format.format(value),
    )
}

/// MathML for a LaTeX snippet the parse stage already checked.
fn mathml(latex: &str, display: bool) -> String {
    let storage = pulldown_latex::Storage::new();
    let parser = pulldown_latex::Parser::new(latex, &storage);
    let config = pulldown_latex::RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(latex),
        ..Default::default()
    };
    let mut out = String::new();
    pulldown_latex::push_mathml(&mut out, parser, config).expect("writing to a String cannot fail");
    out
}

/// `02-zero.md#why` → `02-zero.html#why` for the book's own lessons; other links unchanged.
fn rewrite_chapter_link<'a>(
    url: CowStr<'a>,
    chapter_pages: &HashMap<String, String>,
) -> CowStr<'a> {
    let (path, fragment) = match url.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (url.as_ref(), None),
    };
    let Some(page) = chapter_pages.get(path.trim_start_matches("./")) else {
        return url;
    };
    match fragment {
        Some(fragment) => format!("{page}#{fragment}").into(),
        None => page.clone().into(),
    }
}

/// Gives `##` and deeper headings an id from their text, so sections can be linked. `used` are
/// ids already on the page (the figures'), which headings must not repeat.
fn add_heading_ids(events: &mut [Event<'_>], mut used: Vec<String>) {
    for start in 0..events.len() {
        let Event::Start(Tag::Heading {
            level, id: None, ..
        }) = &events[start]
        else {
            continue;
        };
        if *level == HeadingLevel::H1 {
            continue;
        }
        let text: String = events[start + 1..]
            .iter()
            .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let base = slugify(&text);
        let mut slug = base.clone();
        let mut n = 1;
        while used.contains(&slug) {
            n += 1;
            slug = format!("{base}-{n}");
        }
        used.push(slug.clone());
        if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
            *id = Some(slug.into());
        }
    }
}

fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Why σ = 1 fails"), "why-σ-1-fails");
        assert_eq!(slugify("  "), "section");
    }

    #[test]
    fn chapter_links_point_at_pages() {
        let pages: HashMap<String, String> =
            [("02-zero.md".to_string(), "02-zero.html".to_string())].into();
        assert_eq!(
            &*rewrite_chapter_link("02-zero.md#why".into(), &pages),
            "02-zero.html#why"
        );
        assert_eq!(
            &*rewrite_chapter_link("./02-zero.md".into(), &pages),
            "02-zero.html"
        );
        assert_eq!(
            &*rewrite_chapter_link("https://x.org/a.md".into(), &pages),
            "https://x.org/a.md"
        );
    }

    #[test]
    fn math_becomes_mathml() {
        let html = mathml(r"\sigma'(a) = \sigma(a)(1-\sigma(a))", false);
        assert!(html.starts_with("<math"), "{html}");
        assert!(html.contains("σ"));
        assert!(mathml("x", true).contains("display=\"block\""));
    }
}
