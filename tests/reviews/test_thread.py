"""The comment thread under a report, read receipts, and the director's roll-up."""

import datetime

import pytest
from django.urls import reverse

from notifications.models import Notification
from reviews import services
from reviews.models import Comment, Feedback, ReportRead
from teams.models import Membership
from tests.factories import member_of
from tests.reports.test_services import MONDAY, at
from tests.reviews.test_pages import FRIDAY, submitted

WEEK = MONDAY.isoformat()


@pytest.fixture
def report(rep):
    return submitted(rep)


def post(client, report, body, **fields):
    return client.post(
        reverse("reviews:comment_add", args=[report.pk]),
        {"body": body, "next": report.get_absolute_url(), **fields},
        follow=fields.pop("follow", False),
    )


def notified(kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


# Posting ------------------------------------------------------------------------------------------


def test_the_author_comments_and_the_manager_is_told(client, report, rep, lead):
    client.force_login(rep)
    response = post(client, report, "华为的合同下周签")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url == f"{report.get_absolute_url()}#comment-{comment.pk}"
    assert "华为的合同下周签" in client.get(report.get_absolute_url()).content.decode()
    assert notified(Notification.Kind.COMMENT) == {"lead"}


def test_a_mention_tells_the_person_and_an_outsider_is_named_back_not_told(
    client, report, rep, lead, director, outsider
):
    client.force_login(lead)
    response = post(client, report, "@赵总监 请看一下，@刘洋 也看看", follow=True)
    assert notified(Notification.Kind.MENTION) == {"director"}
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert "Not notified: @刘洋" in response.content.decode()
    assert list(Comment.objects.get().mentions.all()) == [director]


def test_a_mention_matches_the_longest_name(team, report, rep):
    # Chinese has no spaces between words: "@张伟明你好" is 张伟明 (a second manager of the team),
    # not 张伟 (the author), and "@张伟你好" is 张伟.
    member_of(team, Membership.Role.MANAGER, display_name="张伟明", username="zwm")
    assert [p.username for p in services.find_mentions(report, "@张伟明你好").people] == ["zwm"]
    assert [p.username for p in services.find_mentions(report, "@张伟你好").people] == ["rep"]


def test_a_reply_to_a_reply_joins_the_same_thread(report, rep, lead):
    top, _ = services.add_comment(report=report, author=rep, body="第一条")
    reply, _ = services.add_comment(report=report, author=lead, body="回复", parent=top)
    again, _ = services.add_comment(report=report, author=rep, body="再回复", parent=reply)
    assert again.parent == top


def test_a_reply_to_a_comment_of_another_report_is_refused(client, report, rep, lead, other_rep):
    elsewhere = submitted(other_rep)
    foreign, _ = services.add_comment(report=elsewhere, author=other_rep, body="别处")
    client.force_login(rep)
    assert post(client, report, "回复", parent=foreign.pk).status_code == 404
    assert Comment.objects.count() == 1


def test_an_empty_comment_is_refused_with_a_message_and_nothing_is_posted(client, report, rep):
    client.force_login(rep)
    response = post(client, report, "   ")
    assert response.status_code == 200
    assert "Write something before posting." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_too_long_comment_comes_back_with_the_text_kept(client, report, rep):
    client.force_login(rep)
    text = "长" * 5001
    response = post(client, report, text)
    assert response.status_code == 200
    assert text in response.content.decode()
    assert not Comment.objects.exists()
    htmx = client.post(
        reverse("reviews:comment_add", args=[report.pk]), {"body": text}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="comments"' in htmx and text in htmx and "<html" not in htmx


def test_posting_with_htmx_swaps_in_the_new_thread(client, report, rep):
    client.force_login(rep)
    response = client.post(reverse("reviews:comment_add", args=[report.pk]), {"body": "收到"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith('<section class="card mb-3" id="comments">')
    assert "收到" in page


def test_a_double_click_posts_once_and_notifies_once(client, report, rep, lead):
    client.force_login(rep)
    for _ in range(2):
        post(client, report, "同一条评论", client_token="token-1")
    assert Comment.objects.count() == 1
    assert Notification.objects.filter(recipient=lead).count() == 1


def test_the_director_comments_and_an_outsider_cannot(client, report, director, outsider):
    client.force_login(director)
    assert post(client, report, "总监意见").status_code == 302
    client.force_login(outsider)
    assert post(client, report, "外人").status_code == 404
    assert Comment.objects.count() == 1


# Editing and removing ----------------------------------------------------------------------------


def test_a_comment_is_edited_within_the_window_and_a_new_mention_is_told(
    client, report, rep, lead, director, time_machine
):
    time_machine.move_to(at(FRIDAY, 14))
    comment, _ = services.add_comment(report=report, author=lead, body="初稿")
    client.force_login(lead)
    time_machine.move_to(at(FRIDAY, 14, 10))
    response = client.post(reverse("reviews:comment_edit", args=[comment.pk]), {"body": "改过 @赵总监"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "改过 @赵总监" and comment.edited_at is not None
    assert notified(Notification.Kind.MENTION) == {"director"}


def test_after_the_window_an_edit_is_refused_and_the_text_stays(client, report, lead, time_machine):
    time_machine.move_to(at(FRIDAY, 14))
    comment, _ = services.add_comment(report=report, author=lead, body="初稿")
    client.force_login(lead)
    time_machine.move_to(at(FRIDAY, 14, 16))
    response = client.post(reverse("reviews:comment_edit", args=[comment.pk]), {"body": "太晚了"})
    assert response.status_code == 200
    assert "Comments can be edited for 15 minutes" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "初稿"


def test_a_removed_comment_shows_as_removed_and_its_replies_stay(client, report, rep, lead):
    top, _ = services.add_comment(report=report, author=rep, body="说错了的话")
    services.add_comment(report=report, author=lead, body="经理的回复", parent=top)
    client.force_login(rep)
    assert client.post(reverse("reviews:comment_delete", args=[top.pk])).status_code == 302
    page = client.get(report.get_absolute_url()).content.decode()
    assert "This comment was removed." in page and "说错了的话" not in page
    assert "经理的回复" in page
    assert Comment.objects.count() == 2


def test_comments_render_hostile_markdown_inert(client, report, rep):
    services.add_comment(
        report=report,
        author=rep,
        body="<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> **好**",
    )
    client.force_login(rep)
    thread = client.get(report.get_absolute_url()).content.decode().split('id="comments"')[1]
    assert "<script>alert" not in thread and 'href="javascript:' not in thread
    assert "<img" not in thread and "<strong>好</strong>" in thread


# Read receipts -------------------------------------------------------------------------------------


def test_the_managers_first_read_is_shown_to_the_author(client, report, rep, lead, time_machine):
    time_machine.move_to(at(FRIDAY + datetime.timedelta(days=3), 9, 30))
    client.force_login(lead)
    client.get(reverse("reviews:review", args=[report.pk]))
    time_machine.move_to(at(FRIDAY + datetime.timedelta(days=3), 11))
    client.get(report.get_absolute_url())
    read = ReportRead.objects.get()
    assert read.reader == lead
    assert read.first_read_at.replace(microsecond=0) == at(FRIDAY + datetime.timedelta(days=3), 9, 30)
    client.force_login(rep)
    receipts = client.get(report.get_absolute_url()).content.decode().split('id="read-receipts"')[1][:400]
    assert "read by 李经理 on 2026-11-23 09:30" in receipts
    assert ReportRead.objects.count() == 1  # the author's own visits are not receipts


def test_a_draft_records_no_reading(client, rep, lead):
    from reports import services as report_services

    draft = report_services.open_report(author=rep, week_start=MONDAY)
    client.force_login(lead)
    client.get(draft.get_absolute_url())
    assert not ReportRead.objects.exists()


def test_the_manager_sees_whether_the_author_read_the_feedback(
    client, report, rep, lead, django_capture_on_commit_callbacks
):
    services.mark_reviewed(report=report, reviewer=lead, praise="好")
    client.force_login(lead)
    assert "Not read by the author yet" in client.get(report.get_absolute_url()).content.decode()
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):  # the record is kept until then
        client.get(report.get_absolute_url())
    assert Feedback.objects.get().read_by_author_at is not None
    client.force_login(lead)
    assert "Read by 张伟 on" in client.get(report.get_absolute_url()).content.decode()


def test_the_return_reason_is_shown_on_the_authors_edit_and_detail_pages(client, report, rep, lead):
    services.return_for_revision(report=report, reviewer=lead, reason="请补充华为的拜访明细")
    client.force_login(rep)
    for url in (reverse("reports:edit", args=[report.pk]), report.get_absolute_url()):
        page = client.get(url).content.decode()
        assert 'id="return-reason"' in page and "请补充华为的拜访明细" in page


# Overdue reviews and the director's roll-up -----------------------------------------------------------


def test_pending_reviews_are_overdue_after_the_end_of_the_review_day(client, lead, rep, other_rep, time_machine):
    submitted(rep), submitted(other_rep)
    client.force_login(lead)
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=7), 23, 59))
    response = client.get(reverse("reviews:queue"), {"week": WEEK})
    assert response.context["counts"]["overdue"] == 0 and "data-overdue" not in response.content.decode()
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=8), 0, 1))
    response = client.get(reverse("reviews:queue"), {"week": WEEK})
    assert response.context["counts"]["overdue"] == 2
    assert response.content.decode().count("data-overdue") == 2


