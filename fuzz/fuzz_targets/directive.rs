//! The body of one `experiment` block: TOML, checked key by key, with its diagnostics rendered.
#![no_main]

use initbook::diagnostic::SourceFile;
use initbook::parse::{BlockText, directive};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("content/lesson.md", text.to_string());
    let mut block = BlockText::default();
    block.push(text, 0);
    let _ = directive::declared_id(&block);
    match directive::parse_experiment(&file, &block, 0..text.len()) {
        Ok(spec) => {
            let _ = initbook::budget::experiment_cost(&spec.experiment, None);
        }
        Err(diagnostics) => {
            let _ = diagnostics.to_string();
        }
    }
});
