//! The fault catalogue: bad books, one per row, each built over a good site. Every row states the
//! exit code, a piece of the message and, where the fault is in a file, its `file:line:col`; and
//! every build must leave the previous `output/` byte for byte as it was, with nothing left
//! beside it.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{LESSON_ONE, LESSON_TWO, TinyBook, snapshot};

/// One bad book.
struct Fault {
    name: &'static str,
    /// Turns the good book at the given root into the bad one.
    apply: fn(&Path),
    /// Arguments after `build --root ROOT`.
    args: &'static [&'static str],
    exit: i32,
    message: &'static str,
    /// `file:line:col` of the fault, where it is in a file of the book.
    location: Option<&'static str>,
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn lesson_one(root: &Path, text: &str) {
    write(root, "content/01-one.md", text);
}

/// Lesson one with its experiment block's `nodes = 20` line replaced by `lines`.
fn directive(root: &Path, lines: &str) {
    lesson_one(root, &LESSON_ONE.replace("nodes = 20\n", lines));
}

fn book_toml(root: &Path, text: &str) {
    write(root, "content/book.toml", text);
}

/// Lesson one as a training experiment on `data` (the `data = …` value is at 9:8).
fn training(root: &Path, data: &str) {
    lesson_one(
        root,
        &format!(
            "# Training\n\n```experiment\nid = \"train\"\ncaption = \"c\"\nalt = \"a\"\nseed = 1\nkind = \"training\"\ndata = \"{data}\"\nlayers = 1\nnodes = 4\nbatch = 4\niterations = 5\ncompare = [{{ init = \"he\" }}]\n```\n"
        ),
    );
}

/// Lesson one as one big experiment with these lines (its `id` value is at 4:6).
fn big(root: &Path, lines: &str) {
    lesson_one(
        root,
        &format!(
            "# One\n\n```experiment\nid = \"big\"\ncaption = \"c\"\nalt = \"a\"\nseed = 1\n{lines}```\n"
        ),
    );
}

#[cfg(unix)]
fn fifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        0,
    )
    .unwrap();
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// A file outside every book.
fn outside_file() -> &'static Path {
    static OUTSIDE: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = OUTSIDE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret.md"), "# Secret\n").unwrap();
        dir
    });
    Box::leak(dir.path().join("secret.md").into_boxed_path())
}

/// 300 MB of commas, gzip-compressed to a few hundred kilobytes.
fn gzip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let chunk = vec![b','; 1 << 20];
        for _ in 0..300 {
            std::io::Write::write_all(&mut encoder, &chunk).unwrap();
        }
        encoder.finish().unwrap()
    })
}

