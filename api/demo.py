"""``portsentinel demo``: open the graph engine, load the KCS declarations and a simulated port
world (persons, vehicles, vessels, containers, documents, inspections, cases), train and
promote the declaration model and the entity graph model, score both, build the regulation
index, make the demo users, serve.

Each step does its work or reuses what an earlier run left (data already loaded, a model
promoted, an index built); a step that fails stops the demo with the step's name and the
error, and the command exits non-zero. The demo data travel with the repository (``data/``);
``--shared DIR`` points at a folder laid out like ``../shared`` instead. The dense retrieval
index is built or not by its setting (``PS_KNOWLEDGE_DENSE``), never by an error.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from api import demo_index
from api import starting_points_store as sp
from api.config import get_settings
from api.demo_users import banner, make_users  # noqa: F401 - make_users: benches, tests
from api.demo_steps import Beside, DemoStepFailed, say, step  # noqa: F401 - DemoStepFailed: API
from api.main import create_app
from api.routes.models import promoted_model
from api.state import AppState
from graph import GraphStore, open_store
from graph.snapshot import Snapshot
from ingest.readers.kcs import load_kcs
from ingest.resolve import resolve_store
from ingest.synthetic.load import generate_and_load
from knowledge import IndexNotBuiltError, KnowledgeSettings
from risk.entity.graph_frame import GRAPH_LABELS, GRAPH_RELS
from risk.entity.scoring import load_entity_model, score_all
from risk.exceptions import RegistryError
from training.entity import train_entities_from_store
from training.train import train_from_store

REPO_DATA = Path(__file__).resolve().parents[1] / "data"
GUIDE = "HS-T-82-2024-smart-port-guide.txt"


@dataclass(frozen=True)
class DemoData:
    """Where the demo's declarations, regulation corpus and extra texts (the guide) are."""

    kcs_dir: Path
    corpus_dir: Path
    extra_files: tuple[Path, ...]

    @classmethod
    def locate(cls, shared: Path | None = None,
               knowledge: KnowledgeSettings | None = None) -> "DemoData":
        """The repository's ``data/customs-kcs`` and the knowledge settings' corpus and
        extra files (``PS_KNOWLEDGE_CORPUS_DIR`` …, default the repository's ``data/``); or
        ``shared`` (``data/customs-kcs``, ``corpus/laws-cn``, ``docs/``) when given and
        present."""
        if shared is not None and shared.is_dir():
            return cls(shared / "data" / "customs-kcs", shared / "corpus" / "laws-cn",
                       (shared / "docs" / GUIDE,))
        if shared is not None:
            say(f"no folder {shared}: using the repository's data/")
        ks = knowledge or KnowledgeSettings()
        return cls(REPO_DATA / "customs-kcs", ks.corpus_dir, tuple(ks.extra_files))


def open_graph() -> GraphStore:
    store = open_store()
    store.ensure_schema()
    say(f"  graph engine: {store.server_info()}")
    return store


def load_declarations(state: AppState, store: GraphStore, data: DemoData,
                      limit: int | None) -> dict[str, Any]:
    counts = store.counts().get("nodes", {})
    if counts.get("Declaration", 0) > 0:
        say(f"  data already loaded ({counts.get('Declaration')} declarations): reused")
        return {"reused": True, "declarations": counts.get("Declaration")}
    files = sorted(data.kcs_dir.glob("*.csv"))
    if not files:
        raise FileNotFoundError(f"no KCS declaration files (*.csv) in {data.kcs_dir}")
    out = {}
    for f in files:
        out[f.name] = rep = load_kcs(f, store, settings=state.ingest_settings,
                                     limit=limit).to_json()
        state.audit.append(actor="demo", role="system", action="ingest.kcs",
                           target_type="source", target_id=f"kcs:{f.name}",
                           detail={"report": rep})
        say(f"  loaded {f.name}: {rep}")
    return out


