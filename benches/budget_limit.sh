#!/usr/bin/env bash
# The slowest books the work budget accepts, built cold: how long does the worst accepted book
# take? Writes each book into a temporary directory, checks that `initbook check` accepts it
# (and how much of the budget it uses), then times `initbook build --no-cache` with the release
# binary. Usage: benches/budget_limit.sh [JOBS]   (JOBS: -j for the build, default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/initbook"
jobs=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

book() { # book NAME: a book with the lesson on stdin
  mkdir -p "$work/$1/content/data"
  cp content/data/digits.csv.gz "$work/$1/content/data/"
  printf 'title = "%s"\nchapters = ["01-limit.md"]\n' "$1" > "$work/$1/content/book.toml"
  cat > "$work/$1/content/01-limit.md"
}

block() { # block ID SEED LINES…
  local id=$1 seed=$2
  shift 2
  printf '```experiment\nid = "%s"\ncaption = "c"\nalt = "a"\nseed = %s\n' "$id" "$seed"
  printf '%s\n' "$@"
  printf '```\n\n'
}

# The widest training network: 20 hidden layers of 1024 units, evaluated on every digit.
{ printf '# Widest training\n\n'
  block wide 1 'kind = "training"' 'data = "data/digits.csv.gz"' 'layers = 20' 'nodes = 1024' \
    'batch = 16' 'iterations = 10' 'compare = [{ init = "he" }]'
} | book widest-training

# Many experiments of the shape with the most overhead per multiply-add: one unit per layer.
{ printf '# Thin and deep\n\n'
  for seed in $(seq 1 19); do
    block "thin-$seed" "$seed" 'kind = "depth"' 'activation = "tanh"' 'layers = 200' 'nodes = 1' \
      'samples = 100000' 'compare = [{ init = "he" }]'
  done
} | book thin-and-deep

# The most random numbers: 100 layers of 2048 × 2048 weights, plus a mid-size training run.
{ printf '# Weights\n\n'
  block draws 1 'init = "he"' 'activation = "tanh"' 'layers = 100' 'nodes = 2048' 'samples = 1'
  block train 2 'kind = "training"' 'data = "data/digits.csv.gz"' 'layers = 4' 'nodes = 100' \
    'batch = 128' 'iterations = 800' 'compare = [{ init = "he" }]'
} | book weight-draws

for name in widest-training thin-and-deep weight-draws; do
  echo "== $name"
  "$bin" check --root "$work/$name" | tail -n 1
  /usr/bin/time -f "cold build: %e s wall, %U s user, %M KB peak" \
    "$bin" ${jobs:+-j "$jobs"} build --no-cache -q --root "$work/$name"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
