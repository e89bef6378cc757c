"""What one running app holds: settings, the user/audit/work stores, the rate limiters and
the masker; the graph store, knowledge base and consultant (opened lazily, once, on first
use); the serving model (the registry's promoted version, reloaded when it changes) and the
warning service (rules, lifecycle, live stream) the ingest and scoring paths report to."""

from __future__ import annotations

import logging
import threading

from api.audit import AuditLog
from api.authz import Masker
from api.config import ApiSettings
from api.ratelimit import RateLimiter
from api.users import UserStore
from api.workdb import WorkDB
from graph import GraphStore, open_store
from ingest.config import IngestSettings
from knowledge import KnowledgeBase, KnowledgeSettings
from qa import ConsultService, QASettings
from risk.registry import ServingModel
from risk.warnings import WarningService, WarningsSettings

log = logging.getLogger("api.state")


class AppState:
    settings: ApiSettings
    users: UserStore
    audit: AuditLog
    work: WorkDB
    masker: Masker
    login_limiter: RateLimiter
    login_ip_limiter: RateLimiter
    lookup_limiter: RateLimiter
    qa_limiter: RateLimiter
    serving: ServingModel
    warnings: WarningService
    ingest_settings: IngestSettings

    def __init__(self, settings: ApiSettings, store: GraphStore | None = None, *,
                 warnings: WarningService | None = None):
        self.settings = settings
        d = settings.api_dir
        d.mkdir(parents=True, exist_ok=True)
        self.users = UserStore(d / "users.sqlite")
        self.audit = AuditLog(d / "audit.sqlite", settings.audit_key_bytes(),
                              settings.anchor_path())
        self.work = WorkDB(d / "work.sqlite")
        self.masker = Masker(settings.secret_key.get_secret_value(),
                             remember=self.work.remember_token, lookup=self.work.lookup_token)
        self.login_limiter = RateLimiter(settings.login_per_minute)
        self.login_ip_limiter = RateLimiter(settings.login_per_ip_per_minute)
        self.lookup_limiter = RateLimiter(settings.pii_lookup_per_minute)  # exact PII look-ups
        self.streams: dict[str, int] = {}  # open SSE streams per user
        self.streams_lock = threading.Lock()
        self.qa_limiter = RateLimiter(settings.qa_per_minute)
        self.serving = ServingModel(data_dir=settings.data_dir)
        self.warnings = warnings or WarningService(
            settings=WarningsSettings(data_dir=settings.data_dir))
        self.ingest_settings = IngestSettings(data_dir=settings.data_dir)
        self._store = store
        self._owns_store = False
        self._store_lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._consult: ConsultService | None = None
        self._kb_lock = threading.Lock()

    # ------------------------------------------------------------ graph
    def store(self) -> GraphStore:
        """The GraphStore; opened on first use with ``graph.open_store()``."""
        if self._store is not None:
            return self._store
        with self._store_lock:
            if self._store is None:
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
            except Exception:  # noqa: BLE001 - shutting down: log and go on
                log.exception("closing the graph store")
            self._store = None
            self._owns_store = False

    # ------------------------------------------------------------ knowledge and consult
    def knowledge(self) -> KnowledgeBase:
        """The knowledge base under the data dir, loaded once (``IndexNotBuiltError`` until
        one is built; a failed load is retried on the next call)."""
        with self._kb_lock:
            if self._kb is None:
                self._kb = KnowledgeBase.load(KnowledgeSettings(data_dir=self.settings.data_dir))
            return self._kb

    def set_knowledge(self, kb: KnowledgeBase) -> None:
        """Serve ``kb`` (just built) from now on; the consultant is remade over it."""
        with self._kb_lock:
            self._kb, self._consult = kb, None

    def consult(self) -> ConsultService:
        """The consultant over :meth:`knowledge`, made once."""
        kb = self.knowledge()
        with self._kb_lock:
            if self._consult is None or self._consult.kb is not kb:
                self._consult = ConsultService(kb, QASettings(data_dir=self.settings.data_dir))
            return self._consult

    def close(self) -> None:
        self.release_store()
        self.warnings.close()
        self.users.close()
        try:
            self.audit.anchor()
        except OSError:
            log.exception("anchoring the audit head")
        self.audit.close()
        self.work.close()
