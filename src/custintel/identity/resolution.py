"""`IdentityResolution`: the outcome of record linkage, and `apply_resolution` to use it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from custintel.data import Dataset

#: Tables whose ``customer_id`` is rewritten by :func:`apply_resolution`.
CUSTOMER_TABLES: tuple[str, ...] = ("orders", "reviews", "invoices", "fraud_labels")


@dataclass(frozen=True)
class IdentityResolution:
    """Which customer records belong to one person, and why.

    Attributes
    ----------
    mapping : DataFrame
        Indexed by every ``customer_id``, with ``canonical_id`` (the group's earliest registered
        record; ties broken by the smaller id) and ``group_size`` (1 for records left alone).
    pairs : DataFrame
        One row per merged pair: ``customer_id_a``, ``customer_id_b``, ``score`` and ``reason``
        (the agreeing evidence, e.g. ``phone+name~+address+birth_year``).
    conflicts : DataFrame
        Pairs that share a strong key (phone, e-mail or id number) but were not merged, with
        ``shared`` (the key), ``score`` and ``reason`` (why: ``name differs``, ...). These are
        shared family or shop numbers, fraud rings, recycled numbers: worth a review, never an
        automatic merge.
    stats : dict
        Counts (records, candidate pairs, merged pairs, groups, oversized key groups) and the
        seconds spent per stage (``phones``, ``addresses``, ``blocking``, ``scoring``,
        ``grouping``).
    """

    mapping: pd.DataFrame
    pairs: pd.DataFrame
    conflicts: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        merged = int((self.mapping["group_size"] > 1).sum())
        groups = self.mapping.loc[self.mapping["group_size"] > 1, "canonical_id"].nunique()
        return (
            f"IdentityResolution(records={len(self.mapping):,}, merged_records={merged:,}, "
            f"groups={groups:,}, conflicts={len(self.conflicts):,})"
        )

    def canonical(self, customer_ids: Iterable[object]) -> pd.Series:
        """Canonical id of each given ``customer_id`` (unknown ids map to themselves)."""
        ids = pd.Series(list(customer_ids))
        mapped = ids.map(self.mapping["canonical_id"])
        return mapped.where(mapped.notna(), ids)

    def members(self, customer_ids: Iterable[object]) -> list[object]:
        """Every ``customer_id`` in the groups of the given ids (the ids themselves included)."""
        wanted = set(self.canonical(customer_ids).tolist())
        in_group = self.mapping.index[self.mapping["canonical_id"].isin(wanted)].tolist()
        return sorted(set(in_group) | set(customer_ids), key=str)

    def same_person_pairs(self) -> pd.DataFrame:
        """Every pair of records put in one group (``customer_id_a < customer_id_b`` as text)."""
        grouped = self.mapping[self.mapping["group_size"] > 1].reset_index()
        id_col = grouped.columns[0]
        both = grouped.merge(grouped, on="canonical_id", suffixes=("_a", "_b"))
        a, b = both[f"{id_col}_a"], both[f"{id_col}_b"]
        keep = a.astype(str) < b.astype(str)
        return pd.DataFrame(
            {"customer_id_a": a[keep].to_numpy(), "customer_id_b": b[keep].to_numpy()}
        )

    def evaluate(self, true_pairs: pd.DataFrame) -> dict[str, float]:
        """Precision and recall of the same-person pairs against known ones.

        Parameters
        ----------
        true_pairs : DataFrame
            Two columns of customer ids, one row per pair of records of one person (for the
            demo data: ``ds.truth.duplicates[["customer_id", "duplicate_id"]]``).

        Returns
        -------
        dict
            ``precision``, ``recall``, ``true_positives``, ``predicted_pairs``, ``true_pairs``.
        """

        def keys(x: pd.Series, y: pd.Series) -> set[tuple[str, str]]:
            xs, ys = x.astype(str).tolist(), y.astype(str).tolist()
            return {(min(u, v), max(u, v)) for u, v in zip(xs, ys, strict=True)}

        found = self.same_person_pairs()
        predicted = keys(found["customer_id_a"], found["customer_id_b"])
        truth = keys(true_pairs.iloc[:, 0], true_pairs.iloc[:, 1])
        tp = len(predicted & truth)
        return {
            "precision": tp / len(predicted) if predicted else 1.0,
            "recall": tp / len(truth) if truth else 1.0,
            "true_positives": float(tp),
            "predicted_pairs": float(len(predicted)),
            "true_pairs": float(len(truth)),
        }


def apply_resolution(ds: Dataset, resolution: IdentityResolution) -> Dataset:
    """Rewrite every ``customer_id`` to its canonical id and keep one customer row per person.

    The kept ``customers`` row is the canonical (earliest registered) record, with each missing
    field filled from the group's later records in registration order. ``orders``, ``reviews``,
    ``invoices`` and ``fraud_labels`` point to the canonical id; two customer-level fraud labels
    that become one key keep the latest verdict. Feature builders can then index by
    ``customer_id`` and see one row per person.

    Parameters
    ----------
    ds : Dataset
        The data the resolution was computed on (or a later snapshot: unknown ids stay as they
        are).
    resolution : IdentityResolution
        From :func:`~custintel.identity.resolve_customers`.

    Returns
    -------
    Dataset
        A new, validated dataset; ``ds`` is not modified.

    Examples
    --------
    >>> from custintel.data import make_demo_dataset
    >>> from custintel.identity import apply_resolution, resolve_customers
    >>> ds = make_demo_dataset(n_customers=500, seed=3)
    >>> merged = apply_resolution(ds, resolve_customers(ds))
    >>> len(merged.customers) < len(ds.customers)
    True
    >>> merged.orders["customer_id"].isin(merged.customers["customer_id"]).all()
    np.True_
    """
    canonical = resolution.mapping["canonical_id"]
    customers = ds.customers
    mapped = customers["customer_id"].map(canonical)
    mapped = mapped.where(mapped.notna(), customers["customer_id"])
    order = customers.assign(_canonical=mapped.to_numpy()).sort_values(
        ["registered_at", "customer_id"], kind="stable"
    )
    merged = order.groupby("_canonical", sort=False, dropna=False).first()
    merged["customer_id"] = merged.index.to_numpy()
    merged = merged.reset_index(drop=True)[list(customers.columns)]
    merged = merged.astype(customers.dtypes.to_dict())
    merged = merged.sort_values(["registered_at", "customer_id"], kind="stable", ignore_index=True)

    tables: dict[str, pd.DataFrame | None] = {"customers": merged}
    for name in CUSTOMER_TABLES:
        frame = getattr(ds, name)
        if frame is None or "customer_id" not in frame.columns:
            continue
        ids = frame["customer_id"]
        new = ids.map(canonical)
        out = frame.copy()
        out["customer_id"] = new.where(new.notna(), ids).astype(ids.dtype)
        if name == "fraud_labels":
            out = out.sort_values("labeled_at", kind="stable")
            out = out.drop_duplicates(["order_id", "customer_id"], keep="last").sort_index()
        tables[name] = out
    return ds.replace(**tables)
