//! Parse stage: each lesson's Markdown → its title, its `experiment` directives and its inline
//! references, all checked before anything runs.
//!
//! The Markdown itself is not converted here; the render stage walks it again with the same
//! parser options ([`markdown_events`]) and swaps in figures and numbers at the spans found here.

pub mod directive;
pub mod math;
pub mod reference;

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::book::{Book, BookConfig};
use crate::diagnostic::{Diagnostics, SourceFile, suggest};
pub use directive::{BlockText, DataSource, ExperimentSpec, parse_experiment};
pub use reference::{NumberFormat, Param, Stat, StatRef, Target, parse_reference};

/// The info string that marks a fenced code block as a directive.
pub const DIRECTIVE_INFO: &str = "experiment";

/// One lesson, parsed and checked.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub source: SourceFile,
    /// The output page's file stem (the lesson file's stem).
    pub slug: String,
    /// The text of the lesson's first level-1 heading.
    pub title: String,
    pub experiments: Vec<ExperimentSpec>,
    pub references: Vec<StatRef>,
}

impl Lesson {
    pub fn experiment(&self, id: &str) -> Option<&ExperimentSpec> {
        self.experiments.iter().find(|e| e.id == id)
    }
}

/// The whole book, parsed: ready to run.
#[derive(Debug, Clone)]
pub struct ParsedBook {
    pub config: BookConfig,
    pub lessons: Vec<Lesson>,
}

impl ParsedBook {
    /// Every experiment of the book with the lesson it is on, in reading order.
    pub fn experiments(&self) -> impl Iterator<Item = (&Lesson, &ExperimentSpec)> {
        self.lessons
            .iter()
            .flat_map(|lesson| lesson.experiments.iter().map(move |spec| (lesson, spec)))
    }

    pub fn find_experiment(&self, id: &str) -> Option<&ExperimentSpec> {
        self.experiments()
            .map(|(_, spec)| spec)
            .find(|spec| spec.id == id)
    }
}

/// The one place the Markdown dialect is chosen, so parse and render agree on every span.
pub fn markdown_events(text: &str) -> pulldown_cmark::OffsetIter<'_> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_MATH
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES;
    Parser::new_ext(text, options).into_offset_iter()
}

/// Parses every lesson and checks what spans lessons (unique experiment ids). Reports the
/// problems of all lessons together.
pub fn parse_book(book: &Book) -> Result<ParsedBook, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut lessons = Vec::new();
    for source in &book.lessons {
        match parse_lesson(source.clone()) {
            Ok(lesson) => lessons.push(lesson),
            Err(found) => diagnostics.extend(found),
        }
    }
    let mut first_seen: HashMap<&str, (&SourceFile, &ExperimentSpec)> = HashMap::new();
    for lesson in &lessons {
        for spec in &lesson.experiments {
            if let Some((file, first)) = first_seen.get(spec.id.as_str()) {
                let (line, column) = file.line_col(first.id_span.start);
                diagnostics.push(
                    lesson
                        .source
                        .error(spec.id_span.clone(), format!("duplicate experiment id \"{}\"", spec.id))
                        .with_hint(format!(
                            "ids must be unique in the book; \"{}\" is already used at {}:{line}:{column}",
                            spec.id,
                            file.path.display()
                        )),
                );
            } else {
                first_seen.insert(&spec.id, (&lesson.source, spec));
            }
        }
    }
    diagnostics.into_result(())?;
    Ok(ParsedBook {
        config: book.config.clone(),
        lessons,
    })
}

