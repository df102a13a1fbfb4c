"""Benchmark: single-row HTTP scoring of the churn champion, against ``mlflow models serve``.

Usage::

    python benchmarks/bench_serving.py                          # 30 s per run, 5-minute soak
    python benchmarks/bench_serving.py --seconds 10 --soak 60 --workers 1
    python benchmarks/bench_serving.py --py-spy /path/to/py-spy  # add a profile of the hot path

Setup, in a temporary folder (``--workdir`` reuses one): ``custintel demo --customers 5000
--train churn`` (demo data, the churn champion in ``./mlflow.db`` and its feature snapshot in
``./snapshots/``) and ``custintel keys add --role reviewer``. Only churn is trained, so
``/readyz`` stays 503 (the other champions are missing); a server counts as up when the route
under test answers 200.

Servers, one at a time, bound to 127.0.0.1, each in its own session and stopped by process
group: ``bentoml serve custintel.serving.service:CustintelService`` with ``CUSTINTEL_WORKERS``
= each of ``--workers``, and ``mlflow models serve -m models:/custintel-churn@champion
--env-manager local --workers 2`` (the baseline, the same champion, measured in the same run).

Load: ``wrk -t1 -c<concurrency>`` (closed loop, one request per connection at a time), one row
per request, ``X-API-Key`` and ``Content-Type: application/json`` on every request, bodies
rotating over ``--ids`` random customers of the snapshot (seed 0). Each run is preceded by a
5-second warm-up that is not counted. Scenarios:

- *records*: ``POST /v1/churn/predict`` with ``{"records": [every feature of one customer]}``
  (the snapshot row as a request carries it, ``custintel.tracking.serving_frame``, NaN as null);
- *customer_ids*: ``POST /v1/churn/predict`` with ``{"customer_ids": [one id]}`` (the champion
  scored its whole snapshot once at load, so this is a lookup; the difference to *records* is
  the cost of checking, encoding and scoring a row per request);
- *explain*: ``POST /v1/churn/explain`` with ``{"customer_ids": [one id]}`` (top 5 reasons);
- *mlflow*: ``POST /invocations`` of ``mlflow models serve`` with the same row as
  ``{"dataframe_split": ...}``.

The service answers a valid body in its middleware, which has parsed it already; *records* and
*customer_ids* are run once more with ``CUSTINTEL_DIRECT=0`` (the first ``--workers`` value),
where BentoML's routing and IO descriptors parse the body again and answer, to show the cost.

Latency percentiles are wrk's (from its histogram); errors are non-2xx/3xx answers plus socket
errors and timeouts (10 s). Server CPU is the CPU time of the server's whole process tree over
the run divided by the requests. Soak: a fresh service (the first ``--workers`` value), 10 s of
*customer_ids* traffic, then the resident memory (RSS) of its processes, ``--soak`` seconds more
of the same traffic, and the RSS again (sampled every 30 s in between). BentoML's timeout
middleware keeps every request's timer, future and context until the request timeout
(``CUSTINTEL_REQUEST_TIMEOUT``, 10 s) has passed, so RSS climbs by roughly req/s x timeout x
5 KB during the first timeout's worth of traffic (inside the warm-up) and is flat after that.
With ``--py-spy`` (or ``py-spy`` on ``PATH``), one service worker is sampled under
*customer_ids* and *records* load (raw stacks, active samples only) and the share of the
samples under the main frames of the hot path is reported.

Goals (from the issue): >= 1,000 req/s with p99 <= 50 ms on the *records* and *customer_ids*
routes, >= 5x ``mlflow models serve``, RSS growth < 10% over the soak. The table is printed and
written to ``benchmarks/results/bench_serving.md``. The load generator runs on the same machine
and takes a share of its cores.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import numpy as np
import pandas as pd
import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent
SERVICE = "custintel.serving.service:CustintelService"
CHAMPION = "models:/custintel-churn@champion"
WARMUP_S = 5
#: How the serving worker processes show in their command lines.
SERVICE_WORKER = "_bentoml_impl.worker"
MLFLOW_WORKER = "multiprocessing.spawn"
TOP_K = 5

#: Everything this script started (servers, load generators), stopped in ``finally``.
_RUNNING: list[subprocess.Popen[Any]] = []


# ---------------------------------------------------------------------------- processes
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(command: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("ab")
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    handle.close()
    _RUNNING.append(proc)
    return proc


def _stop(proc: subprocess.Popen[Any], grace: float = 15.0) -> None:
    """Stop ``proc``, its process group and every process it started (SIGTERM, then SIGKILL).

    BentoML starts its workers in sessions of their own, so the descendants are listed before
    the signal and waited for (and killed by process id if need be) as well.
    """
    if proc in _RUNNING:
        _RUNNING.remove(proc)
    family = _tree(proc.pid)[1:]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)
    _, alive = psutil.wait_procs(family, timeout=grace)
    for child in alive:
        try:
            child.send_signal(signal.SIGTERM)
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(alive, timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    for child in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)
    proc.wait(timeout=grace)


def _stop_all() -> None:
    for proc in list(reversed(_RUNNING)):
        try:
            _stop(proc, grace=10.0)
        except Exception as err:  # keep stopping the others
            print(f"could not stop process {proc.pid}: {err}", file=sys.stderr)


def _on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _cpu_by_process(pid: int) -> dict[int, float]:
    """CPU seconds of every process of the tree under ``pid``."""
    out = {}
    for proc in _tree(pid):
        try:
            times = proc.cpu_times()
            out[proc.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return out


def _cpu_seconds(pid: int) -> float:
    return sum(_cpu_by_process(pid).values())


def _machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot (Linux /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _client_seconds() -> float:
    """CPU seconds of the load generator: this process and its finished children (wrk)."""
    own = os.times()
    return own.user + own.system + own.children_user + own.children_system


def _rss_mb(pid: int, worker_marker: str) -> tuple[float, float]:
    """Resident memory (MB) of the whole process tree, and of its serving workers only."""
    total = workers = 0.0
    for proc in _tree(pid):
        try:
            rss = proc.memory_info().rss / 2**20
            cmdline = " ".join(proc.cmdline())
        except psutil.NoSuchProcess:
            continue
        total += rss
        if worker_marker in cmdline:
            workers += rss
    return total, workers


def _worker_pids(pid: int, worker_marker: str) -> list[int]:
    out = []
    for proc in _tree(pid):
        try:
            if worker_marker in " ".join(proc.cmdline()):
                out.append(proc.pid)
        except psutil.NoSuchProcess:
            continue
    return out


# ---------------------------------------------------------------------------- setup
def setup(workdir: Path, customers: int) -> str:
    """Train the churn champion in ``workdir`` (unless already there); return an API key."""
    workdir.mkdir(parents=True, exist_ok=True)
    if not (workdir / "configs").exists():
        shutil.copytree(ROOT / "configs", workdir / "configs")
    env = _env(workdir)
    if not (workdir / "snapshots" / "churn.parquet").exists():
        started = time.perf_counter()
        command = [str(BIN / "custintel"), "demo", "--customers", str(customers)]
        command += ["--train", "churn", "--out", "out/demo"]
        with (workdir / "setup.log").open("ab") as log:
            subprocess.run(command, cwd=workdir, env=env, stdout=log, stderr=log, check=True)
        print(f"setup: demo data + churn champion in {time.perf_counter() - started:.0f} s")
    added = subprocess.run(
        [str(BIN / "custintel"), "keys", "add", "--role", "reviewer"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return added.stdout.strip().splitlines()[-1].strip()


def _env(workdir: Path, workers: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        OMP_WAIT_POLICY="PASSIVE",
        MLFLOW_DISABLE_TELEMETRY="true",
        MLFLOW_TRACKING_URI=f"sqlite:///{workdir / 'mlflow.db'}",
        CUSTINTEL_SNAPSHOT_DIR=str(workdir / "snapshots"),
        BENTOML_HOME=str(workdir / "bentoml"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    for name in ("CUSTINTEL_ACCESS_LOG", "CUSTINTEL_DIRECT", "CUSTINTEL_REQUEST_TIMEOUT"):
        env.pop(name, None)
    if workers is not None:
        env["CUSTINTEL_WORKERS"] = str(workers)
    return env


def bodies(workdir: Path, n: int, seed: int) -> dict[str, list[str]]:
    """Request bodies per scenario, one customer each, the same customers in every scenario."""
    from custintel.tracking import serving_frame

    snapshot = pd.read_parquet(workdir / "snapshots" / "churn.parquet")
    meta = json.loads((workdir / "snapshots" / "churn.json").read_text())
    columns = list(meta.get("columns") or snapshot.columns)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(snapshot), size=min(n, len(snapshot)), replace=False))
    frame = serving_frame(snapshot.iloc[rows][columns])
    out: dict[str, list[str]] = collections.defaultdict(list)
    for cid, record in zip(frame.index.astype(str), frame.to_dict(orient="records"), strict=True):
        plain = {str(k): _json_value(v) for k, v in record.items()}
        out["records"].append(json.dumps({"records": [plain]}))
        out["customer_ids"].append(json.dumps({"customer_ids": [cid]}))
        out["explain"].append(json.dumps({"customer_ids": [cid], "top_k": TOP_K}))
        split = {"columns": list(plain), "data": [list(plain.values())]}
        out["mlflow"].append(json.dumps({"dataframe_split": split}))
    return dict(out)


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ---------------------------------------------------------------------------- load
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "{key}"
local path = "{path}"
local bodies = {{
{bodies}
}}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, path, nil, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH {{\\"requests\\": %d, \\"duration_us\\": %d, \\"status\\": %d, \\"socket\\": %d, "
    .. "\\"p50\\": %.1f, \\"p90\\": %.1f, \\"p99\\": %.1f, \\"mean\\": %.1f, \\"max\\": %.1f}}\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
"""


