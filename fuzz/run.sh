#!/usr/bin/env bash
# Fuzzes one target: fuzz/run.sh TARGET SECONDS [more libFuzzer flags]
#
# Starts from the committed seeds (fuzz/seeds/TARGET, from content/) and grows the corpus in
# fuzz/corpus/TARGET (not committed). A crash, a timeout (10 s for one input) or an input that
# needs more than 2 GB fails the run and leaves the input in fuzz/artifacts/TARGET/; every such
# input becomes a regression test. Needs the nightly toolchain and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1
seconds=$2
shift 2
case "$target" in
  lesson) max_len=32768 ;;
  *) max_len=4096 ;;
esac
mkdir -p "fuzz/corpus/$target"
exec cargo +nightly fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -dict="fuzz/$target.dict" -print_final_stats=1 "$@"
