"""Readers: one per source format; all end in ``ingest.pipeline.run_load``."""