fn eight_schemes() -> String {
    (0..8)
        .map(|i| {
            format!(
                "{{ init = \"normal\", std = 0.{}, label = \"s{i}\" }}",
                i + 1
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

const NOT_UTF8: &[u8] = b"# T\xff\xfe\n";

fn catalogue() -> Vec<Fault> {
    vec![
        // book.toml
        Fault {
            name: "no book.toml",
            apply: |r| std::fs::remove_file(r.join("content/book.toml")).unwrap(),
            args: &[],
            exit: 1,
            message: "content/book.toml does not exist",
            location: None,
        },
        Fault {
            name: "book.toml is not TOML",
            apply: |r| book_toml(r, "title = \"T\"\nchapters = [\"01-one.md\"\n"),
            args: &[],
            exit: 1,
            message: "content/book.toml:2",
            location: Some("content/book.toml:2:"),
        },
        Fault {
            name: "unknown key in book.toml",
            apply: |r| book_toml(r, "title = \"T\"\nchapter = [\"01-one.md\"]\n"),
            args: &[],
            exit: 1,
            message: "unknown field `chapter`",
            location: Some("content/book.toml:2:1"),
        },
        Fault {
            name: "no chapters",
            apply: |r| book_toml(r, "title = \"T\"\nchapters = []\n"),
            args: &[],
            exit: 1,
            message: "the book has no chapters",
            location: Some("content/book.toml:1:1"),
        },
        Fault {
            name: "chapter not Markdown",
            apply: |r| book_toml(r, "title = \"T\"\nchapters = [\"01-one.txt\"]\n"),
            args: &[],
            exit: 1,
            message: "is not a Markdown file",
            location: Some("content/book.toml:2:13"),
        },
        Fault {
            name: "chapter listed twice",
            apply: |r| {
                book_toml(
                    r,
                    "title = \"T\"\nchapters = [\"01-one.md\", \"01-one.md\"]\n",
                )
            },
            args: &[],
            exit: 1,
            message: "`01-one.md` is listed twice",
            location: Some("content/book.toml:2:26"),
        },
        Fault {
            name: "chapter file missing",
            apply: |r| {
                book_toml(
                    r,
                    "title = \"T\"\nchapters = [\"01-one.md\", \"03-two.md\"]\n",
                )
            },
            args: &[],
            exit: 1,
            message: "cannot read `03-two.md`: it does not exist",
            location: Some("content/book.toml:2:26"),
        },
        Fault {
            name: "chapter outside content/",
            apply: |r| book_toml(r, "title = \"T\"\nchapters = [\"../x.md\"]\n"),
            args: &[],
            exit: 1,
            message: "lesson file names may use only letters",
            location: Some("content/book.toml:2:13"),
        },
        Fault {
            name: "book.toml is a directory",
            apply: |r| {
                std::fs::remove_file(r.join("content/book.toml")).unwrap();
                std::fs::create_dir(r.join("content/book.toml")).unwrap();
            },
            args: &[],
            exit: 1,
            message: "it is a directory, not a regular file",
            location: None,
        },
        Fault {
            name: "book.toml too large",
            apply: |r| {
                book_toml(
                    r,
                    &format!(
                        "title = \"T\"\nchapters = [\"01-one.md\"]\n#{}\n",
                        "x".repeat(300_000)
                    ),
                )
            },
            args: &[],
            exit: 1,
            message: "it is larger than 256 KiB",
            location: None,
        },
        Fault {
            name: "book.toml not UTF-8",
            apply: |r| std::fs::write(r.join("content/book.toml"), NOT_UTF8).unwrap(),
            args: &[],
            exit: 1,
            message: "it is not UTF-8 text",
            location: None,
        },
        // Lessons as files
        #[cfg(unix)]
        Fault {
            name: "lesson symlinked out of the book",
            apply: |r| {
                std::fs::remove_file(r.join("content/02-two.md")).unwrap();
                symlink(outside_file(), &r.join("content/02-two.md"));
            },
            args: &[],
            exit: 1,
            message: "outside the book",
            location: Some("content/book.toml:3:26"),
        },
        #[cfg(unix)]
        Fault {
            name: "lesson is a FIFO",
            apply: |r| {
                std::fs::remove_file(r.join("content/02-two.md")).unwrap();
                fifo(&r.join("content/02-two.md"));
            },
            args: &[],
            exit: 1,
            message: "it is a FIFO, not a regular file",
            location: Some("content/book.toml:3:26"),
        },
        Fault {
            name: "lesson too large",
            apply: |r| lesson_one(r, &format!("# One\n\n{}\n", "word ".repeat(900_000))),
            args: &[],
            exit: 1,
            message: "it is larger than 4 MiB",
            location: Some("content/book.toml:3:13"),
        },
        Fault {
            name: "lesson not UTF-8",
            apply: |r| std::fs::write(r.join("content/01-one.md"), NOT_UTF8).unwrap(),
            args: &[],
            exit: 1,
            message: "it is not UTF-8 text",
            location: Some("content/book.toml:3:13"),
        },
        Fault {
            name: "lesson without a title",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("# First lesson", "First lesson")),
            args: &[],
            exit: 1,
            message: "the lesson has no title",
            location: Some("content/01-one.md:1:1"),
        },
        // Directives
        Fault {
            name: "misspelled key",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("seed = 42", "sede = 42")),
            args: &[],
            exit: 1,
            message: "unknown key `sede` in experiment block",
            location: Some("content/01-one.md:9:1"),
        },
        Fault {
            name: "missing seed",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("seed = 42\n", "")),
            args: &[],
            exit: 1,
            message: "experiment block is missing `seed`",
            location: Some("content/01-one.md:5:1"),
        },
        Fault {
            name: "invalid TOML in a block",
            apply: |r| directive(r, "nodes = = 20\n"),
            args: &[],
            exit: 1,
            message: "invalid TOML",
            location: Some("content/01-one.md:13:"),
        },
        Fault {
            name: "nodes out of range",
            apply: |r| directive(r, "nodes = 0\n"),
            args: &[],
            exit: 1,
            message: "`nodes` = 0 is out of range",
            location: Some("content/01-one.md:13:9"),
        },
        Fault {
            name: "nodes of the wrong type",
            apply: |r| directive(r, "nodes = \"many\"\n"),
            args: &[],
            exit: 1,
            message: "`nodes` must be an integer",
            location: Some("content/01-one.md:13:9"),
        },
        Fault {
            name: "unknown init",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("init = \"he\"", "init = \"xavir\"")),
            args: &[],
            exit: 1,
            message: "unknown init \"xavir\"",
            location: Some("content/01-one.md:10:8"),
        },
        Fault {
            name: "std with he",
            apply: |r| directive(r, "nodes = 20\nstd = 0.1\n"),
            args: &[],
            exit: 1,
            message: "`std` does not apply to init = \"he\"",
            location: Some("content/01-one.md:14:1"),
        },
        Fault {
            name: "duplicate id across lessons",
            apply: |r| {
                write(
                    r,
                    "content/02-two.md",
                    &LESSON_TWO.replace("id = \"tiny-tanh\"", "id = \"small\""),
                )
            },
            args: &[],
            exit: 1,
            message: "duplicate experiment id \"small\"",
            location: Some("content/02-two.md:6:6"),
        },
        Fault {
            name: "invalid id",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("id = \"small\"", "id = \"Bad_ID\"")),
            args: &[],
            exit: 1,
            message: "invalid experiment id \"Bad_ID\"",
            location: Some("content/01-one.md:6:6"),
        },
        Fault {
            name: "range backwards",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("[0.0, 2.0]", "[2.0, 0.0]")),
            args: &[],
            exit: 1,
            message: "`range` must go from low to high",
            location: Some("content/01-one.md:15:9"),
        },
        Fault {
            name: "samples × nodes too large",
            apply: |r| {
                lesson_one(
                    r,
                    &LESSON_ONE
                        .replace("nodes = 20", "nodes = 2048")
                        .replace("samples = 50", "samples = 100000"),
                )
            },
            args: &[],
            exit: 1,
            message: "is too large",
            location: Some("content/01-one.md:14:11"),
        },
        Fault {
            name: "empty compare",
            apply: |r| big(r, "kind = \"depth\"\nactivation = \"tanh\"\ncompare = []\n"),
            args: &[],
            exit: 1,
            message: "`compare` lists 0 schemes",
            location: Some("content/01-one.md:10:11"),
        },
        Fault {
            name: "data path leaving content/",
            apply: |r| training(r, "../secret.csv"),
            args: &[],
            exit: 1,
            message: "leaves content/",
            location: Some("content/01-one.md:9:8"),
        },
        // References
        Fault {
            name: "reference to a missing experiment",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("{small.layer2", "{smal.layer2")),
            args: &[],
            exit: 1,
            message: "no experiment \"smal\" on this page",
            location: Some("content/01-one.md:3:23"),
        },
        Fault {
            name: "reference to a missing layer",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("{small.layer2", "{small.layer9")),
            args: &[],
            exit: 1,
            message: "layer9",
            location: Some("content/01-one.md:3:23"),
        },
        Fault {
            name: "reference to an unknown statistic",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("layer2.std", "layer2.sdt")),
            args: &[],
            exit: 1,
            message: "sdt",
            location: Some("content/01-one.md:3:23"),
        },
        Fault {
            name: "thousands of bad references on one line",
            apply: |r| {
                let refs: Vec<String> = (0..2000)
                    .map(|i| format!("`{{nope{i}.layer1.std}}`"))
                    .collect();
                lesson_one(r, &format!("# One\n\n{}\n", refs.join(" ")));
            },
            args: &[],
            exit: 1,
            message: "… and 1950 more errors not shown",
            location: Some("content/01-one.md:3:1"),
        },
        // Math
        Fault {
            name: "math with unbalanced braces",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("see [the", r"so $\frac{$ see [the")),
            args: &[],
            exit: 1,
            message: "this math does not parse",
            location: Some("content/01-one.md:3:51"),
        },
        Fault {
            name: "math never closed",
            apply: |r| lesson_one(r, &LESSON_ONE.replace("see [the", r"so $\frac12 see [the")),
            args: &[],
            exit: 1,
            message: "this math is not closed",
            location: Some("content/01-one.md:3:51"),
        },
        Fault {
            name: "unknown LaTeX command",
            apply: |r| {
                write(
                    r,
                    "content/02-two.md",
                    &LESSON_TWO.replace(r"\sigma(a)", r"\sigmaa(a)"),
                )
            },
            args: &[],
            exit: 1,
            message: "cannot read this math",
            location: Some("content/02-two.md:3:7"),
        },
        Fault {
            name: "math nested too deep",
            apply: |r| {
                let deep = format!("{}x{}", "{".repeat(40), "}".repeat(40));
                lesson_one(
                    r,
                    &LESSON_ONE.replace("see [the", &format!("so ${deep}$ see [the")),
                );
            },
            args: &[],
            exit: 1,
            message: "this math nests 40 levels deep (at most 32)",
            location: Some("content/01-one.md:3:51"),
        },
        Fault {
            name: "math too long",
            apply: |r| {
                let long = "x+".repeat(3000);
                lesson_one(
                    r,
                    &LESSON_ONE.replace("see [the", &format!("so ${long}x$ see [the")),
                );
            },
            args: &[],
            exit: 1,
            message: "this math is 6001 bytes long (at most 4096)",
            location: Some("content/01-one.md:3:51"),
        },
        // Data sets
        Fault {
            name: "data file missing",
            apply: |r| training(r, "data/none.csv"),
            args: &[],
            exit: 1,
            message: "cannot read content/data/none.csv: it does not exist",
            location: Some("content/01-one.md:9:8"),
        },
        Fault {
            name: "gzip bomb",
            apply: |r| {
                std::fs::write(r.join("content/data/bomb.csv.gz"), gzip_bomb()).unwrap();
                training(r, "data/bomb.csv.gz");
            },
            args: &[],
            exit: 1,
            message: "decompresses to more than 64 MiB",
            location: Some("content/01-one.md:9:8"),
        },
        Fault {
            name: "data file too large",
            apply: |r| {
                let file = std::fs::File::create(r.join("content/data/huge.csv")).unwrap();
                file.set_len(65 << 20).unwrap();
                training(r, "data/huge.csv");
            },
            args: &[],
            exit: 1,
            message: "it is larger than 64 MiB",
            location: Some("content/01-one.md:9:8"),
        },
        #[cfg(unix)]
        Fault {
            name: "data is /dev/zero",
            apply: |r| {
                symlink(Path::new("/dev/zero"), &r.join("content/data/zero.csv"));
                training(r, "data/zero.csv");
            },
            args: &[],
            exit: 1,
            message: "outside the book",
            location: Some("content/01-one.md:9:8"),
        },
        #[cfg(unix)]
        Fault {
            name: "data is a FIFO",
            apply: |r| {
                fifo(&r.join("content/data/pipe.csv"));
                training(r, "data/pipe.csv");
            },
            args: &[],
            exit: 1,
            message: "it is a FIFO, not a regular file",
            location: Some("content/01-one.md:9:8"),
        },
        Fault {
            name: "data with ragged rows",
            apply: |r| {
                write(r, "content/data/ragged.csv", "1,2,0\n3,1\n");
                training(r, "data/ragged.csv");
            },
            args: &[],
            exit: 1,
            message: "line 2: 2 columns, but the first row has 3",
            location: Some("content/01-one.md:9:8"),
        },
        Fault {
            name: "data label not a whole number",
            apply: |r| {
                write(r, "content/data/label.csv", "1,2,0\n3,4,x\n");
                training(r, "data/label.csv");
            },
            args: &[],
            exit: 1,
            message: "label `x` is not a whole number",
            location: Some("content/01-one.md:9:8"),
        },
        Fault {
            name: "data with one class",
            apply: |r| {
                write(r, "content/data/one.csv", "1,2,0\n3,4,0\n5,6,0\n");
                training(r, "data/one.csv");
            },
            args: &[],
            exit: 1,
            message: "fewer than two different labels",
            location: Some("content/01-one.md:9:8"),
        },
        Fault {
            name: "data not UTF-8",
            apply: |r| {
                std::fs::write(r.join("content/data/bin.csv"), b"1,2,\xff\n").unwrap();
                training(r, "data/bin.csv");
            },
            args: &[],
            exit: 1,
            message: "is not UTF-8 text",
            location: Some("content/01-one.md:9:8"),
        },
        // Templates
        Fault {
            name: "template syntax error",
            apply: |r| write(r, "templates/page.html", "{% block content %}{{ oops \n"),
            args: &[],
            exit: 1,
            message: "in the templates",
            location: None,
        },
        Fault {
            name: "template is a directory",
            apply: |r| std::fs::create_dir_all(r.join("templates/base.html")).unwrap(),
            args: &[],
            exit: 1,
            message: "it is a directory, not a regular file",
            location: None,
        },
        #[cfg(unix)]
        Fault {
            name: "template symlinked out of the book",
            apply: |r| symlink(outside_file(), &r.join("templates/style.css")),
            args: &[],
            exit: 1,
            message: "outside the book",
            location: None,
        },
        Fault {
            name: "explorer template syntax error",
            apply: |r| write(r, "templates/explorer.html", "{% if %}\n"),
            args: &[],
            exit: 1,
            message: "in the templates",
            location: None,
        },
        Fault {
            name: "explorer words with a placeholder they cannot fill in",
            apply: |r| {
                write(
                    r,
                    "templates/strings.toml",
                    "explorer_frame_title = \"{activation} at {sigma}\"\n",
                )
            },
            args: &[],
            exit: 1,
            message: "in the templates (strings.toml): `explorer_frame_title` uses {sigma}",
            location: None,
        },
        #[cfg(unix)]
        Fault {
            name: "explorer script symlinked out of the book",
            apply: |r| symlink(outside_file(), &r.join("templates/explorer.js")),
            args: &[],
            exit: 1,
            message: "outside the book",
            location: None,
        },
        // Sweeps
        Fault {
            name: "sweep σ not increasing",
            apply: |r| {
                big(
                    r,
                    "kind = \"sweep\"\nactivation = \"tanh\"\nstd = [0.1, 0.05]\n",
                )
            },
            args: &[],
            exit: 1,
            message: "`std` must be strictly increasing",
            location: Some("content/01-one.md:10:13"),
        },
        Fault {
            name: "sweep of too much work",
            apply: |r| {
                big(
                    r,
                    "kind = \"sweep\"\nactivation = [\"tanh\", \"relu\", \"sigmoid\"]\nstd = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]\nnodes = 1000\nsamples = 1000\nlayers = 5\n",
                )
            },
            args: &[],
            exit: 1,
            message: "30 frames (10 σ × 3 activations) × samples × nodes² × layers",
            location: Some("content/01-one.md:11:9"),
        },
        Fault {
            name: "a page of too many frames",
            apply: |r| {
                let stds: Vec<String> = (1..=30).map(|i| format!("{i}.0")).collect();
                let blocks: String = (1..=2)
                    .map(|seed| format!("```experiment\nid = \"s{seed}\"\ncaption = \"c\"\nalt = \"a\"\nseed = {seed}\nkind = \"sweep\"\nactivation = [\"tanh\", \"relu\", \"sigmoid\"]\nstd = [{}]\nsamples = 10\nnodes = 10\n```\n\n", stds.join(", ")))
                    .collect();
                lesson_one(r, &format!("# One\n\n{blocks}"));
            },
            args: &[],
            exit: 1,
            message: "the sweeps on this page have 180 frames, more than 150 per page",
            location: Some("content/01-one.md:16:6"),
        },
        // The work budget
        Fault {
            name: "depth of minutes",
            apply: |r| {
                big(
                    r,
                    &format!(
                        "kind = \"depth\"\nactivation = \"tanh\"\nlayers = 200\nsamples = 5000\ncompare = [{}]\n",
                        eight_schemes()
                    ),
                )
            },
            args: &[],
            exit: 1,
            message: "multiply-adds of work, more than the 8.0·10¹⁰ one experiment may take",
            location: Some("content/01-one.md:4:6"),
        },
        Fault {
            name: "training of minutes",
            apply: |r| {
                big(
                    r,
                    &format!(
                        "kind = \"training\"\ndata = \"data/digits.csv.gz\"\nbatch = 4096\niterations = 325\ncompare = [{}]\n",
                        eight_schemes()
                    ),
                )
            },
            args: &[],
            exit: 1,
            message: "multiply-adds of work, more than the 8.0·10¹⁰ one experiment may take",
            location: Some("content/01-one.md:4:6"),
        },
        Fault {
            name: "gradients needing too much memory",
            apply: |r| {
                big(
                    r,
                    "kind = \"gradients\"\ninit = \"he\"\nactivation = \"tanh\"\nlayers = 20\nnodes = 10\nsamples = 100000\nclasses = 1000\n",
                )
            },
            args: &[],
            exit: 1,
            message: "of memory, more than the 1.0 GiB one experiment may use",
            location: Some("content/01-one.md:4:6"),
        },
        Fault {
            name: "a book of minutes",
            apply: |r| {
                let blocks: String = (1..=6)
                    .map(|seed| format!("```experiment\nid = \"e{seed}\"\ncaption = \"c\"\nalt = \"a\"\nseed = {seed}\ninit = \"he\"\nactivation = \"relu\"\nlayers = 100\nnodes = 1000\nsamples = 100\n```\n\n"))
                    .collect();
                lesson_one(r, &format!("# One\n\n{blocks}"));
            },
            args: &[],
            exit: 1,
            message: "the book's experiments are estimated at",
            location: Some("content/01-one.md:52:6"),
        },
        // Where the site goes
        Fault {
            name: "--out a directory initbook did not write",
            apply: |r| write(r, "elsewhere/notes.txt", "mine"),
            args: &["--out", "elsewhere"],
            exit: 1,
            message: "was not written by initbook",
            location: None,
        },
        Fault {
            name: "--out --force over a file it did not write",
            apply: |r| write(r, "elsewhere/index.html", "mine"),
            args: &["--out", "elsewhere", "--force"],
            exit: 1,
            message: "refusing to replace index.html",
            location: None,
        },
        Fault {
            name: "--out a regular file",
            apply: |r| write(r, "a-file", "mine"),
            args: &["--out", "a-file"],
            exit: 1,
            message: "is not a directory",
            location: None,
        },
        Fault {
            name: "an unknown flag",
            apply: |_| {},
            args: &["--frobnicate"],
            exit: 2,
            message: "unexpected argument '--frobnicate'",
            location: None,
        },
    ]
}

