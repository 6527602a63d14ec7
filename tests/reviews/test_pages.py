import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from reports import services as report_services
from reports.models import WeeklyReport
from reviews import services
from reviews.models import Feedback
from reviews.queries import awaiting_count
from teams import services as team_services
from teams.models import Membership, User
from tests.factories import member_of
from tests.reports.test_services import MONDAY, at, fill

WEEK = MONDAY.isoformat()
FRIDAY = MONDAY + datetime.timedelta(days=4)


def submitted(author, when=None, week=MONDAY) -> WeeklyReport:
    report = fill(report_services.open_report(author=author, week_start=week))
    return report_services.submit_report(report=report, by=author, at=when or at(FRIDAY, 12))


def queue(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reviews:queue"), {"week": WEEK, **params})


def review_url(report) -> str:
    return reverse("reviews:review", args=[report.pk])


@pytest.fixture
def week_of_reports(team, rep, other_rep, lead, outsider):
    """rep on time, other_rep late, one returned, one reviewed, one with a draft only, one with
    nothing, one on leave (not expected), plus lead's own and another team's report."""
    returned_member = member_of(team, display_name="退回者", username="returned")
    reviewed_member = member_of(team, display_name="已审者", username="reviewed")
    drafting = member_of(team, display_name="草稿者", username="drafting")
    absent = member_of(team, display_name="缺席者", username="absent")
    member_of(team, display_name="休假者", username="on_leave", status=User.Status.ON_LEAVE)
    reports = {
        "on_time": submitted(rep, at(FRIDAY, 12)),
        "late": submitted(other_rep, at(FRIDAY + datetime.timedelta(days=1), 9)),
        "returned": submitted(returned_member, at(FRIDAY, 10)),
        "reviewed": submitted(reviewed_member, at(FRIDAY, 11)),
        "draft": report_services.open_report(author=drafting, week_start=MONDAY),
        "own": submitted(lead),
        "elsewhere": submitted(outsider),
    }
    services.return_for_revision(report=reports["returned"], reviewer=lead, reason="补充客户")
    services.mark_reviewed(report=reports["reviewed"], reviewer=lead, praise="好")
    reports["absent"] = absent
    reports["drafting"] = drafting
    return reports


# The queue --------------------------------------------------------------------------------------


def test_the_queue_groups_the_week_and_counts_each_group(client, lead, week_of_reports, time_machine):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=7), 10))  # review day, reviews not yet due
    response = queue(client, lead)
    assert response.status_code == 200
    groups, counts = response.context["groups"], response.context["counts"]
    assert counts == {
        "awaiting": 2,
        "returned": 1,
        "reviewed": 1,
        "late": 1,
        "not_yet_due": 0,
        "missing": 2,
        "on_leave": 1,
        "overdue": 0,
    }
    assert groups["awaiting"] == [week_of_reports["on_time"], week_of_reports["late"]]  # oldest submission first
    assert [entry.report for entry in groups["late"]] == [week_of_reports["late"]]
    assert groups["returned"] == [week_of_reports["returned"]]
    assert groups["reviewed"] == [week_of_reports["reviewed"]]
    assert {e.member for e in groups["missing"]} == {week_of_reports["absent"], week_of_reports["drafting"]}
    page = response.content.decode()
    assert reverse("reviews:review", args=[week_of_reports["on_time"].pk]) in page
    assert "late by" in page
    assert "休假者" not in page.split('id="group-missing"')[1].split("</section>")[0]  # on leave, not missing
    assert "休假者" in page.split('id="group-on-leave"')[1]


def test_the_queues_people_change_at_once_and_not_yet_due_turns_into_missing(
    client, lead, week_of_reports, time_machine, django_capture_on_commit_callbacks
):
    # The roster is kept between views (reviews.queries.roster_entries): each change shows on the
    # next one, and a week whose deadline is still ahead is never kept.
    missing = lambda: sorted(str(e.member) for e in queue(client, lead).context["groups"]["missing"])  # noqa: E731
    time_machine.move_to(at(FRIDAY, 12))  # before the deadline: nobody is missing yet
    assert missing() == []
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=7), 10))
    assert missing() == ["缺席者", "草稿者"]
    with django_capture_on_commit_callbacks(execute=True):
        report_services.submit_report(report=fill(week_of_reports["draft"]), by=week_of_reports["drafting"])
    assert missing() == ["缺席者"]
    with django_capture_on_commit_callbacks(execute=True):
        team_services.change_status(actor=lead, member=week_of_reports["absent"], status=User.Status.ON_LEAVE)
    assert missing() == []


