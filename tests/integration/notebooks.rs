//! The lessons' Jupyter notebooks (`output/notebooks/`, committed; `tests/integration/determinism.rs` checks
//! that a fresh build gives the same bytes): valid nbformat 4 against nbformat's own schema
//! (vendored in `tests/fixtures/nbformat/` with its licence), deterministic, linked from every
//! page; and their code right — each distinct experiment cell, run with numpy for seeds 1, 2 and
//! 3 (the training and sweep cells, which take seconds, for the page's own seed), gives
//! statistics within a band of what `initbook run ID --seed N --json` gives (run through the
//! library, in this process, meanwhile). numpy's generator
//! is not initbook's, so the band is statistical: it is wide enough for the seed-to-seed spread
//! of each statistic (which grows with depth) and narrow enough that a wrong scale, activation,
//! layer order or a missing batch normalization falls outside it. The batch-normalization
//! lesson's experiments (histograms, gradients and the sixteen-scale training, learned γ/β and
//! running statistics) are compared like the others.
//!
//! The numpy checks need `python3` with numpy (`pip install numpy`). Without it they are skipped
//! with a SKIPPED notice in the test run's output (the README's test command needs only Rust);
//! CI installs numpy and sets `INITBOOK_REQUIRE_NUMPY=1`, under which a missing numpy fails. matplotlib is not needed: the cells compute
//! their statistics before they plot, and `tests/notebooks/run_cells.py` stands in for it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use initbook::book::load_book;
use initbook::model::ExperimentSpec;
use initbook::numeric::experiment::Kind;
use initbook::parse::parse_book;
use initbook::reproduce::{Reproduction, RunRequest, reproduce};
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::common::tutorial_outcomes;
use crate::json_schema::Validator;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The lesson slugs, in book order, from `content/book.toml`.
fn slugs() -> Vec<String> {
    let config: toml::Table =
        toml::from_str(&std::fs::read_to_string(repo().join("content/book.toml")).unwrap())
            .unwrap();
    config["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().trim_end_matches(".md").to_string())
        .collect()
}

/// The site's editions: the directory of each under output/ ("" for the book's own language),
/// and words its pages and notebooks must show.
struct Edition {
    dir: &'static str,
    download: &'static str,
    /// From the notebook's first cell, saying how its numbers compare with the page's.
    statistically: &'static str,
}

const EDITIONS: [Edition; 2] = [
    Edition {
        dir: "",
        download: "Download as notebook",
        statistically: "statistically, not bit for bit",
    },
    Edition {
        dir: "ko/",
        download: "노트북으로 내려받기",
        statistically: "통계적으로 일치할 뿐, 비트 단위까지 같지는 않습니다",
    },
];

fn notebook_path(dir: &str, slug: &str) -> PathBuf {
    repo()
        .join(format!("output/{dir}notebooks"))
        .join(format!("{slug}.ipynb"))
}

fn read_notebook(slug: &str) -> Value {
    read_edition_notebook("", slug)
}

fn read_edition_notebook(dir: &str, slug: &str) -> Value {
    let path = notebook_path(dir, slug);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `cargo run --release -- build`)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

fn source(cell: &Value) -> String {
    cell["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap())
        .collect()
}

fn validator() -> Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/fixtures/nbformat/nbformat.v4.schema.json"))
            .unwrap(),
    )
    .unwrap();
    Validator::new(schema)
}

