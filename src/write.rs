//! Write stage: the only code that touches the output directory.
//!
//! All or nothing, one build at a time, and nothing lost:
//!
//! - **A lock.** A build holds an exclusive advisory lock on `.NAME.lock` beside the output
//!   while it stages and swaps, so two builds of the same output take turns (the second waits).
//! - **Staging.** The site is written into a fresh directory beside the output, named
//!   `.NAME.new-PID-NANOS-N`, so no two builds (or a crashed one) ever share it.
//! - **The swap.** On Linux the staged site and the old one are exchanged in one step
//!   (`renameat2` with `RENAME_EXCHANGE`): the output is never missing, not even for an instant.
//!   Elsewhere (or on a file system that cannot exchange) the old site is renamed aside, then the
//!   new one into place; a build that dies between the two renames leaves the old site aside,
//!   and the next build puts it back before doing anything else.
//! - **The marker.** Every site carries `.initbook-site`, listing the files initbook wrote. Only
//!   listed files are ever removed. Anything else in the output (a `CNAME`, notes) is carried
//!   into the new site. A non-empty directory without the marker is not replaced unless the
//!   caller forces it, and even then its files are kept; a file initbook did not write is never
//!   overwritten by a different one.
//! - **Symlinks.** If the output is a symlink, the site is built where it points (the link stays a
//!   link); a dangling link's target is created.
//!
//! A build that fails — in the content, the templates or while writing — leaves the previous
//! site exactly as it was, and the directories it staged are gone.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};

/// The marker file at the root of every site initbook writes.
pub const MARKER: &str = ".initbook-site";
/// The marker's first line: how initbook recognises its own sites.
const MARKER_HEADER: &str = "initbook site";

/// How to write.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Write into a non-empty directory that is not an initbook site (keeping its files).
    pub force: bool,
}

/// What happened besides writing the site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Where the site went (the target of `out` when `out` is a symlink).
    pub target: PathBuf,
    /// Files in the output that initbook did not write, kept in the new site.
    pub kept: Vec<String>,
    /// Problems that did not stop the build (e.g. a leftover that could not be removed).
    pub warnings: Vec<String>,
}

/// The marker's text for a site of `files`.
pub fn marker_contents(files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut text = format!(
        "{MARKER_HEADER}\n# initbook wrote the files below; a rebuild replaces exactly these and keeps any other file here.\n"
    );
    for path in files.keys() {
        text.push_str(path);
        text.push('\n');
    }
    text
}

/// Replaces the site at `out` with `files` (paths relative to the site root, `/`-separated).
pub fn write_site(files: &BTreeMap<String, Vec<u8>>, out: &Path) -> Result<()> {
    write_site_with(files, out, WriteOptions::default()).map(|_| ())
}

/// [`write_site`], with options, reporting what was kept and any warnings.
pub fn write_site_with(
    files: &BTreeMap<String, Vec<u8>>,
    out: &Path,
    options: WriteOptions,
) -> Result<WriteReport> {
    if files.contains_key(MARKER) {
        return Err(Error::Other(format!(
            "the site cannot contain a file named {MARKER}"
        )));
    }
    let target = resolve_output(out)?;
    let parent = target.parent().expect("resolved to a path with a parent");
    let name = file_name(&target)?;
    let _lock = lock_output(parent, &name)?;
    let mut report = WriteReport {
        target: target.clone(),
        ..WriteReport::default()
    };

    repair_leftovers(parent, &name, &target, &mut report)?;
    let previous = inspect_previous(&target, files, options)?;
    report.kept = previous.foreign.clone();
    check_replaceable(&target, &previous)?;

    let staging = unique_sibling(parent, &name, "new");
    if let Err(error) = write_files(files, &staging) {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }

    if previous.exists {
        let old = swap(&staging, &target, parent, &name)?;
        retire(&old, &target, &mut report);
    } else if let Err(error) = fs::rename(&staging, &target) {
        let _ = fs::remove_dir_all(&staging);
        return Err(Error::io("move the new site into", &target, error));
    }
    Ok(report)
}

/// Where the site goes: `out` itself, or where it points when it is a symlink (followed to the
/// end; the final target may not exist yet). Parents are created.
fn resolve_output(out: &Path) -> Result<PathBuf> {
    let mut path = out.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link =
                    fs::read_link(&path).map_err(|e| Error::io("read the link", &path, e))?;
                path = match path.parent() {
                    Some(parent) => parent.join(link),
                    None => link,
                };
            }
            Ok(metadata) if !metadata.is_dir() => {
                return Err(Error::Other(format!(
                    "{} is not a directory: initbook writes the site into a directory",
                    path.display()
                )));
            }
            Ok(_) => return absolute(&path),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return absolute(&path),
            Err(error) => return Err(Error::io("inspect", &path, error)),
        }
    }
    Err(Error::Other(format!(
        "{} is a chain of too many symlinks",
        out.display()
    )))
}

