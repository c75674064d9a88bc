//! initbook against its peers, side by side, whole processes, release build.
//!
//! `benches/compare.sh [--runs N]` (or `cargo bench --bench compare -- [--runs N]`);
//! `--write-book DIR` only writes the benchmark book (both versions) into `DIR`. Needs `mdbook` on the
//! PATH (`cargo install mdbook --locked`; a benchmark tool, not a dependency), `python3` with
//! numpy (`pip install numpy`) and `/usr/bin/time` (Debian package `time`); it stops with a
//! message naming whatever is missing rather than leave a row out.
//!
//! The commands of each comparison run alternately, `--runs` times (default 7, at least 5) after
//! one warm-up each, so that a busy moment of the machine hits all of them; the table shows the
//! medians of wall time and of CPU time (user + system, which a machine shared with other work
//! disturbs less) and initbook's ratio to the fastest peer:
//! - `initbook build --no-cache` of the benchmark book (six chapters of the tutorial's prose,
//!   six 1000 × 100 × 5 experiments; `common::write_benchmark_book`) against `mdbook build` of
//!   the same six chapters as prose only;
//! - `initbook run training --json` (the training lesson's experiment: three ReLU networks
//!   trained on the digits) against the same training in numpy (`benches/peers/training_numpy.py`),
//!   with OpenBLAS's default threads and with one thread (on a busy machine OpenBLAS's spinning
//!   threads can make the default many times slower; the ratio is taken against the faster).
//!
//! Then one classic 1000 × 100 × 5 experiment per activation on a one-thread pool, in process,
//! best and median of 200 runs, in wall time and in the worker thread's CPU time; and the peak memory (maximum resident set) of
//! `initbook build --no-cache` of the whole tutorial, from `/usr/bin/time -v`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn main() {
    let arguments: Vec<String> = std::env::args().collect();
    if let Some(dir) = option(&arguments, "--write-book") {
        // Only write the two books, e.g. to profile a build of them.
        common::write_benchmark_book(Path::new(dir));
        return;
    }
    let runs = option(&arguments, "--runs")
        .map(|n| n.parse().expect("--runs takes a number"))
        .unwrap_or(7)
        .max(5);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let initbook = Path::new(env!("CARGO_BIN_EXE_initbook"));
    let missing = missing_tools();
    if !missing.is_empty() {
        eprintln!("compare: missing {}", missing.join(", "));
        std::process::exit(2);
    }
    let work = tempfile::tempdir().unwrap();
    common::write_benchmark_book(work.path());
    let scratch = |name: &str| work.path().join(name);

    let book = compare(
        runs,
        vec![
            (
                "initbook build --no-cache (benchmark book)".to_string(),
                command(initbook, &["--root"])
                    .arg(scratch("initbook"))
                    .args(["build", "--no-cache", "-q", "--out"])
                    .arg(scratch("initbook-site")),
            ),
            (
                "mdbook build (same chapters, prose only)".to_string(),
                command(Path::new("mdbook"), &["build"])
                    .arg(scratch("mdbook"))
                    .arg("--dest-dir")
                    .arg(scratch("mdbook-site")),
            ),
        ],
    );
    let numpy = |threads: Option<&str>| {
        let mut numpy = command(Path::new("python3"), &[]);
        numpy
            .arg(root.join("benches/peers/training_numpy.py"))
            .arg(root.join("content/data/digits.csv.gz"));
        if let Some(threads) = threads {
            numpy.env("OPENBLAS_NUM_THREADS", threads);
        }
        numpy
    };
    let training = compare(
        runs,
        vec![
            (
                "initbook run training --json".to_string(),
                command(initbook, &["--root"])
                    .arg(root)
                    .args(["run", "training", "--json"]),
            ),
            (
                "numpy + OpenBLAS, default threads".to_string(),
                &mut numpy(None),
            ),
            (
                "numpy + OpenBLAS, OPENBLAS_NUM_THREADS=1".to_string(),
                &mut numpy(Some("1")),
            ),
        ],
    );
    let peak = peak_memory_kib(
        command(initbook, &["--root"])
            .arg(root)
            .args(["build", "--no-cache", "-q", "--out"])
            .arg(scratch("tutorial-site")),
    );

    println!();
    println!(
        "{runs} alternating runs each; medians of whole-process wall time and of CPU time \
         (user + system); ratios against the fastest peer:"
    );
    println!();
    println!("| work | initbook: wall (CPU) | peers: wall (CPU) | wall ratio | CPU ratio |");
    println!("|---|--:|---|--:|--:|");
    for (what, medians) in [("benchmark book", &book), ("training", &training)] {
        let ours = &medians[0];
        let peers = &medians[1..];
        let fastest = |of: fn(&Medians) -> f64| peers.iter().map(of).fold(f64::INFINITY, f64::min);
        let listed: Vec<String> = peers
            .iter()
            .map(|peer| {
                format!(
                    "{}: {:.1} ms ({:.0} ms)",
                    peer.name, peer.wall_ms, peer.cpu_ms
                )
            })
            .collect();
        println!(
            "| {what} | {:.1} ms ({:.0} ms) | {} | {:.2} | {:.2} |",
            ours.wall_ms,
            ours.cpu_ms,
            listed.join("; "),
            ours.wall_ms / fastest(|m| m.wall_ms),
            ours.cpu_ms / fastest(|m| m.cpu_ms),
        );
    }
    println!();
    println!(
        "one 1000 × 100 × 5 experiment on one thread, in process ({EXPERIMENT_RUNS} runs; the best \
         is the closest to an idle machine; CPU time is the worker thread's, which a busy machine \
         disturbs less than wall time):"
    );
    println!();
    println!("| experiment | wall: best | wall: median | CPU: best | CPU: median |");
    println!("|---|--:|--:|--:|--:|");
    for timing in one_experiment_on_one_thread() {
        println!(
            "| {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            timing.name, timing.best_wall, timing.median_wall, timing.best_cpu, timing.median_cpu
        );
    }
    println!();
    println!(
        "peak memory of `initbook build --no-cache` of the tutorial: {:.1} MB",
        peak as f64 / 1024.0
    );
}

