"""BAAI bge-small-zh-v1.5 (int8 ONNX) through onnxruntime + tokenizers: the default Chinese
dense channel. CLS pooling, L2-normalised, plain queries (the BGE instruction prefix did not
help). Batches are sorted by length and padded to their own longest text, so a batch of short
texts costs little. The model folder comes from ``KnowledgeSettings.zh_model_dir``
(``PS_ZH_MODEL_DIR``; ``make zh-model`` fetches it once per machine, checksum verified).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Callable, Sequence

from knowledge.base import Embedder
from knowledge.exceptions import ModelLoadError

log = logging.getLogger(__name__)

MODEL_FILE = "bge-small-zh-v1.5-q.onnx"
TOKENIZER_FILE = "bge-small-zh-v1.5-q-tokenizer.json"


class OnnxEmbedder(Embedder):
    """An ONNX BERT-style encoder from a local folder. ``__init__`` only stores config.

    Args:
        model_dir: folder holding ``model_file`` and ``tokenizer_file``.
        max_length: tokens per text (longer texts are truncated).
        batch_size: texts per forward pass.
        threads: onnxruntime intra-op threads.
        spinning: let idle pool threads spin-wait (off: on a shared machine they steal CPU).
    """

    cjk_capable = True

    def __init__(self, model_dir: str | Path, *, max_length: int = 256, batch_size: int = 32,
                 threads: int = 1, model_file: str = MODEL_FILE,
                 tokenizer_file: str = TOKENIZER_FILE, spinning: bool = False):
        self.model_dir = Path(model_dir)
        self.model_file = model_file
        self.tokenizer_file = tokenizer_file
        self.name = Path(model_file).stem
        self.max_length = int(max_length)
        self.batch_size = int(batch_size)
        self.threads = int(threads)
        self.spinning = bool(spinning)
        self._session = None
        self._tok = None
        self._inputs: list[str] = []
        self._dim: int | None = None

    @property
    def key(self) -> str:
        """Identity for the embedding cache: model file size + sha prefix + max length."""
        p = self.model_dir / self.model_file
        h = hashlib.sha1()
        with open(p, "rb") as f:
            h.update(f.read(1 << 20))
        return f"onnx/{self.name}|{p.stat().st_size}|{h.hexdigest()[:12]}|{self.max_length}"

    def warm_up(self) -> None:
        if self._session is not None:
            return
        model, tok = self.model_dir / self.model_file, self.model_dir / self.tokenizer_file
        missing = [str(p) for p in (model, tok) if not p.is_file()]
        if missing:
            raise ModelLoadError(
                f"Chinese embedding model not found: {', '.join(missing)} is missing. Run "
                f"`make zh-model` (fetches {self.model_file} once per machine) or set "
                f"PS_ZH_MODEL_DIR to a folder holding {self.model_file} and "
                f"{self.tokenizer_file}")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            t = Tokenizer.from_file(str(tok))
            t.no_padding()
            t.enable_truncation(max_length=self.max_length)
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = max(self.threads, 1)
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            # no spin-waiting between ops: on a shared 2-core machine a spinning pool thread
            # competes with the other thread (and with other processes) for the same cores
            opts.add_session_config_entry("session.intra_op.allow_spinning",
                                          "1" if self.spinning else "0")
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            sess = ort.InferenceSession(str(model), sess_options=opts,
                                        providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - wrapped for callers
            raise ModelLoadError(f"cannot load {model}: {e}") from e
        self._tok, self._session = t, sess
        self._inputs = [i.name for i in sess.get_inputs()]
        self._dim = int(sess.get_outputs()[0].shape[-1])

    @property
    def dim(self) -> int:
        self.warm_up()
        return int(self._dim)

    def embed(self, texts: Sequence[str],
              progress: Callable[[int], None] | None = None):
        """``(n, dim)`` float32, L2-normalised, in the order of ``texts``. ``progress(k)`` is
        called after each batch with the number of texts done so far."""
        import numpy as np

        self.warm_up()
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if not n:
            return out
        # (cutting texts to 8 characters per token before tokenising changes no token ids
        # but saved no time either: bench/qa_embed_speed.py "precut"; not done)
        enc = self._tok.encode_batch([t if t else " " for t in texts])
        order = sorted(range(n), key=lambda i: len(enc[i].ids))
        done = 0
        for s in range(0, n, self.batch_size):
            rows = order[s:s + self.batch_size]
            width = max(len(enc[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, i in enumerate(rows):
                e = enc[i].ids
                ids[j, :len(e)] = e
                mask[j, :len(e)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, {k: v for k, v in feed.items()
                                              if k in self._inputs})[0]
            cls = hidden[:, 0, :] if hidden.ndim == 3 else hidden
            cls = cls / np.maximum(np.linalg.norm(cls, axis=1, keepdims=True), 1e-12)
            out[rows] = cls
            done += len(rows)
            if progress:
                progress(done)
        return out
