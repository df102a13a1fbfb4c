"""Errors raised for input that breaks the data contract."""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_short = reprlib.Repr()
_short.maxlist = 5
_short.maxstring = 40
_short.maxother = 40


@dataclass(frozen=True)
class Problem:
    """One broken rule: where, how many rows, which rows, and what to do.

    Attributes
    ----------
    table : str
        Table name, e.g. ``"orders"``.
    column : str or None
        Column name, or ``None`` for a table-level problem.
    rule : str
        Short machine-readable rule name (``"missing_column"``, ``"negative"``, ...).
    message : str
        What is wrong, in words.
    n_rows : int
        How many rows break the rule (0 for a whole-column problem).
    examples : tuple
        A few keys of offending rows (or offending values).
    fix : str
        What the user can do about it.
    """

    table: str
    column: str | None
    rule: str
    message: str
    n_rows: int = 0
    examples: tuple[object, ...] = ()
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        text = f"{where}: {self.message}"
        if self.n_rows:
            text += f" ({self.n_rows:,} row{'s' if self.n_rows != 1 else ''}"
            if self.examples:
                text += f", e.g. {_short.repr(list(self.examples))}"
            text += ")"
        elif self.examples:
            text += f" (e.g. {_short.repr(list(self.examples))})"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class SchemaError(ValueError):
    """Input that breaks the data contract.

    The message lists every problem found, each naming the table, the column, how many rows are
    affected, a few example row keys and what to do. The problems are also available as
    structured :class:`Problem` objects in ``.problems``.
    """

    def __init__(self, problems: Sequence[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(table="?", column=None, rule="other", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._format())

    def _format(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems with the input data:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    @property
    def tables(self) -> tuple[str, ...]:
        """Names of the tables with problems, in order of first appearance."""
        return tuple(dict.fromkeys(p.table for p in self.problems))


def examples_of(values: Iterable[object], limit: int = 5) -> tuple[object, ...]:
    """Return the first ``limit`` values as plain Python objects, for error messages."""
    out: list[object] = []
    for v in values:
        if len(out) >= limit:
            break
        out.append(v.item() if hasattr(v, "item") else v)
    return tuple(out)
