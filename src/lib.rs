//! initbook: Markdown lessons with seeded `experiment` blocks, built into a static HTML tutorial.
//!
//! The pipeline has one module per stage, and data flows one way (see ARCHITECTURE.md):
//! [`book`] (load) → [`parse`] (into the [`model`]) → [`run`] (over the pure [`numeric`] core)
//! → [`draw`] → [`render`] → [`write`]. [`site`] strings them together. The key [`schema`]
//! describes every kind of experiment; small leaf modules ([`hash`], [`site_paths`], [`escape`],
//! [`format`], [`limits`], [`dialect`]) serve several stages.

pub mod book;
pub mod book_files;
pub mod budget;
pub mod cache;
pub mod data;
pub mod diagnostic;
pub mod dialect;
pub mod directive_reference;
pub mod draw;
pub mod error;
pub mod escape;
pub mod format;
pub mod hash;
pub mod i18n;
pub mod lesson_text;
pub mod limits;
pub mod manifest;
pub mod mdbook;
pub mod model;
pub mod notebook;
pub mod numeric;
pub mod parse;
pub mod progress;
pub mod render;
pub mod reproduce;
pub mod run;
pub mod schema;
pub mod search;
pub mod serve;
pub mod site;
pub mod site_paths;
pub mod verify;
pub mod write;

pub use error::{Error, Result};
pub use site::{BuildReport, Rebuild, Rebuilder, Site, build_site, build_site_with, check_book};
