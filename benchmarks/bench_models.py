"""Benchmark: fit, predict and reason-code cost of every customer model on the demo features.

Usage::

    python benchmarks/bench_models.py                                # 1M customers
    python benchmarks/bench_models.py --customers 100000 --repeats 2
    python benchmarks/bench_models.py --fit-rows 200000              # cap the training rows

Data: the demo dataset of ``--customers`` customers (generated once and cached by
``bench_features.dataset_dir``), customer features as of 2024-07-01 and the labels that go with
them, built once in a child process and cached as Parquet in ``benchmarks/.cache/``
(``features_<n>_<seed>.parquet`` and ``labels_<n>_<seed>.parquet``), so the measuring process
holds only the feature frame. Labels, aligned on the feature rows (rows without one dropped):

- churn: :func:`custintel.features.churn_labels` at the cutoff, no order in the next 90 days
  (customers who bought before it);
- default: :func:`custintel.features.default_labels` at the cutoff, an invoice falling due in
  the next 90 days unpaid 30 days past due;
- fraud: the investigators' verdicts reached before the cutoff (customer verdicts, and order
  verdicts rolled up to their customer, as ``bench_fraud.known_verdicts``); every other
  customer is unlabelled. Planted ring membership (``ds.truth``) only checks the scores.

Measured, ``--repeats`` times each, model and baseline interleaved so both see the same machine
state (medians, and the median of the per-repeat ratios):

- **fit** on the training rows (every row for the segmenter and the fraud scorer, the labelled
  rows for churn and credit; ``--fit-rows`` draws a random subset instead) and **predict** on
  every row of the feature frame (``predict`` for the segmenter, ``predict_proba`` for churn and
  credit, ``score_samples`` for fraud). Baselines, from scikit-learn, on the numeric columns
  (median-imputed, standardised where the model needs it, preprocessing included in the time):
  ``KMeans`` with the same ``k`` and sample size for the segmenter, ``LogisticRegression`` for
  churn and credit, ``IsolationForest`` (100 trees) for fraud.
- **reason codes**, per row, at batch sizes 1, 100 and 10,000 (random rows; 30, 10 and
  ``max(3, repeats)`` calls; medians): the score alone, LightGBM's ``pred_contrib`` on the
  already-encoded matrix, ``contributions`` (encoding + ``pred_contrib`` + frame), and
  ``explain(X, top_k=5)`` (contributions + the Chinese and English sentences).

Peak RSS is the process high-water mark (``VmHWM``) during a stage, reset before each stage
(Linux ``clear_refs``), so it includes the feature frame. Sanity columns are in-sample (ROC-AUC
on the training rows; fraud: PR-AUC against ring membership, which no model sees). The table is
printed and written to ``benchmarks/results/bench_models.md``.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RESULTS = HERE / "results"
AS_OF = "2024-07-01"
HORIZON = 90
BATCHES = (1, 100, 10_000)
TOP_K = 5


# ---------------------------------------------------------------------------- data
def cache_paths(n: int, seed: int) -> tuple[Path, Path]:
    return CACHE / f"features_{n}_{seed}.parquet", CACHE / f"labels_{n}_{seed}.parquet"


def build(n: int, seed: int) -> None:
    """Load (or generate) the demo data, build features and labels, write them as Parquet."""
    sys.path.insert(0, str(HERE))
    from bench_features import dataset_dir
    from bench_fraud import known_verdicts

    from custintel.data import load_dataset
    from custintel.features import build_customer_features, churn_labels, default_labels

    started = time.perf_counter()
    ds = load_dataset(dataset_dir(n, seed))
    loaded = time.perf_counter()
    X = build_customer_features(ds, AS_OF)
    built = time.perf_counter()
    ring = ds.truth.customers.set_index("customer_id")["is_fraud"]
    labels = pd.DataFrame(
        {
            "churn": churn_labels(ds, AS_OF, HORIZON).reindex(X.index),
            "default": default_labels(ds, AS_OF, HORIZON).reindex(X.index),
            "fraud_verdict": known_verdicts(ds, AS_OF).reindex(X.index),
            "fraud_ring": ring.reindex(X.index).astype("float64"),
        },
        index=X.index,
    ).astype("float64")
    features_path, labels_path = cache_paths(n, seed)
    X.to_parquet(features_path)
    labels.to_parquet(labels_path)
    print(
        f"loaded the dataset in {loaded - started:.0f}s, built {X.shape[1]} features for "
        f"{len(X):,} customers in {built - loaded:.0f}s -> {features_path.name}"
    )


