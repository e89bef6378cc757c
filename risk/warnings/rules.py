"""Load and validate the declarative rules (``rules.yaml``): each entry picks a rule kind,
a level (红/橙/黄/蓝), message templates in Chinese and English, parameters (checked against
the kind's defaults) and a suppression window."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

from risk.warnings.detectors import CreditDowngrade, RiskyLink, ScoreCrossing, Watchlist
from risk.warnings.detectors_flow import CargoBacklog, InconsistentGoods, VolumeSpike
from risk.warnings.exceptions import RuleConfigError
from risk.warnings.model import LEVELS, Detector, Rule

DETECTORS: dict[str, Detector] = {d.kind: d for d in (
    ScoreCrossing(), RiskyLink(), Watchlist(), CreditDowngrade(), VolumeSpike(), CargoBacklog(),
    InconsistentGoods())}

_FIELDS = {"id", "kind", "level", "message", "params", "suppress_for_hours", "enabled",
           "description"}


def _check_levels(params: Any, at: str, path: str = "params") -> None:
    """Every ``…level`` parameter (and ``warn_levels``' values) must be a warning level."""
    if isinstance(params, Mapping):
        for k, v in params.items():
            here = f"{path}.{k}"
            if str(k).endswith("level") and isinstance(v, str) and v not in LEVELS:
                raise RuleConfigError(f"{at}: {here} must be one of {'/'.join(LEVELS)}, "
                                      f"got {v!r}")
            if k == "warn_levels" and isinstance(v, Mapping):
                for lk, lv in v.items():
                    if lv not in LEVELS:
                        raise RuleConfigError(f"{at}: {here}.{lk} must be one of "
                                              f"{'/'.join(LEVELS)}, got {lv!r}")
            _check_levels(v, at, here)
    elif isinstance(params, list):
        for i, v in enumerate(params):
            _check_levels(v, at, f"{path}[{i}]")


def parse_rules(doc: Any, *, where: str = "rules") -> list[Rule]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("rules"), list):
        raise RuleConfigError(f"{where}: expected a mapping with a 'rules' list")
    defaults = doc.get("defaults") or {}
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, r in enumerate(doc["rules"]):
        at = f"{where}: rule #{i}"
        if not isinstance(r, Mapping):
            raise RuleConfigError(f"{at}: expected a mapping")
        rid = r.get("id")
        if not isinstance(rid, str) or not rid.strip():
            raise RuleConfigError(f"{at}: field 'id' is missing")
        at = f"{where}: rule {rid!r}"
        if rid in seen:
            raise RuleConfigError(f"{at}: duplicate id")
        seen.add(rid)
        unknown = set(r) - _FIELDS
        if unknown:
            raise RuleConfigError(f"{at}: unknown field(s) {sorted(unknown)}")
        det = DETECTORS.get(r.get("kind"))
        if det is None:
            raise RuleConfigError(f"{at}: field 'kind' must be one of {sorted(DETECTORS)}, got "
                                  f"{r.get('kind')!r}")
        level = r.get("level")
        if level not in LEVELS:
            raise RuleConfigError(f"{at}: field 'level' must be one of {'/'.join(LEVELS)}, got "
                                  f"{level!r}")
        msg = r.get("message")
        if not isinstance(msg, Mapping) or not all(isinstance(msg.get(l), str) and msg.get(l)
                                                   for l in ("zh", "en")):
            raise RuleConfigError(f"{at}: field 'message' needs both 'zh' and 'en' templates")
        params = r.get("params") or {}
        if not isinstance(params, Mapping):
            raise RuleConfigError(f"{at}: field 'params' must be a mapping")
        bad = set(params) - set(det.defaults)
        if bad:
            raise RuleConfigError(f"{at}: unknown params {sorted(bad)} for kind {det.kind!r} "
                                  f"(known: {sorted(det.defaults)})")
        _check_levels(params, at)
        hours = r.get("suppress_for_hours", defaults.get("suppress_for_hours", 24))
        if not isinstance(hours, (int, float)) or isinstance(hours, bool) or hours < 0:
            raise RuleConfigError(f"{at}: field 'suppress_for_hours' must be a number >= 0")
        rules.append(Rule(id=rid, kind=det.kind, level=level, message_zh=msg["zh"],
                          message_en=msg["en"], params={**det.defaults, **params},
                          suppress_for_s=float(hours) * 3600.0,
                          enabled=bool(r.get("enabled", True)),
                          description=str(r.get("description") or "")))
    return rules


def load_rules(path: str | Path) -> list[Rule]:
    p = Path(path)
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleConfigError(f"rules file {p} does not exist") from None
    except yaml.YAMLError as e:
        raise RuleConfigError(f"rules file {p}: not valid YAML: {e}") from e
    return parse_rules(doc, where=str(p))
