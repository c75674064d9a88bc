//! Reading the book's own files — `book.toml`, lessons, templates, data sets — safely.
//!
//! A book may come from anyone, so a file is read only when, after every symlink is resolved, it
//! is a regular file inside the book's root: a lesson that links to `/etc/passwd`, a data file
//! that is `/dev/zero` or a FIFO, or a directory, is refused with a message that says why. Every
//! read has a size cap (gzip data is capped after decompression too), so no file can exhaust
//! memory or hang a build. Files are opened without blocking and checked again once open, so a
//! file swapped for a FIFO between the check and the open is still refused.

use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// `content/book.toml`.
pub const CONFIG_BYTES: u64 = 256 << 10;
/// One lesson (the longest shipped lesson is about 16 KB).
pub const LESSON_BYTES: u64 = 4 << 20;
/// One template or the stylesheet.
pub const TEMPLATE_BYTES: u64 = 1 << 20;
/// A data file as stored (compressed or not).
pub const DATA_BYTES: u64 = 64 << 20;
/// A data file after decompression: text of at most this many bytes is parsed (the digits are
/// 180 KB; parsed, 64 MiB of text is at most 32 million numbers).
pub const DATA_TEXT_BYTES: u64 = 64 << 20;

/// Why a file of the book was not read.
#[derive(Debug)]
pub enum ReadProblem {
    /// The file (or the target of its symlink) does not exist.
    Missing,
    /// After resolving symlinks the file lies outside the book.
    Outside {
        resolved: PathBuf,
    },
    /// A directory, FIFO, socket or device.
    NotRegular {
        what: &'static str,
    },
    TooLarge {
        limit: u64,
        decompressed: bool,
    },
    NotUtf8,
    Io(io::Error),
}

impl ReadProblem {
    pub fn is_missing(&self) -> bool {
        matches!(self, ReadProblem::Missing)
    }
}

impl fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadProblem::Missing => f.write_str("it does not exist"),
            ReadProblem::Outside { resolved } => write!(
                f,
                "it resolves to {}, outside the book; initbook reads only regular files inside the book's folder, after resolving symlinks",
                resolved.display()
            ),
            ReadProblem::NotRegular { what } => write!(
                f,
                "it is {what}, not a regular file; initbook reads only regular files inside the book's folder"
            ),
            ReadProblem::TooLarge {
                limit,
                decompressed: false,
            } => write!(
                f,
                "it is larger than {} (the limit for this file)",
                size(*limit)
            ),
            ReadProblem::TooLarge {
                limit,
                decompressed: true,
            } => write!(
                f,
                "it decompresses to more than {} (the limit for this file)",
                size(*limit)
            ),
            ReadProblem::NotUtf8 => f.write_str("it is not UTF-8 text"),
            ReadProblem::Io(error) => write!(f, "{error}"),
        }
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

/// The bytes of `root/relative`, if it is a regular file inside `root` (after resolving
/// symlinks) of at most `limit` bytes. Inside [`recording_reads`], the read and what it gave go
/// into the ledger.
pub fn read_inside(root: &Path, relative: &Path, limit: u64) -> Result<Vec<u8>, ReadProblem> {
    let result = read_unrecorded(root, relative, limit);
    LEDGER.with_borrow_mut(|ledger| {
        if let Some(reads) = ledger {
            reads.push(FileRead {
                root: root.to_path_buf(),
                relative: relative.to_path_buf(),
                limit,
                outcome: outcome(&result),
            });
        }
    });
    result
}

fn read_unrecorded(root: &Path, relative: &Path, limit: u64) -> Result<Vec<u8>, ReadProblem> {
    let root = root.canonicalize().map_err(io_problem)?;
    let resolved = root.join(relative).canonicalize().map_err(io_problem)?;
    if !resolved.starts_with(&root) {
        return Err(ReadProblem::Outside { resolved });
    }
    // Checked before opening: opening a FIFO for reading would wait for a writer.
    let metadata = std::fs::metadata(&resolved).map_err(io_problem)?;
    check_regular(&metadata)?;
    let file = open_nonblocking(&resolved).map_err(io_problem)?;
    // And again on what was opened, in case the path changed in between.
    let metadata = file.metadata().map_err(io_problem)?;
    check_regular(&metadata)?;
    if metadata.len() > limit {
        return Err(ReadProblem::TooLarge {
            limit,
            decompressed: false,
        });
    }
    read_capped(file, limit, false)
}

