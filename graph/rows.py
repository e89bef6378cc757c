"""Bolt result rows as the store's values: nodes with their ontology label, export frames
with the ontology's (nullable) dtypes."""

from __future__ import annotations

from typing import Any, Mapping

from graph import ontology
from graph.records import Node


def primary_label(labels: list[str]) -> str:
    for l in labels:
        if l in ontology.LABELS:
            return l
    return labels[0] if labels else ""


def node_from_row(m: Mapping[str, Any]) -> Node:
    props = dict(m["props"])
    return Node(label=primary_label(list(m["labels"])), key=str(props.get("key", "")),
                props=props, id=str(m["id"]))


def typed_frame(df, schema: Mapping[str, str]):
    """Give columns the ontology's dtypes (nullable), so an empty frame is typed too."""
    kinds = {"str": "string", "int": "Int64", "float": "Float64", "bool": "boolean",
             "date": "string", "datetime": "string"}
    for col in ("key", "start_key", "end_key", "start_label", "end_label", "first_seen",
                "last_seen"):
        if col in df.columns:
            df[col] = df[col].astype("string")
    for col, kind in schema.items():
        if col in df.columns and kind in kinds:
            try:
                df[col] = df[col].astype(kinds[kind])
            except (TypeError, ValueError):
                df[col] = df[col].astype("object")
    return df
