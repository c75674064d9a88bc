//! The defects a hostile test of initbook found (issue #13), one regression test each: two
//! builds at once, unbounded and unsafe reads, runaway diagnostics and math, half-done swaps,
//! output symlinks, `--out` over other people's files, byte order marks, silent bad math, and
//! experiments that would run for minutes. (The server's are in `serve.rs`, the cache's in
//! `cache.rs`.)

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{TinyBook, snapshot};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_initbook")
}

/// Runs initbook with `args`; a run that has not finished after `limit` is killed and fails
/// the test (the defects include hangs).
fn initbook_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain both pipes while waiting, so a chatty run cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).unwrap();
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut bytes).unwrap();
        bytes
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`initbook {}` did not finish within {limit:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn initbook(args: &[&str]) -> Output {
    initbook_within(args, Duration::from_secs(120))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn root(book: &TinyBook) -> &str {
    book.root().to_str().unwrap()
}

/// Names in the book's root that are not the book's own: staging directories, old sites.
fn leftovers(book: &TinyBook) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(book.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".output.") && n != ".output.lock")
        .collect();
    names.sort();
    names
}

/// A lesson whose training experiment reads `data`.
fn training_lesson(data: &str) -> String {
    format!(
        "# Training\n\n```experiment\nid = \"train\"\ncaption = \"c\"\nalt = \"a\"\nseed = 1\nkind = \"training\"\ndata = \"{data}\"\nlayers = 1\nnodes = 4\nbatch = 4\niterations = 5\ncompare = [{{ init = \"he\" }}]\n```\n"
    )
}

// 1. Two builds at once.

#[test]
fn two_builds_at_once_always_leave_a_complete_site() {
    let book = TinyBook::new();
    let first = initbook(&["build", "-q", "--root", root(&book)]);
    assert!(first.status.success(), "{}", stderr(&first));
    let expected = snapshot(&book.output());

    // Meanwhile, the site must never be missing.
    let index = book.output().join("index.html");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut missing = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                missing += usize::from(!index.exists());
            }
            missing
        })
    };
    for round in 0..12 {
        let spawn = || {
            Command::new(bin())
                .args(["build", "-q", "--root", root(&book)])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round {round}: {}",
                stderr(&output)
            );
        }
        assert!(
            snapshot(&book.output()) == expected,
            "round {round}: the site is incomplete or mixed"
        );
        assert_eq!(leftovers(&book), Vec::<String>::new(), "round {round}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(watcher.join().unwrap(), 0, "output/index.html went missing");
}

// 3 and 14. Data read whole, without bounds; devices and FIFOs.

