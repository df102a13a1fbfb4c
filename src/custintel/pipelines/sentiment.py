"""Sentiment: Chinese reviews, tickets and call notes labelled by their star ratings.

Texts rated ``<= negative_max`` stars are negative (0), ``>= positive_min`` positive (1); texts
in between or without a rating are left out. The latest ``holdout_days`` of texts judge the
model (a time split). Phone numbers, id numbers and e-mails typed into texts are masked before
anything is fitted, stored or shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from custintel.pipelines._stages import make_result
from custintel.pipelines.result import Holdout, TrainResult

if TYPE_CHECKING:
    from custintel.data import Dataset
    from custintel.pipelines._stages import StageTimer
    from custintel.pipelines.data import PreparedData

_EXPLAIN_TEXTS = 500
_EXAMPLE_CHARS = 120


def labelled_texts(spec: Any, ds: Dataset) -> pd.DataFrame:
    """Rated texts with their weak label: ``customer_id``, ``created_at``, ``text``, ``label``."""
    from custintel.identity import scrub_text

    reviews = ds["reviews"] if ds.has("reviews") else None
    if reviews is None or "text" not in reviews or "rating" not in reviews:
        raise ValueError(
            "sentiment: training needs the reviews table with `text` and `rating` columns "
            "(ratings give the labels); without ratings use start_from: pretrained"
        )
    rating = reviews["rating"].astype("Float64")
    label = pd.Series(pd.NA, index=reviews.index, dtype="Int8")
    label[(rating <= spec.labels.negative_max).fillna(False)] = 0
    label[(rating >= spec.labels.positive_min).fillna(False)] = 1
    keep = label.notna() & reviews["text"].notna()
    frame = pd.DataFrame(
        {
            "customer_id": reviews.loc[keep, "customer_id"].astype("string"),
            "created_at": reviews.loc[keep, "created_at"],
            "text": scrub_text(reviews.loc[keep, "text"]),
            "label": label[keep].astype("int8"),
        }
    )
    return frame.sort_values("created_at", kind="stable").reset_index(drop=True)


def build_holdout(spec: Any, ds: Dataset) -> tuple[pd.DataFrame, Holdout]:
    """Training texts, and the holdout: texts of the last ``holdout_days``."""
    frame = labelled_texts(spec, ds)
    cutoff = ds.end - pd.Timedelta(days=spec.holdout_days)
    late = (frame["created_at"] >= cutoff).to_numpy()
    train, test = frame[~late], frame[late]
    for name, part in (("training", train), ("holdout", test)):
        if part["label"].nunique() < 2:
            raise ValueError(
                f"sentiment: the {name} texts ({len(part):,}) hold one class only; change "
                "holdout_days or the rating thresholds (labels.negative_max/positive_min)"
            )
    X = test[["text"]].set_index(pd.Index(test["customer_id"], name="customer_id"))
    y = pd.Series(test["label"].to_numpy(), index=X.index, name="label")
    description = (
        f"{len(test):,} rated texts from {pd.Timestamp(cutoff).date()} on "
        f"({float(1 - y.mean()):.1%} negative)"
    )
    return train, Holdout(X, y, description)


def holdout_metrics(model: Any, holdout: Holdout) -> dict[str, float]:
    """Accuracy, balanced accuracy, ROC AUC and F1 of the negative class."""
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, roc_auc_score

    texts = holdout.X["text"].astype(str).tolist()
    y = np.asarray(holdout.y).astype(int)
    negative = model.negative_proba(texts)
    pred = (negative < 0.5).astype(int)
    return {
        "accuracy": float(accuracy_score(y, pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y, pred)),
        "roc_auc": float(roc_auc_score(y, 1 - negative)),
        "f1_negative": float(f1_score(y, pred, pos_label=0)),
    }


def latest_features(spec: Any, ds: Any) -> None:
    """Return nothing: this task is not scored by customer id."""
    return None


def train(spec: Any, data: PreparedData, timer: StageTimer) -> TrainResult:
    """Fit a :class:`SentimentClassifier` on rated texts (or take the pretrained one)."""
    from custintel.models import SentimentClassifier

    with timer("features"):
        train_texts, holdout = build_holdout(spec, data.ds)
    with timer("fit"):
        pretrained = SentimentClassifier.pretrained()
        if spec.start_from == "pretrained":
            model = pretrained
        else:
            model = SentimentClassifier(**spec.estimator)
            model.fit(train_texts["text"].astype(str).tolist(), train_texts["label"].to_numpy())
    with timer("evaluate"):
        metrics = holdout_metrics(model, holdout)
        rows = {"model": metrics}
        if spec.start_from != "pretrained":
            rows["pretrained (general corpus)"] = holdout_metrics(pretrained, holdout)
        y = np.asarray(holdout.y).astype(int)
        majority = int(np.asarray(train_texts["label"]).mean() >= 0.5)
        rows["majority class"] = {
            "accuracy": float((y == majority).mean()),
            "balanced_accuracy": 0.5,
            "roc_auc": 0.5,
            "f1_negative": float("nan")
            if majority
            else float(2 * (y == 0).mean() / (1 + (y == 0).mean())),
        }
        baselines = pd.DataFrame(rows).T.rename_axis("compared")
        figures, captions = _figures(model, holdout)
    with timer("explain"):
        texts = holdout.X["text"].astype(str).tolist()
        negative = pd.Series(model.negative_proba(texts), index=holdout.X.index)
        sample = np.random.default_rng(spec.seed).permutation(len(texts))[:_EXPLAIN_TEXTS]
        words = model.explain([texts[i] for i in sample], top_k=8)
        drivers = _word_drivers(words, spec.report.top_drivers)
        examples = _examples(model, texts, negative, spec.report.examples)
    return make_result(
        spec,
        data,
        holdout_metrics,
        model=model,
        metrics=metrics,
        baselines=baselines,
        holdout=holdout,
        input_example=holdout.X.head(5).reset_index(drop=True),
        figures=figures,
        captions=captions,
        drivers=drivers,
        examples=examples,
        split={
            "kind": "time split of rated texts",
            "train": f"{len(train_texts):,} rated texts before the holdout "
            f"({float(1 - train_texts['label'].mean()):.1%} negative)",
            "holdout": holdout.description,
            "train_rows": len(train_texts),
            "holdout_rows": len(holdout.X),
        },
        notes=[
            f"Labels come from star ratings: <= {spec.labels.negative_max} negative, >= "
            f"{spec.labels.positive_min} positive; texts rated in between are left out. "
            "Ratings and texts can disagree, so accuracy near 100% is not expected.",
        ],
    )


def _figures(model: Any, holdout: Holdout) -> tuple[dict[str, Any], dict[str, str]]:
    from custintel.pipelines.run_plots import binary_figures, confusion_figure

    texts = holdout.X["text"].astype(str).tolist()
    negative = model.negative_proba(texts)
    is_negative = (np.asarray(holdout.y) == 0).astype(int)
    figures, captions = binary_figures(is_negative, negative, what="negative")
    names = {0: "negative", 1: "positive"}
    truth = pd.Series(np.asarray(holdout.y)).map(names)
    pred = pd.Series((negative < 0.5).astype(int)).map(names)
    figures["confusion_matrix"] = confusion_figure(
        truth, pred, labels=["negative", "positive"], title="Ratings vs predicted sentiment"
    )
    captions["confusion_matrix"] = (
        "Holdout texts: rows are the sentiment their star rating implies, columns what the "
        "model read from the text."
    )
    return figures, captions


def _word_drivers(words: pd.DataFrame, top: int) -> pd.DataFrame:
    """Words that move predictions most over a sample of holdout texts."""
    stats = words.groupby("word")["contribution"].agg(["mean", "size"])
    stats["importance"] = words.assign(a=words["contribution"].abs()).groupby("word")["a"].sum()
    stats = stats.sort_values("importance", ascending=False).head(top)
    direction = np.where(stats["mean"] < 0, "pushes towards negative", "pushes towards positive")
    frame = pd.DataFrame(
        {
            "importance": stats["importance"] / max(len(words["row"].unique()), 1),
            "direction": direction,
            "zh": [f"词语「{w}」" for w in stats.index],
            "en": [f"the word {w!r} ({n} of the sampled texts)" for w, n in stats["size"].items()],
        },
        index=pd.Index(stats.index, name="feature"),
    )
    return frame


def _examples(model: Any, texts: list[str], negative: pd.Series, n: int) -> pd.DataFrame:
    """Return the most negative holdout texts with the words that made them so.

    The score shown is the probability that the text is negative, so each word's contribution
    is given toward negative: positive numbers raise the score, negative ones lower it. The
    texts were scrubbed of personal data when they were labelled.
    """
    order = np.argsort(-negative.to_numpy(), kind="stable")[:n]
    words = model.explain([texts[i] for i in order], top_k=3)
    rows = []
    for _, w in words.iterrows():
        i = order[int(w["row"])]
        score = float(negative.iloc[i])
        toward = -float(w["contribution"])  # explain() gives log-odds toward positive
        moved = "raised" if toward >= 0 else "lowered"
        rows.append(
            {
                "example": int(w["row"]),
                "customer_id": str(negative.index[i]),
                "score": score,
                "title": f"负面概率 P(negative) {score:.3f}",
                "text": _shorten(texts[i]),
                "rank": int(w["rank"]),
                "feature": w["word"],
                "value": None,
                "zh": f"「{w['word']}」({toward:+.2f})",
                "en": f"word {w['word']!r} {moved} the log-odds of negative by {abs(toward):.2f} "
                f"({toward:+.2f})",
            }
        )
    return pd.DataFrame(rows)


def _shorten(text: str, width: int = _EXAMPLE_CHARS) -> str:
    """Cut ``text`` to at most ``width`` characters, marking the cut with an ellipsis.

    Examples
    --------
    >>> _shorten("快递很快，包装完好", 6)
    '快递很快，…'
    >>> _shorten("好评", 6)
    '好评'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"