def test_the_queue_opens_on_the_week_with_reports_waiting_and_its_total_is_the_badges(
    client, lead, rep, other_rep, time_machine
):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=21), 10))  # two weeks after, nothing newer
    older = submitted(rep, week=MONDAY - datetime.timedelta(days=7), when=at(FRIDAY - datetime.timedelta(days=7), 9))
    submitted(rep)
    submitted(other_rep)
    client.force_login(lead)
    response = client.get(reverse("reviews:queue"))
    assert response.context["week"] == MONDAY  # not last week, where nothing waits
    assert response.context["waiting_weeks"] == [(MONDAY, 2), (older.week_start, 1)]
    page = response.content.decode()
    badge = page.split('data-badge="awaiting"')[1].split("</span>")[1].strip()
    assert badge == str(response.context["waiting_total"]) == "3"
    assert awaiting_count(lead) == 3  # what the badge shows on every other page
    assert f'data-waiting-week="{older.week_start.isoformat()}"' in page


def test_the_queue_leaves_out_the_managers_own_report_and_other_teams(client, lead, week_of_reports):
    page = queue(client, lead).content.decode()
    for key in ("own", "elsewhere"):
        assert f'data-report="{week_of_reports[key].pk}"' not in page


def test_another_teams_manager_sees_nothing_of_this_team(client, other_lead, week_of_reports):
    response = queue(client, other_lead)
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["awaiting"] == 1 and counts["reviewed"] == counts["returned"] == 0
    assert response.context["groups"]["awaiting"] == [week_of_reports["elsewhere"]]
    page = response.content.decode()
    assert "张伟" not in page and "缺席者" not in page


def test_the_team_filter_narrows_the_queue_and_refuses_teams_out_of_reach(client, lead, team, other_team):
    submitted(member_of(team, username="a"))
    assert queue(client, lead, team=team.pk).context["counts"]["awaiting"] == 1
    assert queue(client, lead, team=other_team.pk).status_code == 404


def test_admins_have_a_queue_of_every_team(client, admin, week_of_reports):
    counts = queue(client, admin).context["counts"]
    assert counts["awaiting"] == 4  # rep, other_rep, lead's own and outsider's


def test_the_queue_defaults_to_the_last_week_whose_deadline_has_passed(client, lead, time_machine):
    time_machine.move_to(at(FRIDAY, 17), tick=False)  # before Friday 18:00: last week
    client.force_login(lead)
    assert client.get(reverse("reviews:queue")).context["week"] == MONDAY - datetime.timedelta(days=7)
    time_machine.move_to(at(FRIDAY, 19), tick=False)
    assert client.get(reverse("reviews:queue")).context["week"] == MONDAY