def _lua(workdir: Path, name: str, path: str, key: str, payloads: list[str]) -> Path:
    script = workdir / f"{name}.lua"
    listed = ",\n".join(f"[==[{p}]==]" for p in payloads)
    script.write_text(LUA.format(key=key, path=path, bodies=listed))
    return script


def load(
    url: str, path: str, key: str, payloads: list[str], seconds: float, args: argparse.Namespace
) -> dict[str, Any]:
    """Closed-loop load for ``seconds``: requests, req/s, latency percentiles (ms), errors."""
    if args.wrk:
        script = _lua(args.workdir, path.strip("/").replace("/", "_"), path, key, payloads)
        command = [args.wrk, "-t1", f"-c{args.concurrency}", f"-d{max(1, round(seconds))}s"]
        command += ["--timeout", "10s", "-s", str(script), url]
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        _RUNNING.append(proc)
        out, _ = proc.communicate()
        _RUNNING.remove(proc)
        found = re.search(r"^BENCH (\{.*\})$", out, flags=re.M)
        if found is None:
            raise RuntimeError(f"wrk gave no summary:\n{out}")
        raw = json.loads(found.group(1))
        duration = raw["duration_us"] / 1e6
        return {
            "requests": raw["requests"],
            "rps": raw["requests"] / duration,
            "p50": raw["p50"] / 1e3,
            "p90": raw["p90"] / 1e3,
            "p99": raw["p99"] / 1e3,
            "errors": raw["status"] + raw["socket"],
        }
    return _python_load(url + path, key, payloads, seconds, args.concurrency)


