"""Record linkage: find the customer records of one person across source systems.

The same person often has several accounts: a web shop account and a mini-program member
record, written with another phone format, a homophone in the name, the province abbreviated.
:func:`resolve_customers` links them in four stages, all near-linear in the number of records:

1. **Keys** (vectorised): phone numbers to E.164, e-mails lower-cased, id numbers checked
   (ISO 7064 check character), names and addresses normalised and parsed.
2. **Blocking**: only records sharing a normalised phone, e-mail, id number, or district plus
   house number are compared (see :mod:`custintel.identity._blocking`); no all-pairs step.
3. **Scoring**: each candidate pair collects weighted evidence for and against (see
   :data:`custintel.identity._scoring.WEIGHTS`); name similarity uses ``rapidfuzz``.
4. **Grouping**: merged pairs form groups (connected components); each group keeps the
   earliest registered ``customer_id`` as its canonical id.

Shared strong keys between clearly different people
----------------------------------------------------
A phone, e-mail or id number shared by two records is strong evidence, not proof. Families and
small shops share a phone, name-based e-mails recur (``wei.zhang@qq.com``), fraud rings reuse
numbers. Two records are never merged when their names differ by more than one character or
when both carry valid but different id numbers, whatever keys they share; birth-year and gender
disagreements weigh against. Such pairs are listed in :attr:`IdentityResolution.conflicts` for
review. A key shared by more than ``max_block_size`` records is treated as a shared value: only
records that also share the exact name are compared inside it. Recipient phones on orders are
not identity keys at all (a parcel goes to a family member, a colleague, a locker): only the
``customers`` table is linked.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from custintel.data import Dataset
from custintel.identity._blocking import candidate_pairs
from custintel.identity._keys import RecordKeys, record_keys
from custintel.identity._scoring import STRONG_KEYS, describe, score_pairs
from custintel.identity.resolution import IdentityResolution

_PAIR_COLUMNS = ["customer_id_a", "customer_id_b", "score", "reason"]


def resolve_customers(
    data: Dataset | pd.DataFrame,
    *,
    threshold: float = 8.0,
    max_block_size: int = 20,
) -> IdentityResolution:
    """Link the customer records that belong to one person.

    Parameters
    ----------
    data : Dataset or DataFrame
        A dataset (its ``customers`` table is used) or a customers table with ``customer_id``,
        ``registered_at`` and any of ``name``, ``phone``, ``email``, ``id_number``, ``address``,
        ``province``, ``city``, ``district``, ``birth_year``, ``gender``.
    threshold : float
        Minimum evidence score to merge a pair. The default needs a strong key plus a
        supporting field (phone + similar name), or several supporting fields.
    max_block_size : int
        Records sharing one key value beyond which the value is treated as shared, not
        personal (see the module notes).

    Returns
    -------
    IdentityResolution
        The mapping ``customer_id -> canonical_id`` with group sizes, the merged pairs with score
        and reason, the rejected strong-key pairs, and statistics with stage timings.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({
    ...     "customer_id": ["C1", "WX9", "C2"],
    ...     "registered_at": pd.to_datetime(["2023-01-05", "2024-02-01", "2023-03-01"]),
    ...     "name": ["孙晓芳", "孙晓方", "李娜"],
    ...     "phone": ["13812345678", "+86 138 1234 5678", "13812345678"]})
    >>> res = resolve_customers(customers)
    >>> res.mapping["canonical_id"].tolist()
    ['C1', 'C1', 'C2']
    >>> res.pairs[["customer_id_a", "customer_id_b", "reason"]].values.tolist()
    [['C1', 'WX9', 'phone+name~']]
    >>> res.conflicts[["customer_id_a", "customer_id_b", "reason"]].values.tolist()
    [['C1', 'C2', 'name differs'], ['WX9', 'C2', 'name differs']]
    """
    customers = data.customers if isinstance(data, Dataset) else data
    missing = [c for c in ("customer_id", "registered_at") if c not in customers.columns]
    if missing:
        raise ValueError(
            f"the customers table has no {', '.join(missing)} column; resolve_customers needs "
            "customer_id and registered_at (pass a Dataset or the customers table)"
        )
    if customers["customer_id"].duplicated().any():
        dup = customers.loc[customers["customer_id"].duplicated(), "customer_id"].head(3).tolist()
        raise ValueError(f"customer_id is not unique (e.g. {dup}); one row per customer_id")

    keys = record_keys(customers)
    stats: dict[str, float] = dict(keys.timings)

    t0 = time.perf_counter()
    house = np.asarray(
        [
            None if d is None or h is None else f"{d}|{h}"
            for d, h in zip(keys.district, keys.house, strict=True)
        ],
        dtype=object,
    )
    blocks = {"phone": keys.phone, "email": keys.email, "id_number": keys.id_number, "house": house}
    cand, oversized = candidate_pairs(
        blocks, n=len(keys), max_block=max_block_size, sub_key=keys.name
    )
    stats["blocking"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ev = score_pairs(keys, cand.a, cand.b)
    merged = (ev["score"] >= threshold) & ~ev["veto"]
    report = ev["strong"] & ~merged
    shown = merged | report
    reasons, rejections = describe({k: v[shown] for k, v in ev.items()}, merged=merged[shown])
    stats["scoring"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    mapping = _groups(keys, cand.a[merged], cand.b[merged])
    stats["grouping"] = time.perf_counter() - t0

    ids = keys.customer_id
    sub = np.flatnonzero(shown)
    is_merged = merged[sub]
    reason_arr = np.asarray(reasons, dtype=object)
    pairs = pd.DataFrame(
        {
            "customer_id_a": ids[cand.a[sub][is_merged]],
            "customer_id_b": ids[cand.b[sub][is_merged]],
            "score": ev["score"][sub][is_merged],
            "reason": reason_arr[is_merged],
        },
        columns=_PAIR_COLUMNS,
    )
    shared = np.asarray(
        ["+".join(k for k in STRONG_KEYS if ev[k][i]) for i in sub[~is_merged]], dtype=object
    )
    conflicts = pd.DataFrame(
        {
            "customer_id_a": ids[cand.a[sub][~is_merged]],
            "customer_id_b": ids[cand.b[sub][~is_merged]],
            "shared": shared,
            "score": ev["score"][sub][~is_merged],
            "reason": np.asarray(rejections, dtype=object)[~is_merged],
        }
    )
    stats.update(
        records=float(len(keys)),
        candidate_pairs=float(cand.a.shape[0]),
        merged_pairs=float(merged.sum()),
        conflicts=float(len(conflicts)),
        groups=float(mapping.loc[mapping["group_size"] > 1, "canonical_id"].nunique()),
        oversized_key_groups=float(cand.oversized),
        **{f"oversized_{k}": float(v) for k, v in oversized.items()},
    )
    return IdentityResolution(mapping=mapping, pairs=pairs, conflicts=conflicts, stats=stats)


def _groups(keys: RecordKeys, a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """Group the merged pairs (connected components); canonical = earliest registered, then id."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(keys)
    graph = coo_matrix((np.ones(a.shape[0], dtype=np.int8), (a, b)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    ids = keys.customer_id
    order = np.lexsort((ids.astype(str), keys.registered_at, label))
    first = np.ones(n, dtype=bool)
    first[1:] = label[order][1:] != label[order][:-1]
    canonical_of_label = np.empty(label.max() + 1 if n else 0, dtype=object)
    canonical_of_label[label[order][first]] = ids[order][first]
    size = np.bincount(label)[label]
    index = pd.Index(ids, name="customer_id")
    return pd.DataFrame(
        {"canonical_id": canonical_of_label[label], "group_size": size.astype(np.int64)},
        index=index,
    )
