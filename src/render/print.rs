//! The print edition: the whole book on one page, `print.html`, in chapter order. Each lesson is
//! rendered for it again ([`Edition::Print`]): links between lessons and to figures become links
//! inside the page, and heading and footnote ids take their lesson's name as a prefix, so no id
//! is used twice. The theme's print stylesheet (`@media print` in `style.css`) then starts each
//! lesson on a new sheet and keeps figures and tables whole, so the browser's "Save as PDF"
//! gives the book.

use serde::Serialize;

use super::markdown::{BookRenderer, Edition};
use crate::error::Result;

/// Where the print edition goes in the site.
pub const PRINT_PATH: &str = "print.html";

/// A lesson as `print.html` shows it.
#[derive(Serialize)]
struct Chapter<'a> {
    /// Its anchor in the page: the lesson's name, `03-std-one`.
    id: &'a str,
    number: usize,
    title_html: String,
    content: String,
}

/// Renders `print.html` with `context` (the book, the sidebar's lessons) and every lesson.
pub fn render_print_edition(
    renderer: &BookRenderer<'_>,
    context: &tera::Context,
) -> Result<String> {
    let mut chapters = Vec::with_capacity(renderer.book.lessons.len());
    for (i, lesson) in renderer.book.lessons.iter().enumerate() {
        let body = renderer.lesson(lesson, Edition::Print)?;
        chapters.push(Chapter {
            id: &lesson.slug,
            number: i + 1,
            title_html: body.title_html,
            content: body.html,
        });
    }
    let mut context = context.clone();
    context.insert("chapters", &chapters);
    renderer.theme.render("print.html", &context)
}
