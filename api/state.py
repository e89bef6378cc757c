"""What one running app holds: settings, the user/audit/work stores, the graph store (opened
lazily on first use unless given), the rate limiters and the masker."""

from __future__ import annotations

import logging
import threading
from typing import Any

from api.audit import AuditLog
from api.authz import Masker
from api.config import ApiSettings
from api.errors import FeatureUnavailable
from api.ratelimit import RateLimiter
from api.users import UserStore
from api.workdb import WorkDB

log = logging.getLogger("api.state")


class AppState:
    def __init__(self, settings: ApiSettings, store: Any = None):
        self.settings = settings
        d = settings.api_dir
        d.mkdir(parents=True, exist_ok=True)
        self.users = UserStore(d / "users.sqlite")
        self.audit = AuditLog(d / "audit.sqlite")
        self.work = WorkDB(d / "work.sqlite")
        self.masker = Masker(settings.secret_key.get_secret_value(),
                             remember=self.work.remember_token, lookup=self.work.lookup_token)
        self.login_limiter = RateLimiter(settings.login_per_minute)
        self.qa_limiter = RateLimiter(settings.qa_per_minute)
        self._store = store
        self._owns_store = False
        self._lock = threading.Lock()
        self.cache: dict[str, Any] = {}  # serving model, knowledge base (api.services)
        self.cache_lock = threading.RLock()

    def store(self) -> Any:
        """The GraphStore; opened on first use with ``graph.open_store()``."""
        if self._store is not None:
            return self._store
        with self._lock:
            if self._store is None:
                try:
                    from graph import open_store  # type: ignore[attr-defined]
                except ImportError as e:
                    raise FeatureUnavailable("the graph engine is not installed yet",
                                             code="graph.unavailable") from e
                log.info("opening the graph store")
                self._store = open_store()
                self._owns_store = True
        return self._store

    def has_store(self) -> bool:
        return self._store is not None

    def release_store(self) -> None:
        """Close the graph store if this app opened it (it reopens on next use)."""
        if self._owns_store and self._store is not None:
            try:
                self._store.close()
            except Exception:  # noqa: BLE001
                log.exception("closing the graph store")
            self._store = None
            self._owns_store = False

    def close(self) -> None:
        self.release_store()
        self.users.close()
        self.audit.close()
        self.work.close()