/// Runs of each experiment in [`one_experiment_on_one_thread`].
const EXPERIMENT_RUNS: usize = 200;

/// Times of one experiment's runs, in milliseconds.
struct ExperimentTiming {
    name: &'static str,
    best_wall: f64,
    median_wall: f64,
    best_cpu: f64,
    median_cpu: f64,
}

/// The classic experiment, per scheme: best and median wall and CPU time of [`EXPERIMENT_RUNS`]
/// runs on a one-thread pool.
fn one_experiment_on_one_thread() -> Vec<ExperimentTiming> {
    use initbook::numeric::{Activation, ActivationParams, Init, run_activations};
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    [
        (
            "sigmoid, N(0, 1)",
            Init::Normal { std: 1.0 },
            Activation::Sigmoid,
        ),
        ("tanh, Xavier", Init::Xavier, Activation::Tanh),
        ("ReLU, He", Init::He, Activation::Relu),
    ]
    .into_iter()
    .map(|(name, init, activation)| {
        let params = ActivationParams::classic(init, activation);
        let (mut walls, mut cpus): (Vec<f64>, Vec<f64>) = (0..EXPERIMENT_RUNS)
            .map(|_| {
                // Timed on the pool's one thread, where the experiment runs.
                pool.install(|| {
                    let (start, start_cpu) = (Instant::now(), thread_cpu_ns());
                    std::hint::black_box(run_activations(&params, 42));
                    let cpu = (thread_cpu_ns() - start_cpu) as f64 / 1e6;
                    (start.elapsed().as_secs_f64() * 1000.0, cpu)
                })
            })
            .unzip();
        let best = |values: &[f64]| values.iter().copied().fold(f64::INFINITY, f64::min);
        ExperimentTiming {
            name,
            best_wall: best(&walls),
            median_wall: median(&mut walls),
            best_cpu: best(&cpus),
            median_cpu: median(&mut cpus),
        }
    })
    .collect()
}

