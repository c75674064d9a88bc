//! A whole lesson: Markdown, experiment blocks, inline references and math, with its diagnostics
//! rendered; the math of a lesson that parses is rendered to MathML as the site would.
#![no_main]

use initbook::diagnostic::SourceFile;
use libfuzzer_sys::fuzz_target;
use pulldown_cmark::Event;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = SourceFile::new("content/lesson.md", text.to_string());
    match initbook::parse::parse_lesson(source) {
        Err(diagnostics) => {
            let _ = diagnostics.to_string();
        }
        Ok(lesson) => {
            for (event, _) in initbook::dialect::markdown_events(&lesson.source.text) {
                if let Event::InlineMath(latex) | Event::DisplayMath(latex) = event {
                    let storage = pulldown_latex::Storage::new();
                    let parser = pulldown_latex::Parser::new(&latex, &storage);
                    let mut out = String::new();
                    pulldown_latex::push_mathml(&mut out, parser, Default::default())
                        .expect("writing to a String cannot fail");
                }
            }
        }
    }
});
