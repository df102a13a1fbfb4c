"""Benchmark: full customer features on the demo data, and RFM against DuckDB in the same run.

Usage::

    python benchmarks/bench_features.py                  # 1M customers (~10M orders)
    python benchmarks/bench_features.py --customers 100000 --repeats 3

The demo data is generated once per size and cached as Parquet in ``benchmarks/.cache/``.
One child process loads the data once and measures every stage, interleaving custintel and
DuckDB repeats; the peak-RSS counter is reset before each stage (Linux ``clear_refs``), so a
stage's peak is its own plus the data already resident. The table is printed and written to
``benchmarks/results/bench_features.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RESULTS = HERE / "results"
AS_OF = "2024-07-01"
WINDOWS = (30, 90, 180, 365)


def dataset_dir(n: int, seed: int) -> Path:
    """Generate (once) and cache the demo dataset of ``n`` customers."""
    folder = CACHE / f"demo_{n}_{seed}"
    if not (folder / "dataset.json").exists():
        from custintel.data import make_demo_dataset

        started = time.perf_counter()
        make_demo_dataset(n_customers=n, seed=seed).save(folder, overwrite=True)
        print(f"generated {n:,} customers in {time.perf_counter() - started:.0f}s -> {folder}")
    return folder


def _memory() -> dict[str, float]:
    """Current and peak resident memory of this process, GB (Linux /proc)."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024**2
    return out


def _reset_peak() -> None:
    """Restart the peak-RSS counter (Linux >= 4.0), so each stage reports its own peak."""
    Path("/proc/self/clear_refs").write_text("5")


def child(folder: str, repeats: int) -> None:
    """Load once, then measure every stage in this process; print one JSON line."""
    import gc

    import pandas as pd

    from custintel.data import load_dataset
    from custintel.features import build_customer_features, default_builders
    from custintel.features._base import FeatureContext
    from custintel.features.rfm import RFMFeatures

    started = time.perf_counter()
    ds = load_dataset(folder)
    load = {"seconds": time.perf_counter() - started, "peak_gb": _memory()["VmHWM"]}
    load["resident_gb"] = _memory()["VmRSS"]
    gc.collect()

    times: dict[str, list[float]] = {"features": [], "rfm_pandas": [], "rfm_duckdb": []}
    peaks: dict[str, float] = {}
    shape: tuple[int, int] = (0, 0)
    as_of = pd.Timestamp(AS_OF, tz=ds.tz)
    for _ in range(repeats):
        _reset_peak()
        started = time.perf_counter()
        X = build_customer_features(ds, AS_OF)
        times["features"].append(time.perf_counter() - started)
        peaks["features"] = max(peaks.get("features", 0.0), _memory()["VmHWM"])
        shape = X.shape
        del X
        gc.collect()
        # RFM against DuckDB, interleaved so both see the same machine state.
        for task in ("rfm_pandas", "rfm_duckdb"):
            _reset_peak()
            started = time.perf_counter()
            if task == "rfm_pandas":
                R = build_customer_features(ds, AS_OF, [RFMFeatures(WINDOWS)])
            else:
                R = duckdb_rfm(ds.orders, as_of)
            times[task].append(time.perf_counter() - started)
            peaks[task] = max(peaks.get(task, 0.0), _memory()["VmHWM"])
            del R
            gc.collect()

    ctx = FeatureContext(ds, AS_OF)
    _reset_peak()
    t0 = time.perf_counter()
    ctx.orders()
    parts = {
        "context (orders cut + customer positions)": (
            time.perf_counter() - t0,
            _memory()["VmHWM"],
        )
    }
    for b in default_builders():
        if b.missing_tables(ds):
            continue
        _reset_peak()
        t0 = time.perf_counter()
        b.build(ctx)
        parts[type(b).__name__] = (time.perf_counter() - t0, _memory()["VmHWM"])
        gc.collect()
    print(
        json.dumps(
            {
                "load": load,
                "times": times,
                "peaks": peaks,
                "parts": parts,
                "rows": shape[0],
                "columns": shape[1],
                "orders": len(ds.orders),
                "customers": len(ds.customers),
                "scans": len(ds["tracking_events"]) if ds.has("tracking_events") else 0,
            }
        )
    )


