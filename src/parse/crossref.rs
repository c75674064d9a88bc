//! Cross-references to figures. A Markdown link with empty text names an experiment:
//! `[](#sigmoid-std1)` on the same page, `[](05-xavier.md#xavier-tanh)` on another; the site
//! shows it as "Figure 3.1", the number in the figure's caption. Links with text are ordinary
//! links and keep their text.
//!
//! Links with text to a lesson (`[the split](04-std-small.md#split)`, `[above](#why)`) are
//! checked too: the lesson must exist and the anchor be one of its sections, figures or
//! footnotes, so a renamed heading or a mistyped anchor is an error where the link is written.
//!
//! A link is read where the lesson is parsed; whether its target exists is checked once the
//! whole book is parsed, since it may be on another page.

use std::ops::Range;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, suggest};
use crate::model::{FigureRef, Lesson};

/// Reads the destination of a link with empty text. `None` when it is not a cross-reference
/// (a web address, a file that is not a lesson): such a link is left as written.
pub fn read_figure_ref(
    source: &SourceFile,
    span: Range<usize>,
    destination: &str,
) -> Option<Result<FigureRef, Diagnostic>> {
    let (lesson, fragment) = lesson_link(destination)?;
    let Some(id) = fragment.filter(|f| !f.is_empty()) else {
        let shown = lesson.as_deref().unwrap_or("");
        return Some(Err(source
            .error(span, "a link with no text must name a figure")
            .with_hint(format!(
                "write [](…#ID) with the experiment's id to show its number, e.g. [](#sigmoid-std1), or give the link text: [the lesson]({shown})"
            ))));
    };
    Some(Ok(link_ref(source, span, lesson, id)))
}

/// Reads the destination of a link with text: `Some` when it names a lesson's anchor
/// (`#why`, `04-std-small.md#split`) or a lesson (`04-std-small.md`).
pub fn read_section_link(
    source: &SourceFile,
    span: Range<usize>,
    destination: &str,
) -> Option<FigureRef> {
    let (lesson, fragment) = lesson_link(destination)?;
    let id = fragment.unwrap_or_default();
    if lesson.is_none() && id.is_empty() {
        return None; // `[top](#)`
    }
    Some(link_ref(source, span, lesson, id))
}

/// A link's lesson (`None`: this one) and fragment, when it points into the book; `None` for a
/// web address or a file that is not Markdown.
fn lesson_link(destination: &str) -> Option<(Option<String>, Option<&str>)> {
    if destination.contains(':') {
        return None; // https://…, mailto:…
    }
    let (path, fragment) = match destination.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (destination, None),
    };
    let lesson = match path {
        "" => None,
        path if path.ends_with(".md") => Some(path.trim_start_matches("./").to_string()),
        _ => return None,
    };
    Some((lesson, fragment))
}

fn link_ref(
    source: &SourceFile,
    span: Range<usize>,
    lesson: Option<String>,
    id: &str,
) -> FigureRef {
    // Point at the id itself when it is written out in the link, else at the whole link.
    let written = &source.text[span.clone()];
    let id_span = match written.rfind(&format!("#{id}")) {
        Some(at) if !id.is_empty() => span.start + at + 1..span.start + at + 1 + id.len(),
        _ => span.clone(),
    };
    FigureRef {
        span,
        lesson,
        id: id.to_string(),
        id_span,
    }
}

/// The lesson a link names: `Ok(None)` when it is a lesson of the book that did not parse (its
/// own errors are reported, and what it holds is unknown), or a diagnostic naming the book's
/// lessons when it is not one.
fn link_target<'l>(
    lessons: &'l [Lesson],
    files: &[&str],
    from: &'l Lesson,
    link: &FigureRef,
) -> Result<Option<&'l Lesson>, Box<Diagnostic>> {
    let Some(file) = &link.lesson else {
        return Ok(Some(from));
    };
    if let Some(target) = lessons.iter().find(|l| l.file_name() == file) {
        return Ok(Some(target));
    }
    if files.contains(&file.as_str()) {
        return Ok(None);
    }
    let hint = match suggest(file, files) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("the book's lessons: {}", files.join(", ")),
    };
    Err(Box::new(
        from.source
            .error(
                link.span.clone(),
                format!("no lesson \"{file}\" in the book"),
            )
            .with_hint(hint),
    ))
}

