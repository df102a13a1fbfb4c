"""``custintel demo``: the main job on the embedded demo data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

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
) -> None:
    """Run the main job on demo data: generate, validate, save, profile, link, featurise, model.

    Models: churn, credit, fraud and segments on customer features, a demand forecast per
    province, and the sentiment and complaint aspects of the reviews and tickets.
    """
    with user_errors():
        cfg = load_config(config, DemoConfig) if config is not None else DemoConfig()
        cfg = cfg.with_overrides(
            data=cfg.data.with_overrides(n_customers=customers, seed=seed), output_dir=out
        )
        started = time.perf_counter()
        ds = generate(cfg.data.n_customers, cfg.data.seed, cfg.data.start, cfg.data.end)
        save(ds, cfg.output_dir, cfg.format, overwrite=True)
        print_profile(ds)
        resolved = resolve_identities(ds)
        summarise_features(resolved)
        fit_models(resolved, seed=cfg.data.seed)
        forecast_demand(resolved, seed=cfg.data.seed)
        read_voices(resolved)
        elapsed = time.perf_counter() - started
        console.print(
            f"[bold green]Done[/] in {elapsed:.1f}s: {ds!r} passed every data-contract check "
            f"and was written to [bold]{cfg.output_dir}[/].",
            soft_wrap=True,
        )
        console.print(
            f"Next: [cyan]custintel data validate {cfg.output_dir} --full[/] re-checks it from "
            "disk; [cyan]custintel --help[/] lists every command.",
            soft_wrap=True,
        )


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


def fit_models(ds: Dataset, *, seed: int = 0) -> None:
    """Fit churn, credit, fraud and segmentation models; print holdout metrics and reasons.

    Churn and credit train on rolling snapshots and are scored on the latest cutoff (a time
    split); fraud is scored against the planted rings; segments are named from their profile.
    """
    import pandas as pd

    from custintel.evaluation import binary_report
    from custintel.features import build_customer_features, build_training_frame, time_split
    from custintel.features import rolling_cutoffs as cutoffs_of
    from custintel.models import ChurnModel, CreditRiskModel, CustomerSegmenter, FraudScorer

    rows: list[dict[str, object]] = []
    explained: pd.DataFrame | None = None
    with progress() as bar:
        task = bar.add_task("Fitting churn, credit, fraud and segment models", total=4)
        cutoffs = cutoffs_of(ds, n=4, every_days=90, horizon_days=90)
        # a default needs 30 more days after the window to be observed
        credit_cutoffs = cutoffs_of(ds, n=4, every_days=90, horizon_days=120)
        tasks: tuple[tuple[Literal["churn", "default"], Any, list[pd.Timestamp]], ...] = (
            ("churn", ChurnModel(random_state=seed), cutoffs),
            ("default", CreditRiskModel(random_state=seed), credit_cutoffs),
        )
        for label, model, when in tasks:
            started = time.perf_counter()
            X, y = build_training_frame(ds, when, label, horizon_days=90)
            (X_tr, y_tr), (X_va, y_va) = time_split(X, y)
            if y_tr.nunique() < 2 or y_va.nunique() < 2:
                console.print(f"[yellow]{label}: too few positive labels to fit; skipped[/]")
                bar.advance(task)
                continue
            model.fit(X_tr, y_tr)
            report = binary_report(y_va, model.predict_proba(X_va)[:, 1])
            rows.append(
                {
                    "model": type(model).__name__,
                    "holdout": f"{len(y_va):,} customers at {when[-1].date()}",
                    "roc_auc": report["roc_auc"],
                    "pr_auc": report["pr_auc"],
                    "brier": report["brier"],
                    "seconds": time.perf_counter() - started,
                }
            )
            if label == "churn":
                riskiest = pd.Series(model.predict_proba(X_va)[:, 1], index=X_va.index).idxmax()
                explained = model.explain(X_va.loc[[riskiest]], top_k=5)
            bar.advance(task)

        started = time.perf_counter()
        X = build_customer_features(ds, cutoffs[-1])
        fraud = FraudScorer(random_state=seed).fit(X)
        if ds.truth is not None:
            rings = ds.truth.customers.set_index("customer_id")["ring_id"]
            in_ring = (rings.reindex(X.index).fillna(-1) >= 0).astype(int)
            if 0 < in_ring.sum() < len(in_ring):
                report = binary_report(in_ring, fraud.score_samples(X), top=0.01)
                rows.append(
                    {
                        "model": "FraudScorer (no labels)",
                        "holdout": f"{int(in_ring.sum())} planted ring accounts",
                        "roc_auc": report["roc_auc"],
                        "pr_auc": report["pr_auc"],
                        "brier": float("nan"),
                        "seconds": time.perf_counter() - started,
                    }
                )
        bar.advance(task)
        segmenter = CustomerSegmenter(n_clusters="auto", random_state=seed).fit(X)
        bar.advance(task)
    if rows:
        console.print(frame_table(pd.DataFrame(rows), "Models (time-split holdout)"))
    profiles = segmenter.profiles_[["name", "name_en", "size", "share"]]
    console.print(frame_table(profiles, "Customer segments", percent=("share",)))
    if explained is not None:
        console.print(
            frame_table(
                explained[["rank", "zh", "en"]].reset_index(drop=True),
                "Why the riskiest holdout customer is likely to churn (log-odds contributions)",
            )
        )


def forecast_demand(ds: Dataset, *, seed: int = 0, horizon: int = 28) -> None:
    """Forecast daily parcels per province; print the backtest and the national outlook."""
    import pandas as pd

    from custintel.features import demand_series
    from custintel.models import DemandForecaster, aggregate_series, reconcile

    if ds.shipments is None:
        console.print("[yellow]demand: no shipments table; skipped[/]")
        return
    with progress() as bar:
        task = bar.add_task("Forecasting parcels per province (3-window backtest)", total=1)
        started = time.perf_counter()
        ts = demand_series(ds, freq="D", by=["dest_province"])
        tree = {p: "全国" for p in ts["series_id"].unique()}
        full = aggregate_series(ts, tree)
        model = DemandForecaster(horizon=horizon, n_jobs=2, random_state=seed).fit(full)
        forecast = reconcile(model.predict(), tree)
        seconds = time.perf_counter() - started
        bar.advance(task)
    mase = model.mase_.mean().rename("backtest MASE").to_frame()
    mase["vs seasonal naive"] = mase["backtest MASE"] / mase.loc["seasonal_naive", "backtest MASE"]
    console.print(
        frame_table(
            mase.rename_axis("model").reset_index(),
            f"Demand: {ts['series_id'].nunique()} provinces + national, {horizon}-day "
            f"forecasts, rolling-origin backtest ({seconds:.0f}s)",
        )
    )
    national = forecast[forecast["series_id"] == "全国"].set_index("ds")
    weekly = national[["yhat", "yhat_q10", "yhat_q90"]].resample("W-SUN").sum(min_count=1)
    weekly.insert(0, "days", national["yhat"].resample("W-SUN").size())
    weekly.index = pd.DatetimeIndex(weekly.index).date
    console.print(
        frame_table(
            weekly.round(0).astype("int64").rename_axis("week ending").reset_index(),
            f"National parcels, next {horizon} days (provinces reconciled to the total; "
            f"combination: {model.choice_.value_counts().idxmax()}; backtest 10-90% coverage "
            f"{model.interval_coverage_:.0%})",
        )
    )


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
