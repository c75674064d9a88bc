//! The theme's interface strings: one table of every word the theme shows a reader. A leaf of
//! the render stage, so the theme loader and the explorer's word list both read it without
//! depending on each other.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

/// Every word the theme shows a reader ("Previous", "On this page", "Figure", the table
/// headers…), in one table: `templates/strings.toml`, whose keys a book's own `strings.toml`
/// may override one by one. Templates read it as `strings.KEY`; the render stage through
/// [`Strings::get`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Strings(BTreeMap<String, String>);

impl Strings {
    /// The string of `key`. Every key the engine asks for is in the built-in table, which a
    /// book's table can only add to, so a missing key is a bug.
    pub fn get(&self, key: &str) -> &str {
        self.0
            .get(key)
            .unwrap_or_else(|| panic!("no interface string `{key}` in templates/strings.toml"))
    }

    /// The string of `key`, if the table has one (optional strings, like a column's note).
    pub fn get_optional(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The `(key, string)` pairs whose key starts with `prefix`, in key order.
    pub fn with_prefix<'s>(&'s self, prefix: &'s str) -> impl Iterator<Item = (&'s str, &'s str)> {
        self.0
            .range(prefix.to_string()..)
            .take_while(move |(key, _)| key.starts_with(prefix))
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }

    /// Sets one string, as a book's table would.
    #[cfg(test)]
    pub fn set(&mut self, key: &str, value: &str) {
        self.0.insert(key.to_string(), value.to_string());
    }

    /// Reads a strings table (every value a string) and lays it over `self`.
    pub(crate) fn merge(&mut self, text: &str, origin: &Path) -> Result<()> {
        let table: toml::Table = toml::from_str(text)
            .map_err(|error| Error::Other(format!("in {}: {error}", origin.display())))?;
        for (key, value) in table {
            let toml::Value::String(value) = value else {
                return Err(Error::Other(format!(
                    "in {}: `{key}` must be a string",
                    origin.display()
                )));
            };
            self.0.insert(key, value);
        }
        Ok(())
    }
}