/// [`read_inside`] as text, without a leading UTF-8 byte order mark (editors on Windows add
/// one; it is not part of the text).
pub fn read_text_inside(root: &Path, relative: &Path, limit: u64) -> Result<String, ReadProblem> {
    let bytes = read_inside(root, relative, limit)?;
    let text = String::from_utf8(bytes).map_err(|_| ReadProblem::NotUtf8)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Decompresses gzip `bytes`, refusing output longer than `limit` (a small file can inflate to
/// gigabytes).
pub fn gunzip_capped(bytes: &[u8], limit: u64) -> Result<Vec<u8>, ReadProblem> {
    read_capped(flate2::read::GzDecoder::new(bytes), limit, true)
}

fn read_capped(reader: impl Read, limit: u64, decompressed: bool) -> Result<Vec<u8>, ReadProblem> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadProblem::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadProblem::TooLarge {
            limit,
            decompressed,
        });
    }
    Ok(bytes)
}

fn check_regular(metadata: &std::fs::Metadata) -> Result<(), ReadProblem> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a directory"
    } else {
        special_kind(&kind)
    };
    Err(ReadProblem::NotRegular { what })
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// Every read one piece of work made through [`read_inside`], in order: the file, its size cap,
/// and what the read gave — the bytes' hash, or why there were none (a template the book does
/// not override is a read that found nothing, and creating it is a change).
///
/// A build reads the book only through `read_inside`, so replaying its ledger tells whether
/// the same build now would see the same files ([`ReadLedger::unchanged`]); `serve` uses it to
/// skip rebuilds after file events that changed nothing the build reads (an editor's swap file,
/// a save without edits). Only the recording thread's reads are seen: every read of a build is
/// made on the thread that called it, and its parallel parts (parsing, translating, drawing,
/// rendering) read nothing.
#[derive(Debug, Default)]
pub struct ReadLedger {
    reads: Vec<FileRead>,
}

#[derive(Debug)]
struct FileRead {
    root: PathBuf,
    relative: PathBuf,
    limit: u64,
    outcome: ReadOutcome,
}

/// What a read gave: the bytes' length and SHA-256 (not the bytes: a data set may be tens of
/// megabytes), or the problem as its message (`io::Error` cannot be compared).
type ReadOutcome = Result<(usize, String), String>;

fn outcome(result: &Result<Vec<u8>, ReadProblem>) -> ReadOutcome {
    match result {
        Ok(bytes) => Ok((bytes.len(), crate::hash::sha256_hex(bytes))),
        Err(problem) => Err(problem.to_string()),
    }
}

thread_local! {
    /// The reads of the innermost [`recording_reads`] running on this thread.
    static LEDGER: RefCell<Option<Vec<FileRead>>> = const { RefCell::new(None) };
}

/// Runs `work`, and returns with its result every read it made on this thread through
/// [`read_inside`].
pub fn recording_reads<T>(work: impl FnOnce() -> T) -> (T, ReadLedger) {
    /// Puts back the enclosing recording, if any, even when `work` panics.
    struct Restore(Option<Vec<FileRead>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            LEDGER.with_borrow_mut(|ledger| *ledger = outer);
        }
    }
    let outer = LEDGER.with_borrow_mut(|ledger| ledger.replace(Vec::new()));
    let restore = Restore(outer);
    let result = work();
    let reads = LEDGER
        .with_borrow_mut(Option::take)
        .expect("the recording is in place until it is restored");
    drop(restore);
    (result, ReadLedger { reads })
}

impl ReadLedger {
    /// Whether every read, made again now, gives what it gave then.
    pub fn unchanged(&self) -> bool {
        self.reads.iter().all(|read| {
            outcome(&read_unrecorded(&read.root, &read.relative, read.limit)) == read.outcome
        })
    }