#[test]
fn every_lesson_has_a_valid_deterministic_notebook_linked_from_its_page() {
    let validator = validator();
    for (edition, slug) in EDITIONS
        .iter()
        .flat_map(|edition| slugs().into_iter().map(move |slug| (edition, slug)))
    {
        let dir = edition.dir;
        let notebook = read_edition_notebook(dir, &slug);
        let slug = format!("{dir}{slug}");
        let errors = validator.errors(&notebook);
        assert!(errors.is_empty(), "{slug}.ipynb: {errors:#?}");
        assert_eq!(notebook["nbformat"], 4);

        let cells = notebook["cells"].as_array().unwrap();
        let code: Vec<&Value> = cells.iter().filter(|c| c["cell_type"] == "code").collect();
        for cell in &code {
            assert_eq!(
                cell["execution_count"],
                Value::Null,
                "{slug}: an execution count"
            );
            assert_eq!(cell["outputs"], json!([]), "{slug}: outputs");
        }
        let setup = source(code[0]);
        assert!(setup.contains("import numpy as np"), "{slug}: {setup}");
        assert!(
            setup.contains("rng = np.random.default_rng(seed)"),
            "{slug}: {setup}"
        );
        let first = source(&cells[0]);
        assert!(
            first.contains(edition.statistically),
            "{slug}: the first cell says how the numbers compare: {first}"
        );
        let all: String = cells.iter().map(source).collect();
        assert!(
            !all.contains("`{"),
            "{slug}: an inline reference left unfilled"
        );
        // Cross-references read as the page's text, "Figure 3.1", with no link left: a
        // notebook has no figure anchors.
        assert!(
            !all.contains("[]("),
            "{slug}: a cross-reference left as a link"
        );
        let page = std::fs::read_to_string(repo().join(format!("output/{slug}.html"))).unwrap();
        let xrefs: Vec<&str> = page
            .split("<a class=\"xref\" href=\"")
            .skip(1)
            .map(|rest| {
                let text = &rest[rest.find("\">").unwrap() + 2..];
                &text[..text.find("</a>").unwrap()]
            })
            .collect();
        for xref in &xrefs {
            assert!(
                all.contains(xref),
                "{slug}: the page's {xref:?} is not in the notebook"
            );
        }
        for cell in cells {
            let id = cell["id"].as_str().unwrap();
            assert!(id.starts_with("cell-"), "{slug}: cell id {id}");
        }

        // The page's links are relative: an edition's pages link its own notebooks.
        let name = slug.trim_start_matches(dir);
        let link = format!(
            "href=\"notebooks/{name}.ipynb\" download>{}</a>",
            edition.download
        );
        assert!(page.contains(&link), "{slug}.html has no notebook link");
        let panel_link = format!("<a href=\"notebooks/{name}.ipynb\" download>");
        if page.contains("<details class=\"reproduce\">") {
            let panels = page.matches("<details class=\"reproduce\">").count();
            assert_eq!(
                page.matches(&panel_link).count(),
                panels + 1,
                "{slug}.html: every Reproduce panel links the notebook"
            );
        }
    }
    // The training data ships beside each edition's notebooks, byte for byte.
    for edition in &EDITIONS {
        let dir = edition.dir;
        assert_eq!(
            std::fs::read(repo().join(format!("output/{dir}notebooks/data/digits.csv.gz")))
                .unwrap(),
            std::fs::read(repo().join("content/data/digits.csv.gz")).unwrap(),
            "{dir}notebooks/data/digits.csv.gz"
        );
    }
}

/// Whether `text` holds a Hangul syllable.
fn has_hangul(text: &str) -> bool {
    text.chars().any(|c| ('가'..='힣').contains(&c))
}

#[test]
fn a_korean_notebook_has_the_korean_prose_and_the_english_code() {
    for slug in slugs() {
        let english = read_notebook(&slug);
        let korean = read_edition_notebook("ko/", &slug);
        let cells = |notebook: &Value, kind: &str| -> Vec<String> {
            notebook["cells"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|cell| cell["cell_type"] == kind)
                .map(source)
                .collect()
        };
        assert_eq!(
            cells(&korean, "code"),
            cells(&english, "code"),
            "ko/{slug}: the code cells are the English notebook's"
        );
        let (prose, english_prose) = (cells(&korean, "markdown"), cells(&english, "markdown"));
        assert_eq!(prose.len(), english_prose.len(), "ko/{slug}: prose cells");
        // Every prose cell is translated: Hangul in each (a cell of a formula or a name alone
        // may stay as it is, but the lessons have none).
        for (cell, english_cell) in prose.iter().zip(&english_prose) {
            assert!(
                has_hangul(cell) && cell != english_cell,
                "ko/{slug}: a prose cell in English: {cell}"
            );
        }
        // The Korean page's text, numbers filled in, is in the notebook: its title and the
        // exact commands draw the figures with the Korean words.
        let page = std::fs::read_to_string(repo().join(format!("output/ko/{slug}.html"))).unwrap();
        let title = &page[page.find("<h1").unwrap()..];
        let title = &title[title.find('>').unwrap() + 1..title.find("</h1>").unwrap()];
        assert!(
            prose[0].starts_with(&format!("# {title}\n")),
            "ko/{slug}: {title}"
        );
        // The commands under the experiments' headings (not the lessons' own shell examples).
        let commands = prose
            .iter()
            .flat_map(|cell| cell.split("`initbook run ").skip(1))
            .map(|rest| &rest[..rest.find('`').unwrap()]);
        for command in commands.filter(|command| command.contains("--svg")) {
            assert!(
                command.contains(" --lang ko --svg "),
                "ko/{slug}: {command}"
            );
        }
    }
}

