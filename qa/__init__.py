"""qa: question understanding, hybrid retrieval, cited extractive answers, refusal, chat.

The API calls ``qa.service``: ``ask``, ``chat_stream``, ``list_documents``, ``get_document``,
``get_article``, ``build`` (see that module's docstring).
"""

from qa.base import Answer, AnswerGenerator, Citation, Passage, Retriever, Understanding
from qa.config import QASettings, settings
from qa.exceptions import CitationError, EvaluationError, GeneratorError, QAError

__all__ = ["Answer", "AnswerGenerator", "Citation", "Passage", "Retriever", "Understanding",
           "QASettings", "settings", "QAError", "GeneratorError", "CitationError",
           "EvaluationError"]