/// Parses one lesson: title, directives, references and math, each checked.
pub fn parse_lesson(source: SourceFile) -> Result<Lesson, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut title: Option<String> = None;
    let mut in_title = false;
    let mut experiments = Vec::new();
    let mut pending_refs: Vec<(Range<usize>, reference::Parsed)> = Vec::new();
    let mut block: Option<(BlockText, Range<usize>)> = None;
    // Ids of blocks that failed to parse; their own errors say what is wrong.
    let mut broken_ids: Vec<String> = Vec::new();
    let mut in_code_block = false;
    let mut stray_dollars = math::StrayDollars::default();

    for (event, range) in markdown_events(&source.text) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if title.is_none() => {
                in_title = true;
                title = Some(String::new());
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.trim() == DIRECTIVE_INFO =>
            {
                block = Some((BlockText::default(), range));
            }
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::Text(text) if block.is_some() => {
                let (block_text, _) = block.as_mut().expect("checked just above");
                block_text.push(&text, range.start);
            }
            Event::End(
                end @ (TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::TableCell | TagEnd::Item),
            ) => {
                if end == TagEnd::Heading(HeadingLevel::H1) {
                    in_title = false;
                }
                for (span, message, hint) in stray_dollars.finish(&source.text, range.end) {
                    diagnostics.push(source.error(span, message).with_hint(hint));
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                if let Some((block_text, fence)) = block.take() {
                    match parse_experiment(&source, &block_text, fence) {
                        Ok(spec) => experiments.push(spec),
                        Err(found) => {
                            diagnostics.extend(found);
                            broken_ids.extend(directive::declared_id(&block_text));
                        }
                    }
                }
            }
            Event::Code(code) => {
                if in_title {
                    title.get_or_insert_default().push_str(&code);
                }
                let parsed = parse_reference(&code);
                if parsed != reference::Parsed::NotAReference {
                    pending_refs.push((range, parsed));
                }
            }
            Event::Text(text) => {
                if !in_code_block {
                    stray_dollars.text(&source.text, &text, range);
                }
                if in_title {
                    title.get_or_insert_default().push_str(&text);
                }
            }
            Event::InlineMath(latex) | Event::DisplayMath(latex) => {
                if in_title {
                    // A page title is plain text: keep the LaTeX source.
                    title.get_or_insert_default().push_str(&latex);
                }
                if let Some(message) = math::latex_problem(&latex) {
                    diagnostics.push(
                        source
                            .error(range, message)
                            .with_hint("math is LaTeX between $…$ (inline) or $$…$$ (display)"),
                    );
                }
            }
            _ => {}
        }
    }

    pending_refs.retain(|(_, parsed)| match parsed {
        reference::Parsed::Reference { experiment, .. } => !broken_ids.contains(experiment),
        _ => true,
    });
    let references = check_references(&source, pending_refs, &experiments, &mut diagnostics);
    let title = match title.map(|t| t.trim().to_string()) {
        Some(title) if !title.is_empty() => title,
        _ => {
            diagnostics.push(
                source
                    .error(0..0, "the lesson has no title")
                    .with_hint("start the lesson with a level-1 heading: # Zero initialization"),
            );
            String::new()
        }
    };
    // Report in the order the editor reads the file.
    diagnostics.0.sort_by_key(|d| (d.line, d.column));
    diagnostics.into_result(())?;
    let slug = source
        .path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .expect("book.toml only accepts ASCII .md names")
        .to_string();
    Ok(Lesson {
        source,
        slug,
        title,
        experiments,
        references,
    })
}

/// Checks each reference against the experiments of its page.
fn check_references(
    source: &SourceFile,
    found: Vec<(Range<usize>, reference::Parsed)>,
    experiments: &[ExperimentSpec],
    diagnostics: &mut Diagnostics,
) -> Vec<StatRef> {
    let mut references = Vec::new();
    for (span, parsed) in found {
        match parsed {
            reference::Parsed::NotAReference => {}
            reference::Parsed::Invalid { message, hint } => {
                diagnostics.push(source.error(span, message).with_hint(hint));
            }
            reference::Parsed::Reference {
                experiment,
                path,
                format,
            } => {
                let Some(spec) = experiments.iter().find(|e| e.id == experiment) else {
                    let ids: Vec<&str> = experiments.iter().map(|e| e.id.as_str()).collect();
                    let hint = match suggest(&experiment, &ids) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None if ids.is_empty() => {
                            "this page has no experiment blocks; numbers must come from an experiment on the same page".to_string()
                        }
                        None => format!("experiments on this page: {}", ids.join(", ")),
                    };
                    diagnostics.push(
                        source
                            .error(span, format!("no experiment \"{experiment}\" on this page"))
                            .with_hint(hint),
                    );
                    continue;
                };
                match reference::resolve(spec, &path) {
                    Ok(target) => references.push(StatRef {
                        span,
                        experiment,
                        target,
                        format: format.unwrap_or(reference::default_format(target)),
                    }),
                    Err((message, hint)) => {
                        diagnostics.push(source.error(span, message).with_hint(hint));
                    }
                }
            }
        }
    }
    references
}
