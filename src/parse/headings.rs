//! Section headings and their anchors.
//!
//! Every `##` (and deeper) heading gets an id, so a section can be linked, listed in the page's
//! contents and found by search. The id is the one written as `## Text {#id}`, or else made from
//! the heading's text by [`slugify`], which keeps letters of every script (a Korean heading keeps
//! its Hangul). Ids are unique on the page: a repeated heading gets `-1`, `-2`, … A heading whose
//! anchor would be an experiment's id is an error, reported where the heading is written: the
//! figure and the section would fight over one `#id`.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::diagnostic::{Diagnostics, SourceFile};
use crate::model::{ExperimentSpec, Heading, THEME_IDS};

/// A heading as the parser met it: before it has its id.
#[derive(Debug, Clone)]
pub struct RawHeading {
    pub level: u8,
    /// `{#id}` written after the heading's text.
    pub explicit_id: Option<String>,
    pub text: String,
    pub span: Range<usize>,
}

/// The anchor made from a heading's text: lowercase letters and digits of any script, every run
/// of other characters one `-`, apostrophes dropped ("He's" → "hes"). `section` when nothing is
/// left.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if matches!(c, '\'' | '’') {
            // Inside a word: keep the word whole.
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug.to_string()
    }
}

/// Gives each heading its id, reporting ids that collide with an experiment's or repeat a
/// written one. `footnotes` are the page's footnote labels, which are anchors too.
///
/// A translated lesson passes the English lesson's headings as `original`: its headings take
/// their ids, in order, so that an anchor (and a link to it, copied by the translator) is the
/// same in every edition. A translation with other headings than the English is an error.
pub fn assign_ids(
    source: &SourceFile,
    mut headings: Vec<RawHeading>,
    experiments: &[ExperimentSpec],
    footnotes: &[String],
    original: Option<&[Heading]>,
    diagnostics: &mut Diagnostics,
) -> Vec<Heading> {
    if let Some(original) = original {
        if headings.len() != original.len() {
            let span = headings
                .get(original.len())
                .map_or(0..0, |extra| extra.span.clone());
            diagnostics.push(
                source
                    .error(
                        span,
                        format!(
                            "the translation has {} section headings, the English lesson {}",
                            headings.len(),
                            original.len()
                        ),
                    )
                    .with_hint("a translation may change prose only: translate each heading as one heading"),
            );
        }
        for (heading, english) in headings.iter_mut().zip(original) {
            heading.explicit_id = Some(english.id.clone());
        }
    }
    let experiment_line = |id: &str| {
        experiments
            .iter()
            .find(|spec| spec.id == id)
            .map(|spec| spec.origin().line)
    };
    // Written ids come first: a made-up id steps aside for them wherever they are.
    let mut taken: BTreeSet<String> = THEME_IDS.iter().map(|id| id.to_string()).collect();
    taken.extend(footnotes.iter().cloned());
    let mut written: BTreeSet<&str> = BTreeSet::new();
    for heading in &headings {
        let Some(id) = heading.explicit_id.as_deref() else {
            continue;
        };
        if let Some(line) = experiment_line(id) {
            diagnostics.push(
                source
                    .error(heading.span.clone(), format!("the heading's id \"{id}\" is the id of the experiment at line {line}"))
                    .with_hint("a section and a figure cannot share an anchor: choose another id for the heading"),
            );
        } else if taken.contains(id) || !written.insert(id) {
            diagnostics.push(
                source
                    .error(
                        heading.span.clone(),
                        format!("the id \"{id}\" is already used on this page"),
                    )
                    .with_hint("ids must be unique on a page: choose another id for the heading"),
            );
        }
    }
    taken.extend(written.iter().map(|id| id.to_string()));

    let mut assigned = Vec::with_capacity(headings.len());
    for heading in headings {
        let id = match heading.explicit_id {
            Some(id) => id,
            None => {
                let base = slugify(&heading.text);
                if let Some(line) = experiment_line(&base) {
                    diagnostics.push(
                        source
                            .error(
                                heading.span.clone(),
                                format!(
                                    "the heading \"{}\" would get the anchor \"{base}\", the id of the experiment at line {line}",
                                    heading.text.trim()
                                ),
                            )
                            .with_hint(format!(
                                "a section and a figure cannot share an anchor: rename the heading or the experiment, or give the heading its own id: `{} {} {{#{base}-section}}`",
                                "#".repeat(usize::from(heading.level)),
                                heading.text.trim()
                            )),
                    );
                }
                // A repeated heading takes the first free `-1`, `-2`, …
                let is_free = |id: &str| !taken.contains(id) && experiment_line(id).is_none();
                let mut id = base.clone();
                let mut n = 0;
                while !is_free(&id) {
                    n += 1;
                    id = format!("{base}-{n}");
                }
                taken.insert(id.clone());
                id
            }
        };
        assigned.push(Heading {
            level: heading.level,
            id,
            text: heading.text.trim().to_string(),
            span: heading.span,
        });
    }
    assigned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_every_script() {
        assert_eq!(slugify("Why σ = 1 fails"), "why-σ-1-fails");
        assert_eq!(slugify("The Derivation"), "the-derivation");
        assert_eq!(slugify("He's right: ReLU!"), "hes-right-relu");
        assert_eq!(slugify("가중치의 초깃값"), "가중치의-초깃값");
        assert_eq!(slugify("He 초깃값과 ReLU"), "he-초깃값과-relu");
        assert_eq!(slugify("  "), "section");
        assert_eq!(slugify("—"), "section");
    }
}
