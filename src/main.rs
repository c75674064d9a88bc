//! The `initbook` command line. Parses arguments, calls the library, maps errors to exit codes:
//! 0 success, 1 a problem in the content or while building, 2 a usage error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};
use initbook::cache::Cache;
use initbook::draw::draw_figure;
use initbook::manifest::{canonical_data, sha256_hex};
use initbook::numeric::training::Dataset;
use initbook::numeric::{Activation, ActivationParams, Experiment, Init, Outcome, run_experiment};
use initbook::parse::directive::limits;
use initbook::parse::{ExperimentSpec, parse_book};
use initbook::render::describe_experiment;
use initbook::{Error, book, build_site, build_site_with, check_book, write};

#[derive(Parser)]
#[command(
    name = "initbook",
    version,
    about = "Builds a static HTML tutorial from Markdown lessons with seeded, reproducible experiments"
)]
struct Cli {
    /// The book's directory: it holds content/ (and optionally templates/).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(short = 'j', long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: Option<u16>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into ROOT/output (or --out), replacing it only if the build succeeds.
    Build {
        /// Where to write the site.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print nothing on success.
        #[arg(short, long)]
        quiet: bool,
        /// Run every experiment, ignoring (and not filling) the result cache.
        #[arg(long)]
        no_cache: bool,
    },
    /// Remove the result cache (ROOT/target/initbook-cache).
    Clean,
    /// Build, serve the site on this machine, and rebuild and reload pages when the book changes.
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Address to listen on. The default serves this machine only; give 0.0.0.0 to serve the
        /// network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Run every experiment on every rebuild, ignoring the result cache.
        #[arg(long)]
        no_cache: bool,
    },
    /// Check every lesson, directive and template without running or writing anything.
    Check,
    /// Run one experiment: a figure of the book by id, or one described by flags.
    Run(RunArgs),
    /// Rebuild in memory and compare with the site on disk; report every figure or page that
    /// differs. Exit 0 when identical, 1 on any drift.
    Verify {
        /// The site to check (default: ROOT/output).
        #[arg(long, value_name = "DIR")]
        site: Option<PathBuf>,
    },
}

#[derive(Args)]
struct RunArgs {
    /// The experiment's id in the book. Without it, the flags describe the experiment.
    id: Option<String>,
    /// Print the per-layer statistics as JSON.
    #[arg(long)]
    json: bool,
    /// Write the figure as SVG to FILE.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Seed of the ChaCha8 RNG (default: the book's, or 42).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    seed: Option<u64>,
    /// Weight initialisation.
    #[arg(long, value_enum)]
    init: Option<InitArg>,
    /// Weight standard deviation, for --init normal.
    #[arg(long)]
    std: Option<f64>,
    /// Activation function.
    #[arg(long, value_enum)]
    activation: Option<ActivationArg>,
    /// Hidden layers.
    #[arg(long, value_parser = clap::value_parser!(u64).range(limits::LAYERS.0 as u64..=limits::LAYERS.1 as u64))]
    layers: Option<u64>,
    /// Units per layer (and input features).
    #[arg(long, value_parser = clap::value_parser!(u64).range(limits::NODES.0 as u64..=limits::NODES.1 as u64))]
    nodes: Option<u64>,
    /// Input rows.
    #[arg(long, value_parser = clap::value_parser!(u64).range(limits::SAMPLES.0 as u64..=limits::SAMPLES.1 as u64))]
    samples: Option<u64>,
    /// Histogram bins.
    #[arg(long, value_parser = clap::value_parser!(u64).range(limits::BINS.0 as u64..=limits::BINS.1 as u64))]
    bins: Option<u64>,
    /// Histogram range, e.g. --range -1,1
    #[arg(long, value_name = "LO,HI", allow_hyphen_values = true, value_parser = parse_range)]
    range: Option<(f64, f64)>,
}

#[derive(Clone, Copy, ValueEnum)]
enum InitArg {
    Zero,
    Normal,
    Xavier,
    He,
}

#[derive(Clone, Copy, ValueEnum)]
enum ActivationArg {
    Sigmoid,
    Tanh,
    Relu,
}

impl From<ActivationArg> for Activation {
    fn from(arg: ActivationArg) -> Self {
        match arg {
            ActivationArg::Sigmoid => Activation::Sigmoid,
            ActivationArg::Tanh => Activation::Tanh,
            ActivationArg::Relu => Activation::Relu,
        }
    }
}

fn parse_range(text: &str) -> Result<(f64, f64), String> {
    let (lo, hi) = text
        .split_once(',')
        .ok_or("expected two numbers separated by a comma, e.g. -1,1")?;
    let parse = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && v.abs() <= limits::RANGE_MAGNITUDE)
            .ok_or(format!(
                "`{s}` is not a finite number within ±{:e}",
                limits::RANGE_MAGNITUDE
            ))
    };
    let (lo, hi) = (parse(lo)?, parse(hi)?);
    if lo >= hi || !(hi - lo).is_normal() {
        return Err("the low end must come first and be smaller".to_string());
    }
    Ok((lo, hi))
}

