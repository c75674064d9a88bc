//! A lesson's blurb on the contents page.
//!
//! The front matter's `description` when the lesson has one (plain text, escaped). Otherwise the
//! lesson's first paragraph, whole sentences only: sentences at its end that close with a colon
//! lead into what follows (a table, a list, a formula) and mean nothing alone, so they are left
//! out. A first paragraph that is nothing but such a sentence gives no blurb.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::escape::escape_xml;

/// The blurb's HTML: `description` if given, else the first paragraph of the lesson's `events`
/// (already rendered: numbers and math in place) without its lead-in sentences.
pub fn blurb(description: Option<&str>, events: &[Event<'_>]) -> String {
    if let Some(description) = description {
        return escape_xml(description);
    }
    let Some(start) = events
        .iter()
        .position(|e| matches!(e, Event::Start(Tag::Paragraph)))
    else {
        return String::new();
    };
    let mut inner: Vec<Event<'_>> = events[start + 1..]
        .iter()
        .take_while(|e| !matches!(e, Event::End(TagEnd::Paragraph)))
        .cloned()
        .collect();
    while ends_with_colon(&inner) {
        drop_last_sentence(&mut inner);
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, inner.into_iter());
    html
}

/// Whether the paragraph's last words end with a colon.
fn ends_with_colon(events: &[Event<'_>]) -> bool {
    let last_text = events.iter().rev().find_map(|e| match e {
        Event::Text(text) => Some(text.trim_end()),
        Event::SoftBreak | Event::HardBreak => None,
        _ => Some(""),
    });
    last_text.is_some_and(|text| text.ends_with(':'))
}

/// Removes the paragraph's last sentence: everything after the last ". ", "? " or "! " (or one
/// at the end of a line) in its text; all of it when it is a single sentence.
fn drop_last_sentence(events: &mut Vec<Event<'_>>) {
    // The text before the colon that ends the paragraph is not a sentence end to look for.
    let search_end = events.len().saturating_sub(1);
    for i in (0..=search_end).rev() {
        let Event::Text(text) = &events[i] else {
            continue;
        };
        let within = if i == search_end {
            text.trim_end().trim_end_matches(':')
        } else {
            text.as_ref()
        };
        let next_is_break = matches!(events.get(i + 1), Some(Event::SoftBreak | Event::HardBreak));
        if let Some(end) = sentence_end(within, next_is_break) {
            let kept: CowStr<'_> = text[..end].to_string().into();
            events.truncate(i);
            events.push(Event::Text(kept));
            return;
        }
    }
    events.clear();
}

/// The byte just past the last sentence-ending mark of `text` that a space follows (or the end
/// of the text, when a line break follows it).
fn sentence_end(text: &str, line_break_follows: bool) -> Option<usize> {
    let ends = |(i, c): (usize, char)| {
        let rest = &text[i + c.len_utf8()..];
        let followed = rest.starts_with(' ') || (rest.is_empty() && line_break_follows);
        (matches!(c, '.' | '?' | '!') && followed).then_some(i + c.len_utf8())
    };
    text.char_indices().rev().find_map(ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blurb_of(markdown: &str) -> String {
        let events: Vec<Event<'_>> = pulldown_cmark::Parser::new(markdown).collect();
        blurb(None, &events)
    }

    #[test]
    fn the_description_wins_and_is_escaped() {
        let events: Vec<Event<'_>> = pulldown_cmark::Parser::new("First paragraph.").collect();
        assert_eq!(
            blurb(Some("Tables & rules."), &events),
            "Tables &amp; rules."
        );
    }

    #[test]
    fn a_lead_in_sentence_is_left_out() {
        assert_eq!(
            blurb_of(
                "# T\n\nThe tables collect the measurements. Each row is re-run\non this page. The forward pass:\n\n| a |\n|---|\n"
            ),
            "The tables collect the measurements. Each row is re-run\non this page."
        );
        // A sentence ending at a line end counts as ended.
        assert_eq!(blurb_of("It works.\nAs follows:\n"), "It works.");
        // Two lead-ins in a row go together.
        assert_eq!(blurb_of("Kept. First: Second:"), "Kept.");
    }

    #[test]
    fn whole_paragraphs_stay_whole() {
        assert_eq!(
            blurb_of("Zero fails, e.g. for *sigmoid*. It is `x`.\n\nMore."),
            "Zero fails, e.g. for <em>sigmoid</em>. It is <code>x</code>."
        );
        // Only a lead-in: no blurb rather than half a thought.
        assert_eq!(blurb_of("The forward pass:\n\n- a\n"), "");
        assert_eq!(blurb_of("# Only a title\n"), "");
        // A colon inside a sentence is not a lead-in.
        assert_eq!(blurb_of("Ratio 3:1 holds."), "Ratio 3:1 holds.");
    }
}
