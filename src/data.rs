//! Data sets for training experiments: comma-separated rows of numbers, the last one the label,
//! optionally gzip-compressed. Read by the load stage; the numeric core only sees [`Dataset`].

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use ndarray::Array2;

use crate::book_files::{DATA_BYTES, DATA_TEXT_BYTES, gunzip_capped, read_inside};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::hash::sha256_hex;
use crate::limits;
use crate::model::{DataSource, ExperimentSpec, Lesson, ParsedBook};
use crate::numeric::Experiment;
use crate::numeric::training::Dataset;

/// A data set read from a file, with the file's SHA-256 (part of the result cache's key) and
/// its bytes as read (the notebooks ship them).
#[derive(Debug, Clone)]
pub struct DataFile {
    pub dataset: Dataset,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// Data sets already parsed, by the SHA-256 of their file: `serve` rebuilds many times with the
/// same files and parses each once. An explicit value, owned by whoever builds (the result
/// [`crate::cache::Cache`] carries one across `serve`'s rebuilds); after each book is loaded it
/// keeps only that book's data sets, so it never outgrows one book.
#[derive(Debug, Default)]
pub struct DatasetCache {
    parsed: Mutex<BTreeMap<String, Dataset>>,
}

impl DatasetCache {
    /// Reads `root/relative`, parsing it only if a file with the same contents was not parsed
    /// before.
    pub fn load(&self, root: &Path, relative: &Path) -> Result<DataFile, String> {
        let path = relative;
        let bytes = read_file(root, relative)?;
        let sha256 = sha256_hex(&bytes);
        if let Some(dataset) = self.parsed().get(&sha256) {
            return Ok(DataFile {
                dataset: dataset.clone(),
                sha256,
                bytes,
            });
        }
        let dataset = parse_bytes(path, &bytes)?;
        self.parsed().insert(sha256.clone(), dataset.clone());
        Ok(DataFile {
            dataset,
            sha256,
            bytes,
        })
    }

    /// Forgets every data set but these.
    fn keep_only<'a>(&self, sha256s: impl IntoIterator<Item = &'a str>) {
        let keep: Vec<&str> = sha256s.into_iter().collect();
        self.parsed()
            .retain(|sha256, _| keep.contains(&sha256.as_str()));
    }