def _python_load(
    url: str, key: str, payloads: list[str], seconds: float, concurrency: int
) -> dict[str, Any]:
    """Fallback without wrk: asyncio + httpx, ``concurrency`` workers (shares the cores)."""
    import asyncio

    import httpx

    async def run() -> tuple[list[float], int, float]:
        latencies: list[float] = []
        errors = 0
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:
            started = time.perf_counter()
            end = started + seconds

            async def worker(offset: int) -> None:
                nonlocal errors
                i = offset
                while time.perf_counter() < end:
                    t0 = time.perf_counter()
                    try:
                        response = await client.post(url, content=payloads[i % len(payloads)])
                        ok = response.status_code < 400
                    except httpx.HTTPError:
                        ok = False
                    latencies.append(time.perf_counter() - t0)
                    errors += not ok
                    i += concurrency

            await asyncio.gather(*(worker(k) for k in range(concurrency)))
            return latencies, errors, time.perf_counter() - started

    latencies, errors, wall = asyncio.run(run())
    ms = np.asarray(latencies) * 1e3
    return {
        "requests": len(ms),
        "rps": len(ms) / wall,
        "p50": float(np.percentile(ms, 50)),
        "p90": float(np.percentile(ms, 90)),
        "p99": float(np.percentile(ms, 99)),
        "errors": errors,
    }


