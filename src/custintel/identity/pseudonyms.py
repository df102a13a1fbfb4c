"""Keyed pseudonyms: HMAC-SHA256 of personal data with a secret kept outside the data.

A pseudonym lets two tables be joined on a person's phone or id number without either table
holding the number: the same value and key always give the same pseudonym, and without the key
the pseudonym cannot be reversed or recomputed from a guessed value (a plain hash of a phone
number can: there are only 10^10 of them).

The key comes from the environment variable ``CUSTINTEL_PII_KEY``. Demo mode (``demo=True`` or
``CUSTINTEL_DEMO=1``) uses the fixed, public :data:`DEMO_KEY` instead and logs a warning once:
demo pseudonyms protect nothing and must never be used on real data.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os

import numpy as np
import pandas as pd

from custintel.identity._text import as_text

logger = logging.getLogger(__name__)

#: Environment variable holding the secret key (any string; 32+ random bytes recommended).
KEY_ENV = "CUSTINTEL_PII_KEY"
#: Environment variable that switches on demo mode when set to ``1``.
DEMO_ENV = "CUSTINTEL_DEMO"
#: The demo key. It is public: pseudonyms made with it protect nothing.
DEMO_KEY = "custintel-demo-key-NOT-SECRET"

_warned: list[bool] = []


class MissingKeyError(RuntimeError):
    """No pseudonymisation key: ``CUSTINTEL_PII_KEY`` is unset and demo mode is off."""


def demo_mode(demo: bool | None = None) -> bool:
    """Whether demo mode is on: the explicit ``demo`` argument, else ``CUSTINTEL_DEMO=1``."""
    if demo is not None:
        return bool(demo)
    return os.environ.get(DEMO_ENV, "").strip().lower() in ("1", "true", "yes")


def resolve_key(key: str | bytes | None = None, *, demo: bool | None = None) -> bytes:
    """Return the key: ``key``, else ``$CUSTINTEL_PII_KEY``, else the demo key in demo mode.

    Raises
    ------
    MissingKeyError
        If no key is given, the variable is unset or empty, and demo mode is off.
    """
    if key is not None:
        raw = key.encode() if isinstance(key, str) else bytes(key)
        if not raw:
            raise ValueError("key is empty; pass a non-empty secret or leave key=None")
        return raw
    env = os.environ.get(KEY_ENV, "")
    if env:
        return env.encode()
    if demo_mode(demo):
        if not _warned:
            logger.warning(
                "custintel pseudonymisation runs in demo mode with the public demo key; "
                "set %s to a secret before processing real personal data",
                KEY_ENV,
            )
            _warned.append(True)
        return DEMO_KEY.encode()
    raise MissingKeyError(
        f"no pseudonymisation key: set the environment variable {KEY_ENV} to a long random "
        f"secret (for example: export {KEY_ENV}=$(python -c 'import secrets; "
        "print(secrets.token_hex(32))')) and keep it out of the data and the code; "
        f"for demo data only, pass demo=True or set {DEMO_ENV}=1"
    )


class Pseudonymizer:
    """Replace personal data with keyed pseudonyms (HMAC-SHA256, hex).

    Parameters
    ----------
    key : str or bytes, optional
        The secret. Defaults to ``$CUSTINTEL_PII_KEY`` (read when the object is created).
    demo : bool, optional
        Demo mode: without a key, use the public :data:`DEMO_KEY` (with a warning). Defaults to
        ``$CUSTINTEL_DEMO == "1"``.
    length : int
        Hex characters kept of the 64-character digest (default 32, i.e. 128 bits).
    namespace : str
        Mixed into every pseudonym, so the same value gets unrelated pseudonyms in different
        namespaces (for example per data recipient). Empty by default.

    Raises
    ------
    MissingKeyError
        If there is no key and demo mode is off.

    Examples
    --------
    >>> import pandas as pd
    >>> p = Pseudonymizer(key="not-a-real-secret")
    >>> out = p.pseudonymize(pd.Series(["+8613812345678", None, "+8613812345678"]))
    >>> bool(out[0] == out[2]), len(out[0]), bool(out.isna()[1])
    (True, 32, True)
    """

    def __init__(
        self,
        key: str | bytes | None = None,
        *,
        demo: bool | None = None,
        length: int = 32,
        namespace: str = "",
    ):
        if not 8 <= length <= 64:
            raise ValueError(f"length={length} is out of range; use 8 to 64 hex characters")
        self._key = resolve_key(key, demo=demo)
        self.length = length
        self.namespace = namespace

    def __repr__(self) -> str:
        return f"Pseudonymizer(length={self.length}, namespace={self.namespace!r})"

    def pseudonymize_one(self, value: str) -> str:
        """Pseudonym of one value."""
        msg = (self.namespace + "\x1f" + value).encode()
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()[: self.length]

    def pseudonymize(self, values: object) -> pd.Series:
        """Pseudonyms of a Series of values (computed once per distinct value).

        Values are hashed as text, exactly as given: normalise them first (for phones,
        :func:`~custintel.identity.normalize_phones` ``["e164"]``) so that formats do not matter.
        Missing values stay missing.
        """
        text = as_text(values)
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        digests = np.empty(len(uniques) + 1, dtype=object)
        digests[:-1] = [self.pseudonymize_one(str(u)) for u in uniques]
        digests[-1] = None
        out = digests[np.where(codes < 0, len(uniques), codes)]
        return pd.Series(out, index=text.index, name=text.name, dtype="string")

    __call__ = pseudonymize


def pseudonymize(
    values: object, *, key: str | bytes | None = None, demo: bool | None = None
) -> pd.Series:
    """Pseudonymise ``values`` with HMAC-SHA256 (see :class:`Pseudonymizer`).

    Examples
    --------
    >>> import pandas as pd
    >>> pseudonymize(pd.Series(["13812345678"]), key="k1")[0] != pseudonymize(
    ...     pd.Series(["13812345678"]), key="k2")[0]
    True
    """
    return Pseudonymizer(key, demo=demo).pseudonymize(values)
