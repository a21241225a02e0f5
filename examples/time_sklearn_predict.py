#!/usr/bin/python3
"""Times scikit-learn's own predict on the benchmark models (what a Python model server calls for
each request), one row and 100 rows per call, one caller, for docs/benchmarks.md. Run from the
repository root after examples/make_sklearn_models.py:

    /usr/bin/python3 examples/time_sklearn_predict.py [seconds per point]
"""
import json
import os
import sys
import time

import joblib
import numpy as np
import sklearn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESOURCES = os.path.join(ROOT, "src", "test", "resources")


def rows(case, count):
    with open(os.path.join(RESOURCES, "expected", "sklearn-%s.json" % case)) as f:
        tensor = json.load(f)["inputs"][0]
    table = np.asarray(tensor["data"], dtype=np.float64).reshape(tensor["shape"])
    return np.resize(table, (count, table.shape[1]))


def measure(model, x, seconds):
    model.predict(x)
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        model.predict(x)
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    total = sum(latencies)
    return len(latencies) * len(x) / total, latencies[len(latencies) // 2] * 1e6, latencies[len(latencies) * 99 // 100] * 1e6


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    print("scikit-learn %s, numpy %s, %.0f s per point:\n" % (sklearn.__version__, np.__version__, seconds))
    print("| model | called through | rows per request | concurrency | rows/s | p50 µs per request | p99 µs per request | p50 µs per row |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for case in ("benchmark-forest", "benchmark-pipeline"):
        model = joblib.load(os.path.join(RESOURCES, "sklearn", case, "model.joblib"))
        for count in (1, 100):
            rate, p50, p99 = measure(model, rows(case, count), seconds)
            print("| %s | scikit-learn predict (Python) | %d | 1 | %s | %.0f | %.0f | %.1f |"
                  % (case, count, format(round(rate), ","), p50, p99, p50 / count))


if __name__ == "__main__":
    main()
