//! Shared by the benchmarks.

use std::path::Path;

/// A copy of the tutorial's `content/` in a fresh temporary directory, so a benchmark can edit
/// lessons and fill a cache without touching the repository.
pub fn copy_of_the_tutorial() -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &book.path().join("content"),
    );
    book
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
