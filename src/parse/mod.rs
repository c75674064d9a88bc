//! Parse stage: each lesson's Markdown → its title, its `experiment` directives and its inline
//! references, all checked before anything runs.
//!
//! The Markdown itself is not converted here; the render stage walks it again with the same
//! parser options ([`crate::dialect`]) and swaps in figures and numbers at the spans found here.
//! What parse produces is the [`crate::model`], which the later stages read.

pub mod checker;
pub mod crossref;
pub mod directive;
pub mod flags;
pub mod front_matter;
pub mod headings;
pub mod math;
pub mod reference;

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, MetadataBlockKind, Tag, TagEnd};
use rayon::prelude::*;

use crate::book::{Book, BookConfig};
use crate::diagnostic::{Diagnostics, SourceFile, suggest};
use crate::dialect::{DIRECTIVE_INFO, markdown_events};
use crate::limits;
use crate::model::{ExperimentSpec, FigureRef, Lesson, ParsedBook, StatRef};
use crate::numeric::Experiment;
pub use directive::{BlockText, parse_experiment};
pub use front_matter::{FrontMatter, parse_front_matter};
pub use reference::parse_reference;

/// Parses every lesson and checks what spans lessons (unique experiment ids, cross-references
/// to figures and sections on other pages). Reports the problems of all lessons together, in
/// file order.
pub fn parse_book(book: &Book) -> Result<ParsedBook, Diagnostics> {
    parse_book_with(book, None)
}

/// Parses a translation of `english` (the English book with its catalogs applied) like
/// [`parse_book`], each heading taking the id of the English heading it translates.
pub fn parse_translation(book: &Book, english: &ParsedBook) -> Result<ParsedBook, Diagnostics> {
    parse_book_with(book, Some(english))
}

fn parse_book_with(book: &Book, english: Option<&ParsedBook>) -> Result<ParsedBook, Diagnostics> {
    // The lessons are parsed independently, in parallel, and come back in reading order.
    let parsed = book
        .lessons
        .par_iter()
        .enumerate()
        .map(|(n, source)| {
            let original = english.map(|english| english.lessons[n].headings.as_slice());
            let lesson = parse_lesson_with(source.clone(), original, None);
            (source.path.clone(), lesson)
        })
        .collect();
    assemble_book(book.config.clone(), parsed)
}

/// Lessons parsed one by one, each with its file in reading order → the book, once experiment
/// ids are unique across them and cross-references find their figures and sections. Reports
/// the problems of all lessons together, in reading order.
pub fn assemble_book(
    config: BookConfig,
    parsed: Vec<(PathBuf, Result<Lesson, Diagnostics>)>,
) -> Result<ParsedBook, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut lessons = Vec::new();
    let files: Vec<PathBuf> = parsed.iter().map(|(path, _)| path.clone()).collect();
    for (_, result) in parsed {
        match result {
            Ok(lesson) => lessons.push(lesson),
            Err(found) => diagnostics.extend(found),
        }
    }
    let mut first_seen: HashMap<&str, (&SourceFile, &ExperimentSpec)> = HashMap::new();
    for lesson in &lessons {
        for spec in &lesson.experiments {
            if let Some((file, first)) = first_seen.get(spec.id.as_str()) {
                let (line, column) = file.line_col(first.origin().id_span.start);
                diagnostics.push(
                    lesson
                        .source
                        .error(spec.origin().id_span.clone(), format!("duplicate experiment id \"{}\"", spec.id))
                        .with_hint(format!(
                            "ids must be unique in the book; \"{}\" is already used at {}:{line}:{column}",
                            spec.id,
                            file.path.display()
                        )),
                );
            } else {
                first_seen.insert(&spec.id, (&lesson.source, spec));
            }
            if let Some(page) = lessons.iter().find(|l| l.slug == spec.id) {
                diagnostics.push(
                    lesson
                        .source
                        .error(
                            spec.origin().id_span.clone(),
                            format!(
                                "the experiment id \"{}\" is the name of the lesson {}",
                                spec.id,
                                page.file_name()
                            ),
                        )
                        .with_hint(
                            "the print edition anchors each lesson by its name: choose another id",
                        ),
                );
            }
        }
    }
    let names: Vec<&str> = files
        .iter()
        .filter_map(|path| path.file_name()?.to_str())
        .collect();
    diagnostics.extend(crossref::check_figure_refs(&lessons, &names));
    diagnostics.extend(crossref::check_section_links(&lessons, &names));
    // In the order the editor reads the book: by lesson, then line and column.
    let chapter = |path: &std::path::Path| files.iter().position(|file| file == path);
    diagnostics
        .0
        .sort_by_key(|d| (chapter(&d.path), d.line, d.column));
    diagnostics.into_result(())?;
    Ok(ParsedBook { config, lessons })
}

