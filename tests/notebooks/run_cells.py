"""Runs notebooks' experiment cells headless, for tests/integration/notebooks.rs.

Reads {"setup": CODE, "seeds": [N, ...], "experiments": [[KEY, CODE], ...]} on stdin, runs the
setup cell, then for each seed each experiment cell with its first line `seed = …` set to that
seed, and prints {SEED: {KEY: stats}} as JSON (a statistic that diverged, NaN or infinite, as
null, as initbook writes it). One process for every seed and cell: numpy is imported once. matplotlib is replaced by a stand-in that accepts every call, so the statistics
need numpy alone; the cells compute `stats` before they plot.
"""

import contextlib
import json
import math
import sys
from unittest import mock

plt = mock.MagicMock()
sys.modules["matplotlib"] = mock.MagicMock(pyplot=plt)
sys.modules["matplotlib.pyplot"] = plt

request = json.load(sys.stdin)
setup = {}
# What the cells print goes to stderr; stdout carries the JSON alone.
with contextlib.redirect_stdout(sys.stderr):
    exec(request["setup"], setup)
results = {}
for seed in request["seeds"]:
    results[str(seed)] = {}
    for key, code in request["experiments"]:
        first, rest = code.split("\n", 1)
        if not first.startswith("seed = "):
            sys.exit(f"{key}: the cell does not start with `seed = …`: {first!r}")
        scope = dict(setup)
        with contextlib.redirect_stdout(sys.stderr):
            exec(f"seed = {seed}\n{rest}", scope)
        results[str(seed)][key] = scope["stats"]


def plain(value):
    """numpy's numbers as JSON's; a diverged NaN or infinity becomes null, as initbook writes it."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


json.dump(plain(results), sys.stdout, allow_nan=False)
