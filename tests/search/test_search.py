"""Searching reports, comments and feedback: what is found, kept current, filtered and shown."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports import services as report_services
from reviews import services as review_services
from search import selectors
from search.models import SearchEntry
from search.text import terms
from tests.reports.test_services import MONDAY
from tests.search.conftest import write


def found(user, query, **filters):
    return {(e.kind, e.report_id) for e in selectors.search(user, terms(query), selectors.Filters(**filters))}


def page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("search:results"), params)
    assert response.status_code == 200
    return response


def test_two_chinese_characters_are_found_inside_longer_words(reviewed, lead):
    assert found(lead, "宁德时代") == {("report", reviewed.pk)}
    assert found(lead, "时代新能") == {("report", reviewed.pk)}
    assert found(lead, "德时") == {("report", reviewed.pk)}


def test_every_word_of_a_mixed_query_must_appear(rep, lead, last_week):
    both = write(rep, summary="给华为发送正式报价")
    only_one = write(rep, last_week, summary="拜访华为采购部")
    assert found(lead, "华为 报价") == {("report", both.pk)}
    assert found(lead, "华为") == {("report", both.pk), ("report", only_one.pk)}


def test_problems_plans_comments_and_feedback_are_found(reviewed, rep, lead, last_week):
    review_services.add_comment(report=reviewed, author=rep, body="收到，招商银行那边周三前回复")
    assert found(lead, "比亚迪") == {("feedback", reviewed.pk)}
    assert found(lead, "招商银行") == {("comment", reviewed.pk)}
    problem = {"problem": "交付周期太长", "customer": "京东方", "cause": "", "action": "", "help_needed": ""}
    plan = [{"item": "跟进合同条款", "customer": "中兴", "due_on": None}]
    draft = write(rep, last_week, problems=[problem], plan=plan, submit=False)
    assert found(rep, "京东方 交付周期") == {("report", draft.pk)}
    assert found(rep, "中兴 合同") == {("report", draft.pk)}


def test_a_saved_draft_is_found_at_once_by_its_author_and_changes_replace_the_old_text(rep):
    draft = write(rep, summary="约了格力的采购总监", submit=False)
    assert found(rep, "格力") == {("report", draft.pk)}
    report_services.save_draft(
        report=draft, editor=rep, base_version=draft.version, data={"summary": "约了美的的采购总监"}
    )
    assert found(rep, "格力") == set()
    assert found(rep, "美的") == {("report", draft.pk)}


def test_an_edited_comment_is_found_by_its_new_text_and_a_removed_one_not_at_all(reviewed, rep):
    comment, _ = review_services.add_comment(report=reviewed, author=rep, body="海尔下周签约")
    review_services.edit_comment(comment=comment, editor=rep, body="海信下周签约")
    assert found(rep, "海尔") == set()
    assert found(rep, "海信") == {("comment", reviewed.pk)}
    review_services.delete_comment(comment=comment, by=rep)
    assert found(rep, "海信") == set()


def test_results_are_newest_first_and_filtered_by_member_team_and_period(rep, other_rep, outsider, lead, admin):
    older = write(rep, MONDAY - datetime.timedelta(weeks=20), summary="顺丰的合同")
    newer = write(rep, summary="顺丰的回款")
    teammate = write(other_rep, summary="顺丰的报价")
    elsewhere = write(outsider, summary="顺丰的交付")
    entries = list(selectors.search(admin, terms("顺丰")))
    assert [e.report_id for e in entries][-1] == older.pk
    assert found(admin, "顺丰", member=rep) == {("report", older.pk), ("report", newer.pk)}
    assert found(admin, "顺丰", team=outsider.memberships.get().team) == {("report", elsewhere.pk)}
    recent = found(admin, "顺丰", start=MONDAY - datetime.timedelta(weeks=4))
    assert recent == {("report", newer.pk), ("report", teammate.pk), ("report", elsewhere.pk)}


def test_the_page_shows_the_passage_highlighted_with_author_team_and_week(client, reviewed, lead):
    response = page(client, lead, q="宁德时代")
    html = response.content.decode()
    assert "<mark>宁德时代</mark>新能源" in html
    assert reviewed.get_absolute_url() in html
    assert "张伟" in html and "Shanghai 1" in html and MONDAY.isoformat() in html


def test_text_someone_typed_is_shown_escaped(client, rep):
    write(rep, summary="<b>华为</b><script>alert(1)</script>")
    html = page(client, rep, q="华为").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "query",
    [
        "华为 & | ! ( ) : *",
        '"宁德时代" OR 1=1',
        "'; DROP TABLE search_searchentry; --",
        "a:* & !b | (c <-> d)",
        "\\",
        "宁德时代" * 3000,
        "&&&",
        "%_%",
    ],
)
def test_hostile_queries_answer_a_page(client, reviewed, lead, query):
    html = page(client, lead, q=query).content.decode()
    assert 'id="search-count"' in html or 'id="search-empty-query"' in html
    assert SearchEntry.objects.exists()  # nothing was dropped


@pytest.mark.parametrize("query", ['"宁德时代"', "宁德时代&", "(宁德时代)", "！宁德时代？", "宁德时代:*"])
def test_signs_around_words_are_ignored(client, reviewed, lead, query):
    assert reviewed.get_absolute_url() in page(client, lead, q=query).content.decode()


def test_a_query_of_only_signs_says_what_to_type(client, lead):
    assert 'id="search-empty-query"' in page(client, lead, q="&&& !!!").content.decode()


def test_an_end_before_the_start_is_refused_next_to_the_field_keeping_the_query(client, lead):
    html = page(client, lead, q="华为", start="2026-11-20", end="2026-11-01").content.decode()
    assert "The end of the period comes before its start." in html
    assert 'value="华为"' in html


def test_the_member_filter_lists_the_chosen_teams_people(client, director, rep, outsider, team):
    without_team = page(client, director, q="华为").content.decode()
    assert 'name="member"' not in without_team
    with_team = page(client, director, q="华为", team=team.pk).content.decode()
    assert "张伟" in with_team and "刘洋" not in with_team.split('name="member"')[1].split("</select>")[0]


def test_rebuilding_finds_what_was_there(reviewed, lead):
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))
    assert found(lead, "宁德时代") == {("report", reviewed.pk)}
    assert found(lead, "比亚迪") == {("feedback", reviewed.pk)}


def test_the_search_box_is_in_the_navigation(client, rep):
    client.force_login(rep)
    assert 'id="nav-search"' in client.get(reverse("reports:my")).content.decode()


def test_a_member_who_moved_keeps_their_old_reports_in_the_old_team(rep, lead, other_lead, other_team):
    old = write(rep, MONDAY - datetime.timedelta(weeks=2), summary="万科的项目")
    from teams import services as team_services

    team_services.move_member(actor=None, member=rep, team=other_team, role="salesperson", on=MONDAY)
    assert found(lead, "万科") == {("report", old.pk)}
    assert found(other_lead, "万科") == set()


def test_counting_stops_at_the_cap_and_says_so(client, rep, lead, monkeypatch):
    from search import views

    monkeypatch.setattr(views, "MAX_RESULTS", 2)
    for week in range(3):
        write(rep, MONDAY - datetime.timedelta(weeks=week), summary="美的的报价")
    html = page(client, lead, q="美的").content.decode()
    assert "More than 2 results" in html
    assert html.count("data-entry=") == 2


def test_results_are_paged_newest_first_and_a_page_past_the_end_shows_the_last(client, rep, lead, monkeypatch):
    from search import views

    monkeypatch.setattr(views, "RESULTS_PER_PAGE", 2)
    reports = [write(rep, MONDAY - datetime.timedelta(weeks=week), summary="美的的报价") for week in range(5)]

    def shown(number) -> tuple[str, list[int]]:
        response = page(client, lead, q="美的", page=number)
        html = response.content.decode()
        return html.split('id="search-count">')[1].split("<")[0], [
            int(pk) for pk in re.findall(r'data-report="(\d+)"', html)
        ]

    assert shown(1) == ("5 results", [reports[0].pk, reports[1].pk])
    assert shown(3) == ("5 results", [reports[4].pk])
    assert shown(9) == shown("x")[:1] + ([reports[4].pk],)  # past the end: the last page
    assert shown("x")[1] == [reports[0].pk, reports[1].pk]  # not a number: the first

    monkeypatch.setattr(views, "MAX_RESULTS", 4)  # only the newest 4 can be paged through
    assert shown(2)[1] == [reports[2].pk, reports[3].pk]
    assert shown(3)[1] == [reports[2].pk, reports[3].pk] and "More than 4 results" in shown(3)[0]
