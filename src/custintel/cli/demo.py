"""``custintel demo``: the main job on the embedded demo data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from custintel.cli._console import console, frame_table, progress, user_errors
from custintel.cli._report import print_profile
from custintel.cli.data import generate, save
from custintel.config import DemoConfig, load_config

if TYPE_CHECKING:
    from custintel.data import Dataset


def demo(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="YAML run config (configs/demo.yaml).")
    ] = None,
    customers: Annotated[
        int | None, typer.Option("--customers", "-n", min=100, help="Override data.n_customers.")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Override data.seed.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Override output_dir.")] = None,
    tasks: Annotated[
        str | None,
        typer.Option(
            "--train", help="Comma-separated tasks to train (override `train`; 'none': none)."
        ),
    ] = None,
) -> None:
    """Run the main job on demo data: generate, validate, save, profile, then train all six.

    Every task (segmentation, churn, credit, fraud, demand, sentiment) is trained as its
    configs/<task>.yaml says, tracked in MLflow, compared with its champion on the same holdout
    and described in an HTML report; a table of metrics closes the run.
    """
    from custintel.cli.train import print_outcomes, resolve_spec, run_specs

    with user_errors():
        cfg = load_config(config, DemoConfig) if config is not None else DemoConfig()
        train = None
        if tasks is not None:
            train = [] if tasks.strip() == "none" else [t.strip() for t in tasks.split(",")]
        cfg = cfg.with_overrides(
            data=cfg.data.with_overrides(n_customers=customers, seed=seed),
            output_dir=out,
            train=train,
        )
        specs = [
            demo_spec(resolve_spec(t, cfg.configs_dir, cfg.output_dir, cfg.data.seed), cfg)
            for t in cfg.train
        ]
        started = time.perf_counter()
        ds = generate(cfg.data.n_customers, cfg.data.seed, cfg.data.start, cfg.data.end)
        save(ds, cfg.output_dir, cfg.format, overwrite=True)
        print_profile(ds)
        resolved = resolve_identities(ds)
        summarise_features(resolved)
        read_voices(resolved)
        source = demo_source(cfg)
        outcomes = run_specs(specs, dataset=ds, source=source, keep_going=True) if specs else []
        print_outcomes(outcomes)
        elapsed = time.perf_counter() - started
        console.print(
            f"[bold green]Done[/] in {elapsed:.1f}s: {escape(repr(ds))} passed every "
            f"data-contract check and was written to [bold]{escape(str(cfg.output_dir))}[/]; "
            f"{len(outcomes)} task(s) trained.",
            soft_wrap=True,
        )
        console.print(
            "Next: [cyan]custintel train <task> --config configs/<task>.yaml[/] retrains one "
            "task; [cyan]custintel models[/] lists the champions; [cyan]custintel --help[/] "
            "lists every command.",
            soft_wrap=True,
        )


def demo_spec(spec: Any, cfg: DemoConfig) -> Any:
    """Record in ``spec`` the demo data the run really trains on.

    The data is the one just written to ``output_dir`` (``data.path``), generated with
    ``cfg.data``; ``data.demo`` is set to those settings so the config shown in the report and
    logged with the run is the one that was used.
    """
    data = spec.data.with_overrides(path=cfg.output_dir, demo=cfg.data.model_dump())
    return spec.with_overrides(data=data)


def demo_source(cfg: DemoConfig) -> str:
    """Describe the generated demo data for the reports.

    Examples
    --------
    >>> demo_source(DemoConfig())
    'demo dataset, 5,000 customers, seed 0, 2023-01-01 until 2025-01-01, written to out/demo'
    """
    from custintel.pipelines.data import describe_demo

    return describe_demo(cfg.data, f"written to {cfg.output_dir}")


def resolve_identities(ds: Dataset) -> Dataset:
    """Link duplicate customer records, report precision/recall on the planted truth."""
    import pandas as pd

    from custintel.identity import apply_resolution, resolve_customers

    with progress() as bar:
        task = bar.add_task("Resolving customer identities", total=None)
        started = time.perf_counter()
        res = resolve_customers(ds)
        resolved = apply_resolution(ds, res)
        seconds = time.perf_counter() - started
        bar.update(task, total=1, completed=1)
    row = {
        "records": len(res.mapping),
        "persons": res.mapping["canonical_id"].nunique(),
        "merged_pairs": len(res.pairs),
        "conflicts_to_review": len(res.conflicts),
        "seconds": seconds,
    }
    if ds.truth is not None:
        quality = res.evaluate(ds.truth.duplicates[["customer_id", "duplicate_id"]])
        row |= {"precision": quality["precision"], "recall": quality["recall"]}
    table = frame_table(
        pd.DataFrame([row]),
        "Identity resolution (planted duplicates as truth)",
        percent=("precision", "recall"),
    )
    console.print(table)
    return resolved


def summarise_features(ds: Dataset) -> None:
    """Build point-in-time features and churn labels 90 days before the data's end."""
    import pandas as pd

    from custintel.features import build_customer_features, churn_labels, feature_catalog

    as_of = (ds.end - pd.Timedelta(days=90)).normalize()
    with progress() as bar:
        task = bar.add_task(f"Building customer features as of {as_of.date()}", total=None)
        started = time.perf_counter()
        X = build_customer_features(ds, as_of)
        y = churn_labels(ds, as_of, horizon_days=90)
        seconds = time.perf_counter() - started
        bar.update(task, total=1, completed=1)
    catalog = feature_catalog(ds=ds)
    by_family = catalog.groupby("family", sort=False).size().rename("columns").reset_index()
    by_family["example"] = (
        catalog.reset_index().groupby("family", sort=False)["name"].first().to_numpy()
    )
    title = (
        f"Features as of {as_of.date()}: {len(X):,} customers x {X.shape[1]} columns in "
        f"{seconds:.1f}s; 90-day churn rate among buyers {y.mean():.1%}"
    )
    console.print(frame_table(by_family, "Feature families"))
    console.print(title, soft_wrap=True)


