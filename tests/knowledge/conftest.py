import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ps_kb_fixtures import (corpus_dir, guide_file, shared_dir, small_corpus,  # noqa: E402,F401
                            small_kb, tiny_kb)
