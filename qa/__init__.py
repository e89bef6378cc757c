"""qa: question understanding, retrieval (BM25, dense, fused, reranked), cited extractive
answers, refusal, chat.

The API and the CLI build one ``ConsultService(kb, settings)`` and keep it; retrieval alone
is ``retriever_for(kb, mode).retrieve(query, top_k)`` (see README.md).
"""

from qa.base import (Answer, AnswerGenerator, Citation, Hit, Passage, QueryHints, Retriever,
                     Understanding)
from qa.config import MODES, QASettings, settings
from qa.exceptions import CitationError, EvaluationError, GeneratorError, QAError
from qa.retrieval import retriever_for
from qa.service import ConsultService

__all__ = ["Answer", "AnswerGenerator", "Citation", "Hit", "Passage", "QueryHints", "Retriever",
           "Understanding", "MODES", "QASettings", "settings", "QAError", "GeneratorError",
           "CitationError", "EvaluationError", "ConsultService", "retriever_for"]