#[test]
fn a_gzip_bomb_is_refused_at_its_directive() {
    let book = TinyBook::new();
    book.write("content/01-one.md", &training_lesson("data/bomb.csv.gz"));
    // 300 MB of commas, compressed to a few hundred kilobytes.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b','; 1 << 20];
    for _ in 0..300 {
        std::io::Write::write_all(&mut encoder, &chunk).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    std::fs::create_dir_all(book.root().join("content/data")).unwrap();
    std::fs::write(book.root().join("content/data/bomb.csv.gz"), bomb).unwrap();
    let output = initbook(&["check", "--root", root(&book)]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("content/01-one.md:9:8"), "{message}");
    assert!(
        message.contains("decompresses to more than 64 MiB"),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn a_data_file_that_is_dev_zero_or_a_fifo_is_refused_without_reading_it() {
    let book = TinyBook::new();
    std::fs::create_dir_all(book.root().join("content/data")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", book.root().join("content/data/zero.csv")).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        book.root().join("content/data/pipe.csv"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        0,
    )
    .unwrap();
    for (data, says) in [
        ("data/zero.csv", "outside the book"),
        ("data/pipe.csv", "it is a FIFO, not a regular file"),
    ] {
        book.write("content/01-one.md", &training_lesson(data));
        for command in ["check", "build"] {
            let output =
                initbook_within(&[command, "--root", root(&book)], Duration::from_secs(30));
            assert_eq!(output.status.code(), Some(1), "{data}: {}", stderr(&output));
            let message = stderr(&output);
            assert!(message.contains("content/01-one.md:9:8"), "{message}");
            assert!(message.contains(says), "{message}");
        }
    }
    assert!(!book.output().exists());
}

// 4. Symlinks out of the book.

#[cfg(unix)]
#[test]
fn files_symlinked_out_of_the_book_are_neither_published_nor_echoed() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.md"),
        "# Secret\n\nTOP-SECRET-LINE\n",
    )
    .unwrap();
    std::fs::write(outside.path().join("secret.csv"), "SECRETCELL,1\n").unwrap();

    let book = TinyBook::new();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        book.root().join("content/leak.md"),
    )
    .unwrap();
    book.write(
        "content/book.toml",
        "title = \"Tiny\"\nchapters = [\"01-one.md\", \"leak.md\"]\n",
    );
    let output = initbook(&["build", "--root", root(&book)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("content/book.toml:2:26"), "{message}");
    assert!(message.contains("cannot read `leak.md`"), "{message}");
    assert!(message.contains("outside the book"), "{message}");
    assert!(!book.output().exists(), "nothing is published");

    book.write(
        "content/book.toml",
        "title = \"Tiny\"\nchapters = [\"01-one.md\"]\n",
    );
    std::fs::create_dir_all(book.root().join("content/data")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.csv"),
        book.root().join("content/data/leak.csv"),
    )
    .unwrap();
    book.write("content/01-one.md", &training_lesson("data/leak.csv"));
    let output = initbook(&["check", "--root", root(&book)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("outside the book"), "{message}");
    assert!(!message.contains("SECRETCELL"), "{message}");
}

// 5. Many errors on one long line.

#[test]
fn many_errors_on_one_long_line_print_a_bounded_report() {
    let book = TinyBook::new();
    let references: Vec<String> = (0..2000)
        .map(|i| format!("`{{nope{i}.layer1.std}}`"))
        .collect();
    let line = format!("{} {}", "x".repeat(3_000_000), references.join(" "));
    book.write("content/01-one.md", &format!("# One\n\n{line}\n"));
    let output = initbook(&["check", "--root", root(&book)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.len() < 64 * 1024,
        "{} bytes of diagnostics",
        message.len()
    );
    assert!(
        message.contains("… and 1950 more errors not shown"),
        "{message}"
    );
    assert!(message.contains("2000 errors in the content"));
    assert!(
        message.contains("content/01-one.md:3:3000002"),
        "the column is the real one"
    );
    assert!(
        message.lines().all(|l| l.chars().count() < 300),
        "long lines are shown as a window around the caret"
    );
    let first = message.lines().find(|l| l.starts_with("3 | ")).unwrap();
    assert!(first.starts_with("3 | …xxx"), "{first}");
    assert!(first.contains("`{nope0.layer1.std}`"), "{first}");
}

// 6 and 12. Math: bounded before parsing, and never silently printed as text.

#[test]
fn deeply_nested_math_is_refused_before_the_latex_parser() {
    let book = TinyBook::new();
    let braces = format!(
        "# One\n\nIntro.\n\n$${}x{}$$\n",
        "{".repeat(50_000),
        "}".repeat(50_000)
    );
    book.write("content/01-one.md", &braces);
    let output = initbook_within(&["check", "--root", root(&book)], Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("content/01-one.md:5:1"), "{message}");
    assert!(
        message.contains("this math is 100001 bytes long (at most 4096)"),
        "{message}"
    );

    let fractions = format!(
        "# One\n\nA $$ {}1{} $$.\n",
        r"\frac{1}{".repeat(40),
        "}".repeat(40)
    );
    book.write("content/01-one.md", &fractions);
    let output = initbook_within(&["check", "--root", root(&book)], Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("content/01-one.md:3:3"), "{message}");
    assert!(
        message.contains("nests 40 levels deep (at most 32)"),
        "{message}"
    );
}

#[test]
fn math_that_does_not_parse_is_an_error() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace("Math: $", r"Broken: $\frac{$ and math: $"),
    );
    let output = initbook(&["build", "--root", root(&book)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("content/02-two.md:3:9"), "{message}");
    assert!(message.contains("this math does not parse"), "{message}");
    assert!(message.contains(r"write \$ for a dollar sign"), "{message}");
    assert!(!book.output().exists());
    // A dollar in prose, and an escaped one, stay text.
    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace(
            "Math: $",
            "It costs $5 or $10 for file_name, and \\$x^{2} is escaped.\n\nMath: $",
        ),
    );
    let output = initbook(&["check", "--root", root(&book)]);
    assert!(output.status.success(), "{}", stderr(&output));
}

// 7. A failed or interrupted swap.

#[cfg(unix)]
#[test]
fn an_output_the_build_cannot_change_is_refused_before_anything_moves() {
    use std::os::unix::fs::PermissionsExt;
    let book = TinyBook::new();
    let built = initbook(&["build", "-q", "--root", root(&book)]);
    assert!(built.status.success());
    let before = snapshot(&book.output());
    // The book is writable by anyone; the site is not writable by the one who builds.
    for dir in [book.root(), &book.root().join("content")] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace("First lesson", "Edited"),
    );
    let as_root = rustix::process::geteuid().is_root();
    if !as_root {
        for dir in [book.output(), book.output().join("figures")] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
    }
    let command = || {
        if as_root {
            // Root may write anywhere: build as `nobody`, for whom root's site is read-only.
            let mut command = Command::new("setpriv");
            command.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
            command.arg(bin());
            command
        } else {
            Command::new(bin())
        }
    };
    for round in 0..2 {
        let output = command()
            .args(["build", "--no-cache", "--root", root(&book)])
            .output()
            .expect("building as another user needs `setpriv` (util-linux)");
        assert_eq!(
            output.status.code(),
            Some(1),
            "round {round}: {}",
            stderr(&output)
        );
        let message = stderr(&output);
        assert!(message.contains("is not writable"), "{message}");
        assert!(
            snapshot(&book.output()) == before,
            "round {round}: the site changed"
        );
        assert_eq!(leftovers(&book), Vec::<String>::new());
    }
    if !as_root {
        for dir in [book.output(), book.output().join("figures")] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    // Once it can, the next build replaces the site.
    let output = initbook(&["build", "-q", "--root", root(&book)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(book.read_output("01-one.html").contains("Edited"));
}

#[test]
fn a_build_that_died_between_its_renames_is_repaired_by_the_next() {
    let book = TinyBook::new();
    assert!(
        initbook(&["build", "-q", "--root", root(&book)])
            .status
            .success()
    );
    let site = snapshot(&book.output());
    // What the two-rename swap leaves when the process dies between the renames: the old site
    // aside, no output/.
    std::fs::rename(book.output(), book.root().join(".output.old-99-1-0")).unwrap();
    let output = initbook(&["build", "-q", "--root", root(&book)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(snapshot(&book.output()) == site);
    assert_eq!(leftovers(&book), Vec::<String>::new());
}

// 8. `output` as a symlink.

#[cfg(unix)]
#[test]
fn an_output_symlink_stays_a_symlink_and_its_target_gets_the_site() {
    let book = TinyBook::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("site");
    std::fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(&target, book.output()).unwrap();
    for round in 0..2 {
        let output = initbook(&["build", "-q", "--root", root(&book)]);
        assert!(
            output.status.success(),
            "round {round}: {}",
            stderr(&output)
        );
        assert!(
            std::fs::symlink_metadata(book.output())
                .unwrap()
                .file_type()
                .is_symlink(),
            "round {round}: output/ is still the link"
        );
        assert!(target.join("index.html").is_file(), "round {round}");
        assert_eq!(leftovers(&book), Vec::<String>::new());
    }
    // A dangling link: its target is created, and nothing is left beside either.
    let dangling = elsewhere.path().join("not-yet");
    std::fs::remove_file(book.output()).unwrap();
    std::os::unix::fs::symlink(&dangling, book.output()).unwrap();
    let output = initbook(&["build", "-q", "--root", root(&book)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(dangling.join("index.html").is_file());
    assert_eq!(leftovers(&book), Vec::<String>::new());
    let beside: Vec<String> = std::fs::read_dir(elsewhere.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.') && !n.ends_with(".lock"))
        .collect();
    assert_eq!(beside, Vec::<String>::new());
}

// 9. `--out` over files initbook did not write.

#[test]
fn out_refuses_a_directory_initbook_did_not_write_and_never_deletes_its_files() {
    let book = TinyBook::new();
    let out = book.root().join("public");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("index.html"), "<p>my own page</p>").unwrap();
    std::fs::write(out.join("precious.txt"), "keep me").unwrap();
    let before = snapshot(&out);

    let plain = initbook(&[
        "build",
        "--root",
        root(&book),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(plain.status.code(), Some(1));
    assert!(
        stderr(&plain).contains("was not written by initbook"),
        "{}",
        stderr(&plain)
    );
    assert!(stderr(&plain).contains("--force"));
    assert!(snapshot(&out) == before);

    // Forced, it still will not overwrite a file it did not write with other contents.
    let forced = initbook(&[
        "build",
        "--force",
        "--root",
        root(&book),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(forced.status.code(), Some(1));
    assert!(
        stderr(&forced).contains("refusing to replace index.html"),
        "{}",
        stderr(&forced)
    );
    assert!(snapshot(&out) == before);

    // Without the clash, forced: the site is written, the other file kept.
    std::fs::remove_file(out.join("index.html")).unwrap();
    let forced = initbook(&[
        "build",
        "--force",
        "--root",
        root(&book),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(out.join("01-one.html").is_file());
    assert_eq!(
        std::fs::read_to_string(out.join("precious.txt")).unwrap(),
        "keep me"
    );
    // It is an initbook site now: rebuilding needs no --force and still keeps the file.
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace("First lesson", "Edited"),
    );
    let again = initbook(&[
        "build",
        "--root",
        root(&book),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        std::fs::read_to_string(out.join("01-one.html"))
            .unwrap()
            .contains("Edited")
    );
    assert_eq!(
        std::fs::read_to_string(out.join("precious.txt")).unwrap(),
        "keep me"
    );
}

// 11. A byte order mark.

#[test]
fn a_byte_order_mark_does_not_hide_the_title() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!("\u{feff}{}", common::LESSON_ONE),
    );
    book.write(
        "content/book.toml",
        "\u{feff}title = \"Tiny\"\nchapters = [\"01-one.md\", \"02-two.md\"]\n",
    );
    let output = initbook(&["build", "-q", "--root", root(&book)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        book.read_output("01-one.html")
            .contains("<h1>First lesson</h1>")
    );
    // Columns on the first line count from after the mark.
    book.write("content/01-one.md", "\u{feff}# T `{x.layer1.std}`\n");
    let output = initbook(&["check", "--root", root(&book)]);
    assert!(
        stderr(&output).contains("content/01-one.md:1:5"),
        "{}",
        stderr(&output)
    );
}

// 13. The work budget.

fn budget_error(directive: &str) -> String {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &format!("# One\n\n```experiment\nid = \"big\"\ncaption = \"c\"\nalt = \"a\"\nseed = 1\n{directive}```\n"),
    );
    std::fs::create_dir_all(book.root().join("content/data")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("content/data/digits.csv.gz"),
        book.root().join("content/data/digits.csv.gz"),
    )
    .unwrap();
    let output = initbook(&["check", "--root", root(&book)]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{directive}: {}",
        stderr(&output)
    );
    let message = stderr(&output);
    assert!(message.contains("content/01-one.md:4:6"), "{message}");
    message
}

#[test]
fn experiments_that_would_run_for_minutes_are_refused_with_estimate_and_limit() {
    let schemes = (0..8)
        .map(|i| {
            format!(
                "{{ init = \"normal\", std = 0.{}, label = \"s{i}\" }}",
                i + 1
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let cases = [
        format!(
            "kind = \"depth\"\nactivation = \"tanh\"\nlayers = 200\nsamples = 5000\ncompare = [{schemes}]\n"
        ),
        format!(
            "kind = \"training\"\ndata = \"data/digits.csv.gz\"\nbatch = 4096\niterations = 325\ncompare = [{schemes}]\n"
        ),
        "kind = \"training\"\ndata = \"data/digits.csv.gz\"\nlayers = 2\nbatch = 2049\ncompare = [{ init = \"he\" }]\n"
            .to_string(),
    ];
    for directive in cases {
        let message = budget_error(&directive);
        assert!(
            message.contains("this experiment is estimated at"),
            "{message}"
        );
        assert!(
            message.contains("multiply-adds of work, more than the 8.0·10¹⁰"),
            "{message}"
        );
    }
}

#[test]
fn the_book_total_is_bounded_too() {
    // Each fits alone; together they do not.
    let book = TinyBook::new();
    let block = |id: &str| {
        format!(
            "```experiment\nid = \"{id}\"\ncaption = \"c\"\nalt = \"a\"\nseed = {}\ninit = \"he\"\nactivation = \"relu\"\nlayers = 100\nnodes = 1000\nsamples = 100\n```\n\n",
            id.len() + id.as_bytes()[0] as usize
        )
    };
    let lesson: String = std::iter::once("# One\n\n".to_string())
        .chain(["a", "b", "c", "d", "e", "f"].map(block))
        .collect();
    book.write("content/01-one.md", &lesson);
    let output = initbook(&["check", "--root", root(&book)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("the book's experiments are estimated at"),
        "{message}"
    );
    assert!(
        message.contains("more than the 8.0·10¹⁰ a book may take"),
        "{message}"
    );
    assert_eq!(message.matches("error:").count(), 1, "{message}");
}

#[test]
fn the_shipped_book_is_within_the_budget() {
    let output = initbook(&["check", "--root", env!("CARGO_MANIFEST_DIR")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = String::from_utf8(output.stdout).unwrap();
    assert!(said.contains("work budget:"), "{said}");
}
