"""Entity resolution: enterprise and person mentions linked to their canonical nodes, with
provenance, reversible. Rules: ``enterprises.py`` and ``persons.py`` docstrings; graph writes:
``apply.py``; see also ``ingest/README.md`` (*Entity resolution*).

  similarity   name similarity (rapidfuzz Levenshtein), name-key trigrams
  enterprises  ``Entity``, ``Resolver``, ``resolve``
  persons      ``PersonEntity``, ``PersonResolver``, ``resolve_persons``, ``person_tables``
  tables       entity tables from ingest records, a world's files, a store
  apply        ``provenance_records``, ``resolve_store``, ``unresolve``
  evaluation   ``evaluate`` against a world's ground truth
"""

from __future__ import annotations

from ingest.resolve.apply import provenance_records, resolve_store, unresolve
from ingest.resolve.enterprises import Entity, Resolver, resolve
from ingest.resolve.evaluation import evaluate
from ingest.resolve.match import SOURCE, Match
from ingest.resolve.persons import (PERSON_RULES, PersonEntity, PersonResolver, person_name_key,
                                    person_tables, resolve_persons)
from ingest.resolve.similarity import name_similarity
from ingest.resolve.tables import (entities_from_records, entities_from_store,
                                   entities_from_world, persons_from_records, persons_from_store,
                                   persons_from_world, world_records)

__all__ = ["PERSON_RULES", "SOURCE", "Entity", "Match", "PersonEntity", "PersonResolver",
           "Resolver", "entities_from_records", "entities_from_store", "entities_from_world",
           "evaluate", "name_similarity", "person_name_key", "person_tables",
           "persons_from_records", "persons_from_store", "persons_from_world",
           "provenance_records", "resolve", "resolve_persons", "resolve_store", "unresolve",
           "world_records"]