def duckdb_rfm(orders, as_of):  # type: ignore[no-untyped-def]
    """The same recency/frequency/monetary and window aggregates as RFMFeatures, in SQL."""
    import duckdb

    windows = ",\n".join(
        f"count(*) FILTER (WHERE age <= {w}) AS orders_{w}d, "
        f"sum(amount) FILTER (WHERE age <= {w} AND status <> 'cancelled') AS spend_{w}d"
        for w in WINDOWS
    )
    con = duckdb.connect()
    con.register("orders", orders[["customer_id", "ordered_at", "amount", "status"]])
    sql = f"""
        WITH o AS (
            SELECT customer_id, amount, status,
                   epoch(TIMESTAMPTZ '{as_of.isoformat()}' - ordered_at) / 86400.0 AS age
            FROM orders WHERE ordered_at < TIMESTAMPTZ '{as_of.isoformat()}'
        )
        SELECT customer_id, min(age) AS recency_days, max(age) AS first_order_days,
               count(*) AS orders_total,
               sum(amount) FILTER (WHERE status <> 'cancelled') AS spend_total,
               {windows}
        FROM o GROUP BY customer_id
    """
    return con.execute(sql).df()


def run(folder: Path, repeats: int) -> dict[str, Any]:
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(folder), str(repeats)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    folder = dataset_dir(args.customers, args.seed)
    r = run(folder, args.repeats)
    med = {t: statistics.median(v) for t, v in r["times"].items()}
    ratios = [
        p / d for p, d in zip(r["times"]["rfm_pandas"], r["times"]["rfm_duckdb"], strict=True)
    ]
    load = r["load"]
    lines = [
        f"# bench_features: {r['customers']:,} customers, {r['orders']:,} orders, "
        f"{r['scans']:,} tracking scans, as_of {AS_OF}",
        "",
        f"One process: load once, then {args.repeats} interleaved repeat(s) of each stage; "
        "medians. Peak RSS is the process high-water mark during the stage (reset before "
        "each stage), so it includes the loaded data. 2-core machine.",
        "",
        "| measurement | seconds | peak RSS GB | note |",
        "| --- | ---: | ---: | --- |",
        f"| load_dataset (Parquet + full validation) | {load['seconds']:.1f} "
        f"| {load['peak_gb']:.2f} | resident after load: {load['resident_gb']:.2f} GB |",
        f"| full customer features ({r['columns']} columns, {r['rows']:,} rows) "
        f"| {med['features']:.1f} | {r['peaks']['features']:.2f} | goal <= 60 s, <= 8 GB |",
        f"| RFM + window aggregates, custintel (pandas/numpy) | {med['rfm_pandas']:.1f} "
        f"| {r['peaks']['rfm_pandas']:.2f} | |",
        f"| same aggregates, DuckDB SQL | {med['rfm_duckdb']:.1f} "
        f"| {r['peaks']['rfm_duckdb']:.2f} | |",
        f"| ratio custintel / DuckDB (median of per-repeat ratios) "
        f"| {statistics.median(ratios):.2f}x | | goal <= 3x; per repeat: "
        + ", ".join(f"{x:.2f}x" for x in ratios)
        + " |",
        "",
        "Time and peak RSS per builder (one run, after the repeats; the context's orders stay "
        "resident while the builders run):",
        "",
        "| builder | seconds | peak RSS GB |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {k} | {t:.2f} | {m:.2f} |" for k, (t, m) in r["parts"].items()]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_features.md").write_text(text)


if __name__ == "__main__":
    main()
