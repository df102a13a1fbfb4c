"""Benchmark the demo-data generator: time and peak memory per size.

Each run happens in a fresh subprocess, so its peak resident memory (``ru_maxrss`` of the child)
is not polluted by earlier runs. Only generation is timed (``generate_demo_frames``), not the
validation that ``make_demo_dataset`` adds. Small sizes are repeated and the median is kept.

    python benchmarks/bench_demo_data.py                      # 10k, 100k, 1M customers
    python benchmarks/bench_demo_data.py --sizes 10000 50000 --repeats 5

The table goes to stdout and to ``benchmarks/results/bench_demo_data.md``. "scaling vs 100k" is
seconds per customer relative to the 100k run of the same invocation (1.00 = linear).
Targets: 1M customers (about 10M orders) in under 3 minutes and 8 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "bench_demo_data.md"
TARGET_SECONDS = 180.0
TARGET_GB = 8.0


def child(n_customers: int, seed: int) -> None:
    """Generate once and print one JSON line with counts, seconds and peak memory."""
    from custintel.data.demo import generate_demo_frames

    t0 = time.perf_counter()
    frames, _ = generate_demo_frames(n_customers, seed=seed)
    seconds = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    out = {
        "customers": len(frames["customers"]),
        "orders": len(frames["orders"]),
        "shipments": len(frames["shipments"]),
        "scans": len(frames["tracking_events"]),
        "rows": sum(len(f) for f in frames.values()),
        "seconds": seconds,
        "peak_gb": peak_kb * 1024 / 1e9,
    }
    print(json.dumps(out))


def run_once(n_customers: int, seed: int) -> dict[str, float]:
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    cmd = [sys.executable, __file__, "--child", str(n_customers), "--seed", str(seed)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"run with {n_customers} customers failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(n_customers: int, repeats: int, seed: int) -> dict[str, float]:
    runs = [run_once(n_customers, seed + k) for k in range(repeats)]
    best = dict(runs[0])
    for key in ("seconds", "peak_gb", "orders", "shipments", "scans", "rows"):
        best[key] = statistics.median(r[key] for r in runs)
    best["repeats"] = repeats
    return best


def table(results: list[dict[str, float]]) -> tuple[list[str], list[list[str]]]:
    base = next((r for r in results if r["customers"] == 100_000), None)
    header = ["customers", "orders", "shipments", "scans", "seconds", "rows/s", "peak GB",
              "scaling vs 100k", "runs"]  # fmt: skip
    rows = []
    for r in results:
        scaling = "-"
        if base is not None:
            per = r["seconds"] / r["customers"]
            scaling = f"{per / (base['seconds'] / base['customers']):.2f}"
        rows.append(
            [
                f"{int(r['customers']):,}",
                f"{int(r['orders']):,}",
                f"{int(r['shipments']):,}",
                f"{int(r['scans']):,}",
                f"{r['seconds']:.1f}",
                f"{r['rows'] / r['seconds']:,.0f}",
                f"{r['peak_gb']:.2f}",
                scaling,
                str(int(r["repeats"])),
            ]
        )
    return header, rows


def show(header: list[str], rows: list[list[str]]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print(" | ".join(header))
        for row in rows:
            print(" | ".join(row))
        return
    t = Table(title="custintel demo data generation")
    for h in header:
        t.add_column(h, justify="right")
    for row in rows:
        t.add_row(*row)
    Console(width=max(120, Console().width)).print(t)


def write_markdown(header: list[str], rows: list[list[str]], results: list[dict]) -> None:
    big = [r for r in results if r["customers"] >= 1_000_000]
    verdict = ""
    if big:
        r = big[-1]
        ok = r["seconds"] < TARGET_SECONDS and r["peak_gb"] < TARGET_GB
        verdict = (
            f"\nTarget for 1M customers: < {TARGET_SECONDS:.0f} s and < {TARGET_GB:.0f} GB peak: "
            f"{'met' if ok else 'NOT met'} ({r['seconds']:.1f} s, {r['peak_gb']:.2f} GB).\n"
        )
    lines = [
        "# Demo data generation benchmark",
        "",
        "`python benchmarks/bench_demo_data.py` (generation only, each size in a fresh process; "
        "peak GB = `ru_maxrss` of that process; median over the runs).",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
        verdict,
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per size below 1M")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.seed)
        return
    results = []
    for n in args.sizes:
        repeats = args.repeats if n < 1_000_000 else 1
        print(f"generating {n:,} customers x{repeats} ...", flush=True)
        results.append(measure(n, repeats, args.seed))
    header, rows = table(results)
    show(header, rows)
    write_markdown(header, rows, results)
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
