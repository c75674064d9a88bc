//! The `initbook` command line. Parses arguments, calls the library, maps errors to exit codes:
//! 0 success, 1 a problem in the content, the flags or while building, 2 a usage error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use initbook::cache::Cache;
use initbook::parse::flags::flag_specs;
use initbook::reproduce::{RunRequest, reproduce};
use initbook::{Error, build_site_with, check_book, write};

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
    Build(BuildArgs),
    /// Remove the result cache (ROOT/target/initbook-cache).
    Clean,
    /// Build, serve the site on this machine, and rebuild and reload pages when the book changes.
    Serve(ServeArgs),
    /// Check every lesson, directive and template without running or writing anything; print how
    /// much of each translation is done.
    Check {
        /// Fail (exit 1) if any translation has a gap, naming the file and line of each.
        #[arg(long)]
        strict: bool,
    },
    /// Translations: `i18n update LANG` brings LANG's catalogs (content/i18n/LANG/*.po) up to
    /// date with the English lessons.
    I18n {
        #[command(subcommand)]
        command: I18nCommand,
    },
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
    /// Act as an mdBook preprocessor: read [context, book] as JSON on stdin, write the book
    /// with its experiments drawn on stdout (in book.toml: [preprocessor.initbook]
    /// command = "initbook mdbook").
    Mdbook {
        #[command(subcommand)]
        check: Option<MdbookCheck>,
    },
}

#[derive(Subcommand)]
enum MdbookCheck {
    /// Exit 0 if initbook works with this mdBook renderer, 1 if not.
    Supports { renderer: String },
}

#[derive(Subcommand)]
enum I18nCommand {
    /// Add the English's new texts to LANG's catalogs (empty), mark changed ones fuzzy (keeping
    /// their translation) and vanished ones obsolete.
    Update {
        /// The language's tag, as in book.toml's [languages.LANG].
        language: String,
    },
}