/// Parses one lesson: title, directives, references and math, each checked.
pub fn parse_lesson(source: SourceFile) -> Result<Lesson, Diagnostics> {
    parse_lesson_with(source, None, None)
}

/// Parses a chapter of another tool's book (an mdBook), whose title may be given apart from
/// its text: `title` stands in when the chapter has no level-1 heading.
pub fn parse_chapter(source: SourceFile, title: &str) -> Result<Lesson, Diagnostics> {
    parse_lesson_with(source, None, Some(title))
}

/// [`parse_lesson`], for a translation (its headings take the ids of `original`'s) or for a
/// chapter whose title may come from elsewhere (`fallback`).
fn parse_lesson_with(
    source: SourceFile,
    original: Option<&[crate::model::Heading]>,
    fallback: Option<&str>,
) -> Result<Lesson, Diagnostics> {
    let mut scan = LessonScan::default();
    for (event, range) in markdown_events(&source.text) {
        scan.event(&source, event, range);
    }
    let LessonScan {
        mut diagnostics,
        title,
        front_matter,
        experiments,
        mut pending_refs,
        broken_ids,
        headings,
        figure_refs,
        section_links,
        footnotes,
        ..
    } = scan;
    let headings = headings::assign_ids(
        &source,
        headings,
        &experiments,
        &footnotes,
        original,
        &mut diagnostics,
    );
    pending_refs.retain(|(_, parsed)| match parsed {
        reference::Parsed::Reference { experiment, .. } => !broken_ids.contains(experiment),
        _ => true,
    });
    let references = check_references(&source, pending_refs, &experiments, &mut diagnostics);
    check_frames_per_page(&source, &experiments, &mut diagnostics);
    let title =
        match title.map(|t| t.trim().to_string()) {
            Some(title) if !title.is_empty() => title,
            _ => match fallback {
                Some(fallback) => fallback.to_string(),
                None => {
                    diagnostics.push(source.error(0..0, "the lesson has no title").with_hint(
                        "start the lesson with a level-1 heading: # Zero initialization",
                    ));
                    String::new()
                }
            },
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
        description: front_matter.description,
        experiments,
        references,
        headings,
        figure_refs,
        section_links,
        footnotes,
    })
}

/// What one pass over a lesson's Markdown events finds.
#[derive(Default)]
struct LessonScan {
    diagnostics: Diagnostics,
    title: Option<String>,
    in_title: bool,
    front_matter: FrontMatter,
    /// The front matter block being read.
    front_matter_text: Option<BlockText>,
    experiments: Vec<ExperimentSpec>,
    pending_refs: Vec<(Range<usize>, reference::Parsed)>,
    /// The directive block being read, and its fence.
    block: Option<(BlockText, Range<usize>)>,
    /// Ids of blocks that failed to parse; their own errors say what is wrong.
    broken_ids: Vec<String>,
    /// Section headings (level 2 and deeper), and the one being read.
    headings: Vec<headings::RawHeading>,
    heading: Option<headings::RawHeading>,
    /// A link that has just started (its span and destination): if it ends at once, its text
    /// is empty and it may be a cross-reference.
    link_start: Option<(Range<usize>, String)>,
    /// The link being read (links do not nest), for a link with text.
    open_link: Option<(Range<usize>, String)>,
    figure_refs: Vec<FigureRef>,
    section_links: Vec<FigureRef>,
    footnotes: Vec<String>,
    /// Inside a code block other than a directive: dollars there are code, not math.
    in_code_block: bool,
    /// `$` signs the Markdown parser left as text in the current block, to tell math that did
    /// not parse from prose dollars.
    stray_dollars: math::StrayDollars,
}

