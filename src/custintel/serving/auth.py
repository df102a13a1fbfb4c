"""API keys with roles, stored hashed, checked in constant time.

A key looks like ``ci_<key_id>_<secret>``; the key file (JSON, ``$CUSTINTEL_API_KEYS`` or
``.custintel/api_keys.json``) keeps only the key id, its role and the SHA-256 of the whole key,
so a leaked file does not leak keys. Roles nest: ``scorer`` may predict, ``reviewer`` may also
explain, ``admin`` may also list the models.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Role = Literal["scorer", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("scorer", "reviewer", "admin")
KEYS_ENV = "CUSTINTEL_API_KEYS"
DEFAULT_KEYS_FILE = Path(".custintel/api_keys.json")


class AuthError(PermissionError):
    """Missing or invalid key (HTTP 401) or a role without the right (HTTP 403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the key id (never the key) and its role."""

    key_id: str
    role: Role


def required_role(path: str) -> Role | None:
    """Return the least role a route needs (``None``: open to everyone).

    Examples
    --------
    >>> required_role("/v1/churn/predict"), required_role("/v1/churn/explain")
    ('scorer', 'reviewer')
    >>> required_role("/v1/models"), required_role("/readyz")
    ('admin', None)
    """
    if path.startswith("/v1/models"):
        return "admin"
    if path.startswith("/v1/") and path.endswith("/explain"):
        return "reviewer"
    if path.startswith("/v1/"):
        return "scorer"
    return None


def keys_file() -> Path:
    """Return the key file in use."""
    return Path(os.environ.get(KEYS_ENV) or DEFAULT_KEYS_FILE)


class KeyStore:
    """The hashed API keys of the service.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> store = KeyStore(pathlib.Path(tempfile.mkdtemp()) / "keys.json")
    >>> key = store.add("reviewer")
    >>> store.authenticate(key).role
    'reviewer'
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else keys_file()
        self._keys: dict[str, tuple[str, Role]] = {}
        self.reload()

    def reload(self) -> None:
        """Read the key file again (no file: no keys, every protected route answers 401)."""
        if not self.path.is_file():
            self._keys = {}
            return
        entries = json.loads(self.path.read_text("utf-8"))
        self._keys = {e["key_id"]: (e["sha256"], e["role"]) for e in entries}

    def add(self, role: Role) -> str:
        """Create a key with ``role``, store its hash, and return the key (shown once)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        key_id = secrets.token_hex(4)
        key = f"ci_{key_id}_{secrets.token_urlsafe(24)}"
        self._keys[key_id] = (_digest(key), role)
        self._write()
        return key

    def revoke(self, key_id: str) -> bool:
        """Remove a key by id; return whether it existed."""
        found = self._keys.pop(key_id, None) is not None
        if found:
            self._write()
        return found

    def list(self) -> list[dict[str, str]]:
        """Return key ids and roles (never hashes)."""
        return [{"key_id": k, "role": role} for k, (_, role) in sorted(self._keys.items())]

    def authenticate(self, key: str | None) -> Caller:
        """Return the caller of ``key``, or raise :class:`AuthError` (401)."""
        if not key:
            raise AuthError(401, "missing API key: send it in the `X-API-Key` header")
        parts = key.split("_")
        entry = self._keys.get(parts[1]) if len(parts) >= 3 and parts[0] == "ci" else None
        expected = entry[0] if entry else _digest("ci_unknown_" + "0" * 32)
        if not hmac.compare_digest(_digest(key), expected) or entry is None:
            raise AuthError(401, "invalid API key")
        return Caller(parts[1], entry[1])

    def authorize(self, caller: Caller, path: str) -> None:
        """Raise :class:`AuthError` (403) when ``caller``'s role may not use ``path``."""
        need = required_role(path)
        if need is not None and ROLES.index(caller.role) < ROLES.index(need):
            raise AuthError(403, f"role {caller.role!r} may not use {path}; it needs {need!r}")

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        entries = [{"key_id": k, "sha256": h, "role": r} for k, (h, r) in self._keys.items()]
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".keys")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(entries, f, indent=1)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
