//! A lesson's Markdown → its HTML body, with figures in place of directives, numbers in place of
//! references, "Figure 3.1" in place of cross-references and MathML in place of `$…$`; and, on
//! the way, what the page's contents list and the search index need.
//!
//! A lesson is rendered once for its own page and once for the print edition, where every page
//! is a section of one document: there links between lessons become links inside the page and
//! the ids of headings and footnotes take their lesson's name as a prefix, so that two lessons'
//! "The derivation" stay apart. Figure ids are unique in the book and stay as they are.

use std::collections::{BTreeMap, HashMap};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd};
use pulldown_latex::config::DisplayMode;
use serde::Serialize;

use super::templates::{Strings, Theme};
use crate::dialect::{DIRECTIVE_INFO, markdown_events};
use crate::error::Result;
use crate::escape::escape_xml;
use crate::model::{FigureRef, Heading, Lesson, ParsedBook, StatRef};
use crate::numeric::Outcome;
use crate::site_paths::page_name;

/// Which document a lesson is rendered into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    /// Its own page, `03-std-one.html`.
    Pages,
    /// A section of `print.html`, the whole book on one page.
    Print,
}

/// An entry of a page's "On this page" list: a `##` heading and the `###` under it.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub id: String,
    /// The heading's inner HTML, without links (the entry is a link itself).
    pub html: String,
    pub children: Vec<TocEntry>,
}

/// The text of one section of a lesson (from a heading to the next), for the search index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionText {
    /// The heading's id; `None` for the lesson's opening, before its first `##`.
    pub anchor: Option<String>,
    /// The heading's text (the lesson's title for its opening).
    pub heading: String,
    /// What a reader sees in the section, as plain text: prose, numbers as printed, captions.
    pub text: String,
}

/// A rendered lesson.
pub struct LessonBody {
    /// The inner HTML of the lesson's title (its first level-1 heading).
    pub title_html: String,
    /// The lesson without its title.
    pub html: String,
    /// Its blurb for the contents page (see [`super::blurb`]).
    pub summary: String,
    pub toc: Vec<TocEntry>,
    pub sections: Vec<SectionText>,
}

/// The HTML of one experiment block.
pub struct FigureHtml {
    pub html: String,
    /// What the print edition shows instead, where it differs (an explorer, without controls).
    pub print: Option<String>,
}

impl FigureHtml {
    /// The block's HTML in `edition`.
    pub fn for_edition(&self, edition: Edition) -> &str {
        match (edition, &self.print) {
            (Edition::Print, Some(print)) => print,
            _ => &self.html,
        }
    }
}

/// What every lesson of the book is rendered with.
pub struct BookRenderer<'a> {
    pub book: &'a ParsedBook,
    pub theme: &'a Theme,
    pub results: &'a BTreeMap<String, Outcome>,
    /// The HTML of every experiment block, by id.
    pub figures: HashMap<&'a str, FigureHtml>,
    /// The number of every numbered experiment, by id.
    pub numbers: BTreeMap<&'a str, String>,
}

#[derive(Serialize)]
struct HeadingContext<'a> {
    level: u8,
    id: &'a str,
    content: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct XrefContext<'a> {
    href: &'a str,
    number: &'a str,
}

#[derive(Serialize)]
struct MathContext<'a> {
    mathml: &'a str,
}

/// A heading being read: where its events start in the output, and which heading it is.
struct OpenHeading<'h> {
    start: usize,
    level: HeadingLevel,
    /// `None` for the title.
    heading: Option<&'h Heading>,
}

