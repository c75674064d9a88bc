//! Bad input in a lesson: every error names the file, line and column of what the editor typed,
//! with a message and a hint.

use initbook::diagnostic::{Diagnostic, SourceFile};
use initbook::numeric::{Activation, Experiment, Init};
use initbook::parse::parse_lesson;

/// A lesson with one experiment block whose body is `body`. The body starts on line 4.
fn lesson_with_block(body: &str) -> String {
    format!("# A lesson\n\n```experiment\n{body}\n```\n")
}

const VALID: &str = r#"id = "a"
caption = "A caption"
alt = "Histograms"
seed = 42
init = "xavier"
activation = "tanh""#;

/// The valid block with `line` replaced (by its key) or appended.
fn with(line: &str) -> String {
    let key = line.split('=').next().unwrap().trim();
    let mut lines: Vec<String> = VALID
        .lines()
        .filter(|l| l.split('=').next().unwrap().trim() != key)
        .map(String::from)
        .collect();
    lines.push(line.to_string());
    lines.join("\n")
}

fn errors(markdown: &str) -> Vec<Diagnostic> {
    match parse_lesson(SourceFile::new("content/lesson.md", markdown.to_string())) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics.0,
    }
}

/// Exactly one error, at `line:column`, whose message contains `message` and whose hint
/// contains `hint`.
#[track_caller]
fn assert_one_error(markdown: &str, line: usize, column: usize, message: &str, hint: &str) {
    let found = errors(markdown);
    assert_eq!(found.len(), 1, "expected one error, got {found:#?}");
    let error = &found[0];
    assert_eq!(
        error.location(),
        format!("content/lesson.md:{line}:{column}"),
        "{error}"
    );
    assert!(error.message.contains(message), "message: {error}");
    let actual_hint = error.hint.as_deref().unwrap_or_default();
    assert!(actual_hint.contains(hint), "hint: {error}");
    // The rendered diagnostic quotes the source line it points at.
    assert_eq!(
        error.source_line,
        markdown.lines().nth(line - 1).unwrap(),
        "{error}"
    );
}

/// The line (1-based) of the block body that starts with `prefix`.
fn line_of(markdown: &str, prefix: &str) -> usize {
    markdown
        .lines()
        .position(|l| l.starts_with(prefix))
        .unwrap()
        + 1
}

#[test]
fn a_valid_block_parses_with_defaults() {
    let lesson = parse_lesson(SourceFile::new(
        "content/lesson.md",
        lesson_with_block(VALID),
    ))
    .unwrap();
    assert_eq!(lesson.title, "A lesson");
    let spec = &lesson.experiments[0];
    let Experiment::Activations(params) = &spec.experiment else {
        panic!("the default kind is activations");
    };
    assert_eq!(spec.id, "a");
    assert_eq!(spec.seed, 42);
    assert_eq!(spec.origin().line, 3, "the line of the opening fence");
    let network = &params.network;
    assert_eq!(network.init, Init::Xavier);
    assert_eq!(network.activation, Activation::Tanh);
    assert_eq!(
        (network.layers, network.nodes, network.samples),
        (5, 100, 1000)
    );
    assert_eq!((params.bins, params.range), (30, (0.0, 1.0)));
    assert!(spec.figure && !spec.table && spec.y_max().is_none());
}

#[test]
fn unknown_key_suggests_the_right_one() {
    let md = lesson_with_block(&with("sede = 42"));
    let line = line_of(&md, "sede");
    assert_one_error(&md, line, 1, "unknown key `sede`", "did you mean `seed`?");
}

#[test]
fn wrong_type() {
    let md = lesson_with_block(&with("layers = \"five\""));
    let line = line_of(&md, "layers");
    assert_one_error(
        &md,
        line,
        10,
        "`layers` must be an integer, found the string \"five\"",
        "e.g. layers = 1",
    );
}

