//! `content/book.toml`: the settings and the chapter list, with its diagnostics rendered.
#![no_main]

use initbook::diagnostic::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("content/book.toml", text.to_string());
    if let Err(diagnostics) = initbook::book::parse_config(&file) {
        let _ = diagnostics.to_string();
    }
});
