"""Turn any reasonable feature frame into the float matrix tree models and K-means read.

Every estimator in :mod:`custintel.models` accepts a pandas DataFrame with numeric, boolean and
categorical (``category``, ``object`` or ``string``) columns, or a plain numeric array. The
:class:`FrameEncoder` learns the columns and the category levels once in ``fit`` and encodes
inside the model, so nothing outside it needs pandas ``category`` dtypes (which do not survive
an MLflow signature): text labels in, integer codes out, unseen levels become missing.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Levels kept per categorical column; rarer levels share the "other" code.
MAX_LEVELS = 256


@dataclass
class FrameEncoder:
    """Learn the columns of a feature frame and encode frames like it as float64 matrices.

    Parameters
    ----------
    max_levels : int
        Most frequent levels kept per categorical column; the rest share one extra code.

    Attributes
    ----------
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (``x0, x1, ...`` for arrays).
    categorical_ : list of str
        The categorical columns.
    levels_ : dict of str to Index
        Kept levels of each categorical column (code = position; unseen -> NaN).
    """

    max_levels: int = MAX_LEVELS
    feature_names_in_: np.ndarray = field(init=False)
    categorical_: list[str] = field(init=False)
    levels_: dict[str, pd.Index] = field(init=False)
    from_array_: bool = field(init=False)

    def fit(self, X: object) -> FrameEncoder:
        """Learn columns, kinds and category levels from ``X``."""
        frame, self.from_array_ = _as_frame(X, None)
        if frame.shape[0] < 1 or frame.shape[1] < 1:
            what = "sample" if frame.shape[0] < 1 else "feature"
            raise ValueError(
                f"Found array with 0 {what}(s) (shape={frame.shape}) while a minimum of 1 is "
                "required. Pass at least one row and one feature column."
            )
        self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        self.__dict__.pop(_CACHE, None)
        self.categorical_ = []
        self.levels_ = {}
        for name in frame.columns:
            column = frame[name]
            kind = _kind(column)
            if kind == "datetime":
                raise TypeError(
                    f"Column {name!r} holds timestamps ({column.dtype}); models read numbers and "
                    "categories. Turn it into an age in days first, e.g. "
                    f"(as_of - X[{name!r}]).dt.days."
                )
            if kind == "categorical":
                counts = column.astype("object").dropna().value_counts(sort=True)
                kept = counts.index[: self.max_levels]
                self.categorical_.append(str(name))
                self.levels_[str(name)] = pd.Index(sorted(kept.map(str)), dtype=object)
        return self

    @property
    def categorical_indices_(self) -> list[int]:
        """Positions of the categorical columns (for LightGBM's ``categorical_feature``)."""
        names = list(self.feature_names_in_)
        return [names.index(c) for c in self.categorical_]

    def frame(self, X: object) -> pd.DataFrame:
        """Return ``X`` as a DataFrame with the fitted columns in the fitted order.

        Columns are matched by name and put back in the fitted order; extra columns are ignored.
        A plain array (or a frame, when ``fit`` saw an array) is read by position instead.
        """
        by_name = isinstance(X, pd.DataFrame) and not self.from_array_
        if self.from_array_ and isinstance(X, pd.DataFrame):
            X = X.to_numpy()
        frame, _ = _as_frame(X, None if by_name else self.feature_names_in_)
        missing = [c for c in self.feature_names_in_ if c not in frame.columns]
        if missing:
            raise ValueError(
                f"X lacks {len(missing)} column(s) the model was fitted on: "
                f"{reprlib.repr(missing)}. Build X with the same feature builders (or columns) "
                "as the training frame."
            )
        return frame.loc[:, list(self.feature_names_in_)]

    def __getstate__(self) -> dict[str, object]:
        # the lookup cache is rebuilt on demand; pickles hold the fitted state only
        state = self.__dict__.copy()
        state.pop(_CACHE, None)
        return state

    def transform(self, X: object) -> np.ndarray:
        """Encode ``X`` as a float64 matrix (categorical columns as level codes, NaN if unseen)."""
        if isinstance(X, pd.DataFrame) and not self.from_array_ and len(X):
            out = self._transform_columns(X)
            if out is not None:
                return out
        return self._transform_frame(X)

    def _transform_frame(self, X: object) -> np.ndarray:
        """:meth:`transform` through :meth:`frame`, any input."""
        frame = self.frame(X)
        names = list(self.feature_names_in_)
        out = np.empty((len(frame), len(names)), dtype=np.float64)
        # Plain numpy numeric columns go over in one block (one row costs microseconds, not a
        # pandas call per column); the rest one column at a time.
        plain = [
            j
            for j, (name, dtype) in enumerate(zip(names, frame.dtypes, strict=True))
            if name not in self.levels_ and isinstance(dtype, np.dtype) and dtype.kind in "biuf"
        ]
        if plain:
            block = frame.iloc[:, plain].to_numpy(dtype=np.float64, na_value=np.nan)
            out[:, plain] = block
        done = set(plain)
        for j, name in enumerate(names):
            if j in done:
                continue
            column = frame.iloc[:, j]
            if name in self.levels_:
                out[:, j] = _level_codes(column, self.levels_[name])
            else:
                out[:, j] = _numeric(column, str(name))
        return out

    def feature_index(self, *extra: str) -> pd.Index:
        """Return the fitted column names as text, followed by ``extra``, as a new Index."""
        indexes = self._lookups().indexes
        index = indexes.get(extra)
        if index is None:
            index = indexes[extra] = pd.Index([*map(str, self.feature_names_in_), *extra])
        return index.copy()  # callers may rename theirs

    def _lookups(self) -> _Lookups:
        """Name positions and level codes as dicts, built once per fitted encoder."""
        cached = self.__dict__.get(_CACHE)
        if cached is None or not cached.fits(self):
            cached = _Lookups.build(self)
            self.__dict__[_CACHE] = cached
        return cached

    def _transform_columns(self, X: pd.DataFrame) -> np.ndarray | None:
        """:meth:`transform` of a frame read straight from its column storage.

        Gives the same matrix as :meth:`_transform_frame` without copying the frame into the
        fitted order first; returns None (nothing done) for any frame that path should read:
        non-text, repeated or missing column names, or a storage layout it does not know.
        """
        lookups = self._lookups()
        labels = X.columns.tolist()
        if len(labels) < len(lookups.names):
            return None
        target = np.full(len(labels), -1, dtype=np.intp)
        hit = [False] * len(lookups.names)
        for p, label in enumerate(labels):
            if not isinstance(label, str):
                return None
            j = lookups.position.get(label)
            if j is not None:
                if hit[j]:
                    return None  # a fitted column is repeated
                hit[j] = True
                target[p] = j
        if not all(hit):
            return None  # a fitted column is missing
        blocks = _blocks(X)
        if blocks is None:
            return None
        n = len(X)
        out = np.empty((n, len(lookups.names)), dtype=np.float64)
        # fitted column -> frame column position, for the columns read one at a time
        rest: dict[int, int] = {}
        targets = target.tolist()
        categorical = lookups.is_categorical.tolist()
        for locs, values in blocks:
            if isinstance(values, np.ndarray) and values.ndim == 2 and values.dtype.kind in "biuf":
                if len(locs) > _FEW:
                    js = target[locs]
                    plain = (js >= 0) & ~lookups.is_categorical[np.maximum(js, 0)]
                    out[:, js[plain]] = values[plain].T
                    for j, p in zip(
                        js[(js >= 0) & ~plain].tolist(),
                        locs[(js >= 0) & ~plain].tolist(),
                        strict=True,
                    ):
                        rest[j] = p
                    continue
                for i, p in enumerate(locs.tolist()):
                    j = targets[p]
                    if j >= 0:
                        if categorical[j]:
                            rest[j] = p
                        else:
                            out[:, j] = values[i]
                continue
            if isinstance(values, np.ndarray) and values.ndim == 2:
                columns: list[object] = list(values)
            elif getattr(values, "ndim", 0) == 1:
                columns = [values]
            else:
                columns = [None] * len(locs)
            for i, p in enumerate(locs.tolist()):
                j = targets[p]
                if j < 0:
                    continue
                level_codes = lookups.codes[j]
                codes = None if level_codes is None else _fast_level_codes(columns[i], level_codes)
                if codes is None:
                    rest[j] = p
                else:
                    out[:, j] = codes
        # the others as the general path reads them, in the fitted order (so a bad column
        # raises the same error)
        for j in sorted(rest):
            column = X.iloc[:, rest[j]]
            name = lookups.names[j]
            if name in self.levels_:
                out[:, j] = _level_codes(column, self.levels_[name])
            else:
                out[:, j] = _numeric(column, str(name))
        return out


def _level_codes(column: pd.Series, levels: pd.Index) -> np.ndarray:
    """Positions of ``column``'s values (read as text) in ``levels``; NaN if missing/unseen."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        # look the categories up once, then index by the codes
        per_category = levels.get_indexer(pd.Index(column.cat.categories.astype(str), dtype=object))
        codes = column.cat.codes.to_numpy()
        found = np.where(codes >= 0, per_category[np.maximum(codes, 0)], -1)
    else:
        text = column.astype("object").where(column.notna(), None)
        found = levels.get_indexer(pd.Index(text.map(_text)))
    values = found.astype(np.float64)
    values[found < 0] = np.nan
    return values


#: Attribute holding the encoder's lookup cache (not pickled, rebuilt on demand).
_CACHE = "_lookups_cache"
#: Storage blocks with at most this many columns are copied column by column.
_FEW = 8
#: Text columns of at most this many rows are coded by a dict loop (request-sized batches).
_LOOP_ROWS = 2_000


@dataclass(frozen=True)
class _Lookups:
    """Per-encoder dicts for encoding frames without pandas index look-ups."""

    names_ref: object
    levels_ref: dict[str, pd.Index]
    level_refs: tuple[pd.Index, ...]
    names: list[str]
    position: dict[str, int]
    is_categorical: np.ndarray
    codes: list[dict[str, int] | None]
    indexes: dict[tuple[str, ...], pd.Index] = field(default_factory=dict)

    @classmethod
    def build(cls, encoder: FrameEncoder) -> _Lookups:
        names = list(encoder.feature_names_in_)
        position: dict[str, int] = {}
        for j, name in enumerate(names):
            position.setdefault(name, j)
        if len(position) != len(names) or not all(isinstance(n, str) for n in names):
            position = {}  # nothing matches: every frame takes the general path
        codes: list[dict[str, int] | None] = []
        for name in names:
            levels = encoder.levels_.get(name) if isinstance(name, str) else None
            codes.append(_level_dict(levels) if levels is not None else None)
        return cls(
            names_ref=encoder.feature_names_in_,
            levels_ref=encoder.levels_,
            level_refs=tuple(encoder.levels_.values()),
            names=names,
            position=position,
            is_categorical=np.array([n in encoder.levels_ for n in names], dtype=bool),
            codes=codes,
        )

    def fits(self, encoder: FrameEncoder) -> bool:
        """Whether the encoder still holds the fitted state these lookups were built from."""
        levels = encoder.levels_
        return (
            self.names_ref is encoder.feature_names_in_
            and self.levels_ref is levels
            and len(self.level_refs) == len(levels)
            and all(a is b for a, b in zip(self.level_refs, levels.values(), strict=True))
        )


def _level_dict(levels: pd.Index) -> dict[str, int] | None:
    """``level -> code`` of a fitted level index; None when a dict cannot stand in for it."""
    values = levels.tolist()
    if not levels.is_unique or not all(type(v) is str for v in values):
        return None
    return {v: j for j, v in enumerate(values)}


def _blocks(frame: pd.DataFrame) -> list[tuple[np.ndarray, object]] | None:
    """(column positions, values) of each storage block of ``frame``; None if unknown."""
    try:
        return [(blk.mgr_locs.as_array, blk.values) for blk in frame._mgr.blocks]  # noqa: PD011
    except AttributeError:
        return None


def _fast_level_codes(values: object, codes: dict[str, int]) -> np.ndarray | None:
    """:func:`_level_codes` of a column's 1-D storage array by dict; None if it cannot tell."""
    if isinstance(values, np.ndarray):
        return _text_codes(values, codes) if values.dtype.kind == "O" else None
    if isinstance(values, pd.Categorical):
        return _category_codes(values, codes)
    if isinstance(values, pd.api.extensions.ExtensionArray) and isinstance(
        values.dtype, pd.StringDtype
    ):
        return _text_codes(values.to_numpy(dtype=object), codes)
    return None


def _text_codes(values: np.ndarray, codes: dict[str, int]) -> np.ndarray | None:
    """Level codes of text values (NaN if missing or unseen); None if any is not text.

    A loop in Python, so only for request-sized columns; longer ones take the vectorised path.
    """
    if len(values) > _LOOP_ROWS:
        return None
    out = np.full(len(values), np.nan)
    get = codes.get
    for i, value in enumerate(values.tolist()):
        if type(value) is str:
            code = get(value)
            if code is not None:
                out[i] = code
        elif not (
            value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
        ):
            return None
    return out


def _category_codes(values: pd.Categorical, codes: dict[str, int]) -> np.ndarray | None:
    """Level codes of a categorical array; None if a category it uses is not text."""
    categories = values.categories
    positions = values.codes
    if len(positions) < len(categories):
        # few rows: look up only the categories they use
        out = np.full(len(positions), np.nan)
        for i, p in enumerate(positions.tolist()):
            if p >= 0:
                text = categories[p]
                if type(text) is not str:
                    return None
                code = codes.get(text)
                if code is not None:
                    out[i] = code
        return out
    texts = categories.tolist()
    if not all(type(t) is str for t in texts):
        return None
    per_category = np.array([codes.get(t, np.nan) for t in texts], dtype=np.float64)
    per_category = np.append(per_category, np.nan)  # code -1 (missing) reads the last
    return per_category[positions]


def _text(value: object) -> object:
    return None if value is None else str(value)


def _kind(column: pd.Series) -> str:
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_object_dtype(dtype):
        non_null = column.dropna()
        if len(non_null) and all(isinstance(v, (bool, int, float, np.number)) for v in non_null):
            return "numeric"
        return "categorical"
    raise TypeError(f"Column {column.name!r} has unsupported dtype {dtype}.")


def _numeric(column: pd.Series, name: str) -> np.ndarray:
    if _kind(column) != "numeric":
        bad = column.dropna()
        raise ValueError(
            f"Column {name!r} was numeric when the model was fitted but now holds "
            f"{column.dtype} values such as {reprlib.repr(list(bad.head(3)))}; "
            "send numbers (missing values as null)."
        )
    return np.asarray(pd.to_numeric(column).to_numpy(dtype=np.float64, na_value=np.nan))


def _as_frame(X: object, names: Sequence[str] | np.ndarray | None) -> tuple[pd.DataFrame, bool]:
    if isinstance(X, pd.DataFrame):
        if not all(isinstance(c, str) for c in X.columns):
            frame = X.copy()
            frame.columns = [str(c) for c in X.columns]
            return frame, False
        return X, False
    if hasattr(X, "tocsr") or hasattr(X, "sparse"):
        raise TypeError(
            f"Sparse input ({type(X).__name__}) is not supported; pass a dense array "
            "(X.toarray()) or a DataFrame."
        )
    array = np.asarray(X)
    if array.ndim != 2:
        raise ValueError(
            f"Expected a 2-D feature frame or array, got an array of shape {array.shape}. "
            "Reshape your data: a single row with X.reshape(1, -1), a single feature with "
            "X.reshape(-1, 1)."
        )
    if array.dtype.kind == "c":
        raise ValueError("Complex data not supported; pass the real part or the modulus.")
    if array.dtype.kind == "O":
        # raises TypeError/ValueError naming the first value that is not a number
        array = array.astype(np.float64)
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"Arrays must be numeric (got dtype {array.dtype}); pass a DataFrame to use "
            "categorical columns."
        )
    cols = list(names) if names is not None else [f"x{j}" for j in range(array.shape[1])]
    if len(cols) != array.shape[1]:
        raise ValueError(
            f"X has {array.shape[1]} features, but the model is expecting {len(cols)} "
            "features as input."
        )
    return pd.DataFrame(array, columns=cols), True