/// `path` with its parent created and resolved, so the staging directory lands on the same
/// file system as the output.
fn absolute(path: &Path) -> Result<PathBuf> {
    let name = file_name(path)?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Error::io("create", &parent, e))?;
    let parent = parent
        .canonicalize()
        .map_err(|e| Error::io("resolve", &parent, e))?;
    Ok(parent.join(name))
}

fn file_name(path: &Path) -> Result<String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .filter(|n| *n != "." && *n != "..")
        .map(str::to_string)
        .ok_or_else(|| {
            Error::Other(format!(
                "{} is not a usable output directory",
                path.display()
            ))
        })
}

/// Holds the exclusive lock on `.NAME.lock` in `parent` until dropped, waiting for any other
/// build of the same output to finish first.
fn lock_output(parent: &Path, name: &str) -> Result<fs::File> {
    let path = parent.join(format!(".{name}.lock"));
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        // Another user's lock file: locking needs only to open it.
        .or_else(|_| fs::File::open(&path))
        .map_err(|e| Error::io("create the lock file", &path, e))?;
    fs4::FileExt::lock(&file).map_err(|e| Error::io("lock", &path, e))?;
    Ok(file)
}

/// A fresh name beside the output: `.NAME.KIND-PID-NANOS-N`.
fn unique_sibling(parent: &Path, name: &str, kind: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    parent.join(format!(
        ".{name}.{kind}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Directories earlier builds left beside the output: staged sites of builds that failed or
/// died, old sites not yet removed. Holding the lock, none of them belongs to a running build.
fn leftovers(parent: &Path, name: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let prefixes = [format!(".{name}.new"), format!(".{name}.old")];
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let file_name = entry.file_name().into_string().ok()?;
            // Only this version's unique names: they carry a marker saying what is initbook's.
            let ours = prefixes
                .iter()
                .any(|prefix| file_name.starts_with(&format!("{prefix}-")));
            (ours && entry.file_type().ok()?.is_dir()).then(|| entry.path())
        })
        .collect();
    found.sort();
    found
}

/// Puts back a site a dead build left aside, and clears what earlier builds left behind.
fn repair_leftovers(
    parent: &Path,
    name: &str,
    target: &Path,
    report: &mut WriteReport,
) -> Result<()> {
    let found = leftovers(parent, name);
    if fs::symlink_metadata(target).is_err() {
        // The output is missing: a build died between moving the old site aside and moving the
        // new one in. The old site is complete; restore it (this build replaces it anyway).
        let old_prefix = format!(".{name}.old");
        if let Some(old) = found.iter().find(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&old_prefix))
        }) {
            fs::rename(old, target)
                .map_err(|e| Error::io("restore the previous site to", target, e))?;
        }
    }
    for dir in leftovers(parent, name) {
        if target.exists() {
            retire(&dir, target, report);
        } else {
            // Nothing to carry files into: only what the marker lists goes.
            remove_listed(&dir, report);
        }
    }
    Ok(())
}

/// What is in the output now.
struct Previous {
    exists: bool,
    /// It carries the marker (or is an older initbook's site), or the caller forces it.
    is_site: bool,
    /// Files initbook did not write (not listed in the marker), `/`-separated.
    foreign: Vec<String>,
    /// Foreign files the new site would overwrite with other bytes.
    clashes: Vec<String>,
    /// Directories (the output included) a build cannot change.
    read_only: Option<PathBuf>,
}

fn inspect_previous(
    target: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    options: WriteOptions,
) -> Result<Previous> {
    if !target.exists() {
        return Ok(Previous {
            exists: false,
            is_site: false,
            foreign: Vec::new(),
            clashes: Vec::new(),
            read_only: None,
        });
    }
    let (all, dirs) = walk(target).map_err(|e| Error::io("read", target, e))?;
    let listed = read_marker(target).or_else(|| legacy_site(target, &all));
    let foreign: Vec<String> = all
        .into_iter()
        .filter(|path| path != MARKER && !listed.as_ref().is_some_and(|l| l.contains(path)))
        .collect();
    let clashes = foreign
        .iter()
        .filter(|path| {
            files
                .get(path.as_str())
                .is_some_and(|new| !holds_exactly(&target.join(path), new))
        })
        .cloned()
        .collect();
    Ok(Previous {
        exists: true,
        is_site: listed.is_some() || options.force,
        foreign,
        clashes,
        read_only: dirs.into_iter().find(|dir| !writable(dir)),
    })
}

/// Whether `path` is a regular file with exactly these bytes. Reads nothing else: a FIFO or a
/// device in the output must not hang the build.
fn holds_exactly(path: &Path, bytes: &[u8]) -> bool {
    small_regular_file(path, bytes.len() as u64).is_some_and(|found| found == bytes)
}