/// A problem with how initbook was called (exit code 2).
struct UsageError(String);

enum Failure {
    Usage(UsageError),
    Build(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Build(error)
    }
}

impl From<UsageError> for Failure {
    fn from(error: UsageError) -> Self {
        Failure::Usage(error)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(jobs) = cli.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(jobs))
            .build_global()
            .expect("the thread pool is configured once, before any use");
    }
    let outcome = match &cli.command {
        Command::Build {
            out,
            quiet,
            no_cache,
        } => build(&cli.root, out.as_deref(), *quiet, *no_cache),
        Command::Clean => clean(&cli.root),
        Command::Serve {
            port,
            bind,
            open,
            no_cache,
        } => serve(&cli.root, *bind, *port, *open, *no_cache),
        Command::Check => check(&cli.root),
        Command::Run(args) => run(&cli.root, args),
        Command::Verify { site } => verify(&cli.root, site.as_deref()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(UsageError(message))) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Build(Error::Content(diagnostics))) => {
            // Each with its source line and caret, in colour on a terminal.
            for diagnostic in diagnostics.iter() {
                diagnostic.eprint();
                eprintln!();
            }
            let count = diagnostics.len();
            eprintln!(
                "{count} error{} in the content",
                if count == 1 { "" } else { "s" }
            );
            ExitCode::from(1)
        }
        Err(Failure::Build(error)) => {
            eprintln!("{error}");
            ExitCode::from(1)
        }
    }
}

fn build(root: &Path, out: Option<&Path>, quiet: bool, no_cache: bool) -> Result<(), Failure> {
    let started = Instant::now();
    let cache = if no_cache {
        Cache::disabled()
    } else {
        Cache::for_book(root)
    };
    let progress = Progress::new(quiet);
    let report = build_site_with(root, &cache, &|done, total| progress.update(done, total))?;
    progress.finish();
    let out = out.map_or_else(|| root.join("output"), Path::to_path_buf);
    write::write_site(&report.site.files, &out)?;
    if !quiet {
        let site = &report.site;
        println!(
            "Built {} lessons with {} figures ({} experiments: {} run, {} cached) in {:.2} s → {}",
            site.lessons,
            site.figures,
            site.experiments,
            report.computed,
            report.cached,
            started.elapsed().as_secs_f64(),
            out.display()
        );
    }
    Ok(())
}

fn serve(
    root: &Path,
    bind: std::net::IpAddr,
    port: u16,
    open: bool,
    no_cache: bool,
) -> Result<(), Failure> {
    let cache = if no_cache {
        Cache::disabled()
    } else {
        Cache::for_book(root)
    };
    let server = initbook::serve::start(initbook::serve::ServeOptions {
        root: root.to_path_buf(),
        bind,
        port,
        cache,
    })?;
    let url = format!("http://{}/", server.address);
    println!("Serving {} at {url} (Ctrl+C to stop)", root.display());
    if open {
        open_browser(&url);
    }
    for message in server.log.iter() {
        println!("{message}");
    }
    Ok(())
}

/// Best effort: the desktop's way of opening a URL.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("could not start {opener}; open {url} yourself");
    }
}

fn clean(root: &Path) -> Result<(), Failure> {
    let dir = initbook::cache::cache_dir(root);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => println!("removed {}", dir.display()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            println!("no cache at {}", dir.display());
        }
        Err(error) => return Err(Error::io("remove", &dir, error).into()),
    }
    Ok(())
}

