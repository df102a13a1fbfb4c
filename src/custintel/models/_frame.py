"""Turn any reasonable feature frame into the float matrix tree models and K-means read.

Every estimator in :mod:`custintel.models` accepts a pandas DataFrame with numeric, boolean and
categorical (``category``, ``object`` or ``string``) columns, or a plain numeric array. The
:class:`FrameEncoder` learns the columns and the category levels once in ``fit`` and encodes
inside the model, so nothing outside it needs pandas ``category`` dtypes (which do not survive
an MLflow signature): text labels in, integer codes out, unseen levels become missing.
"""

from __future__ import annotations

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

    def transform(self, X: object) -> np.ndarray:
        """Encode ``X`` as a float64 matrix (categorical columns as level codes, NaN if unseen)."""
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