#[test]
fn missing_key_points_at_the_fence() {
    let body: String = VALID
        .lines()
        .filter(|l| !l.starts_with("seed"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_one_error(
        &lesson_with_block(&body),
        3,
        1,
        "experiment block is missing `seed`",
        "seed = 42",
    );
}

#[test]
fn value_out_of_range() {
    let md = lesson_with_block(&with("nodes = 0"));
    let line = line_of(&md, "nodes");
    assert_one_error(
        &md,
        line,
        9,
        "`nodes` = 0 is out of range",
        "between 1 and 2048",
    );
}

#[test]
fn huge_value_is_an_error_not_an_allocation() {
    let md = lesson_with_block(&with("nodes = 1000000"));
    let line = line_of(&md, "nodes");
    assert_one_error(&md, line, 9, "out of range", "between 1 and 2048");
}

#[test]
fn combined_size_is_bounded_before_running() {
    // Blamed on the key furthest above its default: samples is 100× the classic 1000.
    let md = lesson_with_block(&format!("{VALID}\nsamples = 100000\nnodes = 2000"));
    let line = line_of(&md, "samples");
    assert_one_error(
        &md,
        line,
        11,
        "samples × nodes = 200000000 is too large",
        "lower nodes, samples or layers",
    );
}

#[test]
fn unknown_choice_suggests_a_close_one() {
    let md = lesson_with_block(&with("init = \"xavir\""));
    let line = line_of(&md, "init");
    assert_one_error(
        &md,
        line,
        8,
        "unknown init \"xavir\"",
        "did you mean \"xavier\"?",
    );
}

#[test]
fn std_needs_the_normal_scheme() {
    let md = lesson_with_block(&with("std = 0.5"));
    let line = line_of(&md, "std");
    assert_one_error(
        &md,
        line,
        1,
        "`std` does not apply to init = \"xavier\"",
        "only init = \"normal\" takes a std",
    );
}

#[test]
fn normal_without_std() {
    let md = lesson_with_block(&with("init = \"normal\""));
    assert_one_error(&md, 3, 1, "missing `std`", "std = 0.01");
}

#[test]
fn std_must_be_positive_and_finite() {
    for bad in ["std = -1.0", "std = 0", "std = inf", "std = 1e9"] {
        let md = lesson_with_block(&format!("{}\n{bad}", with("init = \"normal\"")));
        let line = line_of(&md, "std");
        assert_one_error(&md, line, 7, "`std`", "greater than 0 and at most 100");
    }
}

#[test]
fn range_must_go_up() {
    let md = lesson_with_block(&with("range = [1.0, 0.0]"));
    let line = line_of(&md, "range");
    assert_one_error(
        &md,
        line,
        9,
        "`range` must go from low to high",
        "the first number is the low end",
    );
}

#[test]
fn range_must_be_two_numbers() {
    let md = lesson_with_block(&with("range = \"0..1\""));
    let line = line_of(&md, "range");
    assert_one_error(
        &md,
        line,
        9,
        "`range` must be two numbers [lo, hi]",
        "range = [0.0, 1.0]",
    );
    let md = lesson_with_block(&with("range = [0.0, nan]"));
    assert_one_error(
        &md,
        line,
        15,
        "each end of `range` must be a finite number",
        "range = [-1.0, 1.0]",
    );
}

#[test]
fn invalid_toml() {
    let md = lesson_with_block(&with("seed = "));
    let line = line_of(&md, "seed");
    let found = errors(&md);
    assert!(!found.is_empty());
    assert!(found[0].message.starts_with("invalid TOML"), "{}", found[0]);
    assert_eq!(found[0].line, line, "{}", found[0]);
    assert!(found[0].hint.as_deref().unwrap().contains("key = value"));
}

#[test]
fn duplicate_key_in_a_block() {
    let md = lesson_with_block(&format!("{VALID}\nseed = 7"));
    let found = errors(&md);
    assert!(
        found[0].message.starts_with("invalid TOML") && found[0].message.contains("duplicate"),
        "{}",
        found[0]
    );
    assert_eq!(found[0].line, line_of(&md, "seed = 7"));
}

#[test]
fn malformed_id() {
    let md = lesson_with_block(&with("id = \"Sigmoid_1\""));
    let line = line_of(&md, "id");
    assert_one_error(
        &md,
        line,
        6,
        "invalid experiment id \"Sigmoid_1\"",
        "lowercase letters, digits and single dashes",
    );
}

#[test]
fn empty_caption() {
    let md = lesson_with_block(&with("caption = \"  \""));
    let line = line_of(&md, "caption");
    assert_one_error(&md, line, 11, "`caption` is empty", "caption =");
}

#[test]
fn flag_must_be_boolean() {
    let md = lesson_with_block(&with("table = \"yes\""));
    let line = line_of(&md, "table");
    assert_one_error(
        &md,
        line,
        9,
        "`table` must be true or false",
        "table = true",
    );
}

#[test]
fn all_errors_of_a_block_are_reported_together() {
    let md = lesson_with_block(&format!("{}\nlayers = 0\nbins = -3", with("sede = 1")));
    let found = errors(&md);
    let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(found.len(), 3, "{messages:?}");
    assert!(messages[0].contains("sede"));
}

#[test]
fn errors_in_an_indented_block_point_at_the_right_column() {
    let md = "# L\n\n- item\n\n  ```experiment\n  id = \"a\"\n  sede = 1\n  ```\n";
    let found = errors(md);
    let unknown = found
        .iter()
        .find(|d| d.message.contains("sede"))
        .expect("the unknown key is reported");
    assert_eq!(unknown.location(), "content/lesson.md:7:3");
}

#[test]
fn reference_to_an_experiment_not_on_the_page() {
    let md = format!(
        "{}\nThe std is `{{b.layer1.std}}`.\n",
        lesson_with_block(VALID)
    );
    let line = line_of(&md, "The std");
    assert_one_error(
        &md,
        line,
        12,
        "no experiment \"b\" on this page",
        "experiments on this page: a",
    );
}

#[test]
fn reference_to_a_layer_that_does_not_exist() {
    let md = format!("{}\nSee `{{a.layer9.std}}`.\n", lesson_with_block(VALID));
    let line = line_of(&md, "See");
    assert_one_error(
        &md,
        line,
        5,
        "experiment \"a\" has 5 layers, not 9",
        "layers are numbered 1 to 5",
    );
}

#[test]
fn reference_to_an_unknown_statistic() {
    let md = format!("{}\nSee `{{a.layer2.sdt:.2}}`.\n", lesson_with_block(VALID));
    let line = line_of(&md, "See");
    assert_one_error(
        &md,
        line,
        5,
        "unknown statistic `sdt`",
        "did you mean `std`?",
    );
}

#[test]
fn reference_with_a_bad_format() {
    let md = format!("{}\nSee `{{a.layer2.std:3f}}`.\n", lesson_with_block(VALID));
    let line = line_of(&md, "See");
    assert_one_error(&md, line, 5, "unknown number format `:3f`", ":.N");
}

#[test]
fn broken_math() {
    let md = format!("{}\nWhere $x^$ is.\n", lesson_with_block(VALID));
    let line = line_of(&md, "Where");
    let found = errors(&md);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].location(), format!("content/lesson.md:{line}:7"));
    assert_eq!(
        found[0].message,
        "cannot read this math: parsing error: expected a token"
    );
}

