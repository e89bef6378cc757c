import numpy as np
import pytest

from knowledge.embedding_cache import EmbeddingCache


class CountingEmbed:
    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, texts):
        self.seen.extend(texts)
        return np.array([[len(t), ord(t[0])] for t in texts], dtype=np.float32)


@pytest.mark.unit
def test_cache_embeds_only_new_texts_and_survives_a_reload(tmp_path):
    embed = CountingEmbed()
    cache = EmbeddingCache(tmp_path, "model|1|64")
    v = cache.get_or_embed(["甲", "乙乙", "甲"], embed)
    assert sorted(embed.seen) == ["乙乙", "甲"]  # the repeated text embedded once
    assert v.tolist() == [[1, ord("甲")], [2, ord("乙")], [1, ord("甲")]]
    again = EmbeddingCache(tmp_path, "model|1|64")
    embed2 = CountingEmbed()
    v2 = again.get_or_embed(["乙乙", "丙"], embed2)
    assert embed2.seen == ["丙"]
    assert v2.tolist() == [[2, ord("乙")], [1, ord("丙")]]
    other = EmbeddingCache(tmp_path, "another model|1|64")  # another model: its own folder
    embed3 = CountingEmbed()
    other.get_or_embed(["甲"], embed3)
    assert embed3.seen == ["甲"]
