"""An append-only JSON-lines audit log: one line per request, never a request body.

Each line has the time, the key id (never the key), the route, the HTTP status, the latency,
the model versions that answered and the customers concerned as keyed pseudonyms (HMAC-SHA256
with the service's secret, :class:`custintel.identity.Pseudonymizer`), so an auditor can tell
which requests touched one customer without the log naming anyone.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

AUDIT_ENV = "CUSTINTEL_AUDIT_LOG"
DEFAULT_AUDIT_LOG = Path(".custintel/audit.jsonl")
SECRET_FILE = Path(".custintel/pii.key")


def pseudonymizer() -> Any:
    """Return the keyed pseudonymizer of the audit log.

    The secret comes from ``CUSTINTEL_PII_KEY``; without it, one is created once in
    ``.custintel/pii.key`` (mode 600) so pseudonyms stay stable across restarts.
    """
    from custintel.identity import Pseudonymizer

    key = os.environ.get("CUSTINTEL_PII_KEY")
    if not key:
        if not SECRET_FILE.is_file():
            SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
            SECRET_FILE.write_text(secrets.token_hex(32), "utf-8")
            os.chmod(SECRET_FILE, 0o600)
        key = SECRET_FILE.read_text("utf-8").strip()
    return Pseudonymizer(key=key)


class AuditLog:
    """Append audit records to a JSON-lines file (thread-safe, one ``write`` per line)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path or os.environ.get(AUDIT_ENV) or DEFAULT_AUDIT_LOG)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._pseudo = pseudonymizer()

    def record(
        self,
        *,
        route: str,
        status: int,
        latency_ms: float,
        key_id: str | None,
        customers: Iterable[str] = (),
        models: dict[str, str] | None = None,
        rows: int | None = None,
    ) -> dict[str, Any]:
        """Append one line and return it."""
        ids = list(dict.fromkeys(str(c) for c in customers))
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "key_id": key_id,
            "route": route,
            "status": int(status),
            "latency_ms": round(float(latency_ms), 2),
            "rows": rows,
            "customers": [self._pseudo.pseudonymize_one(c) for c in ids[:1_000]],
            "models": models or {},
        }
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        # one O_APPEND write per line: lines from several workers never interleave, and a
        # rotated (moved) log file is followed because the path is opened each time
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        return line
