"""How text becomes index tokens and queries become tsquery literals (search.text)."""

import pytest

from search.text import MAX_QUERY_LENGTH, MAX_TERMS, Term, lexemes, passage, terms, tsquery_literal, tsvector_literal


def test_chinese_is_indexed_as_overlapping_pairs_and_latin_words_in_lower_case():
    assert lexemes("宁德时代新能源 Huawei P50") == [
        "宁德",
        "德时",
        "时代",
        "代新",
        "新能",
        "能源",
        "源",
        "huawei",
        "p50",
    ]


def test_full_width_letters_count_as_ascii():
    assert lexemes("ＡＢＣ公司") == ["abc", "公司", "司"]


def test_a_query_of_chinese_characters_requires_each_of_its_pairs_once():
    assert tsquery_literal(terms("宁德时代")) == "'宁德' & '德时' & '时代'"
    assert tsquery_literal(terms("哈哈哈")) == "'哈哈'"


def test_every_term_of_a_mixed_query_is_required():
    assert tsquery_literal(terms("华为 报价 SAP")) == "'华为' & '报价' & 'sap':*"


def test_one_chinese_character_matches_as_a_prefix():
    assert tsquery_literal(terms("华")) == "'华':*"


@pytest.mark.parametrize(
    "hostile",
    [
        "华为 & | ! ( ) : * <-> '\"",
        "'; DROP TABLE search_searchentry; --",
        "a:* & !b | (c <-> d)",
        "\\' \\\\ ''",
        "华为" * 5000,
        "",
        "&&&|||!!!",
    ],
)
def test_operators_and_quotes_never_reach_the_query(hostile):
    query = tsquery_literal(terms(hostile))
    stripped = query.replace(" & ", "").replace(":*", "")
    # What is left is quoted lexemes made only of letters, digits and CJK characters.
    for lexeme in stripped.split("'")[1::2]:
        assert lexeme.isalnum()
    assert len(terms(hostile)) <= MAX_TERMS


def test_long_queries_are_cut():
    assert sum(len(t.text) for t in terms("华" * 10_000)) == MAX_QUERY_LENGTH


def test_positions_past_postgresqls_limit_are_clamped():
    literal = tsvector_literal("词 " * 20_000)
    assert literal.endswith("'词':16383")


def test_the_passage_is_escaped_before_matches_are_marked():
    html = passage("<script>alert(1)</script> 跟进宁德时代新能源的报价", [Term("宁德时代", True), Term("报价", True)])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>宁德时代</mark>新能源的<mark>报价</mark>" in html


def test_the_passage_is_cut_around_the_first_match():
    html = passage("甲" * 500 + "宁德时代" + "乙" * 500, [Term("宁德时代", True)])
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>宁德时代</mark>" in html and len(html) < 250
