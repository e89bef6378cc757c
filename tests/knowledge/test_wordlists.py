import ast
from pathlib import Path

import pytest

from knowledge import text as T
from knowledge import wordlists

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.unit
def test_word_lists_come_from_the_data_files():
    lex = wordlists.concept_lexicon()
    assert set(lex) == {"DOC", "LICENCE", "AGENCY", "GOODS", "HS", "PROC"}
    assert "报关单" in lex["DOC"] and "检疫许可证" in lex["LICENCE"]
    terms = wordlists.lexicon()
    assert len(terms) == len(set(terms)) == len({t for ts in lex.values() for t in ts})
    assert [len(t) for t in terms] == sorted((len(t) for t in terms), reverse=True)
    assert {"的", "请问", "the"} <= wordlists.stopwords()
    assert "海关" not in wordlists.stopwords()
    assert wordlists.question_noise()[:2] == ("请问", "想问一下")
    assert "口岸" in wordlists.port_terms()


@pytest.mark.unit
def test_word_lists_are_read_once(monkeypatch):
    wordlists.stopwords()  # cached from now on
    monkeypatch.setattr(wordlists, "read_lines", lambda path: pytest.fail(f"re-read {path}"))
    assert "的" in wordlists.stopwords()


@pytest.mark.unit
def test_tokenisers_use_the_lists():
    assert T.strip_question("请问进口冻肉怎么报关？").split() == ["进口冻肉", "报关？"]
    assert T.bigrams("进口冻肉 HS") == ["进口", "口冻", "冻肉", "hs"]


@pytest.mark.unit
def test_no_module_level_word_list_literals_and_no_import_circle():
    """concepts imports text, text imports wordlists; neither imports the other back."""
    def imports(mod: str) -> set[str]:
        tree = ast.parse((REPO / "knowledge" / f"{mod}.py").read_text(encoding="utf-8"))
        return {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}

    assert "knowledge.concepts" not in imports("text")
    assert "knowledge.text" in imports("concepts")
    assert not {"knowledge.text", "knowledge.concepts"} & imports("wordlists")
    for mod in ("text", "concepts"):
        src = (REPO / "knowledge" / f"{mod}.py").read_text(encoding="utf-8")
        assert "STOPWORDS" not in src and "LEXICON" not in src
