//! Same content and seed ⇒ same bytes: across runs, thread counts and build profiles, and pinned
//! against dependency upgrades.

use crate::common;

use std::path::{Path, PathBuf};

use std::sync::OnceLock;

use initbook::numeric::{Activation, ActivationParams, Init, run_activations};
use initbook::{Site, build_site};

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The tutorial built once per test run (default thread count, every experiment computed):
/// a build trains networks and takes seconds.
fn the_tutorial() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| build_site(&repository_root()).unwrap())
}

/// A small book with an experiment of every kind, sized so that the row chunks (64 rows), the
/// kernels' ragged edges (37 columns) and the parallel parts all come into play: the thread and
/// repeat checks build it several times, in a blink, where the tutorial would take seconds.
fn every_kind_book() -> &'static common::TinyBook {
    static BOOK: OnceLock<common::TinyBook> = OnceLock::new();
    BOOK.get_or_init(|| {
        let book = common::TinyBook::of_kinds();
        book.write(
            "content/book.toml",
            "title = \"Tiny\"\nchapters = [\"01-one.md\", \"02-two.md\", \"03-three.md\"]\n",
        );
        book.write(
            "content/03-three.md",
            r#"# Every kind

```experiment
id = "wide"
caption = "Activations"
alt = "Histograms"
seed = 5
init = "xavier"
activation = "tanh"
layers = 3
nodes = 37
samples = 300
```

```experiment
id = "normed"
caption = "Batch normalization"
alt = "Histograms"
seed = 5
init = "normal"
std = 1.0
activation = "sigmoid"
batchnorm = true
layers = 3
nodes = 37
samples = 300
```

```experiment
id = "scales"
kind = "sweep"
caption = "Sweep"
alt = "Chart"
seed = 5
std = [0.1, 0.5, 1.0]
activation = ["sigmoid", "relu"]
layers = 3
nodes = 37
samples = 300
```

```experiment
id = "learn-normed"
kind = "training"
caption = "Training with batch normalization"
alt = "Curves"
seed = 5
data = "data/tiny.csv"
layers = 2
nodes = 9
batch = 16
iterations = 30
compare = [{ init = "he" }, { init = "normal", std = 1.0, batchnorm = true, label = "bn" }]
```
"#,
        );
        book
    })
}

fn build_with_threads(root: &Path, threads: usize) -> initbook::Site {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| build_site(root).unwrap())
}

#[test]
fn two_builds_give_identical_bytes() {
    let root = every_kind_book().root();
    let first = build_site(root).unwrap();
    assert_eq!(first.experiments, 8);
    assert!(first == build_site(root).unwrap());
}

#[test]
fn thread_count_does_not_change_the_bytes() {
    let root = every_kind_book().root();
    let default_threads = rayon::current_num_threads();
    let site = build_site(root).unwrap();
    for threads in [1, 3] {
        assert!(
            site == build_with_threads(root, threads),
            "{threads} threads differ from {default_threads}"
        );
    }
}

/// The committed site was built by the release binary. Run in the dev profile (a plain `cargo
/// test`, optimisation level 2) this test also shows that the build profile changes nothing;
/// CI runs the tests in the release profile and checks the dev profile with a debug build's
/// `initbook verify`.
/// When it fails after a change to content, templates or the engine, rebuild the site:
/// `cargo run --release -- build`.
#[test]
fn committed_output_equals_a_fresh_build() {
    let root = repository_root();
    let site = the_tutorial();
    let output = root.join("output");
    let mut on_disk = Vec::new();
    collect_files(&output, &output, &mut on_disk);
    on_disk.sort();
    // Besides the site, `build` writes the marker that lists what it wrote.
    let mut written = site.files.clone();
    written.insert(
        initbook::write::MARKER.to_string(),
        initbook::write::marker_contents(&site.files).into_bytes(),
    );
    let built: Vec<&String> = written.keys().collect();
    assert_eq!(
        on_disk.iter().collect::<Vec<_>>(),
        built,
        "output/ holds other files than a fresh build"
    );
    for (path, bytes) in &written {
        let committed = std::fs::read(output.join(path)).unwrap();
        assert!(
            committed == *bytes,
            "output/{path} differs from a fresh build; run `cargo run --release -- build`"
        );
    }
}

fn collect_files(base: &Path, dir: &Path, into: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(base, &path, into);
        } else {
            let relative = path.strip_prefix(base).unwrap();
            into.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// 64-bit FNV-1a: a dependency-free fingerprint of a byte string.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Pins the exact histogram of the classic σ = 1 sigmoid experiment for seed 42, and a
/// fingerprint of every statistic to the last bit. A change here means every figure changed:
/// a new draw order, a different arithmetic order, or a dependency (rand_chacha, rand_distr)
/// that now produces other numbers. That must be a deliberate decision, never an accident.
#[test]
fn golden_histogram_for_seed_42() {
    let params = ActivationParams::classic(Init::Normal { std: 1.0 }, Activation::Sigmoid);
    let result = run_activations(&params, 42);
    let layer1: Vec<u64> = result.layers[0].counts.clone();
    assert_eq!(layer1, GOLDEN_LAYER1_COUNTS);
    let layer5: Vec<u64> = result.layers[4].counts.clone();
    assert_eq!(layer5, GOLDEN_LAYER5_COUNTS);

    let json = serde_json::to_string(&result).unwrap();
    assert_eq!(
        format!("{:016x}", fnv1a(json.as_bytes())),
        GOLDEN_RESULT_FINGERPRINT
    );
}

/// The first draws of the generator itself, so a failure above can be traced to the RNG.
#[test]
fn golden_first_normal_draws() {
    use initbook::numeric::gaussian::GaussianStream;
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let mut stream = GaussianStream::new();
    let first: Vec<u64> = (0..4).map(|_| stream.next(&mut rng).to_bits()).collect();
    assert_eq!(first, GOLDEN_FIRST_DRAWS);
}

const GOLDEN_LAYER1_COUNTS: [u64; 30] = [
    36697, 2764, 1652, 1249, 1061, 903, 774, 718, 657, 647, 598, 579, 567, 587, 538, 569, 541, 526,
    609, 594, 649, 623, 733, 761, 830, 1048, 1252, 1718, 2841, 36715,
];
const GOLDEN_LAYER5_COUNTS: [u64; 30] = [
    32040, 4796, 2891, 2123, 1754, 1434, 1354, 1158, 1066, 968, 934, 893, 818, 845, 834, 876, 859,
    784, 921, 918, 890, 975, 1063, 1207, 1302, 1401, 1773, 2293, 3620, 27210,
];
const GOLDEN_RESULT_FINGERPRINT: &str = "eea1be7a21d18eb5";
/// As `f64::to_bits`, so no decimal rounding hides a last-bit change.
const GOLDEN_FIRST_DRAWS: [u64; 4] = [
    4593777358611831396,
    4599376719253418030,
    13830986477247399585,
    4611351171481053936,
];
