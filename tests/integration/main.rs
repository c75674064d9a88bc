//! The integration tests, in one binary: one compilation and one link instead of one per file,
//! and the test harness runs every test of every area side by side on the machine's cores (a
//! slow area, such as the notebooks' numpy check, overlaps the others instead of running
//! alone). Each area is a module; `cargo test --release --test integration AREA::` runs one
//! (e.g. `notebooks::`).
//!
//! `tests/training_allocations.rs` stays a binary of its own: it counts allocations with a
//! global allocator, which would count every other test's too.

#[path = "../common/mod.rs"]
mod common;

mod batchnorm;
mod cache;
mod cli;
mod determinism;
mod directive_errors;
mod fault_catalogue;
mod figures;
mod golden_vectors;
mod hostile;
mod i18n;
mod json_schema;
mod kernel_paths;
mod kinds;
mod mdbook;
mod notebooks;
mod reader;
mod schema;
mod serve;
mod site;
mod statistics;
mod sweep;
mod verify;