/// CPU time the calling thread has run, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`, which counts
/// the running slice too, unlike `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> u64 {
    let mut time = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `time` is a valid timespec for the call to fill.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    time.tv_sec as u64 * 1_000_000_000 + time.tv_nsec as u64
}

fn command(program: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args);
    command
}

/// Medians of one command's runs.
struct Medians {
    name: String,
    /// Wall-clock time of the whole process.
    wall_ms: f64,
    /// User + system CPU time of the whole process (all its threads).
    cpu_ms: f64,
}

/// Runs the commands in turn, `runs` rounds after a warm-up round, and returns their medians.
fn compare(runs: usize, commands: Vec<(String, &mut Command)>) -> Vec<Medians> {
    let names: Vec<&str> = commands.iter().map(|(name, _)| name.as_str()).collect();
    eprintln!("{}", names.join("  vs  "));
    // Warm-up: file caches, and the first run's one-time costs, for every command.
    for (_, command) in &commands {
        run_once(command);
    }
    let mut walls = vec![Vec::new(); commands.len()];
    let mut cpus = vec![Vec::new(); commands.len()];
    for round in 0..runs {
        let mut this_round = Vec::new();
        for (i, (_, command)) in commands.iter().enumerate() {
            let (wall, cpu) = run_once(command);
            walls[i].push(wall);
            cpus[i].push(cpu);
            this_round.push(format!("{wall:.1} ms (CPU {cpu:.0} ms)"));
        }
        eprintln!("  run {}: {}", round + 1, this_round.join("  vs  "));
    }
    commands
        .into_iter()
        .zip(walls.iter_mut().zip(&mut cpus))
        .map(|((name, _), (walls, cpus))| Medians {
            name,
            wall_ms: median(walls),
            cpu_ms: median(cpus),
        })
        .collect()
}

/// Wall time and CPU time (user + system, from `/usr/bin/time`, 10 ms resolution) of one run of
/// `command`, which must succeed.
fn run_once(command: &Command) -> (f64, f64) {
    let record = tempfile::NamedTempFile::new().unwrap();
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-o")
        .arg(record.path())
        .args(["-f", "%U %S"])
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    let start = Instant::now();
    let output = timed
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let wall = start.elapsed().as_secs_f64() * 1000.0;
    assert!(
        output.status.success(),
        "{command:?} failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let times = std::fs::read_to_string(record.path()).unwrap();
    let cpu: f64 = times
        .split_whitespace()
        .map(|t| t.parse::<f64>().expect("seconds from /usr/bin/time"))
        .sum();
    (wall, cpu * 1000.0)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

/// Maximum resident set size of one run, in KiB, as `/usr/bin/time -v` reports it.
fn peak_memory_kib(command: &Command) -> u64 {
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(command.get_program())
        .args(command.get_args())
        .stdout(Stdio::null())
        .output()
        .expect("/usr/bin/time");
    assert!(output.status.success(), "{command:?} failed");
    let report = String::from_utf8_lossy(&output.stderr);
    report
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in /usr/bin/time's report:\n{report}"))
}

fn missing_tools() -> Vec<String> {
    let works = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let mut missing = Vec::new();
    if !works("mdbook", &["--version"]) {
        missing.push("mdbook (cargo install mdbook --locked)".to_string());
    }
    if !works("python3", &["-c", "import numpy"]) {
        missing.push("python3 with numpy (pip install numpy)".to_string());
    }
    if !PathBuf::from("/usr/bin/time").exists() {
        missing.push("/usr/bin/time (apt-get install time)".to_string());
    }
    missing
}

/// The value after `name` among the arguments; others (cargo passes `--bench`) are ignored.
fn option<'a>(arguments: &'a [String], name: &str) -> Option<&'a str> {
    arguments
        .windows(2)
        .find(|pair| pair[0] == name)
        .map(|pair| pair[1].as_str())
}