def load_world(state: AppState, store: GraphStore, declarations: int, seed: int
               ) -> dict[str, Any]:
    """The simulated port world beside the KCS files: the entities, documents and planted
    patterns (shell clusters, shared representatives, watch-listed conveyances) that KCS lacks.
    Its keys are its own (``SYN…``), so the two sources never merge by accident."""
    if declarations <= 0:
        say("  no simulated world (--world 0)")
        return {"skipped": "--world 0"}
    marker = state.settings.data_dir / "demo" / f"world-{seed}-{declarations}.json"
    if marker.exists():
        say(f"  simulated world (seed {seed}, {declarations} declarations) already loaded: reused")
        return {"reused": True, **json.loads(marker.read_text())}
    out = generate_and_load(declarations=declarations, seed=seed, store=store,
                            settings=state.ingest_settings, progress=True)
    summary = {k: out.get(k) for k in ("world", "read", "loaded", "quarantined", "nodes",
                                       "relationships", "seconds") if k in out}
    # the world's person and enterprise mentions (name/phone/id variants) resolved to their
    # canonical entities (ALIAS_OF), which the entity model scores through
    summary["resolution"] = {k: v for k, v in resolve_store(store).items()
                             if isinstance(v, (int, float, str))}
    state.audit.append(actor="demo", role="system", action="ingest.synthetic",
                       target_type="source", target_id=f"syn:seed-{seed}-n-{declarations}",
                       detail=summary)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(summary, ensure_ascii=False, default=str))
    say(f"  simulated world loaded: {summary}")
    return summary


def _entity_model_promoted(state: AppState) -> bool:
    try:
        load_entity_model(data_dir=state.settings.data_dir)
    except RegistryError:
        return False
    return True


def export_graph(state: AppState, store: GraphStore) -> Snapshot | None:
    """One export of the declarations and the entity graph (``graph.snapshot``) that both
    trainings and both scorings of this run read while nothing is written in between that
    they read (checked at each read; else that reader exports anew) — instead of four exports
    of the same graph. None when both models are promoted already (nothing to train)."""
    if promoted_model(state) and _entity_model_promoted(state):
        say("  both models promoted: no export for training")
        return None
    snap = Snapshot.take(store, labels=GRAPH_LABELS, rel_types=GRAPH_RELS)
    rows = sum(len(t) for t in (*snap._tables.nodes.values(),
                                *snap._tables.relationships.values()))
    say(f"  exported {rows} rows in {snap.seconds} s")
    return snap


def train_model(state: AppState, store: GraphStore, snapshot: Snapshot | None = None
                ) -> dict[str, Any]:
    if promoted_model(state):
        say("  a promoted model exists: reused")
        return {"reused": True}
    out = train_from_store(store=store, promote=True, data_dir=state.settings.data_dir,
                           feedback=state.warnings.feedback_labels(), snapshot=snapshot)
    state.audit.append(actor="demo", role="system", action="model.promote",
                       target_type="model", target_id=str(out.get("version")),
                       detail={"metrics": out.get("metrics")})
    say(f"  trained and promoted {out.get('version')}: {out.get('metrics')}")
    return out


def train_entity_model(state: AppState, store: GraphStore, snapshot: Snapshot | None = None
                       ) -> dict[str, Any]:
    """The entity graph model (enterprises, persons, vehicles, vessels, containers), trained
    from the graph with labels from inspections and cases, in its own registry."""
    try:
        _, info = load_entity_model(data_dir=state.settings.data_dir)
    except RegistryError:
        pass
    else:
        say(f"  a promoted entity model exists ({info.get('serving')}): reused")
        return {"reused": True}
    out = train_entities_from_store(store=store, promote=True, data_dir=state.settings.data_dir,
                                    snapshot=snapshot)
    state.audit.append(actor="demo", role="system", action="model.promote",
                       target_type="model", target_id=str(out.get("version")),
                       detail={"registry": out.get("registry"), "metrics": out.get("metrics")})
    say(f"  trained and promoted entity model {out.get('version')}: {out['seconds']} s")
    return out


def score(state: AppState, store: GraphStore, snapshot: Snapshot | None = None
          ) -> dict[str, Any]:
    """Declarations by the declaration model, entities by the entity model (``score_all``,
    what ``portsentinel score`` runs, reading ``snapshot`` while it is current); score
    changes go to the warning rules."""
    _, info = state.serving.get()
    first = store.search("", labels=["Declaration"], limit=1)
    if first and first[0].props.get("model_version") == info.get("serving"):
        say("  scores of the promoted models already written: reused")
        return {"reused": True}
    out = score_all(store=store, on_scored=state.warnings.on_scored,
                    on_baseline=state.warnings.on_baseline, data_dir=state.settings.data_dir,
                    snapshot=snapshot)
    say(f"  scored: written {out.get('written')}, warnings {out.get('warnings')}")
    ent = out.get("entities") or {}
    es = ent.get("seconds") or {}
    if es:  # where the step's time went; first-run triage is what the entity total adds
        triage = es["total"] - es["export"] - es["model"] - es["write"]
        say(f"  declarations {out.get('seconds')} s; entities: export {es['export']} s, model "
            f"{es['model']} s, write {es['write']} s, first-run triage {triage:.1f} s")
    return out