def _wait_up(url: str, key: str, body: str, proc: subprocess.Popen[Any], timeout: float) -> float:
    """Poll until ``url`` answers ``body`` with 200; return the seconds it took."""
    import httpx

    started = time.perf_counter()
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    last = "no answer"
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering ({url})")
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=10)
            if response.status_code == 200:
                return time.perf_counter() - started
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as err:
            last = type(err).__name__
        time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {timeout:.0f} s: {last}")


def measure(
    name: str,
    server: str,
    workers: int,
    proc: subprocess.Popen[Any],
    url: str,
    path: str,
    key: str,
    payloads: list[str],
    args: argparse.Namespace,
    marker: str,
) -> dict[str, Any]:
    load(url, path, key, payloads, WARMUP_S, args)
    per0, machine0, client0 = _cpu_by_process(proc.pid), _machine_busy(), _client_seconds()
    wall0 = time.perf_counter()
    result = load(url, path, key, payloads, args.seconds, args)
    per = {p: c - per0.get(p, 0.0) for p, c in _cpu_by_process(proc.pid).items()}
    cpu = sum(per.values())
    # how the work spread over the processes (keep-alive connections stay on one worker)
    workers_cpu = sorted((per.get(p, 0.0) for p in _worker_pids(proc.pid, marker)), reverse=True)
    total_workers = sum(workers_cpu)
    result["split"] = (
        " / ".join(f"{c / total_workers:.0%}" for c in workers_cpu) if total_workers > 0 else "-"
    )
    wall = time.perf_counter() - wall0
    client = _client_seconds() - client0
    others = max(0.0, _machine_busy() - machine0 - cpu - client)
    capacity = wall * (os.cpu_count() or 1)
    result.update(
        client_share=client / capacity,
        others_share=others / capacity,
        scenario=name,
        server=server,
        workers=workers,
        route=path,
        cpu_ms=1e3 * cpu / max(1, result["requests"]),
        cpu_share=cpu / capacity,
    )
    print(
        f"{name:13s} {server:22s} workers={workers}: {result['rps']:8.1f} req/s, "
        f"p50 {result['p50']:.1f} ms, p90 {result['p90']:.1f} ms, p99 {result['p99']:.1f} ms, "
        f"errors {result['errors']}, server CPU {result['cpu_ms']:.2f} ms/request"
    )
    return result


# ---------------------------------------------------------------------------- servers
def start_service(
    workdir: Path, workers: int, key: str, probe: str, direct: bool = True
) -> tuple[Any, str, float]:
    port = _free_port()
    command = [str(BIN / "bentoml"), "serve", SERVICE, "--host", "127.0.0.1", "--port", str(port)]
    env = {**_env(workdir, workers), "CUSTINTEL_DIRECT": "1" if direct else "0"}
    proc = _start(command, cwd=workdir, env=env, log=workdir / "service.log")
    url = f"http://127.0.0.1:{port}"
    up = _wait_up(url + "/v1/churn/predict", key, probe, proc, timeout=300)
    return proc, url, up


def start_mlflow(workdir: Path, key: str, probe: str) -> tuple[Any, str, float]:
    port = _free_port()
    command = [str(BIN / "mlflow"), "models", "serve", "-m", CHAMPION, "--env-manager", "local"]
    command += ["-h", "127.0.0.1", "-p", str(port), "--workers", "2"]
    proc = _start(command, cwd=workdir, env=_env(workdir), log=workdir / "mlflow.log")
    url = f"http://127.0.0.1:{port}"
    up = _wait_up(url + "/invocations", key, probe, proc, timeout=300)
    return proc, url, up


