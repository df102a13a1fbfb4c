"""Benchmark: full customer features on the demo data, and RFM against DuckDB in the same run.

Usage::

    python benchmarks/bench_features.py                  # 1M customers (~10M orders)
    python benchmarks/bench_features.py --customers 100000 --repeats 3

The demo data is generated once per size and cached as Parquet in ``benchmarks/.cache/``.
Each measurement runs in a fresh process so its peak memory (RSS) is its own. The table is
printed and written to ``benchmarks/results/bench_features.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


def child(task: str, folder: str, repeats: int) -> None:
    """Run one measurement and print a JSON line (in a fresh process)."""
    import pandas as pd

    from custintel.data import load_dataset
    from custintel.features import build_customer_features, default_builders
    from custintel.features.rfm import RFMFeatures

    ds = load_dataset(folder)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    times: list[float] = []
    extra: dict[str, object] = {}
    for _ in range(repeats):
        started = time.perf_counter()
        if task == "features":
            X = build_customer_features(ds, AS_OF)
            extra = {"rows": len(X), "columns": X.shape[1]}
        elif task == "per_builder":
            from custintel.features._base import FeatureContext

            ctx = FeatureContext(ds, AS_OF)
            t0 = time.perf_counter()
            ctx.orders()
            parts = {"context (orders cut + customer positions)": time.perf_counter() - t0}
            for b in default_builders():
                if b.missing_tables(ds):
                    continue
                t0 = time.perf_counter()
                b.build(ctx)
                parts[type(b).__name__] = time.perf_counter() - t0
            extra = {"parts": parts}
        elif task == "rfm_pandas":
            X = build_customer_features(ds, AS_OF, [RFMFeatures(WINDOWS)])
            extra = {"rows": len(X)}
        elif task == "rfm_duckdb":
            X = duckdb_rfm(ds.orders, pd.Timestamp(AS_OF, tz=ds.tz))
            extra = {"rows": len(X)}
        times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        json.dumps(
            {
                "task": task,
                "times": times,
                "peak_gb": peak,
                "loaded_gb": rss_loaded,
                "orders": len(ds.orders),
                "customers": len(ds.customers),
                **extra,
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


def run(task: str, folder: Path, repeats: int) -> dict[str, object]:
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    out = subprocess.run(
        [sys.executable, __file__, "--child", task, str(folder), str(repeats)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    folder = dataset_dir(args.customers, args.seed)
    results = {
        task: run(task, folder, args.repeats)
        for task in ("features", "per_builder", "rfm_pandas", "rfm_duckdb")
    }
    f = results["features"]
    med = {t: statistics.median(r["times"]) for t, r in results.items()}  # type: ignore[arg-type]
    lines = [
        f"# bench_features: {f['customers']:,} customers, {f['orders']:,} orders, as_of {AS_OF}",
        "",
        f"Median of {args.repeats} run(s) each, fresh process per row; 2-core machine.",
        "",
        "| measurement | seconds | peak RSS GB | note |",
        "| --- | ---: | ---: | --- |",
        f"| full customer features ({f['columns']} columns) | {med['features']:.1f} "
        f"| {f['peak_gb']:.2f} | data loaded: {f['loaded_gb']:.2f} GB; goal <= 60 s, <= 8 GB |",
        f"| RFM + window aggregates, custintel (pandas/numpy) | {med['rfm_pandas']:.1f} "
        f"| {results['rfm_pandas']['peak_gb']:.2f} | |",
        f"| same aggregates, DuckDB SQL | {med['rfm_duckdb']:.1f} "
        f"| {results['rfm_duckdb']['peak_gb']:.2f} | |",
        f"| ratio custintel / DuckDB | {med['rfm_pandas'] / med['rfm_duckdb']:.2f}x "
        "| | goal <= 3x |",
        "",
        "Time per builder (one run):",
        "",
        "| builder | seconds |",
        "| --- | ---: |",
    ]
    lines += [f"| {k} | {v:.2f} |" for k, v in results["per_builder"]["parts"].items()]  # type: ignore[union-attr]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_features.md").write_text(text)


if __name__ == "__main__":
    main()
