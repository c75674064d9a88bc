//! Write stage: the only code that touches the output directory.
//!
//! All or nothing: the site is written into a fresh staging directory beside the output
//! (`.output.new` for `output/`), and only when every file is written is the old site swapped out
//! for it. A build that fails — in the content, the templates or while writing — leaves the
//! previous site exactly as it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Replaces the site at `out` with `files` (paths relative to the site root, `/`-separated).
pub fn write_site(files: &BTreeMap<String, Vec<u8>>, out: &Path) -> Result<()> {
    let (staging, previous) = sibling_paths(out)?;
    if out.exists() && !is_replaceable(out) {
        return Err(Error::Other(format!(
            "refusing to replace {}: it is not empty and does not look like a built site (no index.html); remove it or choose another --out",
            out.display()
        )));
    }

    remove_if_present(&staging)?;
    if let Err(error) = write_files(files, &staging) {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }

    if out.exists() {
        remove_if_present(&previous)?;
        fs::rename(out, &previous).map_err(|e| Error::io("move aside", out, e))?;
        if let Err(error) = fs::rename(&staging, out) {
            // Put the old site back before reporting.
            let _ = fs::rename(&previous, out);
            let _ = fs::remove_dir_all(&staging);
            return Err(Error::io("move the new site into", out, error));
        }
        remove_if_present(&previous)?;
    } else {
        fs::rename(&staging, out).map_err(|e| Error::io("move the new site into", out, e))?;
    }
    Ok(())
}

/// `.NAME.new` and `.NAME.old` next to `out`.
fn sibling_paths(out: &Path) -> Result<(PathBuf, PathBuf)> {
    let name = out.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::Other(format!(
            "{} is not a usable output directory",
            out.display()
        ))
    })?;
    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((
        parent.join(format!(".{name}.new")),
        parent.join(format!(".{name}.old")),
    ))
}

/// An empty directory, or one holding a site we built before.
fn is_replaceable(out: &Path) -> bool {
    if !out.is_dir() {
        return false;
    }
    out.join("index.html").is_file()
        || fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_none())
}

fn write_files(files: &BTreeMap<String, Vec<u8>>, dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    for (relative, contents) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        fs::write(&path, contents).map_err(|e| Error::io("write", &path, e))?;
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(Error::io("remove", path, error)),
    }
}
