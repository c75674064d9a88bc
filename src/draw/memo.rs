//! What earlier builds drew, kept in memory so that a rebuild draws only what changed.
//!
//! `serve` rebuilds the whole site on every save, and drawing is most of a warm rebuild: the
//! explore lesson alone has 75 frames, drawn once per edition. A figure's SVG is a pure function
//! of what its block says (not where: byte positions move with every edit above it), of its
//! outcome (named by the outcome's data hash) and of its words ([`super::FigureText`], and a
//! frame's title and alt text), and of the drawing code, which cannot change under a running
//! process. So a drawing is kept under a key made of exactly those inputs, and a build whose
//! inputs match takes the kept SVG: the bytes it would have drawn. Drawings a build did not ask
//! for are dropped when it ends, so the memo holds one book's figures, not every version of them.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use super::{FigureText, FrameLayout};
use crate::hash::sha256_hex;
use crate::model::ExperimentSpec;

/// The drawings of earlier builds by the key of their inputs, and the keys the current build
/// has asked for. Clones of a [`crate::cache::Cache`] share one.
#[derive(Debug, Default)]
pub struct DrawingCache {
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    drawn: HashMap<String, String>,
    /// The layout a sweep's frames share, by the sweep's figure key: it reads the same inputs
    /// as the sweep's figure, and measuring every frame's labels for it costs as much as
    /// drawing a few frames.
    layouts: HashMap<String, FrameLayout>,
    used: HashSet<String>,
}

impl DrawingCache {
    /// The key of a block's figure (a sweep's chart) drawn with `text`, its outcome's data hash
    /// being `data_sha256`.
    pub fn figure_key(spec: &ExperimentSpec, data_sha256: &str, text: &FigureText) -> String {
        // Everything the drawing reads of the block: its parameters (the experiment built from
        // its keys), seed, id, caption and alt text, and whether it shows a table.
        sha256_hex(
            format!(
                "{}\0{}\0{}\0{}\0{}\0{:?}\0{}\0{data_sha256}\0{text:?}",
                spec.id,
                spec.caption,
                spec.alt,
                spec.seed,
                spec.table,
                spec.experiment,
                spec.figure
            )
            .as_bytes(),
        )
    }

    /// The key of one frame of a sweep whose figure key is `sweep_key`: its name and its words.
    pub fn frame_key(sweep_key: &str, frame: &str, title: &str, alt: &str) -> String {
        sha256_hex(format!("{sweep_key}\0{frame}\0{title}\0{alt}").as_bytes())
    }

    /// The drawing kept under `key`, or `draw()`'s, which is kept for the next build.
    pub fn get_or_draw(&self, key: String, draw: impl FnOnce() -> String) -> String {
        {
            let mut entries = self.lock();
            if let Some(svg) = entries.drawn.get(&key).cloned() {
                entries.used.insert(key);
                return svg;
            }
        }
        // Drawn without the lock, so that the other workers keep drawing meanwhile.
        let svg = draw();
        let mut entries = self.lock();
        entries.drawn.insert(key.clone(), svg.clone());
        entries.used.insert(key);
        svg
    }

    /// The frame layout kept under the sweep figure key `key`, or `lay_out()`'s, which is kept
    /// for the next build.
    pub fn layout_or(&self, key: &str, lay_out: impl FnOnce() -> FrameLayout) -> FrameLayout {
        let kept = {
            let mut entries = self.lock();
            entries.used.insert(key.to_string());
            entries.layouts.get(key).copied()
        };
        kept.unwrap_or_else(|| {
            let layout = lay_out();
            self.lock().layouts.insert(key.to_string(), layout);
            layout
        })
    }

    /// Ends a build: forgets every drawing and layout it did not ask for.
    pub fn end_build(&self) {
        let mut entries = self.lock();
        let used = std::mem::take(&mut entries.used);
        entries.drawn.retain(|key, _| used.contains(key));
        entries.layouts.retain(|key, _| used.contains(key));
    }

    /// How many drawings and layouts are kept.
    pub fn len(&self) -> usize {
        let entries = self.lock();
        entries.drawn.len() + entries.layouts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // Entries are inserted whole, so a lock poisoned by a panicking worker still guards
        // sound data.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_keeps_what_it_drew_or_took_and_forgets_the_rest() {
        let memo = DrawingCache::default();
        assert_eq!(memo.get_or_draw("a".into(), || "<svg a>".into()), "<svg a>");
        assert_eq!(memo.get_or_draw("b".into(), || "<svg b>".into()), "<svg b>");
        memo.end_build();
        assert_eq!(memo.len(), 2);
        // The next build takes "a" without drawing it, draws "c", and no longer needs "b".
        let taken = memo.get_or_draw("a".into(), || unreachable!("kept from the last build"));
        assert_eq!(taken, "<svg a>");
        memo.get_or_draw("c".into(), || "<svg c>".into());
        memo.end_build();
        assert_eq!(memo.len(), 2);
        assert_eq!(memo.get_or_draw("b".into(), || "<new b>".into()), "<new b>");
    }

    #[test]
    fn layouts_are_kept_like_drawings() {
        let memo = DrawingCache::default();
        let layout = |width| FrameLayout::for_tests(width);
        assert_eq!(memo.layout_or("s", || layout(10)), layout(10));
        memo.end_build();
        assert_eq!(memo.layout_or("s", || unreachable!("kept")), layout(10));
        memo.end_build();
        memo.end_build();
        assert!(
            memo.is_empty(),
            "a build that did not ask for it dropped it"
        );
        assert_eq!(memo.layout_or("s", || layout(20)), layout(20));
    }
}