impl<'a> BookRenderer<'a> {
    /// Renders `lesson` for `edition`.
    pub fn lesson(&self, lesson: &Lesson, edition: Edition) -> Result<LessonBody> {
        let references: HashMap<usize, &StatRef> = lesson
            .references
            .iter()
            .map(|r| (r.span.start, r))
            .collect();
        let figure_refs: HashMap<usize, &FigureRef> = lesson
            .figure_refs
            .iter()
            .map(|r| (r.span.start, r))
            .collect();
        let mut events: Vec<Event<'_>> = Vec::new();
        let mut experiment_index = 0;
        let mut in_directive = false;
        let mut headings = lesson.headings.iter();
        let mut open_heading: Option<OpenHeading<'_>> = None;
        let mut title_html: Option<String> = None;
        let mut skip_link_end = false;
        let mut autolink_open = false;
        let mut footnote_numbers: HashMap<String, usize> = HashMap::new();
        let mut toc = TocBuilder::default();
        let mut text = SectionsBuilder::new(&lesson.title);

        for (event, range) in markdown_events(&lesson.source.text) {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info)))
                    if info.trim() == DIRECTIVE_INFO =>
                {
                    in_directive = true;
                    let spec = &lesson.experiments[experiment_index];
                    experiment_index += 1;
                    events.push(Event::Html(
                        self.figures[spec.id.as_str()].for_edition(edition).into(),
                    ));
                    match self.numbers.get(spec.id.as_str()) {
                        Some(number) => text.block(&format!(
                            "{} — {}",
                            figure_label(&self.theme.strings, number),
                            spec.caption
                        )),
                        None => text.block(&spec.caption),
                    }
                }
                Event::End(TagEnd::CodeBlock) if in_directive => in_directive = false,
                _ if in_directive => {}
                Event::Start(Tag::Heading { level, .. }) => {
                    let heading = if level == HeadingLevel::H1 {
                        None
                    } else {
                        let heading = headings
                            .next()
                            .expect("the parse stage found the same headings");
                        text.section(&heading.id);
                        Some(heading)
                    };
                    text.start_heading();
                    open_heading = Some(OpenHeading {
                        start: events.len(),
                        level,
                        heading,
                    });
                }
                Event::End(TagEnd::Heading(_)) => {
                    let open = open_heading.take().expect("a heading was open");
                    let inner: Vec<Event<'_>> = events.drain(open.start..).collect();
                    let content = html_of(inner.iter().cloned());
                    match open.heading {
                        None if title_html.is_none() => title_html = Some(content),
                        None => events.push(Event::Html(format!("<h1>{content}</h1>\n").into())),
                        Some(heading) => {
                            let id = self.anchor(edition, lesson, &heading.id);
                            // The heading as it reads, numbers and all, without its footnote mark.
                            let entry = html_of(without_links(inner));
                            let plain = plain_text(&entry);
                            text.name_section(&plain);
                            if matches!(open.level, HeadingLevel::H2 | HeadingLevel::H3) {
                                toc.add(open.level, &id, entry);
                            }
                            // The print edition's lessons are sections under the book's title.
                            let level = match edition {
                                Edition::Pages => heading.level,
                                Edition::Print => (heading.level + 1).min(6),
                            };
                            let html = self.theme.render_value(
                                "heading.html",
                                &HeadingContext {
                                    level,
                                    id: &id,
                                    content: &content,
                                    text: &plain,
                                },
                            )?;
                            events.push(Event::Html(html.into()));
                        }
                    }
                    text.end_heading();
                }
                Event::Code(_) if references.contains_key(&range.start) => {
                    let reference = references[&range.start];
                    let (html, shown) = self.reference_html(edition, lesson, reference);
                    text.push(&shown);
                    events.push(Event::InlineHtml(html.into()));
                }
                Event::InlineMath(latex) => {
                    let math = mathml(&latex, false);
                    text.push(&plain_text(&math));
                    events.push(Event::InlineHtml(math.into()))
                }
                Event::DisplayMath(latex) => {
                    let math = mathml(&latex, true);
                    text.block(&plain_text(&math));
                    let html = self
                        .theme
                        .render_inline("display-math.html", &MathContext { mathml: &math })?;
                    events.push(Event::InlineHtml(html.into()));
                }
                Event::Start(Tag::Link { .. }) if figure_refs.contains_key(&range.start) => {
                    let (html, shown) =
                        self.xref_html(edition, lesson, figure_refs[&range.start])?;
                    text.push(&shown);
                    events.push(Event::InlineHtml(html.into()));
                    skip_link_end = true;
                }
                Event::End(TagEnd::Link) if skip_link_end => skip_link_end = false,
                Event::Start(Tag::Link {
                    link_type: LinkType::Autolink,
                    dest_url,
                    ..
                }) => {
                    // A web address written out as its own text (`<https://…>`): marked, so
                    // that print, which writes out where links go, does not repeat it.
                    events.push(Event::InlineHtml(
                        format!("<a class=\"url\" href=\"{}\">", escape_xml(&dest_url)).into(),
                    ));
                    autolink_open = true;
                }
                Event::End(TagEnd::Link) if autolink_open => {
                    events.push(Event::InlineHtml("</a>".into()));
                    autolink_open = false;
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest_url = self.rewrite_link(edition, lesson, dest_url);
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
                Event::FootnoteReference(label) => {
                    let number = footnote_number(&mut footnote_numbers, &label);
                    events.push(Event::InlineHtml(
                        format!(
                            "{FOOTNOTE_MARK}<a href=\"#{}\">{number}</a></sup>",
                            escape_xml(&self.anchor(edition, lesson, &label))
                        )
                        .into(),
                    ));
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let number = footnote_number(&mut footnote_numbers, &label);
                    events.push(Event::Html(
                        format!(
                            "<div class=\"footnote-definition\" id=\"{}\"><sup class=\"footnote-definition-label\">{number}</sup>\n",
                            escape_xml(&self.anchor(edition, lesson, &label))
                        )
                        .into(),
                    ));
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    events.push(Event::Html("</div>\n".into()));
                    text.end_block();
                }
                Event::Text(ref t) | Event::Code(ref t) => {
                    text.push(t);
                    events.push(event);
                }
                Event::SoftBreak | Event::HardBreak => {
                    text.push(" ");
                    events.push(event);
                }
                Event::End(
                    TagEnd::Paragraph
                    | TagEnd::Item
                    | TagEnd::TableCell
                    | TagEnd::BlockQuote(_)
                    | TagEnd::CodeBlock,
                ) => {
                    text.end_block();
                    events.push(event);
                }
                other => events.push(other),
            }
        }
        let summary = super::blurb::blurb(lesson.description.as_deref(), &events);
        let mut html = String::with_capacity(lesson.source.text.len() * 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        Ok(LessonBody {
            title_html: title_html.unwrap_or_else(|| escape_xml(&lesson.title)),
            html,
            summary,
            toc: toc.entries,
            sections: text.finish(),
        })
    }

    /// Where a link to `target` (at `fragment`, an id of that lesson) points in `edition`.
    /// On the pages a link always names its page, so that it keeps working where a paragraph
    /// is quoted (the contents page); in the print edition it stays inside the page.
    pub fn href(&self, edition: Edition, target: &Lesson, fragment: Option<&str>) -> String {
        match (edition, fragment) {
            (Edition::Pages, None) => page_name(&target.slug),
            (Edition::Pages, Some(fragment)) => format!("{}#{fragment}", page_name(&target.slug)),
            (Edition::Print, None) => format!("#{}", target.slug),
            (Edition::Print, Some(fragment)) => {
                format!("#{}", self.anchor(edition, target, fragment))
            }
        }
    }

    /// The id an element of `lesson` with id `id` gets in `edition`: in the print edition every
    /// id but a figure's (unique in the book) takes the lesson's name as a prefix.
    pub fn anchor(&self, edition: Edition, lesson: &Lesson, id: &str) -> String {
        match edition {
            Edition::Print if self.book.find_experiment(id).is_none() => {
                format!("{}--{id}", lesson.slug)
            }
            _ => id.to_string(),
        }
    }

    /// A link as written in a lesson, for `edition`: `02-zero.md#why` becomes `02-zero.html#why`
    /// on the pages and `#02-zero--why` in the print edition; `#why` stays on the pages and
    /// becomes `#03-std-one--why` in the print edition. Other links are left as they are.
    fn rewrite_link<'e>(&self, edition: Edition, lesson: &Lesson, url: CowStr<'e>) -> CowStr<'e> {
        let (path, fragment) = match url.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (url.as_ref(), None),
        };
        let target = if path.is_empty() {
            if edition == Edition::Pages {
                return url;
            }
            lesson
        } else {
            match self.book.lesson_by_file(path) {
                Some(target) => target,
                None => return url,
            }
        };
        self.href(edition, target, fragment.filter(|f| !f.is_empty()))
            .into()
    }

    /// A cross-reference, "Figure 3.1" linked to its figure (`xref.html`), and its text.
    pub fn xref_html(
        &self,
        edition: Edition,
        lesson: &Lesson,
        reference: &FigureRef,
    ) -> Result<(String, String)> {
        let target = match &reference.lesson {
            Some(file) => self
                .book
                .lesson_by_file(file)
                .expect("the parse stage checked the lesson exists"),
            None => lesson,
        };
        let number = &self.numbers[reference.id.as_str()];
        let href = self.href(edition, target, Some(&reference.id));
        let html = self.theme.render_inline(
            "xref.html",
            &XrefContext {
                href: &href,
                number,
            },
        )?;
        Ok((html, figure_label(&self.theme.strings, number)))
    }

    /// The number a reference stands for, linked to its figure, and the number as text.
    pub fn reference_html(
        &self,
        edition: Edition,
        lesson: &Lesson,
        reference: &StatRef,
    ) -> (String, String) {
        let spec = lesson
            .experiment(&reference.experiment)
            .expect("the parse stage checked the experiment exists");
        let value = reference.target.value(spec, &self.results[&spec.id]);
        let text = reference.format.format(value);
        let html = format!(
            "<a class=\"stat\" href=\"{href}\" title=\"{id}: {what} (seed {seed})\">{text}</a>",
            href = self.href(edition, lesson, Some(&spec.id)),
            id = spec.id,
            what = escape_xml(&reference.target.describe(spec)),
            seed = spec.seed,
        );
        (html, text)
    }
}