#[test]
fn a_lesson_needs_a_title() {
    let md = format!("Intro.\n\n```experiment\n{VALID}\n```\n");
    assert_one_error(&md, 1, 1, "the lesson has no title", "# ");
}

#[test]
fn code_spans_that_are_not_references_stay_code() {
    let md = format!(
        "{}\nA map `{{x: 1}}` and `{{ a.layer1.std }}` are code.\n",
        lesson_with_block(VALID)
    );
    let lesson = parse_lesson(SourceFile::new("content/lesson.md", md)).unwrap();
    assert!(lesson.references.is_empty());
}

#[test]
fn a_misspelled_required_key_is_one_error_not_two() {
    // `sede` instead of `seed`: reported as the misspelling, not also as a missing `seed`; and
    // the prose's references to the broken experiment are not reported as dangling.
    let body = VALID.replace("seed = 42", "sede = 42");
    let md = format!("{}\nSee `{{a.layer1.std}}`.\n", lesson_with_block(&body));
    let line = line_of(&md, "sede");
    assert_one_error(&md, line, 1, "unknown key `sede`", "did you mean `seed`?");
}

const TRAINING: &str = r#"id = "t"
kind = "training"
caption = "Training"
alt = "Loss curves"
seed = 1
data = "data/digits.csv.gz"
compare = [{ init = "xavier" }, { init = "he" }]"#;

#[test]
fn a_key_of_another_kind() {
    let md = lesson_with_block(&format!("{VALID}\ncompare = [{{ init = \"he\" }}]"));
    let line = line_of(&md, "compare");
    assert_one_error(
        &md,
        line,
        1,
        "`compare` does not apply to kind = \"activations\"",
        "`compare` belongs to kind = \"depth\", \"training\"",
    );
}

#[test]
fn unknown_kind() {
    let md = lesson_with_block(&TRAINING.replace("\"training\"", "\"trainig\""));
    let line = line_of(&md, "kind");
    assert_one_error(
        &md,
        line,
        8,
        "unknown kind \"trainig\"",
        "did you mean \"training\"?",
    );
}