def soak(
    workdir: Path, workers: int, key: str, payloads: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    proc, url, _ = start_service(workdir, workers, key, payloads[0])
    try:
        marker = SERVICE_WORKER
        load(url, "/v1/churn/predict", key, payloads, 10, args)
        before = _rss_mb(proc.pid, marker)
        samples = [(0.0, *before)]
        print(f"soak: RSS after warm-up {before[0]:.0f} MB (workers {before[1]:.0f} MB)")
        result: dict[str, Any] = {}
        started = time.perf_counter()
        # the load runs in a thread; the main thread samples memory every 30 s
        import threading

        def run() -> None:
            result.update(load(url, "/v1/churn/predict", key, payloads, args.soak, args))

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        while thread.is_alive():
            thread.join(timeout=30)
            if thread.is_alive():
                samples.append((time.perf_counter() - started, *_rss_mb(proc.pid, marker)))
        time.sleep(1.0)
        after = _rss_mb(proc.pid, marker)
        samples.append((time.perf_counter() - started, *after))
        print(f"soak: RSS after {args.soak} s {after[0]:.0f} MB (workers {after[1]:.0f} MB)")
        return {"workers": workers, "before": before, "after": after, "samples": samples, **result}
    finally:
        _stop(proc)


def profile(
    workdir: Path, workers: int, key: str, payloads: dict[str, list[str]], args: argparse.Namespace
) -> dict[str, dict[str, Any]]:
    """Sample one service worker with py-spy under *customer_ids*, then *records* load."""
    import threading

    proc, url, _ = start_service(workdir, workers, key, payloads["customer_ids"][0])
    out = {}
    try:
        for scenario in ("customer_ids", "records"):
            load(url, "/v1/churn/predict", key, payloads[scenario], WARMUP_S, args)
            seconds = min(20, max(5, int(args.seconds)))
            thread = threading.Thread(
                target=load,
                args=(url, "/v1/churn/predict", key, payloads[scenario], seconds + 4, args),
                daemon=True,
            )
            thread.start()
            time.sleep(2)
            target = _worker_pids(proc.pid, SERVICE_WORKER)[0]
            raw = workdir / f"profile_{scenario}.txt"
            command = [args.py_spy, "record", "-p", str(target), "-d", str(seconds)]
            command += ["-r", "200", "-f", "raw", "-o", str(raw), "--nonblocking"]
            subprocess.run(command, capture_output=True, check=True, timeout=seconds + 60)
            thread.join()
            out[scenario] = _summarise_profile(raw)
        return out
    finally:
        _stop(proc)


#: Frames of the hot path whose share of the samples is reported (label, frame, file).
HOT_FRAMES = [
    (
        "the route (service._answer: the handler and the response model)",
        "_answer",
        "serving/service",
    ),
    ("snapshot lookup (handlers._lookup: the id's row of the answers)", "_lookup", "handlers"),
    ("records validation (handlers._records)", "_records", "custintel/serving/handlers"),
    ("model output (tracking.model_output)", "model_output", "custintel/tracking/outputs"),
    ("feature encoding (FrameEncoder.transform)", "FrameEncoder.transform", "models/_frame"),
    ("LightGBM predict (Booster.predict)", "Booster.predict", "lightgbm/basic"),
    ("calibration (predict_proba after LightGBM)", "predict_proba", "sklearn/calibration"),
    ("output frame to rows (DataFrame.to_dict)", "DataFrame.to_dict", "pandas/core/frame"),
    ("audit line (AuditLog.record)", "AuditLog.record", "serving/audit"),
    ("key check (KeyStore.authenticate)", "KeyStore.authenticate", "serving/auth"),
    ("request body parsing (pydantic model_validate_json)", "model_validate_json", "pydantic"),
    ("response body (pydantic model_dump_json)", "model_dump_json", "pydantic"),
    ("response writing (send chain)", "RequestResponseCycle.send", "uvicorn"),
]


def _summarise_profile(raw: Path) -> dict[str, Any]:
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for label, name, where in HOT_FRAMES:
            if any(f.startswith(f"{name} (") and where in f for f in frames):
                inclusive[label] += n
        if not any(f.startswith("_answer (") and "serving/service" in f for f in frames):
            inclusive["outside the route (ASGI, BentoML, middleware, event loop)"] += n
    return {"total": total, "shares": {k: v / max(1, total) for k, v in inclusive.items()}}


# ---------------------------------------------------------------------------- report
def _code_version() -> str:
    """The commit under test, and whether ``src/`` differs from it (read-only git calls)."""
    try:
        run = {"cwd": ROOT, "capture_output": True, "text": True, "check": True}
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **run).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], **run).stdout
    except (OSError, subprocess.CalledProcessError):
        return "custintel (no git checkout)"
    return f"custintel at {commit}" + (" with uncommitted changes in src/" if dirty else "")