/// A figure's name as text: "Figure 3.1".
pub fn figure_label(strings: &Strings, number: &str) -> String {
    format!("{} {number}", strings.get("figure"))
}

/// How a footnote's mark in the text starts.
const FOOTNOTE_MARK: &str = "<sup class=\"footnote-reference\">";

/// Footnotes are numbered in the order they are first met, reference or definition.
fn footnote_number(numbers: &mut HashMap<String, usize>, label: &str) -> usize {
    let next = numbers.len() + 1;
    *numbers.entry(label.to_string()).or_insert(next)
}

fn html_of<'e>(events: impl Iterator<Item = Event<'e>>) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// The events without links, their text kept: for an entry of the contents list, which is a
/// link itself. A number or cross-reference in a heading is one `<a …>text</a>`; a footnote
/// mark is left out.
fn without_links(events: Vec<Event<'_>>) -> impl Iterator<Item = Event<'_>> {
    events.into_iter().filter_map(|event| match event {
        Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => None,
        Event::InlineHtml(html) if html.starts_with(FOOTNOTE_MARK) => None,
        Event::InlineHtml(html) if html.starts_with("<a ") && html.ends_with("</a>") => {
            let inner = html[..html.len() - 4]
                .split_once('>')
                .map_or("", |(_, text)| text);
            Some(Event::InlineHtml(inner.to_string().into()))
        }
        other => Some(other),
    })
}

/// The "On this page" list, as headings are met: a `##` opens an entry, a `###` goes under the
/// last one (or stands alone before the first).
#[derive(Default)]
struct TocBuilder {
    entries: Vec<TocEntry>,
}

impl TocBuilder {
    fn add(&mut self, level: HeadingLevel, id: &str, html: String) {
        let entry = TocEntry {
            id: id.to_string(),
            html,
            children: Vec::new(),
        };
        match (level, self.entries.last_mut()) {
            (HeadingLevel::H3, Some(parent)) => parent.children.push(entry),
            _ => self.entries.push(entry),
        }
    }
}

/// The plain text of each section, as the events go by. A heading's own words are the
/// section's heading, not its text.
struct SectionsBuilder {
    sections: Vec<SectionText>,
    in_heading: bool,
}

impl SectionsBuilder {
    fn new(title: &str) -> Self {
        SectionsBuilder {
            sections: vec![SectionText {
                anchor: None,
                heading: title.to_string(),
                text: String::new(),
            }],
            in_heading: false,
        }
    }

    /// The words from here to [`Self::end_heading`] are a heading's.
    fn start_heading(&mut self) {
        self.in_heading = true;
    }

    fn end_heading(&mut self) {
        self.in_heading = false;
    }

    /// A section starts at the heading with this id; its name follows (see `name_section`).
    fn section(&mut self, id: &str) {
        self.sections.push(SectionText {
            anchor: Some(id.to_string()),
            heading: String::new(),
            text: String::new(),
        });
    }

    /// The heading of the section just started, as it reads.
    fn name_section(&mut self, heading: &str) {
        let section = self
            .sections
            .last_mut()
            .expect("one section from the start");
        section.heading = heading.split_whitespace().collect::<Vec<_>>().join(" ");
    }

    fn current(&mut self) -> &mut String {
        &mut self
            .sections
            .last_mut()
            .expect("one section from the start")
            .text
    }

    fn push(&mut self, text: &str) {
        if !self.in_heading {
            self.current().push_str(text);
        }
    }

    /// A paragraph, item or cell ended: the next one's words are separate.
    fn end_block(&mut self) {
        let text = self.current();
        if !text.is_empty() && !text.ends_with(' ') {
            text.push(' ');
        }
    }

    /// A block of its own, such as a figure's caption.
    fn block(&mut self, text: &str) {
        self.end_block();
        self.push(text);
        self.end_block();
    }

    /// The sections, whitespace collapsed.
    fn finish(self) -> Vec<SectionText> {
        self.sections
            .into_iter()
            .map(|section| SectionText {
                text: section
                    .text
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                ..section
            })
            .collect()
    }
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

/// What a piece of HTML shows, as plain text: for search and for a heading's self-link label.
/// A formula reads as it is shown ("σ(a)=1/(1+e−a)"): its MathML's text without the LaTeX
/// annotation.
fn plain_text(html: &str) -> String {
    let mut shown = html.to_string();
    while let (Some(start), Some(end)) = (shown.find("<annotation"), shown.find("</annotation>")) {
        if end < start {
            break;
        }
        shown.replace_range(start..end + "</annotation>".len(), "");
    }
    let mut text = String::with_capacity(shown.len() / 4);
    let mut in_tag = false;
    let mut chars = shown.chars().peekable();
    while let Some(c) = chars.next() {
        // pulldown-latex writes a less-than sign as a bare `<` (`<mo><</mo>`), which a browser
        // reads as text since no tag name follows it; so do we.
        let opens_tag = c == '<'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '/');
        match c {
            _ if in_tag => in_tag = c != '>',
            _ if opens_tag => in_tag = true,
            c => text.push(c),
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_becomes_mathml() {
        let html = mathml(r"\sigma'(a) = \sigma(a)(1-\sigma(a))", false);
        assert!(html.starts_with("<math"), "{html}");
        assert!(html.contains("σ"));
        assert!(mathml("x", true).contains("display=\"block\""));
    }

    #[test]
    fn formulas_are_searched_as_they_read() {
        assert_eq!(
            plain_text(&mathml(r"\sigma(a) = 1/(1 + e^{-a})", false)),
            "σ(a)=1/(1+e−a)"
        );
        assert_eq!(plain_text(&mathml(r"a < b", true)), "a<b");
        let two = format!("The {} and {}", mathml("x", false), mathml("y", false));
        assert_eq!(plain_text(&two), "The x and y");
        assert_eq!(
            plain_text("<a href=\"#x\">Figure &amp; 1</a>"),
            "Figure & 1"
        );
    }

    #[test]
    fn sections_collect_plain_text() {
        let mut text = SectionsBuilder::new("Title");
        text.push("First   words");
        text.end_block();
        text.block("Figure 1.1 — A caption");
        text.section("next");
        text.name_section("Next  one");
        text.push("More.");
        let sections = text.finish();
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].text, "First words Figure 1.1 — A caption");
        assert_eq!(sections[0].anchor, None);
        assert_eq!(sections[1].anchor.as_deref(), Some("next"));
        assert_eq!(sections[1].heading, "Next one");
        assert_eq!(sections[1].text, "More.");
    }
}