/// The bytes of `path` if it is a regular file (not a symlink) of at most `limit` bytes.
fn small_regular_file(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let metadata = fs::symlink_metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() > limit {
        return None;
    }
    let bytes = fs::read(path).ok()?;
    (bytes.len() as u64 <= limit).then_some(bytes)
}

/// Largest marker or manifest read to recognise a site.
const RECOGNITION_BYTES: u64 = 64 << 20;

/// A site written by an initbook from before the marker: it has a `figures.json` manifest
/// naming an initbook version. Its pages, figures, stylesheet and manifest count as initbook's;
/// any other file is kept.
fn legacy_site(dir: &Path, files: &[String]) -> Option<BTreeSet<String>> {
    let manifest =
        small_regular_file(&dir.join(crate::manifest::MANIFEST_PATH), RECOGNITION_BYTES)?;
    let manifest: serde_json::Value = serde_json::from_slice(&manifest).ok()?;
    manifest.get("initbook_version")?;
    Some(
        files
            .iter()
            .filter(|path| {
                [".html", ".svg", ".css", ".json"]
                    .iter()
                    .any(|extension| path.ends_with(extension))
            })
            .cloned()
            .collect(),
    )
}

/// Refuses, before anything is written, an output initbook must not replace.
fn check_replaceable(target: &Path, previous: &Previous) -> Result<()> {
    if !previous.exists {
        return Ok(());
    }
    if !previous.is_site && !previous.foreign.is_empty() {
        return Err(Error::Other(format!(
            "refusing to write the site into {}: it is not empty and was not written by initbook (it has no {MARKER}); choose another --out, or add --force to write the site into it (its files are kept)",
            target.display()
        )));
    }
    if !previous.clashes.is_empty() {
        return Err(Error::Other(format!(
            "refusing to replace {} in {}: initbook did not write {}, and the new site has other contents there; move {} away first",
            list(&previous.clashes),
            target.display(),
            if previous.clashes.len() == 1 {
                "it"
            } else {
                "them"
            },
            if previous.clashes.len() == 1 {
                "it"
            } else {
                "them"
            },
        )));
    }
    if let Some(dir) = &previous.read_only {
        return Err(Error::Other(format!(
            "cannot replace the site in {}: {} is not writable, so its files could not be removed; make it writable or choose another --out",
            target.display(),
            dir.display()
        )));
    }
    Ok(())
}

fn list(paths: &[String]) -> String {
    let mut shown: Vec<&str> = paths.iter().take(5).map(String::as_str).collect();
    let more = paths.len().saturating_sub(shown.len());
    let more_text = format!("{more} more");
    if more > 0 {
        shown.push(&more_text);
    }
    shown.join(", ")
}

/// The files a site's marker lists, if `dir` has a marker.
fn read_marker(dir: &Path) -> Option<BTreeSet<String>> {
    let bytes = small_regular_file(&dir.join(MARKER), RECOGNITION_BYTES)?;
    let text = String::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    if lines.next() != Some(MARKER_HEADER) {
        return None;
    }
    Some(
        lines
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_string)
            .collect(),
    )
}

/// Every file below `dir` (`/`-separated, relative) and every directory (absolute, `dir` first).
/// Symlinks count as files and are not followed.
fn walk(dir: &Path) -> io::Result<(Vec<String>, Vec<PathBuf>)> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                dirs.push(path.clone());
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("below dir");
                files.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    Ok((files, dirs))
}

#[cfg(unix)]
fn writable(dir: &Path) -> bool {
    rustix::fs::access(
        dir,
        rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
    )
    .is_ok()
}

#[cfg(not(unix))]
fn writable(dir: &Path) -> bool {
    fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

/// Creates `dir` (which must not exist) and writes the marker, then every file. The marker
/// comes first, so a staged directory left by a crash always says which files are initbook's.
fn write_files(files: &BTreeMap<String, Vec<u8>>, dir: &Path) -> Result<()> {
    fs::create_dir(dir).map_err(|e| Error::io("create", dir, e))?;
    let marker = dir.join(MARKER);
    fs::write(&marker, marker_contents(files)).map_err(|e| Error::io("write", &marker, e))?;
    for (relative, contents) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        fs::write(&path, contents).map_err(|e| Error::io("write", &path, e))?;
    }
    Ok(())
}