#[test]
fn the_schema_check_can_fail() {
    let validator = validator();
    let mut notebook = read_notebook(&slugs()[0]);
    assert!(validator.is_valid(&notebook));
    let code = notebook["cells"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["cell_type"] == "code")
        .unwrap();
    code.as_object_mut().unwrap().remove("outputs");
    assert!(
        !validator.is_valid(&notebook),
        "a code cell needs `outputs`"
    );
}

#[test]
fn the_notebook_says_the_exact_command_of_every_experiment() {
    let notebook = read_notebook("03-std-one");
    let text: String = notebook["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(source)
        .collect();
    assert!(text.contains("`initbook run sigmoid-std1 --seed 42 --svg sigmoid-std1.svg`"));
    assert!(text.contains("`initbook run sigmoid-std1-seed7 --seed 7 --json`"));
    // Math stays as written, for Jupyter to typeset.
    assert!(text.contains("$\\mathcal{N}(0, 1)$"));
    let intro = read_notebook("01-introduction");
    let text: String = intro["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(source)
        .collect();
    assert!(
        text.contains("[Zero initialization](02-zero.ipynb)"),
        "links between lessons point at the notebooks"
    );
}

/// Every experiment cell of every notebook: `(id, code)`; the id comes from the `initbook run`
/// command in the Markdown cell above it. Also the setup cell of each notebook.
fn experiment_cells() -> Vec<(String, Vec<(String, String)>)> {
    slugs()
        .into_iter()
        .map(|slug| {
            let notebook = read_notebook(&slug);
            let cells = notebook["cells"].as_array().unwrap();
            let mut setup = None;
            let mut experiments = Vec::new();
            let mut pending: Option<String> = None;
            for cell in cells {
                let text = source(cell);
                if cell["cell_type"] == "markdown" {
                    pending = text
                        .split("initbook run ")
                        .nth(1)
                        .map(|rest| rest.split_whitespace().next().unwrap().to_string());
                } else if setup.is_none() {
                    setup = Some(text);
                } else {
                    let id = pending.take().unwrap_or_else(|| {
                        panic!("{slug}: a code cell without its command above it")
                    });
                    experiments.push((id, text));
                }
            }
            experiments.insert(0, (String::new(), setup.unwrap()));
            (slug, experiments)
        })
        .collect()
}

/// Whether `python3` with numpy is here to run the cells. Where it is not, the numpy checks are
/// skipped loudly on a developer's machine (the README's test command needs only Rust), with a
/// notice written past the test harness's capture so it shows in the run's output; with
/// `INITBOOK_REQUIRE_NUMPY=1`, which `.ci/run` sets after installing numpy, a missing numpy
/// fails the test instead — so CI never passes without running them.
fn numpy_is_here() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import numpy"])
        .status()
        .is_ok_and(|status| status.success());
    if found {
        return true;
    }
    let install = "python3 with numpy runs the notebooks' code: `pip install numpy`";
    assert!(
        std::env::var_os("INITBOOK_REQUIRE_NUMPY").is_none(),
        "INITBOOK_REQUIRE_NUMPY is set and numpy is missing: {install}"
    );
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED (not passed): the notebooks' numpy check did not run. {install}\n"
    );
    false
}