impl LessonScan {
    fn event(&mut self, source: &SourceFile, event: Event<'_>, range: Range<usize>) {
        let link_start = self.link_start.take();
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.link_start = Some((range.clone(), dest_url.to_string()));
                self.open_link = Some((range, dest_url.to_string()));
            }
            Event::End(TagEnd::Link) => {
                let open_link = self.open_link.take();
                if let Some((span, destination)) = link_start {
                    match crossref::read_figure_ref(source, span, &destination) {
                        Some(Ok(reference)) => self.figure_refs.push(reference),
                        Some(Err(diagnostic)) => self.diagnostics.push(diagnostic),
                        None => {}
                    }
                } else if let Some((span, destination)) = open_link {
                    self.section_links.extend(crossref::read_section_link(
                        source,
                        span,
                        &destination,
                    ));
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => self.footnotes.push(label.to_string()),
            Event::Start(Tag::Heading { level, id, .. }) if level != HeadingLevel::H1 => {
                self.heading = Some(headings::RawHeading {
                    level: level as u8,
                    explicit_id: id.map(|id| id.to_string()),
                    text: String::new(),
                    span: range,
                });
            }
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::PlusesStyle)) => {
                self.front_matter_text = Some(BlockText::default());
            }
            Event::Text(text) if self.front_matter_text.is_some() => {
                let block = self.front_matter_text.as_mut().expect("checked just above");
                block.push(&text, range.start);
            }
            Event::End(TagEnd::MetadataBlock(_)) => {
                if let Some(block) = self.front_matter_text.take() {
                    match parse_front_matter(source, &block) {
                        Ok(front_matter) => self.front_matter = front_matter,
                        Err(found) => self.diagnostics.extend(found),
                    }
                }
            }
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if self.title.is_none() => {
                self.in_title = true;
                self.title = Some(String::new());
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.trim() == DIRECTIVE_INFO =>
            {
                self.block = Some((BlockText::default(), range));
            }
            Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
            Event::Text(text) if self.block.is_some() => {
                let (block_text, _) = self.block.as_mut().expect("checked just above");
                block_text.push(&text, range.start);
            }
            Event::End(
                end @ (TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::TableCell | TagEnd::Item),
            ) => {
                if end == TagEnd::Heading(HeadingLevel::H1) {
                    self.in_title = false;
                } else if matches!(end, TagEnd::Heading(_)) {
                    self.headings.extend(self.heading.take());
                }
                for (span, message, hint) in self.stray_dollars.finish(&source.text, range.end) {
                    self.diagnostics
                        .push(source.error(span, message).with_hint(hint));
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code_block = false;
                if let Some((block_text, fence)) = self.block.take() {
                    match parse_experiment(source, &block_text, fence) {
                        Ok(spec) => self.experiments.push(spec),
                        Err(found) => {
                            self.diagnostics.extend(found);
                            self.broken_ids.extend(directive::declared_id(&block_text));
                        }
                    }
                }
            }
            Event::Code(code) => {
                if self.in_title {
                    self.title.get_or_insert_default().push_str(&code);
                }
                if let Some(heading) = &mut self.heading {
                    heading.text.push_str(&code);
                }
                let parsed = parse_reference(&code);
                if parsed != reference::Parsed::NotAReference {
                    self.pending_refs.push((range, parsed));
                }
            }
            Event::Text(text) => {
                if !self.in_code_block {
                    self.stray_dollars.text(&source.text, &text, range);
                }
                if self.in_title {
                    self.title.get_or_insert_default().push_str(&text);
                }
                if let Some(heading) = &mut self.heading {
                    heading.text.push_str(&text);
                }
            }
            Event::InlineMath(latex) | Event::DisplayMath(latex) => {
                if self.in_title {
                    // A page title is plain text: keep the LaTeX source.
                    self.title.get_or_insert_default().push_str(&latex);
                }
                if let Some(heading) = &mut self.heading {
                    // `## The $\tanh$ case` → "The tanh case", anchor `#the-tanh-case`.
                    heading.text.push_str(&latex.replace('\\', ""));
                }
                if let Some(message) = math::latex_problem(&latex) {
                    self.diagnostics.push(
                        source
                            .error(range, message)
                            .with_hint("math is LaTeX between $…$ (inline) or $$…$$ (display)"),
                    );
                }
            }
            _ => {}
        }
    }
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
                        format: format.unwrap_or(target.default_format()),
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

/// The sweeps of one page show at most [`limits::FRAMES_PER_PAGE`] frames together (each is a
/// radio, an image and a statistics row). Reported at the sweep that goes past the bound, with
/// every sweep's product.
fn check_frames_per_page(
    source: &SourceFile,
    experiments: &[ExperimentSpec],
    diagnostics: &mut Diagnostics,
) {
    let mut total = 0;
    let mut products = Vec::new();
    for spec in experiments {
        let Experiment::Sweep(params) = &spec.experiment else {
            continue;
        };
        let stops = params.stops().len();
        let activations = params.activations.len();
        total += stops * activations;
        products.push(format!(
            "\"{}\" {stops} σ × {activations} activation{} = {}",
            spec.id,
            if activations == 1 { "" } else { "s" },
            stops * activations
        ));
        if total > limits::FRAMES_PER_PAGE {
            diagnostics.push(
                source
                    .error(
                        spec.origin().id_span.clone(),
                        format!(
                            "the sweeps on this page have {total} frames, more than {} per page ({})",
                            limits::FRAMES_PER_PAGE,
                            products.join("; ")
                        ),
                    )
                    .with_hint("sweep fewer σ values or activations, or put the sweeps on pages of their own"),
            );
            return;
        }
    }
}
