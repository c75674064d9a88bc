//! The built binary, run as a user would.

use crate::common;

use std::process::{Command, Output};

use common::TinyBook;

fn initbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_initbook"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn build_writes_the_site_and_says_so() {
    let book = TinyBook::new();
    let root = book.root().to_str().unwrap();
    let output = initbook(&["build", "--root", root]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(
        said.starts_with("Built 2 lessons with 2 figures (2 experiments: 2 run, 0 cached) in "),
        "{said}"
    );
    for file in [
        "index.html",
        "01-one.html",
        "02-two.html",
        "style.css",
        "figures/small.svg",
        "figures/tiny-tanh.svg",
    ] {
        assert!(book.output().join(file).is_file(), "{file} missing");
    }
    let page = book.read_output("01-one.html");
    assert!(page.contains("<svg"), "figures are inline");
    assert!(page.contains("Figure 1.1"), "figures are numbered");
}

#[test]
fn build_into_another_directory() {
    let book = TinyBook::new();
    let out = book.root().join("elsewhere");
    let output = initbook(&[
        "build",
        "--quiet",
        "--root",
        book.root().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).is_empty(), "--quiet prints nothing");
    assert!(out.join("index.html").is_file());
    assert!(!book.output().exists());
}

#[test]
fn check_validates_without_writing() {
    let book = TinyBook::new();
    let output = initbook(&["check", "--root", book.root().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(
        said.starts_with("ok: 2 lessons, 2 experiments, 1 inline references\nwork budget: "),
        "{said}"
    );
    assert!(!book.output().exists());
}

#[test]
fn run_prints_statistics_as_json() {
    let book = TinyBook::new();
    let root = book.root().to_str().unwrap();
    let output = initbook(&["run", "small", "--json", "--root", root]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["id"], "small");
    assert_eq!(json["seed"], 42);
    let params = &json["params"];
    assert_eq!(params["init"], "he");
    assert_eq!(params["activation"], "relu");
    assert_eq!(
        (params["layers"].as_u64(), params["nodes"].as_u64()),
        (Some(2), Some(20))
    );
    assert_eq!(params["range"], serde_json::json!([0.0, 2.0]));
    let layers = json["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    for (i, layer) in layers.iter().enumerate() {
        assert_eq!(layer["layer"], i + 1);
        for key in ["mean", "std", "min", "max", "unit_std"] {
            assert!(layer[key].is_f64(), "{key}");
        }
        let counts = layer["counts"].as_array().unwrap();
        assert_eq!(counts.len(), 30);
        assert_eq!(layer["edges"].as_array().unwrap().len(), 31);
        let total: u64 = counts.iter().map(|c| c.as_u64().unwrap()).sum::<u64>()
            + layer["below"].as_u64().unwrap()
            + layer["above"].as_u64().unwrap();
        assert_eq!(total, 50 * 20);
    }

    // --seed overrides the book's seed, and changes the numbers.
    let reseeded = initbook(&["run", "small", "--json", "--seed", "43", "--root", root]);
    let reseeded: serde_json::Value = serde_json::from_str(&stdout(&reseeded)).unwrap();
    assert_eq!(reseeded["seed"], 43);
    assert_ne!(reseeded["layers"], json["layers"]);
}

#[test]
fn run_from_flags() {
    let output = initbook(&[
        "run",
        "--init",
        "xavier",
        "--activation",
        "tanh",
        "--seed",
        "7",
        "--layers",
        "3",
        "--range",
        "-1,1",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["id"], serde_json::Value::Null);
    assert_eq!(json["seed"], 7);
    assert_eq!(json["params"]["init"], "xavier");
    assert_eq!(json["params"]["weight_std"], 0.1);
    assert_eq!(json["params"]["range"], serde_json::json!([-1.0, 1.0]));
    assert_eq!(json["layers"].as_array().unwrap().len(), 3);
    // Same flags, same numbers.
    let again = initbook(&[
        "run",
        "--init",
        "xavier",
        "--activation",
        "tanh",
        "--seed",
        "7",
        "--layers",
        "3",
        "--range",
        "-1,1",
        "--json",
    ]);
    assert_eq!(output.stdout, again.stdout);
}

#[test]
fn run_svg_matches_the_built_figure() {
    let book = TinyBook::new();
    let root = book.root().to_str().unwrap();
    assert!(initbook(&["build", "-q", "--root", root]).status.success());
    let svg = book.root().join("again.svg");
    let output = initbook(&[
        "run",
        "small",
        "--svg",
        svg.to_str().unwrap(),
        "--root",
        root,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(&svg).unwrap(),
        std::fs::read(book.output().join("figures/small.svg")).unwrap()
    );
}

#[test]
fn content_error_exits_1_with_location_and_keeps_the_old_site() {
    let book = TinyBook::new();
    let root = book.root().to_str().unwrap();
    assert!(initbook(&["build", "-q", "--root", root]).status.success());
    let before = book.read_output("01-one.html");

    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace("nodes = 20", "nodes = 0"),
    );
    let output = initbook(&["build", "--root", root]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("error: `nodes` = 0 is out of range"),
        "{message}"
    );
    assert!(message.contains("--> content/01-one.md:13:9"), "{message}");
    assert!(message.contains("13 | nodes = 0"), "{message}");
    assert!(
        message.contains("hint: nodes must be between 1 and 2048"),
        "{message}"
    );
    assert_eq!(
        book.read_output("01-one.html"),
        before,
        "the previous site is intact"
    );
    let staged: Vec<_> = std::fs::read_dir(book.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with(".output.new"))
        .collect();
    assert!(
        staged.is_empty(),
        "staging directories left behind: {staged:?}"
    );

    // check reports the same, without touching anything.
    let output = initbook(&["check", "--root", root]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("content/01-one.md:13:9"));
}

#[test]
fn every_error_of_the_book_is_reported_at_once() {
    let book = TinyBook::new();
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace("seed = 42", "sede = 42"),
    );
    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace("\"tanh\"", "\"tahn\""),
    );
    let output = initbook(&["check", "--root", book.root().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("content/01-one.md:9:1"), "{message}");
    assert!(message.contains("did you mean `seed`?"), "{message}");
    assert!(message.contains("content/02-two.md:"), "{message}");
    assert!(message.contains("did you mean \"tanh\"?"), "{message}");
    assert!(
        message.trim_end().ends_with("errors in the content"),
        "{message}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let book = TinyBook::new();
    let root = book.root().to_str().unwrap();
    let cases: [&[&str]; 4] = [
        &["run", "--root", root],
        &["run", "smal", "--root", root],
        &["run", "--init", "he", "--frobnicate", "1"],
        &["frobnicate"],
    ];
    for args in cases {
        let output = initbook(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).contains("error"), "{args:?}");
    }
    let unknown = initbook(&["run", "smal", "--root", root]);
    assert!(
        stderr(&unknown).contains("did you mean `small`?"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn a_missing_book_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let output = initbook(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("content/book.toml does not exist"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn refuses_to_replace_a_directory_that_is_not_a_site() {
    let book = TinyBook::new();
    book.write("precious/notes.txt", "keep me");
    let out = book.root().join("precious");
    let output = initbook(&[
        "build",
        "--root",
        book.root().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("refusing to write the site into"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn run_json_for_every_kind() {
    let book = TinyBook::of_kinds();
    let root = book.root().to_str().unwrap();
    let json = |id: &str| -> serde_json::Value {
        let output = initbook(&["run", id, "--json", "--root", root]);
        assert!(output.status.success(), "{id}: {}", stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    };

    let grads = json("grads");
    assert_eq!(grads["params"]["kind"], "gradients");
    let layers = grads["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3);
    assert!(layers.iter().all(|l| l["grad_rms"].as_f64().unwrap() > 0.0));
    assert_eq!(layers[0]["counts"].as_array().unwrap().len(), 30);

    let deep = json("deep");
    let series = deep["series"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[1]["label"], "he");
    assert_eq!(series[1]["std"].as_array().unwrap().len(), 12);

    let learn = json("learn");
    let runs = learn["runs"].as_array().unwrap();
    assert_eq!(runs[0]["label"], "zero");
    assert_eq!(runs[0]["loss"].as_array().unwrap().len(), 30);
    assert_eq!(runs[0]["distinct_units"], serde_json::json!([1, 1]));
    for key in ["train_accuracy", "test_accuracy"] {
        assert!(runs[1][key].is_f64(), "{key}");
    }
    assert_eq!(
        learn["train_samples"].as_u64().unwrap() + learn["test_samples"].as_u64().unwrap(),
        60
    );

    // Flags change the keys of the experiment's kind, and only those.
    let output = initbook(&["run", "learn", "--layers", "3", "--json", "--root", root]);
    assert!(output.status.success(), "{}", stderr(&output));
    let deeper: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(deeper["params"]["layers"], 3);
    assert_eq!(
        deeper["runs"][0]["distinct_units"],
        serde_json::json!([1, 1, 1])
    );
    let output = initbook(&["run", "learn", "--init", "he", "--root", root]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("`--init` does not apply to training experiments"),
        "{}",
        stderr(&output)
    );

    // Building the book draws all three kinds.
    assert!(initbook(&["build", "-q", "--root", root]).status.success());
    for id in ["grads", "deep", "learn"] {
        assert!(
            book.output().join(format!("figures/{id}.svg")).is_file(),
            "{id}"
        );
    }
}

#[test]
fn a_missing_data_file_is_reported_at_its_directive() {
    let book = TinyBook::of_kinds();
    std::fs::remove_file(book.root().join("content/data/tiny.csv")).unwrap();
    let output = initbook(&["check", "--root", book.root().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("content/02-two.md:35:8"), "{message}");
    assert!(message.contains("cannot read"), "{message}");
}

#[test]
fn a_typo_in_front_matter_exits_1_at_its_line() {
    let book = TinyBook::new();
    book.write(
        "content/02-two.md",
        &format!("+++\ndescripton = \"Tanh.\"\n+++\n\n{}", common::LESSON_TWO),
    );
    let output = initbook(&["check", "--root", book.root().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("error: unknown key `descripton` in front matter"),
        "{message}"
    );
    assert!(message.contains("--> content/02-two.md:2:1"), "{message}");
    assert!(
        message.contains("hint: did you mean `description`?"),
        "{message}"
    );
}

/// `initbook run ID --json | head -c 100`: the reader goes away before the output is written. The
/// command ends quietly (exit 0, nothing on stderr) instead of panicking. The pipe's read end is
/// closed before the command starts, so every write fails, whatever the timing.
#[test]
fn a_closed_stdout_ends_quietly() {
    let book = TinyBook::new();
    let root = book.root().to_str().unwrap();
    for args in [
        &["run", "small", "--json", "--root", root][..],
        &["run", "small", "--root", root],
        &["directives"],
        &["check", "--root", root],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_initbook"))
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output), "", "{args:?}");
    }
}

/// A failure to write other than a closed pipe (a full disk) is an error: exit 1, said on stderr.
#[test]
#[cfg(target_os = "linux")]
fn a_full_stdout_is_an_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_initbook"))
        .arg("directives")
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot write to standard output"),
        "{}",
        stderr(&output)
    );
}
