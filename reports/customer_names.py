"""Customer names reduced for comparison: the sales log finds duplicates by it, and a report's plan
rows are keyed by it to the customers they name."""

import re
import unicodedata

# Legal forms that make "华为技术有限公司" and "华为技术" the same customer for duplicate checks:
# Chinese ones at the end of the name, Latin ones as the last words.
CHINESE_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司")
LATIN_FORMS = {"co", "ltd", "inc", "corp", "corporation", "limited", "llc", "gmbh", "group"}
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    """The customer name reduced for comparison: width and case folded, spaces and punctuation
    dropped, a trailing legal form ("有限公司", "Co., Ltd.") removed unless it is the whole name."""
    words = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", name).casefold()).split()
    while len(words) > 1 and words[-1] in LATIN_FORMS:
        words.pop()
    key = "".join(words)
    for form in CHINESE_FORMS:
        if key.endswith(form):
            if len(key) > len(form):
                key = key[: -len(form)]
            break
    return key[:200]
