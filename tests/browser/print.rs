//! Printing pages to PDF with Chromium and reading the PDF back with poppler-utils (`pdfinfo`
//! for the page count, `pdftotext` for the text of each page).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::chromium::Page;

/// A printed PDF: its page count and the text of each page.
pub struct Pdf {
    pub path: PathBuf,
    pub pages: usize,
    /// One entry per page, whitespace collapsed to single spaces.
    pub page_texts: Vec<String>,
}

impl Pdf {
    /// Reads a PDF with `pdfinfo` and `pdftotext`; panics with instructions when they are
    /// missing, since a print test must not pass without them.
    pub fn read(path: &Path) -> Pdf {
        let info = poppler("pdfinfo", &[path.as_os_str()]);
        let pages = info
            .lines()
            .find_map(|line| line.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| {
                panic!("pdfinfo gave no page count for {}:\n{info}", path.display())
            });
        // pdftotext ends every page with a form feed. `-raw` keeps the order the text was
        // drawn in: its default reading order moves a run set in another font (the digits of
        // "500번" in a Korean line) to wherever that font's baseline sorts.
        let text = poppler(
            "pdftotext",
            &[
                "-raw".as_ref(),
                "-enc".as_ref(),
                "UTF-8".as_ref(),
                path.as_os_str(),
                "-".as_ref(),
            ],
        );
        let mut page_texts: Vec<String> = text.split('\u{c}').map(collapse_whitespace).collect();
        if page_texts.last().is_some_and(String::is_empty) {
            page_texts.pop();
        }
        assert_eq!(
            page_texts.len(),
            pages,
            "pdftotext and pdfinfo disagree on the pages of {}",
            path.display()
        );
        Pdf {
            path: path.to_path_buf(),
            pages,
            page_texts,
        }
    }

    /// The 0-based pages whose text contains `needle`, compared without whitespace:
    /// pdftotext breaks a line where the font changes, as it does inside "0으로 초기화" (the digit
    /// is set in the Latin font, the Hangul in the Korean one).
    pub fn pages_with(&self, needle: &str) -> Vec<usize> {
        let needle = without_whitespace(needle);
        (0..self.pages)
            .filter(|&i| without_whitespace(&self.page_texts[i]).contains(&needle))
            .collect()
    }
}

/// Prints the page open in `tab` to `target/pdf/NAME.pdf` and reads it back. Chromium lays
/// the page out for print itself; open the tab with [`crate::chromium::View::for_print`] when the test also
/// wants to look at the print layout in the DOM.
pub fn print(tab: &Page<'_>, name: &str) -> Pdf {
    let path = crate::sites::target_dir()
        .join("pdf")
        .join(format!("{name}.pdf"));
    tab.print_to_pdf(&path);
    Pdf::read(&path)
}

/// A figure as the print layout shows it: its caption's label ("Figure 3.1") and its first
/// drawn text (an SVG label or a table cell), which must share a page with the caption.
#[derive(Debug, serde::Deserialize)]
pub struct PrintedFigure {
    pub number: String,
    pub first_text: String,
}

/// Reads the numbered figures of the page open in `tab` (in print media, so hidden parts are
/// left out).
pub fn printed_figures(tab: &Page<'_>) -> Vec<PrintedFigure> {
    let figures = tab.evaluate(
        "[...document.querySelectorAll('figure')]
           .filter(f => f.checkVisibility() && f.querySelector('.figure-number'))
           .map(f => ({
             number: f.querySelector('.figure-number').textContent.trim(),
             first_text: ([...f.querySelectorAll('svg text, th, td')]
               .find(e => e.checkVisibility() && e.textContent.trim()) || { textContent: '' })
               .textContent.trim(),
           }))",
    );
    serde_json::from_value(figures).expect("figures as JSON")
}

/// Figures printed across a page break: the caption ("Figure 3.1 —") on one page and the
/// figure's first drawn text not between the previous caption on that page and it.
pub fn split_figures(pdf: &Pdf, figures: &[PrintedFigure]) -> Vec<String> {
    // Compared without whitespace, as in [`Pdf::pages_with`].
    let caption = |figure: &PrintedFigure| without_whitespace(&format!("{} —", figure.number));
    let mut split = Vec::new();
    for (i, figure) in figures.iter().enumerate() {
        let Some(&page) = pdf.pages_with(&caption(figure)).first() else {
            split.push(format!("{}: its caption is not in the PDF", figure.number));
            continue;
        };
        let text = without_whitespace(&pdf.page_texts[page]);
        let end = text.find(&caption(figure)).unwrap_or(0);
        // The figure's own text lies between the previous caption on this page (if any) and its
        // own caption.
        let start = i
            .checked_sub(1)
            .and_then(|previous| {
                let previous = caption(&figures[previous]);
                text[..end].rfind(&previous).map(|at| at + previous.len())
            })
            .unwrap_or(0);
        if !text[start..end].contains(&without_whitespace(&figure.first_text)) {
            split.push(format!(
                "{}: caption on page {}, but \"{}\" (the figure's top) is not above it there",
                figure.number,
                page + 1,
                figure.first_text
            ));
        }
    }
    split
}

fn without_whitespace(text: &str) -> String {
    text.split_whitespace().collect()
}

pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {tool} ({e}): install poppler-utils (`apt-get install -y poppler-utils`)"
        )
    });
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap_or_else(|e| panic!("{tool} printed non-UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf(pages: &[&str]) -> Pdf {
        Pdf {
            path: PathBuf::from("test.pdf"),
            pages: pages.len(),
            page_texts: pages.iter().map(|p| collapse_whitespace(p)).collect(),
        }
    }

    fn figure(number: &str, first_text: &str) -> PrintedFigure {
        PrintedFigure {
            number: number.into(),
            first_text: first_text.into(),
        }
    }

    #[test]
    fn text_is_found_across_the_breaks_pdftotext_makes_at_a_font_change() {
        let printed = pdf(&[
            "Contents",
            "0\n\n으로 초기화\n\n가장 단순한 방법은",
            "0으로",
        ]);
        assert_eq!(printed.pages_with("0으로 초기화"), [1]);
        assert!(printed.pages_with("1으로 초기화").is_empty());
    }

    #[test]
    fn a_figure_is_whole_when_its_top_is_above_its_caption_on_one_page() {
        let figures = [
            figure("Figure 1.1", "Layer 1"),
            figure("Figure 1.2", "Layer 1"),
        ];
        let whole = pdf(&[
            "Title\nLayer 1 Layer 2\n0.5\nFigure 1.1 — First (seed 1)",
            "Prose. Layer 1\n  Layer 2 Figure 1.2 — Second (seed 2)",
        ]);
        assert!(split_figures(&whole, &figures).is_empty());
        // The second figure's top is left on page 1; page 2 only has its bottom and caption.
        let split = pdf(&[
            "Layer 1 Figure 1.1 — First (seed 1) Prose. Layer 1",
            "Layer 2 0.5 Figure 1.2 — Second (seed 2)",
        ]);
        assert_eq!(
            split_figures(&split, &figures),
            [
                "Figure 1.2: caption on page 2, but \"Layer 1\" (the figure's top) is not above it there"
            ]
        );
        // Two figures on one page: the second one's top must come after the first caption.
        let shared = pdf(&["Layer 1 Figure 1.1 — First Layer 2 Figure 1.2 — Second"]);
        assert_eq!(split_figures(&shared, &figures).len(), 1);
        assert_eq!(
            split_figures(&pdf(&["no captions"]), &figures[..1]),
            ["Figure 1.1: its caption is not in the PDF"]
        );
    }
}
