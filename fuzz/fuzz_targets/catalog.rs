//! A translation catalog (PO file): read, written back and applied to a small lesson. Catalogs
//! come from translators' tools; none may panic the build.
#![no_main]

use initbook::diagnostic::SourceFile;
use initbook::i18n::apply::translate_lesson;
use initbook::i18n::catalog::{parse_catalog, write_catalog};
use libfuzzer_sys::fuzz_target;

const LESSON: &str = "# Title\n\nA paragraph with `{e.layer1.std:.3}` and $x^2$.\n\n- item\n\n```experiment\nid = \"e\"\ncaption = \"Cap\"\nalt = \"Alt\"\nseed = 1\n```\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("content/i18n/ko/a.po", text.to_string());
    match parse_catalog(&file) {
        Ok(catalog) => {
            let written = write_catalog(&catalog);
            let again = parse_catalog(&SourceFile::new("again.po", written.clone()))
                .expect("a written catalog reads back");
            assert_eq!(write_catalog(&again), written, "writing is stable");
            let lesson = SourceFile::new("content/a.md", LESSON.to_string());
            let _ = translate_lesson(&lesson, Some(&(file, catalog)), "ko");
        }
        Err(diagnostics) => {
            let _ = diagnostics.to_string();
        }
    }
});