    /// The files read (relative to their root), in the order of the reads; with repeats.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.reads.iter().map(|read| read.relative.as_path())
    }

    /// Whether nothing was read.
    pub fn is_empty(&self) -> bool {
        self.reads.is_empty()
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

fn io_problem(error: io::Error) -> ReadProblem {
    if error.kind() == io::ErrorKind::NotFound {
        ReadProblem::Missing
    } else {
        ReadProblem::Io(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_replays_its_reads_and_sees_every_change() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.md"), "one").unwrap();
        let ((), ledger) = recording_reads(|| {
            read_inside(root, Path::new("a.md"), 100).unwrap();
            assert!(read_inside(root, Path::new("b.md"), 100).is_err());
            // A recording inside another keeps its own reads.
            let ((), inner) = recording_reads(|| {
                read_inside(root, Path::new("c.md"), 100).unwrap_err();
            });
            assert_eq!(inner.files().collect::<Vec<_>>(), [Path::new("c.md")]);
        });
        assert_eq!(
            ledger.files().collect::<Vec<_>>(),
            [Path::new("a.md"), Path::new("b.md")]
        );
        // Outside a recording nothing is kept.
        read_inside(root, Path::new("a.md"), 100).unwrap();
        assert!(ledger.unchanged());
        // Rewriting the same bytes, or another file, changes nothing the ledger read.
        std::fs::write(root.join("a.md"), "one").unwrap();
        std::fs::write(root.join(".a.md.swp"), "swap").unwrap();
        std::fs::write(root.join("c.md"), "not read by the outer work").unwrap();
        assert!(ledger.unchanged());
        // New bytes, a file that appears, one that grows past its cap: changes.
        std::fs::write(root.join("a.md"), "two").unwrap();
        assert!(!ledger.unchanged());
        std::fs::write(root.join("a.md"), "one").unwrap();
        std::fs::write(root.join("b.md"), "now here").unwrap();
        assert!(!ledger.unchanged());
        std::fs::remove_file(root.join("b.md")).unwrap();
        assert!(ledger.unchanged());
        std::fs::write(root.join("a.md"), vec![b'x'; 101]).unwrap();
        assert!(!ledger.unchanged());
    }

    #[test]
    fn reads_regular_files_inside_and_strips_a_bom() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "\u{feff}# Title\n").unwrap();
        let text = read_text_inside(dir.path(), Path::new("a.md"), 100).unwrap();
        assert_eq!(text, "# Title\n");
        assert!(
            read_inside(dir.path(), Path::new("missing.md"), 100)
                .unwrap_err()
                .is_missing()
        );
    }

    #[test]
    fn refuses_large_files_and_gzip_bombs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big"), vec![b'x'; 101]).unwrap();
        let error = read_inside(dir.path(), Path::new("big"), 100).unwrap_err();
        assert!(
            matches!(error, ReadProblem::TooLarge { limit: 100, .. }),
            "{error}"
        );

        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&vec![b','; 1 << 20]).unwrap();
        let small = encoder.finish().unwrap();
        assert!(small.len() < 10_000);
        let error = gunzip_capped(&small, 1000).unwrap_err();
        assert!(
            error.to_string().contains("decompresses to more than"),
            "{error}"
        );
        assert_eq!(gunzip_capped(&small, 1 << 20).unwrap().len(), 1 << 20);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_out_of_the_book_devices_and_fifos() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        let book = tempfile::tempdir().unwrap();
        let link = |target: &Path, name: &str| {
            std::os::unix::fs::symlink(target, book.path().join(name)).unwrap()
        };
        link(&outside.path().join("secret"), "leak.md");
        link(Path::new("/dev/zero"), "zero.csv");
        std::fs::write(book.path().join("inside.md"), "ok").unwrap();
        link(Path::new("inside.md"), "alias.md");
        let fifo = book.path().join("pipe.csv");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
            0,
        )
        .unwrap();

        let problem = |name: &str| read_inside(book.path(), Path::new(name), 100).unwrap_err();
        assert!(matches!(problem("leak.md"), ReadProblem::Outside { .. }));
        assert!(problem("leak.md").to_string().contains("outside the book"));
        assert!(matches!(problem("zero.csv"), ReadProblem::Outside { .. }));
        assert!(problem("pipe.csv").to_string().contains("a FIFO"));
        assert!(problem(".").to_string().contains("a directory"));
        assert_eq!(
            read_inside(book.path(), Path::new("alias.md"), 100).unwrap(),
            b"ok",
            "a symlink that stays inside the book is followed"
        );
    }
}