def test_the_director_sees_each_teams_reviews_and_who_is_behind(
    client, director, lead, rep, other_rep, outsider, other_lead, team, other_team, time_machine
):
    member_of(team, username="absent")
    reviewed, returned = submitted(rep), submitted(other_rep)
    services.mark_reviewed(report=reviewed, reviewer=lead, praise="好")
    services.return_for_revision(report=returned, reviewer=lead, reason="补充")
    submitted(outsider)  # waits in other_lead's queue
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=8), 10))
    client.force_login(director)
    rows = {row.team: row for row in client.get(reverse("reviews:overview"), {"week": WEEK}).context["rows"]}
    mine, theirs = rows[team], rows[other_team]
    assert (mine.reviewed, mine.returned, mine.pending, mine.overdue, mine.missing) == (1, 1, 0, 0, 1)
    assert (theirs.pending, theirs.overdue, theirs.missing) == (1, 1, 0)
    assert theirs.is_behind and not mine.is_behind
    assert mine.managers == [lead]
    client.force_login(lead)
    rows = client.get(reverse("reviews:overview"), {"week": WEEK}).context["rows"]
    assert [row.team for row in rows] == [team]


@pytest.mark.parametrize("teams", [2, 10])
def test_the_overview_costs_the_same_for_any_number_of_teams(
    client, director, east, teams, django_assert_max_num_queries
):
    from tests.factories import TeamFactory

    for t in range(teams):
        extra = TeamFactory(name=f"扩展{t}", parent=east)
        member_of(extra, Membership.Role.MANAGER, username=f"m{t}")
        for i in range(5):
            person = member_of(extra, username=f"p{t}-{i}")
            if i % 2:
                submitted(person)
    client.force_login(director)
    # The roster's five (memberships, reports, leave, the teams' calendars and days off) included.
    with django_assert_max_num_queries(15):
        assert client.get(reverse("reviews:overview"), {"week": WEEK}).status_code == 200


def test_the_navigation_counts_reports_awaiting_the_managers_review(client, lead, rep, other_rep):
    submitted(rep), submitted(other_rep)
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    badge = page.split('data-badge="awaiting"')[1][:120]
    assert "2</span>" in badge
    client.force_login(rep)
    assert 'data-badge="awaiting"' not in client.get(reverse("home")).content.decode()
