"""Chinese-aware tokens for the search index and for queries, and the highlighted passage.

PostgreSQL's text search parser does not know Chinese words, and a dictionary tokenizer (jieba)
splits 宁德时代新能源 into words a query for 宁德时代 or 时代 may not match. So text is indexed as
overlapping character bigrams of every run of CJK characters (宁德 德时 时代 代, the run's last
character as well, for one-character queries) and Latin words and numbers lowercased, written as a
tsvector literal with positions (no parser, no dictionary: the `simple` behaviour). A query term of
two or more CJK characters requires its bigrams (宁德 & 德时 & 时代, and the characters in that order,
search.selectors), so it matches inside longer words; one CJK character or a Latin word matches as
a prefix; terms are ANDed. The query is built from these tokens alone, so no user input reaches the
tsquery syntax.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+)")
MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
MAX_WORD_LENGTH = 60
MAX_POSITION = 16383  # PostgreSQL's limit; later positions are stored as this one
PASSAGE_LENGTH = 160
PASSAGE_LEAD = 50


@dataclass(frozen=True)
class Term:
    text: str
    is_cjk: bool


def normalize(text: str) -> str:
    """Full-width letters and digits as ASCII, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def terms(query: str) -> list[Term]:
    """The query's search terms: CJK runs and Latin words, at most MAX_TERMS, duplicates dropped.
    Everything else (operators, quotes, punctuation) separates terms and is otherwise ignored."""
    found: list[Term] = []
    for match in TOKEN.finditer(normalize(query[:MAX_QUERY_LENGTH])):
        cjk, word = match.groups()
        term = Term(cjk, True) if cjk else Term(word[:MAX_WORD_LENGTH], False)
        if term not in found:
            found.append(term)
    return found[:MAX_TERMS]


def lexemes(text: str) -> list[str]:
    """The indexed tokens of a text, in order: bigrams of CJK runs plus each run's last
    character, Latin words lowercased."""
    tokens: list[str] = []
    for match in TOKEN.finditer(normalize(text)):
        cjk, word = match.groups()
        if word:
            tokens.append(word[:MAX_WORD_LENGTH])
        else:
            tokens.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
            tokens.append(cjk[-1])
    return tokens


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(text: str) -> str:
    """The text's tokens as a PostgreSQL tsvector literal with positions."""
    return " ".join(f"{_quoted(token)}:{min(i, MAX_POSITION)}" for i, token in enumerate(lexemes(text), 1))


def tsquery_literal(query_terms: list[Term]) -> str:
    """The terms as a PostgreSQL tsquery literal: every character pair of the CJK terms, every
    Latin word and one-character term as a prefix, all required; empty for no terms. (Pairs, not
    the phrase of them: the GIN index answers this without reading rows; search.selectors checks
    that a longer term's pairs stand together.)"""
    parts: list[str] = []
    for term in query_terms:
        if term.is_cjk and len(term.text) > 1:
            pairs = [_quoted(term.text[i : i + 2]) for i in range(len(term.text) - 1)]
            parts.extend(pair for pair in dict.fromkeys(pairs) if pair not in parts)
        else:
            parts.append(_quoted(term.text) + ":*")
    return " & ".join(parts)


def passage(text: str, query_terms: list[Term]) -> SafeString:
    """A short passage of `text` around the first match, HTML-escaped, the matches in <mark>."""
    text = " ".join(text.split())
    needles = sorted({t.text for t in query_terms}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE) if needles else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - PASSAGE_LEAD) if first else 0
    end = min(len(text), start + PASSAGE_LENGTH)
    window = text[start:end]
    pieces = ["…"] if start else []
    position = 0
    for match in pattern.finditer(window) if pattern else ():
        pieces.append(escape(window[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(window[position:]))
    if end < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))  # nosec B308 B703 # every piece of user text is escaped above