/// Every file of a directory, relative, with its bytes.
type Snapshot = Vec<(PathBuf, Vec<u8>)>;

/// The good book, built once: its directory and its site.
fn good_book() -> &'static (TinyBook, Snapshot) {
    static GOOD: OnceLock<(TinyBook, Snapshot)> = OnceLock::new();
    GOOD.get_or_init(|| {
        let book = TinyBook::new();
        std::fs::create_dir_all(book.root().join("content/data")).unwrap();
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("content/data/digits.csv.gz"),
            book.root().join("content/data/digits.csv.gz"),
        )
        .unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_initbook"))
            .args(["build", "-q", "--root"])
            .arg(book.root())
            .output()
            .unwrap();
        assert!(output.status.success());
        let site = snapshot(&book.output());
        (book, site)
    })
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Builds `fault`'s book over a copy of the good site; returns what was wrong, if anything.
fn check(fault: &Fault) -> Result<(), String> {
    let (good, site) = good_book();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_tree(&good.root().join("content"), &root.join("content"));
    copy_tree(&good.output(), &root.join("output"));
    (fault.apply)(root);

    let mut child = Command::new(env!("CARGO_BIN_EXE_initbook"))
        .args(["build", "--root"])
        .arg(root)
        .args(fault.args)
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).unwrap();
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the build did not finish within 60 s".to_string());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let message = reader.join().unwrap();

    let mut problems = Vec::new();
    if status.code() != Some(fault.exit) {
        problems.push(format!("exit {:?}, expected {}", status.code(), fault.exit));
    }
    if !message.contains(fault.message) {
        problems.push(format!("the message lacks {:?}", fault.message));
    }
    if let Some(location) = fault.location
        && !message.contains(&format!("--> {location}"))
    {
        problems.push(format!("the message does not point at {location}"));
    }
    if message.contains("panicked") {
        problems.push("it panicked".to_string());
    }
    if snapshot(&root.join("output")) != *site {
        problems.push("output/ changed".to_string());
    }
    let strays: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            (n.starts_with(".output.") || n.starts_with(".elsewhere.")) && !n.ends_with(".lock")
        })
        .collect();
    if !strays.is_empty() {
        problems.push(format!("left behind: {strays:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n--- stderr ---\n{message}",
            problems.join("; ")
        ))
    }
}

#[test]
fn every_bad_book_fails_cleanly_and_leaves_the_site_as_it_was() {
    let faults = catalogue();
    assert!(faults.len() >= 45, "{} faults", faults.len());
    let failures: Vec<String> = faults
        .iter()
        .filter_map(|fault| {
            check(fault)
                .err()
                .map(|problem| format!("[{}] {problem}", fault.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} faults misbehaved:\n\n{}",
        failures.len(),
        faults.len(),
        failures.join("\n\n")
    );
}