/// A progress bar on stderr for builds that take a while: shown only when stderr is a terminal,
/// never with `--quiet`, and only once the build has run for half a second, so quick rebuilds
/// stay silent.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        use std::io::IsTerminal;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::hidden(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} running experiments {pos}/{len} {wide_bar} {elapsed}",
                )
                .expect("a valid template"),
            );
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
        }
    }

    fn update(&self, done: usize, total: usize) {
        let Some(bar) = &self.bar else { return };
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if bar.is_hidden() && self.started.elapsed().as_millis() >= 500 {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn check(root: &Path) -> Result<(), Failure> {
    let summary = check_book(root)?;
    println!(
        "ok: {} lessons, {} experiments, {} inline references",
        summary.lessons, summary.experiments, summary.references
    );
    Ok(())
}

fn verify(root: &Path, site: Option<&Path>) -> Result<(), Failure> {
    let site_dir = site.map_or_else(|| root.join("output"), Path::to_path_buf);
    let fresh = build_site(root)?;
    let report = initbook::verify::compare_with_disk(&fresh, &site_dir)?;
    if report.is_clean() {
        println!(
            "verify: {} matches a fresh build ({} figures, {} files)",
            site_dir.display(),
            report.figures,
            report.files
        );
        return Ok(());
    }
    let mut message = format!(
        "{} differs from a fresh build ({} difference{}):",
        site_dir.display(),
        report.drift.len(),
        if report.drift.len() == 1 { "" } else { "s" }
    );
    for drift in &report.drift {
        message.push_str(&format!("\n  - {drift}"));
    }
    message.push_str("\nrebuild with `initbook build` to bring the site up to date");
    Err(Error::Other(message).into())
}

fn run(root: &Path, args: &RunArgs) -> Result<(), Failure> {
    let (spec, data) = match &args.id {
        Some(id) => book_experiment(root, id, args)?,
        None => (flag_experiment(args)?, None),
    };
    let outcome = run_experiment(&spec.experiment, spec.seed, data.as_ref());

    if let Some(path) = &args.svg {
        let svg = draw_figure(&spec, &outcome);
        std::fs::write(path, svg).map_err(|e| Error::io("write", path, e))?;
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        // {"id", "seed", "params", "data_sha256", …the outcome's own fields}
        let mut report = serde_json::Map::new();
        report.insert("id".into(), serde_json::json!(args.id));
        report.insert("seed".into(), serde_json::json!(spec.seed));
        report.insert("params".into(), serde_json::json!(spec.experiment));
        report.insert(
            "data_sha256".into(),
            serde_json::json!(sha256_hex(&canonical_data(&outcome))),
        );
        if let serde_json::Value::Object(fields) = serde_json::json!(outcome) {
            report.extend(fields);
        }
        let json = serde_json::to_string_pretty(&report).expect("plain data serialises");
        let _ = writeln!(stdout, "{json}");
    } else if args.svg.is_none() {
        let _ = writeln!(
            stdout,
            "{} — seed {}",
            describe_experiment(&spec.experiment),
            spec.seed
        );
        let _ = write!(stdout, "{}", summary_table(&outcome));
    }
    Ok(())
}

/// A plain-text table of the outcome, for the terminal.
fn summary_table(outcome: &Outcome) -> String {
    let mut out = String::new();
    match outcome {
        Outcome::Activations(result) => {
            out.push_str(&format!(
                "{:>5} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
                "layer", "mean", "std", "unit_std", "min", "max", "mean f'(a)"
            ));
            for l in &result.layers {
                out.push_str(&format!(
                    "{:>5} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>10.4}\n",
                    l.layer, l.mean, l.std, l.unit_std, l.min, l.max, l.deriv_mean
                ));
            }
        }
        Outcome::Gradients(result) => {
            out.push_str(&format!("loss {:.4}\n", result.loss));
            out.push_str(&format!(
                "{:>5} {:>12} {:>14} {:>8}\n",
                "layer", "RMS dL/da", "mean |dL/da|", "tiny"
            ));
            for l in &result.layers {
                out.push_str(&format!(
                    "{:>5} {:>12.3e} {:>14.3e} {:>7.1}%\n",
                    l.layer,
                    l.grad_rms,
                    l.grad_mean_abs,
                    l.grad_tiny_frac * 100.0
                ));
            }
        }
        Outcome::Depth(result) => {
            for series in &result.series {
                let last = series.std.len();
                out.push_str(&format!(
                    "{:<12} std: layer 1 {:.3e}, layer {} {:.3e}, layer {last} {:.3e}\n",
                    series.label,
                    series.std[0],
                    last.div_ceil(2),
                    series.std[last.div_ceil(2) - 1],
                    series.std[last - 1]
                ));
            }
        }
        Outcome::Training(result) => {
            out.push_str(&format!(
                "{} training samples, {} test samples\n{:<12} {:>10} {:>10} {:>10}  distinct units\n",
                result.train_samples, result.test_samples, "scheme", "loss", "train", "test"
            ));
            for run in &result.runs {
                out.push_str(&format!(
                    "{:<12} {:>10.4} {:>9.1}% {:>9.1}%  {:?}\n",
                    run.label,
                    initbook::parse::reference::final_loss(&run.loss),
                    run.train_accuracy * 100.0,
                    run.test_accuracy * 100.0,
                    run.distinct_units
                ));
            }
        }
    }
    out
}

/// The book's experiment `id`, with any parameter flags applied on top, and its data set.
fn book_experiment(
    root: &Path,
    id: &str,
    args: &RunArgs,
) -> Result<(ExperimentSpec, Option<Dataset>), Failure> {
    let book = parse_book(&book::load_book(root)?).map_err(Error::from)?;
    let Some(spec) = book.find_experiment(id) else {
        let ids: Vec<&str> = book.experiments().map(|(_, s)| s.id.as_str()).collect();
        let hint = match initbook::diagnostic::suggest(id, &ids) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("the book's experiments: {}", ids.join(", ")),
        };
        return Err(UsageError(format!("no experiment `{id}` in the book; {hint}")).into());
    };
    let mut spec = spec.clone();
    let network_flags = args.init.is_some()
        || args.std.is_some()
        || args.activation.is_some()
        || args.layers.is_some()
        || args.nodes.is_some()
        || args.samples.is_some()
        || args.bins.is_some()
        || args.range.is_some();
    match &mut spec.experiment {
        Experiment::Activations(params) => *params = apply_flags(*params, args)?,
        Experiment::Gradients(params) => {
            let mut as_activations = ActivationParams {
                init: params.init,
                activation: params.activation,
                layers: params.layers,
                nodes: params.nodes,
                samples: params.samples,
                bins: params.bins,
                range: params.range.unwrap_or((-1.0, 1.0)),
            };
            as_activations = apply_flags(as_activations, args)?;
            params.init = as_activations.init;
            params.activation = as_activations.activation;
            params.layers = as_activations.layers;
            params.nodes = as_activations.nodes;
            params.samples = as_activations.samples;
            params.bins = as_activations.bins;
            if args.range.is_some() {
                params.range = Some(as_activations.range);
            }
            if let Some(problem) =
                limits::gradient_size_problem(params.layers, params.nodes, params.samples)
            {
                return Err(UsageError(problem).into());
            }
        }
        other if network_flags => {
            return Err(UsageError(format!(
                "`{id}` is a {} experiment: of the parameter flags, only --seed applies to it",
                other.kind()
            ))
            .into());
        }
        _ => {}
    }
    if let Some(seed) = args.seed {
        spec.seed = seed;
    }
    let data = match &spec.data {
        Some(source) => {
            let mut datasets = initbook::data::load_datasets(root, &book).map_err(Error::from)?;
            datasets.remove(&source.path).map(|file| file.dataset)
        }
        None => None,
    };
    Ok((spec, data))
}

/// An experiment described entirely by flags.
fn flag_experiment(args: &RunArgs) -> Result<ExperimentSpec, Failure> {
    if args.init.is_none() || args.activation.is_none() {
        return Err(UsageError(
            "give an experiment id, or at least --init and --activation (e.g. initbook run --init xavier --activation tanh)"
                .to_string(),
        )
        .into());
    }
    let base = ActivationParams::classic(Init::Zero, Activation::Sigmoid);
    let params = apply_flags(base, args)?;
    Ok(ExperimentSpec {
        id: "experiment".to_string(),
        caption: describe_experiment(&Experiment::Activations(params)),
        alt: format!("{} histograms of activations, one per layer", params.layers),
        seed: args.seed.unwrap_or(42),
        experiment: Experiment::Activations(params),
        data: None,
        table: false,
        figure: true,
        y_max: None,
        smooth: 1,
        line: 0,
        id_span: 0..0,
    })
}

fn apply_flags(
    mut params: ActivationParams,
    args: &RunArgs,
) -> Result<ActivationParams, UsageError> {
    let current_std = match params.init {
        Init::Normal { std } => Some(std),
        _ => None,
    };
    if let Some(init) = args.init {
        params.init = match init {
            InitArg::Zero => Init::Zero,
            InitArg::Xavier => Init::Xavier,
            InitArg::He => Init::He,
            InitArg::Normal => Init::Normal {
                std: args.std.or(current_std).ok_or_else(|| {
                    UsageError("--init normal needs --std, e.g. --std 0.01".to_string())
                })?,
            },
        };
    }
    if let Some(std) = args.std {
        match &mut params.init {
            Init::Normal { std: current } => *current = std,
            other => {
                return Err(UsageError(format!(
                    "--std applies only to --init normal, not {}",
                    other.name()
                )));
            }
        }
    }
    if let Init::Normal { std } = params.init
        && !(std > limits::STD.0 && std <= limits::STD.1)
    {
        return Err(UsageError(format!(
            "--std must be greater than {} and at most {}",
            limits::STD.0,
            limits::STD.1
        )));
    }
    if let Some(activation) = args.activation {
        params.activation = activation.into();
    }
    // clap has checked each bound; these casts cannot truncate.
    params.layers = args.layers.map_or(params.layers, |n| n as usize);
    params.nodes = args.nodes.map_or(params.nodes, |n| n as usize);
    params.samples = args.samples.map_or(params.samples, |n| n as usize);
    params.bins = args.bins.map_or(params.bins, |n| n as usize);
    params.range = args.range.unwrap_or(params.range);
    if let Some(problem) = limits::size_problem(params.layers, params.nodes, params.samples) {
        return Err(UsageError(problem));
    }
    Ok(params)
}