#[test]
fn training_needs_data_inside_content() {
    let body: String = TRAINING
        .lines()
        .filter(|l| !l.starts_with("data"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_one_error(
        &lesson_with_block(&body),
        3,
        1,
        "missing `data`",
        "data = \"data/digits.csv.gz\"",
    );
    let md = lesson_with_block(&TRAINING.replace("data/digits.csv.gz", "../secret.csv"));
    let line = line_of(&md, "data");
    assert_one_error(
        &md,
        line,
        8,
        "data path \"../secret.csv\" leaves content/",
        "inside content/",
    );
}

#[test]
fn compare_schemes_are_checked_one_by_one() {
    let md = lesson_with_block(&TRAINING.replace("{ init = \"he\" }", "{ std = 0.1 }"));
    let line = line_of(&md, "compare");
    assert_one_error(
        &md,
        line,
        33,
        "this scheme has no `init`",
        "{ init = \"he\" }",
    );

    let md = lesson_with_block(&TRAINING.replace("{ init = \"he\" }", "{ init = \"xavier\" }"));
    assert_one_error(
        &md,
        line,
        33,
        "two schemes are labelled \"xavier\"",
        "give each scheme its own label",
    );

    let md =
        lesson_with_block(&TRAINING.replace("{ init = \"he\" }", "{ init = \"he\", sdt = 1 }"));
    assert_one_error(
        &md,
        line,
        48,
        "unknown key `sdt` in a `compare` scheme",
        "init, std",
    );

    let md = lesson_with_block(&TRAINING.replace("{ init = \"he\" }", "{ init = \"normal\" }"));
    assert_one_error(
        &md,
        line,
        33,
        "this scheme has init = \"normal\" but no `std`",
        "std = 0.01",
    );
}

#[test]
fn references_into_compared_schemes() {
    let md = format!(
        "{}\nHe: `{{t.hee.test_accuracy}}`.\n",
        lesson_with_block(TRAINING)
    );
    let line = line_of(&md, "He:");
    assert_one_error(
        &md,
        line,
        5,
        "compares no scheme labelled `hee`",
        "its schemes: xavier, he",
    );

    let md = format!(
        "{}\nHe: `{{t.he.tset_accuracy}}`.\n",
        lesson_with_block(TRAINING)
    );
    assert_one_error(
        &md,
        line,
        5,
        "unknown statistic `tset_accuracy`",
        "did you mean `test_accuracy`?",
    );

    let md = format!(
        "{}\nHe: `{{t.he.layer2.distinct_units}}` `{{t.he.test_accuracy:.1%}}`.\n",
        lesson_with_block(TRAINING)
    );
    let lesson = parse_lesson(SourceFile::new("content/lesson.md", md)).unwrap();
    assert_eq!(lesson.references.len(), 2);
}

// Front matter: a `+++` block of TOML at the top of a lesson.

#[test]
fn front_matter_gives_the_lesson_its_description() {
    let lesson = parse_lesson(SourceFile::new(
        "content/lesson.md",
        "+++\ndescription = \"  Three tables & four rules.  \"\n+++\n\n# Summary\n\nText.\n"
            .to_string(),
    ))
    .unwrap();
    assert_eq!(lesson.title, "Summary");
    assert_eq!(
        lesson.description.as_deref(),
        Some("Three tables & four rules.")
    );
    let plain = parse_lesson(SourceFile::new(
        "content/lesson.md",
        "# Plain\n\nText.\n".to_string(),
    ))
    .unwrap();
    assert_eq!(plain.description, None);
}

#[test]
fn front_matter_errors_point_at_the_key_or_value() {
    let page = |front: &str| format!("+++\n{front}\n+++\n\n# Lesson\n");
    assert_one_error(
        &page("descripton = \"x\""),
        2,
        1,
        "unknown key `descripton` in front matter",
        "did you mean `description`?",
    );
    assert_one_error(
        &page("title = \"x\""),
        2,
        1,
        "unknown key `title` in front matter",
        "front matter takes: description",
    );
    assert_one_error(
        &page("description = 3"),
        2,
        15,
        "`description` must be a string",
        "description = \"",
    );
    assert_one_error(
        &page("description = \"  \""),
        2,
        15,
        "the description is empty",
        "leave the key out",
    );
    assert_one_error(
        &page("# a comment\ndescription = \"unclosed"),
        3,
        24,
        "invalid TOML",
        "front matter is TOML",
    );
}