#[derive(Args)]
struct BuildArgs {
    /// Where to write the site.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing on success.
    #[arg(short, long)]
    quiet: bool,
    /// Run every experiment, ignoring (and not filling) the result cache.
    #[arg(long)]
    no_cache: bool,
    /// Write into a non-empty directory that initbook did not write (its files are kept).
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct ServeArgs {
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
    /// Draw the figure as the book's edition in LANG shows it (its words, caption and alt text).
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    // The parameter flags are added from the key schema: see `with_parameter_flags`.
}

/// `run` with one flag per flag key of the schema. Their values stay text: the directive
/// checker reads and checks them.
fn with_parameter_flags(command: clap::Command) -> clap::Command {
    command.mut_subcommand("run", |run| {
        run.args(flag_specs().into_iter().map(|flag| {
            clap::Arg::new(flag.key)
                .long(flag.long)
                .value_name(flag.value_name)
                .help(flag.help)
                .allow_hyphen_values(true)
        }))
    })
}

/// The parameter flags given to `run`, as `(key, text)` in command-line order.
fn parameter_flags(run: &ArgMatches) -> Vec<(String, String)> {
    let mut given: Vec<(usize, String, String)> = flag_specs()
        .into_iter()
        .filter_map(|flag| {
            let text = run.get_one::<String>(flag.key)?.clone();
            Some((run.index_of(flag.key)?, flag.key.to_string(), text))
        })
        .collect();
    given.sort();
    given
        .into_iter()
        .map(|(_, key, text)| (key, text))
        .collect()
}

fn main() -> ExitCode {
    let matches = with_parameter_flags(Cli::command()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    if let Some(jobs) = cli.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(jobs))
            .build_global()
            .expect("the thread pool is configured once, before any use");
    }
    let root = cli.root.as_path();
    let outcome = match cli.command {
        Command::Build(args) => build(root, args),
        Command::Clean => initbook::cache::clean(root).and_then(|done| say(&format!("{done}\n"))),
        Command::Serve(args) => serve(root, args),
        Command::Check { strict } => check(root, strict),
        Command::I18n {
            command: I18nCommand::Update { language },
        } => i18n_update(root, &language),
        Command::Run(args) => {
            let flags = matches.subcommand_matches("run").map(parameter_flags);
            run(root, args, flags.unwrap_or_default())
        }
        Command::Directives => say(&initbook::directive_reference::markdown()),
        Command::Mdbook {
            check: Some(MdbookCheck::Supports { renderer }),
        } => {
            return if initbook::mdbook::supports_renderer(&renderer) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            };
        }
        Command::Mdbook { check: None } => mdbook(),
        Command::Verify { site } => {
            let site = site.unwrap_or_else(|| root.join("output"));
            initbook::verify::verify_site(root, &site).and_then(|done| say(&format!("{done}\n")))
        }
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

/// The diagnostics with their source lines and carets (in colour on a terminal; at most 50),
/// then the count.
fn print_diagnostics(diagnostics: &initbook::diagnostic::Diagnostics, place: &str) -> ExitCode {
    diagnostics.eprint(place);
    ExitCode::from(1)
}

fn cache(root: &Path, no_cache: bool) -> Cache {
    if no_cache {
        Cache::disabled()
    } else {
        Cache::for_book(root)
    }
}

fn build(root: &Path, args: BuildArgs) -> Result<(), Error> {
    let started = Instant::now();
    let progress = initbook::progress::Progress::new(args.quiet);
    let cache = cache(root, args.no_cache);
    let report = build_site_with(root, &cache, &|done, total| progress.update(done, total))?;
    progress.finish();
    let out = args.out.unwrap_or_else(|| root.join("output"));
    let options = write::WriteOptions { force: args.force };
    let written = write::write_site_with(&report.site.files, &out, options)?;
    for warning in &written.warnings {
        eprintln!("warning: {warning}");
    }
    for coverage in report.coverage.iter().filter(|c| !c.gaps.is_empty()) {
        eprintln!(
            "warning: {} ({} texts shown in English; `initbook check --strict` lists them)",
            coverage.summary(),
            coverage.fuzzy + coverage.missing
        );
    }
    if !args.quiet {
        say(&format!(
            "{}\n",
            report.summary(started.elapsed().as_secs_f64(), &out)
        ))?;
    }
    Ok(())
}

fn serve(root: &Path, args: ServeArgs) -> Result<(), Error> {
    let server = initbook::serve::start(initbook::serve::ServeOptions {
        root: root.to_path_buf(),
        bind: args.bind,
        port: args.port,
        cache: cache(root, args.no_cache),
    })?;
    let url = format!("http://{}/", server.address);
    // A closed stdout must not stop the server.
    let _ = writeln!(
        std::io::stdout(),
        "Serving {} at {url} (Ctrl+C to stop)",
        root.display()
    );
    if args.open {
        open_browser(&url);
    }
    for message in server.log.iter() {
        // A closed stdout must not stop the server.
        let _ = writeln!(std::io::stdout(), "{message}");
    }
    Ok(())
}

/// `initbook check`: the book's summary and each translation's coverage; with `strict`, every
/// gap by `file:line`, and exit 1 if there is one.
fn check(root: &Path, strict: bool) -> Result<(), Error> {
    let summary = check_book(root)?;
    say(&format!("{summary}\n"))?;
    let gaps: usize = summary.coverage.iter().map(|c| c.gaps.len()).sum();
    if strict && gaps > 0 {
        for gap in summary.coverage.iter().flat_map(|c| &c.gaps) {
            eprintln!("{gap}");
        }
        return Err(Error::Other(format!(
            "{gaps} untranslated or fuzzy texts (check --strict)"
        )));
    }
    Ok(())
}

/// `initbook i18n update LANG`: writes the updated catalogs and says what changed in each.
fn i18n_update(root: &Path, language: &str) -> Result<(), Error> {
    let book = initbook::book::load_book(root)?;
    let updates = initbook::i18n::update_catalogs(root, &book, language)?;
    initbook::i18n::write_catalogs(root, &updates)?;
    for update in &updates {
        say(&format!("{update}\n"))?;
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

/// Reads mdBook's `[context, book]` from stdin and writes the processed book to stdout.
fn mdbook() -> Result<(), Error> {
    let book = initbook::mdbook::run_preprocessor(std::io::stdin().lock())?;
    let json = serde_json::to_string(&book)
        .map_err(|error| Error::Other(format!("writing the book for mdBook: {error}")))?;
    say(&json)
}

fn run(root: &Path, args: RunArgs, flags: Vec<(String, String)>) -> Result<(), Error> {
    let request = RunRequest { id: args.id, flags };
    let reproduction = reproduce(root, &request)?;
    if let Some(path) = &args.svg {
        let svg = match &args.lang {
            Some(tag) => reproduction.svg_in(root, tag)?,
            None => reproduction.svg(),
        };
        std::fs::write(path, svg).map_err(|e| Error::io("write", path, e))?;
    }
    if args.json {
        say(&reproduction.json())?;
    } else if args.svg.is_none() {
        say(&reproduction.summary())?;
    }
    Ok(())
}

/// Writes `text` to standard output. A reader that stopped reading (`initbook run ID --json |
/// head -c 100`) is not an error: the rest is dropped and the command ends as it would have
/// (`print!` would panic instead). Any other failure to write (a full disk) is an error, exit 1.
fn say(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Other(format!(
            "cannot write to standard output: {error}"
        ))),
        _ => Ok(()),
    }
}
