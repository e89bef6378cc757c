"""Graph settings, from environment variables (prefix ``PS_GRAPH_``; data dir ``PS_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DataDirSettings(BaseSettings):
    """The base of every package's settings: the data dir (``PS_DATA_DIR``, default ``./var``)
    under which each package keeps its own folder."""

    model_config = SettingsConfigDict(extra="ignore")

    data_dir: Path = Field(default=Path("var"),
                           validation_alias=AliasChoices("PS_DATA_DIR", "data_dir"))


class GraphSettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_GRAPH_", extra="ignore")

    # unset = start (or reuse) the embedded ArcadeDB engine; set = that Bolt server (Neo4j)
    uri: str | None = None
    user: str = "neo4j"
    password: SecretStr | None = None
    database: str | None = None
    # embedded engine
    heap: str = "1g"
    bolt_port: int = 0  # 0 = pick a free loopback port
    batch_size: int = 2000
    # reads: every read statement's transaction timeout (a slower one raises QueryTimeout)
    query_timeout_s: float = 10.0
    # reads that walk whole labels (export for training, counts, shared-attribute links)
    bulk_timeout_s: float = 600.0
    # expansion: neighbours kept per node per hop; a node of higher degree is a supernode
    expand_fanout: int = 25
    supernode_degree: int = 200