def _versions(args: argparse.Namespace) -> str:
    from importlib import metadata

    names = ["bentoml", "mlflow", "uvicorn", "lightgbm", "scikit-learn", "pandas"]
    parts = [f"{n} {metadata.version(n)}" for n in names]
    if args.wrk:
        first = subprocess.run([args.wrk, "-v"], capture_output=True, text=True)
        found = re.search(r"wrk (\S+)", first.stdout + first.stderr)
        parts.append(f"wrk {found.group(1) if found else '?'}")
    else:
        parts.append("load from asyncio + httpx (wrk not found)")
    return f"Python {platform.python_version()}, " + ", ".join(parts)


def report(
    args: argparse.Namespace,
    runs: list[dict[str, Any]],
    soaked: dict[str, Any] | None,
    prof: dict[str, Any] | None,
    context: dict[str, Any],
) -> str:
    base = next(r for r in runs if r["scenario"] == "mlflow")
    every = [r for r in runs if r["scenario"] != "mlflow"]
    ours = [r for r in every if r.get("direct", True)]
    routed = {r["scenario"]: r for r in every if not r.get("direct", True)}
    lines = [
        f"# bench_serving: churn, one row per request, concurrency {args.concurrency}, "
        f"{args.seconds:g} s per run",
        "",
        f"Setup: `custintel demo --customers {args.customers} --train churn` in a temporary "
        f"folder (churn champion v{context['version']}, snapshot of {context['snapshot_rows']:,} "
        f"customers); requests rotate over {context['n_ids']} random customers (seed "
        f"{args.seed}). Servers one at a time on 127.0.0.1: our BentoML service (`bentoml serve "
        f"{SERVICE}`, `CUSTINTEL_WORKERS` as in the table; only churn is trained, so it counts "
        f"as up when the churn route answers 200) and `mlflow models serve -m {CHAMPION} "
        f"--env-manager local --workers 2` (the baseline, same champion, same run). Load: "
        f"{'wrk -t1' if args.wrk else 'asyncio + httpx'}, {args.concurrency} connections, closed "
        f"loop, a {WARMUP_S} s warm-up before each run (not counted); the load generator shares "
        f"the machine's {os.cpu_count()} cores with the server. Latencies in ms (wrk's "
        f"histogram); errors: non-2xx/3xx answers, socket errors and 10 s timeouts. Server CPU: "
        f"CPU time of the server's process tree per request (and its share of the machine's "
        f"CPU capacity); split: how that CPU time spread over the serving worker processes "
        f"(largest first); client: the load generator's share; other: every other process's "
        f"(from /proc/stat; the machine may be shared, so prefer the ratios). "
        f"Ratios: req/s over the baseline's, baseline's p99 over ours. One run each (no "
        f"repeats), so compare within this table. {context['code']}, "
        f"{os.cpu_count()}-core machine, {_versions(args)}.",
        "",
        "| scenario | server | workers | body | req/s | p50 ms | p90 ms | p99 ms | errors "
        "| server CPU ms/req (share) | server CPU split over processes "
        "| client / other CPU share | req/s vs mlflow | p99 vs mlflow |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: "
        "| ---: |",
    ]
    body = {
        "records": '`{"records": [one full record]}`',
        "customer_ids": '`{"customer_ids": [one id]}`',
        "explain": f'`{{"customer_ids": [one id], "top_k": {TOP_K}}}`',
        "mlflow": '`{"dataframe_split": one row}`',
    }
    for r in [base, *every]:
        lines.append(
            f"| {r['scenario']} | {r['server']} `{r['route']}` | {r['workers']} "
            f"| {body[r['scenario']]} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p90']:.1f} "
            f"| {r['p99']:.1f} | {r['errors']:,} | {r['cpu_ms']:.2f} ({r['cpu_share']:.0%}) "
            f"| {r['split']} | {r['client_share']:.0%} / {r['others_share']:.0%} "
            f"| {r['rps'] / base['rps']:.2f}x | {base['p99'] / r['p99']:.2f}x |"
        )
    lines += ["", "Costs (from the rows above):", ""]
    for scenario, slow in routed.items():
        fast = next(
            (r for r in ours if r["scenario"] == scenario and r["workers"] == slow["workers"]),
            None,
        )
        if fast is not None:
            lines.append(
                f"- {scenario}, {slow['workers']} worker(s): answered in the service's middleware "
                f"(default) instead of by BentoML's routing and IO descriptors "
                f"(`CUSTINTEL_DIRECT=0`): {fast['rps'] / slow['rps'] - 1:+.0%} req/s, "
                f"{fast['cpu_ms'] - slow['cpu_ms']:+.2f} ms server CPU per request, p99 "
                f"{fast['p99']:.1f} vs {slow['p99']:.1f} ms."
            )
    for workers in sorted({r["workers"] for r in ours}):
        by = {r["scenario"]: r for r in ours if r["workers"] == workers}
        if {"records", "customer_ids", "explain"} <= by.keys():
            rec, ids, exp = by["records"], by["customer_ids"], by["explain"]
            lines.append(
                f"- {workers} worker(s): `customer_ids` lookup instead of `records`: "
                f"{ids['cpu_ms'] - rec['cpu_ms']:+.2f} ms server CPU per request, "
                f"{ids['rps'] / rec['rps'] - 1:+.0%} req/s, p99 {ids['p99']:.1f} vs "
                f"{rec['p99']:.1f} ms; `explain` instead of `predict` (both by id): "
                f"{exp['cpu_ms'] - ids['cpu_ms']:+.2f} ms server CPU per request, "
                f"{exp['rps'] / ids['rps'] - 1:+.0%} req/s, p99 {exp['p99']:.1f} vs "
                f"{ids['p99']:.1f} ms."
            )
    if soaked:
        (_, b_total, b_workers), (a_total, a_workers) = soaked["samples"][0], soaked["after"]
        growth_total, growth_workers = a_total / b_total - 1, a_workers / b_workers - 1
        trend = ", ".join(f"{t:.0f} s: {w:.0f}" for t, _, w in soaked["samples"])
        later = [w for t, _, w in soaked["samples"] if t >= 60]
        settled = (
            f" From the first sample at or after 60 s to the end: {later[0]:.0f} -> "
            f"{a_workers:.0f} MB ({a_workers / later[0] - 1:+.1%})."
            if later
            else ""
        )
        lines += [
            "",
            f"Soak: a fresh service with {soaked['workers']} worker(s), `customer_ids` traffic "
            f"(concurrency {args.concurrency}) for {args.soak} s after a 10 s warm-up: "
            f"{soaked.get('requests', 0):,} requests, {soaked.get('rps', float('nan')):,.0f} "
            f"req/s, p99 {soaked.get('p99', float('nan')):.1f} ms, errors "
            f"{soaked.get('errors', 0):,}. RSS of the whole process tree {b_total:.0f} -> "
            f"{a_total:.0f} MB ({growth_total:+.1%}); of the serving worker(s) {b_workers:.0f} "
            f"-> {a_workers:.0f} MB ({growth_workers:+.1%}). Worker RSS (MB) over time: "
            f"{trend}.{settled}",
        ]
    lines += ["", "Goals (issue): measured on the best worker count per route.", ""]
    lines += ["| goal | measured | met |", "| --- | --- | --- |"]
    for scenario in ("records", "customer_ids"):
        rows = [r for r in ours if r["scenario"] == scenario]
        if not rows:
            continue
        best = max(rows, key=lambda r: r["rps"])
        lines.append(
            f"| {scenario}: >= 1,000 req/s | {best['rps']:,.0f} req/s ({best['workers']} "
            f"worker(s)) | {'yes' if best['rps'] >= 1000 else 'no'} |"
        )
        lines.append(
            f"| {scenario}: p99 <= 50 ms | {best['p99']:.1f} ms | "
            f"{'yes' if best['p99'] <= 50 else 'no'} |"
        )
        ratio = best["rps"] / base["rps"]
        lines.append(
            f"| {scenario}: >= 5x mlflow models serve | {ratio:.2f}x | "
            f"{'yes' if ratio >= 5 else 'no'} |"
        )
    if soaked:
        grow = soaked["after"][1] / soaked["samples"][0][2] - 1
        lines.append(
            f"| RSS growth over a {args.soak} s soak < 10% | {grow:+.1%} (workers) | "
            f"{'yes' if grow < 0.10 else 'no'} |"
        )
    if prof:
        labels = sorted(
            {label for p in prof.values() for label in p["shares"]},
            key=lambda label: -max(p["shares"].get(label, 0.0) for p in prof.values()),
        )
        lines += [
            "",
            f"Profile: py-spy at 200 Hz on one service worker ({context['profile_workers']} "
            f"worker(s)), under each scenario's load; active samples only (idle excluded); "
            f"share of the samples with the frame on the stack (frames nest, so shares "
            f"overlap). Samples: "
            + ", ".join(f"{k} {v['total']:,}" for k, v in prof.items())
            + ".",
            "",
            "| frame | " + " | ".join(prof) + " |",
            "| --- |" + " ---: |" * len(prof),
        ]
        for label in labels:
            cells = " | ".join(f"{p['shares'].get(label, 0.0):.0%}" for p in prof.values())
            lines.append(f"| {label} | {cells} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30, help="length of each run")
    parser.add_argument("--soak", type=int, default=300, help="soak seconds (0: no soak)")
    parser.add_argument(
        "--workers", default="1,2", help="comma-separated CUSTINTEL_WORKERS values (default 1,2)"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--ids", type=int, default=256, help="customers the requests rotate over")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=None, help="reuse this setup folder")
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), help="py-spy executable")
    parser.add_argument("--output", type=Path, default=RESULTS / "bench_serving.md")
    args = parser.parse_args()
    args.wrk = shutil.which("wrk")
    worker_counts = [int(w) for w in str(args.workers).split(",") if w.strip()]

    signal.signal(signal.SIGTERM, _on_signal)
    temporary = args.workdir is None
    args.workdir = (
        Path(tempfile.mkdtemp(prefix="bench-serving-")) if temporary else args.workdir.resolve()
    )
    try:
        key = setup(args.workdir, args.customers)
        payloads = bodies(args.workdir, args.ids, args.seed)
        meta = json.loads((args.workdir / "snapshots" / "churn.json").read_text())
        context: dict[str, Any] = {
            "code": _code_version(),
            "snapshot_rows": int(meta.get("rows", 0)),
            "n_ids": len(payloads["customer_ids"]),
            "profile_workers": worker_counts[0],
        }
        runs = []

        proc, url, up = start_mlflow(args.workdir, key, payloads["mlflow"][0])
        print(f"mlflow models serve up in {up:.0f} s")
        try:
            runs.append(
                measure(
                    "mlflow", "mlflow models serve", 2, proc, url, "/invocations", key,
                    payloads["mlflow"], args, MLFLOW_WORKER,
                )
            )  # fmt: skip
        finally:
            _stop(proc)

        plan = [(w, True) for w in worker_counts] + [(worker_counts[0], False)]
        for workers, direct in plan:
            proc, url, up = start_service(
                args.workdir, workers, key, payloads["customer_ids"][0], direct
            )
            print(f"custintel service ({workers} worker(s), direct={direct}) up in {up:.0f} s")
            try:
                import httpx

                answer = httpx.post(
                    url + "/v1/churn/predict",
                    content=payloads["customer_ids"][0],
                    headers={"X-API-Key": key, "Content-Type": "application/json"},
                    timeout=10,
                )
                context["version"] = answer.json()["model"]["version"]
                scenarios = [
                    ("records", "/v1/churn/predict"),
                    ("customer_ids", "/v1/churn/predict"),
                ]
                if direct:
                    scenarios.append(("explain", "/v1/churn/explain"))
                server = "custintel" if direct else "custintel `CUSTINTEL_DIRECT=0`"
                for scenario, path in scenarios:
                    run = measure(
                        scenario, server, workers, proc, url, path, key,
                        payloads[scenario], args, SERVICE_WORKER,
                    )  # fmt: skip
                    runs.append({**run, "direct": direct})
            finally:
                _stop(proc)
        context.setdefault("version", "1")

        prof = None
        if args.py_spy:
            try:
                prof = profile(args.workdir, worker_counts[0], key, payloads, args)
            except (subprocess.SubprocessError, IndexError, OSError) as err:
                print(f"profile skipped: {err}", file=sys.stderr)
        soaked = None
        if args.soak > 0:
            soaked = soak(args.workdir, worker_counts[0], key, payloads["customer_ids"], args)

        now = _code_version()
        if now != context["code"]:
            context["code"] += (
                f" at the start (the checkout changed during the run: {now} at the end)"
            )
        text = report(args, runs, soaked, prof, context)
        print(text)
        args.output.parent.mkdir(exist_ok=True)
        args.output.write_text(text)
    finally:
        _stop_all()
        if temporary:
            shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
