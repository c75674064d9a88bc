//! initbook: Markdown lessons with seeded `experiment` blocks, built into a static HTML tutorial.
//!
//! The pipeline has one module per stage, and data flows one way (see ARCHITECTURE.md):
//! [`book`] (load) → [`parse`] → [`run`] (over the pure [`numeric`] core) → [`draw`] →
//! [`render`] → [`write`]. [`site`] strings them together.

pub mod book;
pub mod book_files;
pub mod budget;
pub mod cache;
pub mod data;
pub mod diagnostic;
pub mod draw;
pub mod error;
pub mod manifest;
pub mod numeric;
pub mod parse;
pub mod render;
pub mod run;
pub mod serve;
pub mod site;
pub mod verify;
pub mod write;

pub use error::{Error, Result};
pub use site::{BuildReport, Site, build_site, build_site_with, check_book};