def read_voices(ds: Dataset) -> None:
    """Score reviews and tickets with the pretrained sentiment model; count complaint aspects."""
    import pandas as pd

    from custintel.models import SentimentClassifier

    if ds.reviews is None or "text" not in ds.reviews:
        console.print("[yellow]sentiment: no review texts; skipped[/]")
        return
    reviews = ds.reviews
    texts = reviews["text"].astype("string").fillna("").tolist()
    started = time.perf_counter()
    model = SentimentClassifier.pretrained()
    negative = model.negative_proba(texts) >= 0.5
    aspects = model.aspects(texts)
    seconds = time.perf_counter() - started
    source = reviews.get("source", pd.Series("review", index=reviews.index)).astype("string")
    by_source = pd.DataFrame({"source": source.to_numpy(), "negative": negative})
    table = by_source.groupby("source").agg(
        texts=("negative", "size"), negative=("negative", "mean")
    )
    rated = reviews["rating"].notna().to_numpy() if "rating" in reviews else None
    title = f"Voice of the customer: {len(texts):,} texts in {seconds:.1f}s"
    if rated is not None and rated.any():
        rating = reviews["rating"].to_numpy()[rated].astype(float)
        clear = (rating <= 2) | (rating >= 4)
        agree = float((negative[rated][clear] == (rating[clear] <= 2)).mean())
        title += f"; text sentiment agrees with 1-2 vs 4-5 star ratings on {agree:.1%}"
    console.print(frame_table(table.reset_index(), title, percent=("negative",)))
    complaints = (aspects == "neg").sum().sort_values(ascending=False)
    praise = (aspects == "pos").sum().reindex(complaints.index)
    console.print(
        frame_table(
            pd.DataFrame({"aspect": complaints.index, "complaints": complaints.to_numpy(),
                          "praise": praise.to_numpy()}),
            "Complaint aspects (lexicon and rules on jieba tokens)",
        )
    )  # fmt: skip
