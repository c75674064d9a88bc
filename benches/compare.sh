#!/usr/bin/env bash
# initbook against mdBook and numpy, side by side, in release mode (see benches/compare.rs):
#   benches/compare.sh [--runs N]
# Needs mdbook (cargo install mdbook --locked), python3 with numpy (pip install numpy) and
# /usr/bin/time (apt-get install time). Prints a Markdown table of medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --bench compare -- "$@"