/// The cells' statistics for each seed, by seed and experiment id: every seed and cell in one
/// `python3` process, so numpy is imported once per process.
fn run_cells(
    setup: &str,
    cells: &[(String, String)],
    seeds: &[u64],
) -> BTreeMap<u64, BTreeMap<String, Value>> {
    let request = json!({ "setup": setup, "seeds": seeds, "experiments": cells });
    let mut child = Command::new("python3")
        .arg(repo().join("tests/notebooks/run_cells.py"))
        .current_dir(repo().join("output/notebooks"))
        // One BLAS thread: on a busy machine many threads make numpy ten times slower.
        .env("OPENBLAS_NUM_THREADS", "1")
        .env("OMP_NUM_THREADS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    serde_json::to_writer(child.stdin.take().unwrap(), &request).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the cells failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let by_seed: BTreeMap<String, BTreeMap<String, Value>> =
        serde_json::from_slice(&output.stdout).unwrap();
    by_seed
        .into_iter()
        .map(|(seed, stats)| (seed.parse().unwrap(), stats))
        .collect()
}

/// What `initbook run ID --seed N --json` prints, from the library in this process (the
/// command is a thin wrapper around it).
fn initbook_run(id: &str, seed: u64) -> Value {
    let request = RunRequest {
        id: Some(id.to_string()),
        flags: vec![("seed".to_string(), seed.to_string())],
    };
    let reproduction = reproduce(repo(), &request)
        .unwrap_or_else(|error| panic!("initbook run {id} --seed {seed}: {error}"));
    serde_json::from_str(&reproduction.json()).unwrap()
}

fn number(value: &Value) -> f64 {
    value.as_f64().unwrap()
}

/// `numpy` within `absolute + relative × |initbook|` of `initbook`.
fn close(what: &str, numpy: f64, initbook: f64, absolute: f64, relative: f64) -> Option<String> {
    let band = absolute + relative * initbook.abs();
    ((numpy - initbook).abs() > band)
        .then(|| format!("{what}: numpy {numpy:.4e}, initbook {initbook:.4e}, allowed ±{band:.2e}"))
}

/// Positive quantities spanning orders of magnitude, compared as ratios: `|ln(numpy /
/// initbook)| ≤ band`; zero only where initbook has zero.
fn close_ratio(what: &str, numpy: f64, initbook: f64, band: f64) -> Option<String> {
    if initbook == 0.0 || numpy == 0.0 {
        return (numpy.abs() > 1e-12 || initbook.abs() > 1e-12)
            .then(|| format!("{what}: numpy {numpy:.4e}, initbook {initbook:.4e}"));
    }
    let log_ratio = (numpy / initbook).ln().abs();
    (log_ratio > band).then(|| {
        format!(
            "{what}: numpy {numpy:.4e}, initbook {initbook:.4e}, a factor {:.2} (allowed {:.2})",
            log_ratio.exp(),
            band.exp()
        )
    })
}

/// Per-layer mean and std of activations, numpy's against initbook's. Layer 1 averages 10⁵
/// values through one random matrix, and its statistics vary little between seeds; each layer
/// after it multiplies in another random gain (for ReLU, seeds 1–3 of initbook alone differ by
/// 50% at layer 4), so the band widens like √(layer − 1).
fn compare_layers(
    at: &dyn Fn(String) -> String,
    prefix: &str,
    numpy: &Value,
    initbook: &Value,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (py, rs) in numpy
        .as_array()
        .unwrap()
        .iter()
        .zip(initbook.as_array().unwrap())
    {
        let layer = number(&rs["layer"]);
        let relative = 0.1 + 0.2 * (layer - 1.0).sqrt();
        for stat in ["mean", "std"] {
            problems.extend(close(
                &at(format!("{prefix}layer {layer} {stat}")),
                number(&py[stat]),
                number(&rs[stat]),
                0.01,
                relative,
            ));
        }
    }
    problems
}

/// The differences outside the band between one cell's statistics and initbook's.
fn compare(id: &str, seed: u64, numpy: &Value, initbook: &Value) -> Vec<String> {
    let at = |what: String| format!("{id} (seed {seed}) {what}");
    let mut problems = Vec::new();
    match initbook["params"]["kind"].as_str().unwrap() {
        "activations" => {
            problems.extend(compare_layers(&at, "", numpy, &initbook["layers"]));
        }
        "sweep" => {
            // Every frame (activation × σ) is an activation experiment on the sweep's one draw.
            let (py_frames, rs_frames) = (
                numpy.as_array().unwrap(),
                initbook["frames"].as_array().unwrap(),
            );
            if py_frames.len() != rs_frames.len() {
                problems.push(at(format!(
                    "{} frames in numpy, {} in initbook",
                    py_frames.len(),
                    rs_frames.len()
                )));
            }
            for (py, rs) in py_frames.iter().zip(rs_frames) {
                let frame = format!("{} σ={} ", rs["activation"], rs["std"]);
                if py["activation"] != rs["activation"] || py["std"] != rs["std"] {
                    problems.push(at(format!(
                        "{frame}: numpy's frame is {} σ={}",
                        py["activation"], py["std"]
                    )));
                }
                problems.extend(compare_layers(&at, &frame, &py["layers"], &rs["layers"]));
            }
        }
        "gradients" => {
            // RMS and mean |∂L/∂a| span orders of magnitude between layers: compared as ratios.
            for (py, rs) in numpy
                .as_array()
                .unwrap()
                .iter()
                .zip(initbook["layers"].as_array().unwrap())
            {
                let layer = number(&rs["layer"]);
                for stat in ["grad_rms", "grad_mean_abs"] {
                    problems.extend(close_ratio(
                        &at(format!("layer {layer} {stat}")),
                        number(&py[stat]),
                        number(&rs[stat]),
                        0.5,
                    ));
                }
            }
        }
        "depth" => {
            for (py, rs) in numpy
                .as_array()
                .unwrap()
                .iter()
                .zip(initbook["series"].as_array().unwrap())
            {
                assert_eq!(py["label"], rs["label"]);
                let stds = py["std"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(rs["std"].as_array().unwrap());
                for (layer, (py_std, rs_std)) in stds.enumerate() {
                    let band = 0.1 + 0.35 * ((layer + 1) as f64).sqrt();
                    problems.extend(close_ratio(
                        &at(format!("{} layer {} std", rs["label"], layer + 1)),
                        number(py_std),
                        number(rs_std),
                        band,
                    ));
                }
            }
        }
        "training" => {
            // A short run stops on its steep learning curve, where its accuracy varies between
            // seeds like 1/√steps (the sixteen-scale runs of 90 steps with batch normalization
            // end anywhere from 46% to 89%); long runs keep the 0.2 band. The mean accuracy
            // over the compared schemes varies less, like band/√schemes, and is held to that
            // but never less than 0.1 (one scheme, such as the batches of 4, gets the band of
            // one run: its accuracy ranges from 0.60 to 0.78 over seeds 1–5 and 42).
            let iterations = number(&initbook["params"]["iterations"]);
            let accuracy_band = (3.3 / iterations.sqrt()).max(0.2);
            let mut test_accuracies = (0.0, 0.0, 0);
            for (py, rs) in numpy
                .as_array()
                .unwrap()
                .iter()
                .zip(initbook["runs"].as_array().unwrap())
            {
                assert_eq!(py["label"], rs["label"]);
                let label = rs["label"].as_str().unwrap();
                let losses = rs["loss"].as_array().unwrap();
                let tail = &losses[losses.len().saturating_sub(50)..];
                // A run that diverged has NaN losses (null in the JSON) and weights. Near the
                // step size where that starts, one generator's run may diverge and the other's
                // only die (chance accuracy): then only the accuracies, near chance in both,
                // are compared.
                let diverged = tail.iter().any(Value::is_null) || py["final_loss"].is_null();
                if !diverged {
                    let final_loss = tail.iter().map(number).sum::<f64>() / tail.len() as f64;
                    problems.extend(close(
                        &at(format!("{label} final loss")),
                        number(&py["final_loss"]),
                        final_loss,
                        0.25,
                        0.3,
                    ));
                }
                for stat in ["train_accuracy", "test_accuracy"] {
                    problems.extend(close(
                        &at(format!("{label} {stat}")),
                        number(&py[stat]),
                        number(&rs[stat]),
                        accuracy_band,
                        0.0,
                    ));
                }
                test_accuracies.0 += number(&py["test_accuracy"]);
                test_accuracies.1 += number(&rs["test_accuracy"]);
                test_accuracies.2 += 1;
                if !diverged && py["distinct_units"] != rs["distinct_units"] {
                    problems.push(at(format!(
                        "{label} distinct units: numpy {}, initbook {}",
                        py["distinct_units"], rs["distinct_units"]
                    )));
                }
            }
            let (py_sum, rs_sum, runs) = test_accuracies;
            problems.extend(close(
                &at("mean test accuracy of the schemes".to_string()),
                py_sum / runs as f64,
                rs_sum / runs as f64,
                (accuracy_band / (runs as f64).sqrt()).max(0.1),
                0.0,
            ));
        }
        other => panic!("{id}: no comparison for the kind {other}: add one"),
    }
    problems
}

/// A cell's code after its `seed = N` line: what it computes, whatever the seed.
fn body(code: &str) -> &str {
    code.split_once('\n').map_or(code, |(_, rest)| rest)
}

/// The setup cell every notebook shares (they differ in their `seed = N` line only), and every
/// distinct experiment cell of the book once, in reading order, with the id of its first
/// occurrence. The summary re-runs earlier lessons' experiments: the same cell, and, checked
/// here, the same experiment for initbook, so it would give the same comparison again.
fn distinct_cells() -> (String, Vec<(String, String)>) {
    let book = parse_book(&load_book(repo()).unwrap()).unwrap();
    let experiment = |id: &str| &book.find_experiment(id).unwrap().experiment;
    let mut setup: Option<String> = None;
    let mut cells: Vec<(String, String)> = Vec::new();
    for (slug, mut notebook) in experiment_cells() {
        let (_, own_setup) = notebook.remove(0);
        match &setup {
            Some(first) => assert_eq!(body(first), body(&own_setup), "{slug}: another setup cell"),
            None => setup = Some(own_setup),
        }
        for (id, code) in notebook {
            match cells.iter().find(|(_, seen)| body(seen) == body(&code)) {
                Some((first, _)) => assert_eq!(
                    experiment(first),
                    experiment(&id),
                    "{id} has the code of {first} but not its experiment"
                ),
                None => cells.push((id, code)),
            }
        }
    }
    (setup.unwrap(), cells)
}

/// The seeds a cell is checked for. The networks that learn (training, and the sweep's 75
/// forward passes) cost seconds in numpy; one seed checks their code as well as three (a wrong
/// line changes the curves for every seed), and the page's own seed — the one the notebook
/// opens with — costs initbook nothing: its outcome is the tutorial's, computed once for every
/// test (from the result cache when it is warm). The quick forward-pass cells take seeds 1–3.
fn seeds_to_check(spec: &ExperimentSpec) -> Vec<u64> {
    if checked_at_the_page_seed(spec) {
        vec![spec.seed]
    } else {
        vec![1, 2, 3]
    }
}

fn checked_at_the_page_seed(spec: &ExperimentSpec) -> bool {
    match spec.experiment.kind() {
        Kind::Training | Kind::Sweep => true,
        Kind::Activations | Kind::Gradients | Kind::Depth => false,
    }
}

/// What `initbook run ID --json` prints for the page's own seed, from the tutorial's outcomes.
fn initbook_page_run(id: &str) -> Value {
    let (book, outcomes) = tutorial_outcomes();
    let reproduction = Reproduction {
        id: Some(id.to_string()),
        spec: book.find_experiment(id).unwrap().clone(),
        outcome: outcomes[id].clone(),
    };
    serde_json::from_str(&reproduction.json()).unwrap()
}

#[test]
fn the_notebooks_code_gives_initbooks_statistics_in_numpy() {
    if !numpy_is_here() {
        return;
    }
    let (setup, cells) = distinct_cells();
    let (book, _) = tutorial_outcomes();
    let spec = |id: &str| book.find_experiment(id).unwrap();
    // One python3 process for the quick cells and one for each slow one, so the machine's cores
    // share the numpy work evenly, while this process runs the same experiments in initbook
    // (on rayon's pool: each run is independent).
    let (slow, quick): (Vec<_>, Vec<_>) = cells
        .iter()
        .cloned()
        .partition(|(id, _)| checked_at_the_page_seed(spec(id)));
    let jobs = std::iter::once((quick, vec![1, 2, 3])).chain(
        slow.into_iter()
            .map(|cell| (seeds_to_check(spec(&cell.0)), cell))
            .map(|(seeds, cell)| (vec![cell], seeds)),
    );
    let pythons: Vec<_> = jobs
        .map(|(cells, seeds)| {
            let setup = setup.clone();
            std::thread::spawn(move || run_cells(&setup, &cells, &seeds))
        })
        .collect();
    let runs: Vec<(u64, &str)> = cells
        .iter()
        .flat_map(|(id, _)| {
            seeds_to_check(spec(id))
                .into_iter()
                .map(move |seed| (seed, id.as_str()))
        })
        .collect();
    let initbook: BTreeMap<(u64, &str), Value> = runs
        .into_par_iter()
        .map(|(seed, id)| {
            let run = if checked_at_the_page_seed(spec(id)) {
                initbook_page_run(id)
            } else {
                initbook_run(id, seed)
            };
            ((seed, id), run)
        })
        .collect();
    let mut numpy: BTreeMap<u64, BTreeMap<String, Value>> = BTreeMap::new();
    for python in pythons {
        for (seed, stats) in python.join().expect("a python3 thread") {
            numpy.entry(seed).or_default().extend(stats);
        }
    }
    let mut problems = Vec::new();
    for ((seed, id), initbook) in &initbook {
        problems.extend(compare(id, *seed, &numpy[seed][*id], initbook));
    }
    eprintln!(
        "{} distinct experiments checked ({} runs): {}",
        cells.len(),
        initbook.len(),
        cells
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(
        initbook.len() >= 3 * 20,
        "only {} experiment runs were checked",
        initbook.len()
    );
    assert!(
        problems.is_empty(),
        "outside the band:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_band_catches_a_wrong_scale() {
    if !numpy_is_here() {
        return;
    }
    // The σ = 1 sigmoid cell with σ = 0.01: the statistics leave the band at once.
    let cells = experiment_cells();
    let (_, cells) = cells.iter().find(|(slug, _)| slug == "03-std-one").unwrap();
    let setup = &cells[0].1;
    let (id, code) = cells.iter().find(|(id, _)| id == "sigmoid-std1").unwrap();
    let wrong = code.replace("std=1.0", "std=0.01");
    assert_ne!(&wrong, code);
    let numpy = run_cells(setup, &[(id.clone(), wrong)], &[1]);
    let problems = compare(id, 1, &numpy[&1][id], &initbook_run(id, 1));
    assert!(problems.len() >= 5, "{problems:#?}");
}

#[test]
fn the_band_catches_a_missing_batch_normalization() {
    if !numpy_is_here() {
        return;
    }
    // The σ = 0.01 sigmoid cell with batch normalization, and its gradients, without the
    // normalization: the activations collapse to 0.5 and the gradients shrink layer by layer,
    // outside the band of initbook's normalized run.
    let cells = experiment_cells();
    let (_, cells) = cells
        .iter()
        .find(|(slug, _)| slug == "08-batch-norm")
        .unwrap();
    let setup = &cells[0].1;
    for (id, normalized, plain) in [
        ("bn-sigmoid-std-small", "batch_norm(x @ w)[0]", "x @ w"),
        (
            "bn-grad-std-small",
            "delta = batch_norm_backward(",
            "_ = batch_norm_backward(",
        ),
    ] {
        let (_, code) = cells.iter().find(|(cell, _)| cell == id).unwrap();
        let wrong = code.replace(normalized, plain);
        assert_ne!(&wrong, code, "{id}");
        let numpy = run_cells(setup, &[(id.to_string(), wrong)], &[1]);
        let problems = compare(id, 1, &numpy[&1][id], &initbook_run(id, 1));
        assert!(problems.len() >= 3, "{id}: {problems:#?}");
    }
}