def warm_starting_points(state: AppState, store: GraphStore) -> dict[str, Any]:
    """The explorer's landing cards, computed once from this scoring and stored
    (``api.starting_points``), so the first analyst does not wait for them."""
    if sp.is_current(state):
        say("  starting points of this scoring already stored: reused")
        return {"reused": True}
    out = sp.warm(state, store)
    say(f"  starting points: {out['kinds']} in {out['seconds']} s")
    return out


def start_index(state: AppState, data: DemoData) -> demo_index.IndexBuild | None:
    """The regulation index: reused when built, else built by a child process beside the
    graph steps (``api.demo_index``); None when reused."""
    try:
        kb = state.knowledge()
    except IndexNotBuiltError:
        pass
    else:
        say(f"  knowledge index exists ({len(kb.articles)} articles): reused")
        kb.resume_dense(say)  # a build stopped mid-embedding continues in the background
        return None
    if not KnowledgeSettings(data_dir=state.settings.data_dir).dense:
        say("  dense index off (PS_KNOWLEDGE_DENSE=false): lexical retrieval only")
    build = demo_index.start(state.settings.data_dir, data.corpus_dir, data.extra_files)
    if build.proc is not None:
        say(f"  building in process {build.proc.pid} beside the next steps")
    return build


def finish_index(state: AppState, build: demo_index.IndexBuild | None) -> dict[str, Any]:
    """Wait for the child's build, serve the index and continue embedding the rest in the
    background (coverage in ``/ready``)."""
    if build is None:
        kb = state.knowledge()
        return {"reused": True, "dense_coverage": kb.dense_coverage()}
    report = demo_index.wait(build)
    kb = state.knowledge()
    kb.resume_dense(say)
    report["dense_coverage"] = kb.dense_coverage()
    say(f"  knowledge index built: {report}")
    return report


def demo(args: argparse.Namespace, serve: Callable[[Any, str, int], None]) -> dict[str, Any]:
    s = get_settings()
    data = DemoData.locate(args.shared.resolve() if args.shared else None,
                           KnowledgeSettings(data_dir=s.data_dir))
    say(f"data dir {s.data_dir.resolve()}  declarations {data.kcs_dir}  corpus {data.corpus_dir}")
    store = step("opening the graph engine", open_graph)
    app = create_app(settings=s, store=store)
    state: AppState = app.state.ps
    # the regulation index needs no graph: a child process builds it beside the graph steps
    # (their process keeps one core busy; the second was idle) and the last step waits for
    # it; its background embedding starts only then, in this process, as before
    index = step("starting the knowledge index build", start_index, state, data)
    try:
        step("loading the KCS declarations", load_declarations, state, store, data,
             args.kcs_limit)
        step("loading the simulated port world", load_world, state, store, args.world,
             args.world_seed)
        # one export that both trainings and both scorings read (graph.snapshot); the two
        # models only read it and each trains on one thread: side by side
        snap = step("exporting the graph for the models", export_graph, state, store)
        entity = Beside("training and promoting the entity graph model", train_entity_model,
                        state, store, snap)
        step("training and promoting the declaration model", train_model, state, store, snap)
        entity.result()
        step("scoring declarations and entities", score, state, store, snap)
        if snap is not None:
            say(f"  the one export served: {', '.join(snap.served) or 'none'}")
        snap = None  # its tables are not needed past the scoring
        step("computing the explorer's starting points", warm_starting_points, state, store)
        step("building the knowledge index", finish_index, state, index)
    finally:
        if index is not None:
            index.stop()  # a failed step: the child does not outlive the demo
    users = step("creating the demo users", make_users, state, store)
    port = args.port or s.port
    print(banner(s, port, users), file=sys.stderr, flush=True)
    if not args.no_serve:
        serve(app, "127.0.0.1", port)
    return {"users": users, "port": port, "text": "demo stopped" if not args.no_serve else "ready"}