    fn parsed(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Dataset>> {
        // A panic while holding the lock leaves a map that is still whole.
        self.parsed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Loads the data set of every training experiment in the book, once per file. Problems are
/// reported at the `data = "…"` value of the first directive that names the file.
pub fn load_datasets(
    root: &Path,
    book: &ParsedBook,
    cache: &DatasetCache,
) -> Result<BTreeMap<String, DataFile>, Diagnostics> {
    load_datasets_in(root, Path::new("content"), book, cache)
}

/// [`load_datasets`] for a book whose data paths are relative to `content` (relative to `root`)
/// rather than to `content/`: an mdBook's source folder.
pub fn load_datasets_in(
    root: &Path,
    content: &Path,
    book: &ParsedBook,
    cache: &DatasetCache,
) -> Result<BTreeMap<String, DataFile>, Diagnostics> {
    let mut datasets = BTreeMap::new();
    let mut diagnostics = Diagnostics::default();
    for (lesson, spec) in book.experiments() {
        let Some(source) = &spec.data else { continue };
        if !datasets.contains_key(&source.path) {
            match cache.load(root, &content.join(&source.path)) {
                Ok(data) => {
                    datasets.insert(source.path.clone(), data);
                }
                Err(problem) => {
                    diagnostics.push(cannot_load(lesson, source, problem));
                    continue;
                }
            }
        }
        check_dataset(
            lesson,
            spec,
            &datasets[&source.path].dataset,
            &mut diagnostics,
        );
    }
    cache.keep_only(datasets.values().map(|file| file.sha256.as_str()));
    diagnostics.into_result(datasets)
}

/// The data set of one experiment of `lesson` (none for kinds without data), checked against it.
pub fn load_experiment_data(
    root: &Path,
    lesson: &Lesson,
    spec: &ExperimentSpec,
    cache: &DatasetCache,
) -> Result<Option<Dataset>, Diagnostics> {
    let Some(source) = &spec.data else {
        return Ok(None);
    };
    let mut diagnostics = Diagnostics::default();
    match cache.load(root, &Path::new("content").join(&source.path)) {
        Ok(file) => {
            check_dataset(lesson, spec, &file.dataset, &mut diagnostics);
            diagnostics.into_result(Some(file.dataset))
        }
        Err(problem) => {
            diagnostics.push(cannot_load(lesson, source, problem));
            Err(diagnostics)
        }
    }
}

fn cannot_load(lesson: &Lesson, source: &DataSource, problem: String) -> Diagnostic {
    lesson
        .source
        .error(source.span.clone(), problem)
        .with_hint("data paths are relative to content/, e.g. \"data/digits.csv.gz\"")
}

/// What this experiment asks of its data set: two labels at least, samples on both sides of the
/// split, and a bounded amount of work now that the width of the data is known.
fn check_dataset(
    lesson: &Lesson,
    spec: &ExperimentSpec,
    dataset: &Dataset,
    diagnostics: &mut Diagnostics,
) {
    let Some(source) = &spec.data else { return };
    let mut report = |message: String, hint: &str| {
        diagnostics.push(
            lesson
                .source
                .error(source.span.clone(), message)
                .with_hint(hint),
        );
    };
    let distinct_labels = {
        let mut labels = dataset.labels.clone();
        labels.sort_unstable();
        labels.dedup();
        labels.len()
    };
    if distinct_labels < 2 {
        report(
            format!("{} has fewer than two different labels", source.path),
            "a training data set needs at least two classes",
        );
    }
    let Experiment::Training(params) = &spec.experiment else {
        return;
    };
    let samples = dataset.labels.len();
    let test = (samples as f64 * params.test_fraction) as usize;
    if test == 0 || test == samples {
        report(
            format!(
                "test_fraction = {} of {samples} samples leaves {} for testing and {} for training",
                params.test_fraction,
                test,
                samples - test
            ),
            "both parts need at least one sample: use more data or another test_fraction",
        );
    }
    let width = params
        .nodes
        .max(dataset.features.ncols())
        .max(dataset.classes);
    let work = limits::training_work(params.hidden_layers, width, params.batch, params.iterations);
    if work > limits::TRAINING_WORK {
        report(
            format!(
                "with {} features and {} classes, one training run is about {work} multiply-adds (at most {})",
                dataset.features.ncols(),
                dataset.classes,
                limits::TRAINING_WORK
            ),
            "lower iterations, batch, nodes or layers",
        );
    }
}

/// Largest label + 1 a data set may have: the width of the softmax layer.
pub const MAX_CLASSES: u32 = 1000;
/// Largest number of features per row.
pub const MAX_FEATURES: usize = 100_000;

/// Upper bound on rows × columns, so a wrong file is an error, not an out-of-memory kill.
pub const MAX_VALUES: usize = 50_000_000;

/// Reads and parses `root/relative`: features are divided by the largest absolute feature value
/// of the file (16 for the 8 × 8 digits), so non-negative data lands in `[0, 1]`; labels must be
/// integers from 0. Only a regular file inside the book is read, of bounded size before and
/// after decompression ([`crate::book_files`]).
pub fn load_dataset(root: &Path, relative: &Path) -> Result<DataFile, String> {
    let path = relative;
    let bytes = read_file(root, relative)?;
    let sha256 = sha256_hex(&bytes);
    let dataset = parse_bytes(path, &bytes)?;
    Ok(DataFile {
        dataset,
        sha256,
        bytes,
    })
}

fn read_file(root: &Path, relative: &Path) -> Result<Vec<u8>, String> {
    read_inside(root, relative, DATA_BYTES)
        .map_err(|problem| format!("cannot read {}: {problem}", relative.display()))
}

/// The data set in a file's bytes, decompressed first if the file is `.gz`.
fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<Dataset, String> {
    let text = if path.extension().is_some_and(|e| e == "gz") {
        let inflated = gunzip_capped(bytes, DATA_TEXT_BYTES)
            .map_err(|problem| format!("cannot decompress {}: {problem}", path.display()))?;
        String::from_utf8(inflated)
            .map_err(|_| format!("{} does not decompress to UTF-8 text", path.display()))?
    } else {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| format!("{} is not UTF-8 text", path.display()))?
    };
    parse_csv(&text)
}

/// Parses the CSV text of a data set (see [`load_dataset`]).
pub fn parse_csv(text: &str) -> Result<Dataset, String> {
    let mut values: Vec<f64> = Vec::new();
    let mut labels: Vec<u32> = Vec::new();
    let mut width: Option<usize> = None;
    // A byte order mark, as spreadsheet programs write, is not part of the first number.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let row: Vec<&str> = line.split(',').map(str::trim).collect();
        let columns = row.len();
        if columns > MAX_FEATURES + 1 {
            return Err(format!(
                "line {}: {columns} columns (at most {})",
                index + 1,
                MAX_FEATURES + 1
            ));
        }
        if columns < 2 {
            return Err(format!(
                "line {}: need at least one feature and a label",
                index + 1
            ));
        }
        if *width.get_or_insert(columns) != columns {
            return Err(format!(
                "line {}: {columns} columns, but the first row has {}",
                index + 1,
                width.unwrap_or(columns)
            ));
        }
        for cell in &row[..columns - 1] {
            let value: f64 = cell
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| format!("line {}: `{cell}` is not a number", index + 1))?;
            values.push(value);
        }
        let label: u32 = row[columns - 1].parse().map_err(|_| {
            format!(
                "line {}: label `{}` is not a whole number ≥ 0",
                index + 1,
                row[columns - 1]
            )
        })?;
        if label >= MAX_CLASSES {
            return Err(format!(
                "line {}: label {label} is too large (labels are 0 to {})",
                index + 1,
                MAX_CLASSES - 1
            ));
        }
        labels.push(label);
        if values.len() > MAX_VALUES {
            return Err(format!("more than {MAX_VALUES} values"));
        }
    }
    let features_per_row = width.ok_or("the file has no rows")? - 1;
    let largest = values.iter().copied().fold(0.0f64, |m, v| m.max(v.abs()));
    let scale = if largest > 0.0 { largest } else { 1.0 };
    let features = Array2::from_shape_vec((labels.len(), features_per_row), values)
        .expect("every row has the same width")
        .mapv(|v| v / scale);
    let classes = labels.iter().copied().max().unwrap_or(0) as usize + 1;
    Ok(Dataset {
        features,
        labels,
        classes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_scales() {
        let data = parse_csv("0,8,16,1\n4,4,0,0\n").unwrap();
        assert_eq!(data.features.dim(), (2, 3));
        assert_eq!(data.features[[0, 2]], 1.0);
        assert_eq!(data.features[[0, 1]], 0.5);
        assert_eq!(data.labels, vec![1, 0]);
        assert_eq!(data.classes, 2);
    }

    #[test]
    fn rejects_ragged_and_bad_rows() {
        assert!(parse_csv("1,2,3\n1,2\n").unwrap_err().contains("line 2"));
        assert!(parse_csv("1,x,3\n").unwrap_err().contains("`x`"));
        assert!(parse_csv("1,2,-1\n").unwrap_err().contains("label"));
        assert!(parse_csv("").is_err());
        assert!(
            parse_csv("1,2,4294967295\n")
                .unwrap_err()
                .contains("too large")
        );
    }
}