/// Puts `staging` in place of `target`; returns where the old site is now.
fn swap(staging: &Path, target: &Path, parent: &Path, name: &str) -> Result<PathBuf> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(staging.to_path_buf()),
            // A file system that cannot exchange: fall back to two renames.
            Err(error)
                if error == rustix::io::Errno::INVAL
                    || error == rustix::io::Errno::NOSYS
                    || error == rustix::io::Errno::OPNOTSUPP => {}
            Err(error) => {
                let _ = fs::remove_dir_all(staging);
                return Err(Error::io("swap in the new site at", target, error.into()));
            }
        }
    }
    let old = unique_sibling(parent, name, "old");
    if let Err(error) = fs::rename(target, &old) {
        let _ = fs::remove_dir_all(staging);
        return Err(Error::io("move aside", target, error));
    }
    if let Err(error) = fs::rename(staging, target) {
        // Put the old site back before reporting.
        let _ = fs::rename(&old, target);
        let _ = fs::remove_dir_all(staging);
        return Err(Error::io("move the new site into", target, error));
    }
    Ok(old)
}

/// Empties a directory that held a site (the previous one, or one a build left behind): files
/// its marker lists are removed, any other file is moved into the site at `target` (or left
/// where it is, with a warning, if the site has a different file there), and the directory is
/// removed once empty.
fn retire(dir: &Path, target: &Path, report: &mut WriteReport) {
    let listed = read_marker(dir).unwrap_or_default();
    let (files, _) = match walk(dir) {
        Ok(found) => found,
        Err(error) => {
            report.warnings.push(format!(
                "could not read {}: {error}; remove it yourself",
                dir.display()
            ));
            return;
        }
    };
    for relative in files {
        let path = dir.join(&relative);
        let result = if relative == MARKER || listed.contains(&relative) {
            fs::remove_file(&path)
        } else {
            carry_over(&path, &target.join(&relative))
        };
        if let Err(error) = result {
            report
                .warnings
                .push(format!("kept {}: {error}", path.display()));
        }
    }
    remove_empty_dirs(dir, report);
}

/// Moves a file initbook did not write into the new site, unless the site already has that
/// file with the same contents (then the copy is dropped: nothing is lost).
fn carry_over(from: &Path, to: &Path) -> io::Result<()> {
    if fs::symlink_metadata(to).is_ok() {
        let same = small_regular_file(from, RECOGNITION_BYTES)
            .is_some_and(|bytes| holds_exactly(to, &bytes));
        return if same {
            fs::remove_file(from)
        } else {
            Err(io::Error::other(format!(
                "the new site has another {}",
                to.display()
            )))
        };
    }
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::rename(from, to)
}

/// For a leftover with no site to carry files into: removes only what its marker lists.
fn remove_listed(dir: &Path, report: &mut WriteReport) {
    let listed = read_marker(dir).unwrap_or_default();
    for relative in listed.iter().map(String::as_str).chain([MARKER]) {
        let path = dir.join(relative);
        if let Err(error) = fs::remove_file(&path)
            && error.kind() != io::ErrorKind::NotFound
        {
            report
                .warnings
                .push(format!("kept {}: {error}", path.display()));
        }
    }
    remove_empty_dirs(dir, report);
}

/// Removes `dir` and the directories below it that are empty; warns when something remains.
fn remove_empty_dirs(dir: &Path, report: &mut WriteReport) {
    let Ok((_, mut dirs)) = walk(dir) else { return };
    // Deepest first.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for each in &dirs {
        let _ = fs::remove_dir(each);
    }
    if dir.exists() {
        report.warnings.push(format!(
            "{} still holds files initbook did not write; look through it and remove it yourself",
            dir.display()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        files
            .iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn marker_lists_the_files_in_order() {
        let text = marker_contents(&site(&[("index.html", "i"), ("figures/a.svg", "a")]));
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(MARKER_HEADER));
        assert!(lines.next().unwrap().starts_with('#'));
        assert_eq!(lines.collect::<Vec<_>>(), ["figures/a.svg", "index.html"]);
    }

    #[test]
    fn a_site_aside_from_a_dead_swap_is_restored_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_site(&site(&[("index.html", "one"), ("old.html", "o")]), &out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        // A build that died between its two renames: the old site is aside, the output missing,
        // and the half-written staging directory of another dead build lies around.
        fs::rename(&out, dir.path().join(".output.old-1-2-3")).unwrap();
        let dead = site(&[("index.html", "partial"), ("z.html", "z")]);
        let staged = dir.path().join(".output.new-4-5-6");
        fs::create_dir(&staged).unwrap();
        fs::write(staged.join(MARKER), marker_contents(&dead)).unwrap();
        fs::write(staged.join("index.html"), "partial").unwrap();

        let report = write_site_with(
            &site(&[("index.html", "two")]),
            &out,
            WriteOptions::default(),
        )
        .unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(
            !out.join("old.html").exists(),
            "the restored site was replaced"
        );
        assert_eq!(
            fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine",
            "a file initbook did not write survives the repair and the rebuild"
        );
        assert_eq!(report.kept, ["notes.txt"]);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != ".output.lock")
            .collect();
        assert_eq!(names, ["output"], "no leftovers");
        assert_eq!(report.target, out.canonicalize().unwrap());
    }
}