@pytest.mark.parametrize("who", ["rep", "director", "outsider"])
def test_people_who_review_nothing_have_no_queue(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reviews:queue")).status_code == 404


@pytest.mark.parametrize("size", [3, 50])
def test_the_queue_costs_the_same_for_any_team_size(client, lead, team, size, django_assert_max_num_queries):
    for i in range(size):
        person = member_of(team, username=f"member{i}")
        if i % 3:
            submitted(person)
    client.force_login(lead)
    # Scope, reports, the weeks with reports waiting, teams, team calendars, the session and user,
    # the two nav badges, and the roster (memberships, reports, leave, their calendars and days off).
    with django_assert_max_num_queries(16):
        response = client.get(reverse("reviews:queue"), {"week": WEEK})
    assert response.status_code == 200


# The review page --------------------------------------------------------------------------------


def test_the_review_page_shows_the_report_history_last_feedback_and_forms(client, lead, rep):
    for weeks_back in (3, 2):
        submitted(rep, week=MONDAY - datetime.timedelta(days=7 * weeks_back))
    previous = submitted(rep, week=MONDAY - datetime.timedelta(days=7))
    services.mark_reviewed(report=previous, reviewer=lead, praise="拜访量很好", goals=["签下华为合同"])
    report = submitted(rep)
    client.force_login(lead)
    response = client.get(review_url(report))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="feedback-form"' in page and 'id="return-form"' in page
    # Last week's feedback and whether its goal was met come with the side panel, and htmx puts
    # them above the report (out of band); without htmx the panel's page shows them.
    assert '<div id="section-last-feedback"></div>' in page and "拜访量很好" not in page
    panel = side(client, report)
    last = panel.split('id="section-last-feedback" hx-swap-oob="true">')[1].split("</section>")[0]
    assert "拜访量很好" in last and "签下华为合同" in last and "Done" in last
    assert "拜访量很好" in side(client, report, htmx=False)
    history = [row["history"] for row in response.context["kpi_rows"]]
    assert history and all(h == [None, Decimal(5), Decimal(5), Decimal(5)] for h in history)


def test_the_next_report_link_opens_the_next_waiting_report_then_the_queue(client, lead, rep, other_rep):
    first, second = submitted(rep, at(FRIDAY, 9)), submitted(other_rep, at(FRIDAY, 10))
    client.force_login(lead)
    page = client.get(review_url(first)).content.decode()
    next_url = reverse("reviews:next", args=[first.pk])
    assert f'data-next-url="{next_url}"' in page and f'href="{next_url}"' in page and "js/review.js" in page
    assert client.get(next_url).url == review_url(second)
    assert client.get(reverse("reviews:next", args=[second.pk])).url == review_url(first)  # round the week

    services.mark_reviewed(report=second, reviewer=lead, praise="好")
    response = client.get(next_url, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('reviews:queue')}?week={WEEK}"
    assert "No more reports are waiting for review this week." in response.content.decode()


def side(client, report, htmx=True) -> str:
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(reverse("reviews:side", args=[report.pk]), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_report_no_longer_waiting_shows_its_history_instead_of_the_forms(client, lead, rep):
    report = submitted(rep)
    services.return_for_revision(report=report, reviewer=lead, reason="请补充客户名称")
    client.force_login(lead)
    page = client.get(review_url(report)).content.decode()
    assert 'id="feedback-form"' not in page and 'id="review-status"' in page
    # The record comes in the side panel, which the page loads once it is shown.
    assert f'hx-get="{reverse("reviews:side", args=[report.pk])}"' in page
    panel = side(client, report)
    assert "请补充客户名称" in panel and 'id="review-history"' in panel and "<html" not in panel
    # Without htmx the panel's link opens it as a page of its own.
    assert "<html" in side(client, report, htmx=False) and "请补充客户名称" in side(client, report, htmx=False)


def test_the_side_panel_shows_the_read_receipt_of_this_reading(client, lead, rep):
    report = submitted(rep)
    client.force_login(lead)
    client.get(review_url(report))
    assert f'data-reader="{lead.pk}"' in side(client, report)


def test_the_thread_arrives_once_the_page_is_shown_and_posts_come_back_to_the_review(client, lead, rep):
    report = submitted(rep)
    services.add_comment(report=report, author=rep, body="请看一下华为的报价")
    client.force_login(lead)
    page = client.get(review_url(report)).content.decode()
    thread_url = reverse("reviews:thread", args=[report.pk])
    assert f'hx-get="{thread_url}?next=' in page and "请看一下华为的报价" not in page
    fragment = client.get(thread_url, {"next": review_url(report)}, headers={"HX-Request": "true"}).content.decode()
    assert "请看一下华为的报价" in fragment and "<html" not in fragment
    assert f'name="next" value="{review_url(report)}"' in fragment
    # A foreign address is not taken as the page to come back to.
    fragment = client.get(thread_url, {"next": "https://evil.example/"}, headers={"HX-Request": "true"})
    assert "evil.example" not in fragment.content.decode()
    # Without htmx: a page with the thread, whose posts come back to it.
    page = client.get(thread_url).content.decode()
    assert "<html" in page and "请看一下华为的报价" in page and f'name="next" value="{thread_url}"' in page
    response = client.post(reverse("reviews:comment_add", args=[report.pk]), {"body": "好的", "next": thread_url})
    assert response.status_code == 302 and response.url.startswith(thread_url + "#comment-")


@pytest.mark.parametrize("who", ["outsider", "other_lead"])
def test_people_out_of_reach_get_404_on_the_review_page(client, request, rep, who):
    report = submitted(rep)
    client.force_login(request.getfixturevalue(who))
    assert client.get(review_url(report)).status_code == 404
    assert client.post(reverse("reviews:mark_reviewed", args=[report.pk]), {"praise": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["director", "rep"])
def test_readers_who_may_not_review_get_403(client, request, rep, who):
    report = submitted(rep)
    client.force_login(request.getfixturevalue(who))
    assert client.get(review_url(report)).status_code == 403
    assert client.post(reverse("reviews:mark_reviewed", args=[report.pk]), {"praise": "x"}).status_code == 403
    assert client.post(reverse("reviews:return", args=[report.pk]), {"reason": "x"}).status_code == 403
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED


def test_the_review_page_costs_a_bounded_number_of_queries(client, lead, rep, django_assert_max_num_queries):
    for weeks_back in (4, 3, 2, 1):
        previous = submitted(rep, week=MONDAY - datetime.timedelta(days=7 * weeks_back))
    services.mark_reviewed(report=previous, reviewer=lead, praise="好", goals=["一", "二"])
    report = submitted(rep)
    client.force_login(lead)
    # Besides the report and its history: the read receipts (looked up, and written on this first
    # reading), the two nav badges (what waits for review, read with the teams' review days and kept
    # until a review or submission changes it), and the author's sales log of the week (by type, new
    # customers) against the reported numbers.
    with django_assert_max_num_queries(18):
        assert client.get(review_url(report)).status_code == 200
    # The fragments the page loads: the thread with the people who can be mentioned; the record
    # (feedback, actions, receipts), the team's calendar, the customers going cold, and last
    # week's feedback with its goals and this week's answers to them.
    with django_assert_max_num_queries(6):
        client.get(reverse("reviews:thread", args=[report.pk]), headers={"HX-Request": "true"})
    with django_assert_max_num_queries(13):
        client.get(reverse("reviews:side", args=[report.pk]), headers={"HX-Request": "true"})


# Actions ----------------------------------------------------------------------------------------


def test_marking_reviewed_moves_on_to_the_next_waiting_report(client, lead, rep, other_rep):
    first, second = submitted(rep, at(FRIDAY, 9)), submitted(other_rep, at(FRIDAY, 10))
    client.force_login(lead)
    response = client.post(
        reverse("reviews:mark_reviewed", args=[first.pk]),
        {"praise": "拜访量很好", "goals": "签下华为\n\n回款 20 万", "rating": "4"},
    )
    assert response.status_code == 302 and response.url == review_url(second)
    first.refresh_from_db()
    assert first.status == WeeklyReport.Status.REVIEWED
    feedback = Feedback.objects.get(report=first)
    assert feedback.rating == 4 and [g.text for g in feedback.goals.all()] == ["签下华为", "回款 20 万"]

    response = client.post(reverse("reviews:mark_reviewed", args=[second.pk]), {"praise": "好"})
    assert response.status_code == 302 and response.url == f"{reverse('reviews:queue')}?week={WEEK}"


def test_empty_feedback_is_refused_and_the_input_kept(client, lead, rep):
    report = submitted(rep)
    client.force_login(lead)
    response = client.post(reverse("reviews:mark_reviewed", args=[report.pk]), {"praise": " ", "rating": "3"})
    assert response.status_code == 200
    assert "Write at least one part of the feedback." in response.content.decode()
    assert response.context["feedback_form"]["rating"].value() == "3"
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED


def test_a_second_mark_reviewed_says_so_and_adds_no_feedback(client, lead, rep):
    report = submitted(rep)
    client.force_login(lead)
    url = reverse("reviews:mark_reviewed", args=[report.pk])
    client.post(url, {"praise": "好"})
    response = client.post(url, {"praise": "好"})
    assert response.status_code == 200
    assert "This report is not waiting for review" in response.content.decode()
    assert Feedback.objects.filter(report=report).count() == 1


def test_returning_without_a_reason_is_refused(client, lead, rep):
    report = submitted(rep)
    client.force_login(lead)
    response = client.post(reverse("reviews:return", args=[report.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["return_form"].errors["reason"]
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED


def test_returning_with_a_reason_reopens_the_report(client, lead, rep):
    report = submitted(rep)
    client.force_login(lead)
    response = client.post(reverse("reviews:return", args=[report.pk]), {"reason": "请补充客户名称"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.RETURNED


@pytest.mark.parametrize("name", ["reviews:mark_reviewed", "reviews:return"])
def test_actions_answer_only_post(client, lead, rep, name):
    report = submitted(rep)
    client.force_login(lead)
    assert client.get(reverse(name, args=[report.pk])).status_code == 405


def test_missing_counts_only_current_salespeople(client, lead, team):
    former = member_of(team, username="former")
    Membership.objects.filter(user=former).update(ended_on=MONDAY - datetime.timedelta(days=1))
    missing = {m.user.username for m in queue(client, lead).context["groups"]["missing"]}
    assert "former" not in missing and "lead" not in missing


# The access-matrix entries these pages need (anonymous goes to the login page) -------------------

ANSWERS = {
    "reviews:queue": ("get", False, {"rep": 404, "outsider": 404, "lead": 200, "other_lead": 200, "director": 404}),
    "reviews:review": ("get", True, {"rep": 403, "outsider": 404, "lead": 200, "other_lead": 404, "director": 403}),
    # An empty POST is refused by the service and the page is shown again with the error.
    "reviews:mark_reviewed": (
        "post",
        True,
        {"rep": 403, "outsider": 404, "lead": 200, "other_lead": 404, "director": 403},
    ),
    "reviews:return": ("post", True, {"rep": 403, "outsider": 404, "lead": 200, "other_lead": 404, "director": 403}),
}
CASES = [(name, role) for name in ANSWERS for role in ["anonymous", *ANSWERS[name][2], "admin"]]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_who_may_do_what(client, request, rep, name, role):
    method, about_report, answers = ANSWERS[name]
    report = submitted(rep)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = getattr(client, method)(reverse(name, args=[report.pk] if about_report else []))
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == answers.get(role, 200)


def test_the_review_page_links_to_the_reports_own_page_and_its_pdf(client, rep, lead):
    report = submitted(rep)
    client.force_login(lead)
    page = client.get(review_url(report)).content.decode()
    assert f'id="report-page" href="{report.get_absolute_url()}"' in page
    assert f'action="{reverse("summaries:report_pdf", args=[report.pk])}"' in page