/// Checks every link with text into the book: its lesson exists, and its anchor (if any) is a
/// section, figure or footnote of that lesson. `files` names every lesson of the book, `lessons`
/// those that parsed.
pub fn check_section_links(lessons: &[Lesson], files: &[&str]) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    for lesson in lessons {
        for link in &lesson.section_links {
            let target = match link_target(lessons, files, lesson, link) {
                Ok(Some(target)) => target,
                Ok(None) => continue,
                Err(diagnostic) => {
                    diagnostics.push(*diagnostic);
                    continue;
                }
            };
            let id = link.id.as_str();
            let found = id.is_empty()
                || target.headings.iter().any(|h| h.id == id)
                || target.experiment(id).is_some()
                || target.footnotes.iter().any(|label| label == id);
            if found {
                continue;
            }
            let (place, page) = if std::ptr::eq(target, lesson) {
                ("this lesson".to_string(), "")
            } else {
                (target.file_name().to_string(), target.file_name())
            };
            let sections: Vec<&str> = target.headings.iter().map(|h| h.id.as_str()).collect();
            let hint = match suggest(id, &sections) {
                Some(close) => format!("did you mean `{page}#{close}`?"),
                None if sections.is_empty() => format!("{place} has no sections"),
                None => format!("the sections of {place}: {}", sections.join(", ")),
            };
            diagnostics.push(
                lesson
                    .source
                    .error(
                        link.id_span.clone(),
                        format!("no section or figure \"{id}\" in {place}"),
                    )
                    .with_hint(hint),
            );
        }
    }
    diagnostics
}

/// Checks every cross-reference of the book: its lesson exists, the experiment is on it, and it
/// is numbered (shows a figure or a table). `files` names every lesson of the book, `lessons`
/// those that parsed.
pub fn check_figure_refs(lessons: &[Lesson], files: &[&str]) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    for lesson in lessons {
        for reference in &lesson.figure_refs {
            let target = match link_target(lessons, files, lesson, reference) {
                Ok(Some(target)) => target,
                Ok(None) => continue,
                Err(diagnostic) => {
                    diagnostics.push(*diagnostic);
                    continue;
                }
            };
            if let Some(diagnostic) = check_target(lesson, target, reference, lessons) {
                diagnostics.push(diagnostic);
            }
        }
    }
    diagnostics
}

/// What is wrong with `reference` (written in `from`, naming a figure of `target`), if anything.
fn check_target(
    from: &Lesson,
    target: &Lesson,
    reference: &FigureRef,
    lessons: &[Lesson],
) -> Option<Diagnostic> {
    let id = reference.id.as_str();
    let error = |message: String, hint: String| {
        Some(
            from.source
                .error(reference.id_span.clone(), message)
                .with_hint(hint),
        )
    };
    // How to write a link to `id` of `lesson` from `from`.
    let link = |lesson: &Lesson, id: &str| {
        if std::ptr::eq(lesson, from) {
            format!("#{id}")
        } else {
            format!("{}#{id}", lesson.file_name())
        }
    };
    let place = if std::ptr::eq(target, from) {
        "this lesson".to_string()
    } else {
        target.file_name().to_string()
    };
    match target.experiment(id) {
        Some(spec) if spec.numbered() => None,
        Some(_) => error(
            format!(
                "experiment \"{id}\" draws no figure (`figure = false`), so it has no number to show"
            ),
            format!(
                "give the link text, e.g. [the seed-7 run]({}), or show the experiment's table with `table = true`",
                link(target, id)
            ),
        ),
        None => {
            let message = format!("no figure \"{id}\" in {place}");
            if let Some(owner) = lessons
                .iter()
                .find(|l| l.experiment(id).is_some_and(|spec| spec.numbered()))
            {
                return error(
                    message,
                    format!(
                        "\"{id}\" is a figure of {}: write []({})",
                        owner.file_name(),
                        link(owner, id)
                    ),
                );
            }
            if let Some(heading) = target.headings.iter().find(|h| h.id == id) {
                return error(
                    message,
                    format!(
                        "\"{id}\" is a section; a link to a section needs text: [{}]({})",
                        heading.text,
                        link(target, id)
                    ),
                );
            }
            let here: Vec<&str> = target
                .experiments
                .iter()
                .filter(|spec| spec.numbered())
                .map(|spec| spec.id.as_str())
                .collect();
            if let Some(close) = suggest(id, &here) {
                return error(message, format!("did you mean `{}`?", link(target, &close)));
            }
            let everywhere: Vec<String> = lessons
                .iter()
                .flat_map(|l| {
                    l.experiments
                        .iter()
                        .filter(|spec| spec.numbered())
                        .map(move |spec| link(l, &spec.id))
                })
                .collect();
            let ids: Vec<&str> = everywhere
                .iter()
                .map(|l| l.rsplit('#').next().unwrap_or(l))
                .collect();
            if let Some(close) = suggest(id, &ids) {
                let full = everywhere
                    .iter()
                    .find(|l| l.ends_with(&format!("#{close}")))
                    .expect("suggested from this list");
                return error(message, format!("did you mean `{full}`?"));
            }
            let hint = if here.is_empty() {
                format!("{place} has no numbered figures")
            } else {
                format!("the figures of {place}: {}", here.join(", "))
            };
            error(message, hint)
        }
    }
}
