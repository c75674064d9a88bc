//! The `initbook` command line. Parses arguments, calls the library, maps errors to exit codes:
//! 0 success, 1 a problem in the content, the flags or while building, 2 a usage error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand};
use initbook::cache::Cache;
use initbook::parse::flags::flag_specs;
use initbook::reproduce::{RunRequest, reproduce};
use initbook::{Error, build_site, build_site_with, check_book, write};

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
    /// Run one experiment: a figure of the book by id, or one described by flags. Flags
    /// override the book's keys and are checked like them.
    Run(RunArgs),
    /// Print the directive reference: every kind, and every key with its type, default, bounds
    /// and meaning.
    Directives,
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
    #[command(flatten)]
    params: ParamFlags,
}

/// The parameter flags, one per flag key of the schema, as `(key, text)` in command-line order.
/// Values stay text: the directive checker reads and checks them.
struct ParamFlags(Vec<(String, String)>);

impl Args for ParamFlags {
    fn augment_args(command: clap::Command) -> clap::Command {
        command.args(flag_specs().into_iter().map(|flag| {
            clap::Arg::new(flag.key)
                .long(flag.long)
                .value_name(flag.value_name)
                .help(flag.help)
                .allow_hyphen_values(true)
                .num_args(1)
        }))
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for ParamFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut given: Vec<(usize, String, String)> = flag_specs()
            .into_iter()
            .filter_map(|flag| {
                let text = matches.get_one::<String>(flag.key)?;
                let index = matches.index_of(flag.key)?;
                Some((index, flag.key.to_string(), text.clone()))
            })
            .collect();
        given.sort();
        Ok(ParamFlags(
            given
                .into_iter()
                .map(|(_, key, text)| (key, text))
                .collect(),
        ))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
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
    let root = cli.root.as_path();
    let outcome = match cli.command {
        Command::Build {
            out,
            quiet,
            no_cache,
        } => build(root, out.as_deref(), quiet, cache(root, no_cache)),
        Command::Clean => clean(root),
        Command::Serve {
            port,
            bind,
            open,
            no_cache,
        } => serve(root, bind, port, open, cache(root, no_cache)),
        Command::Check => check_book(root).map(|summary| {
            println!(
                "ok: {} lessons, {} experiments, {} inline references",
                summary.lessons, summary.experiments, summary.references
            )
        }),
        Command::Run(args) => run(root, args),
        Command::Directives => {
            print!("{}", initbook::directive_reference::markdown());
            Ok(())
        }
        Command::Verify { site } => verify(root, site.as_deref()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Error::Content(diagnostics)) => print_diagnostics(&diagnostics, "the content"),
        Err(Error::Flags(diagnostics)) => print_diagnostics(&diagnostics, "the flags"),
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(1)
        }
    }
}

/// Each diagnostic with its source line and caret (in colour on a terminal), then the count.
fn print_diagnostics(diagnostics: &initbook::diagnostic::Diagnostics, place: &str) -> ExitCode {
    for diagnostic in diagnostics.iter() {
        diagnostic.eprint();
        eprintln!();
    }
    eprintln!("{}", Error::count_in(diagnostics, place));
    ExitCode::from(1)
}

fn cache(root: &Path, no_cache: bool) -> Cache {
    if no_cache {
        Cache::disabled()
    } else {
        Cache::for_book(root)
    }
}

fn build(root: &Path, out: Option<&Path>, quiet: bool, cache: Cache) -> Result<(), Error> {
    let started = Instant::now();
    let progress = initbook::progress::Progress::new(quiet);
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
    cache: Cache,
) -> Result<(), Error> {
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

fn clean(root: &Path) -> Result<(), Error> {
    let dir = initbook::cache::cache_dir(root);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => println!("removed {}", dir.display()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            println!("no cache at {}", dir.display());
        }
        Err(error) => return Err(Error::io("remove", &dir, error)),
    }
    Ok(())
}

fn verify(root: &Path, site: Option<&Path>) -> Result<(), Error> {
    let site_dir = site.map_or_else(|| root.join("output"), Path::to_path_buf);
    let report = initbook::verify::compare_with_disk(&build_site(root)?, &site_dir)?;
    if !report.is_clean() {
        return Err(Error::Other(report.drift_message(&site_dir)));
    }
    println!(
        "verify: {} matches a fresh build ({} figures, {} files)",
        site_dir.display(),
        report.figures,
        report.files
    );
    Ok(())
}

fn run(root: &Path, args: RunArgs) -> Result<(), Error> {
    let request = RunRequest {
        id: args.id,
        flags: args.params.0,
    };
    let reproduction = reproduce(root, &request)?;
    if let Some(path) = &args.svg {
        std::fs::write(path, reproduction.svg()).map_err(|e| Error::io("write", path, e))?;
    }
    if args.json {
        print!("{}", reproduction.json());
    } else if args.svg.is_none() {
        print!("{}", reproduction.summary());
    }
    Ok(())
}
