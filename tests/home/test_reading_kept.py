"""A director's reading list is drawn once and kept under the subtree's data version
(home.selectors.kept_reading_list): each test opens the director's home (so the list is kept),
changes something the list shows, and checks the next view, with the change's transaction
committed (the versions are replaced on commit)."""

import pytest

from reports import services as report_services
from reviews import services as review_services
from teams import services as team_services
from tests.home.test_home import home
from tests.reports.test_services import at, fill
from tests.reviews.test_pages import FRIDAY, MONDAY, submitted


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def friday(time_machine):
    time_machine.move_to(at(FRIDAY, 15))


def reading(client, director) -> str:
    return home(client, director).content.decode().split('id="home-reading"')[1].split('id="home-behind-reviews"')[0]


def entry(html: str, report) -> str:
    return html.split(f'data-report="{report.pk}"')[1].split('data-report="')[0]


@pytest.mark.usefixtures("friday")
def test_a_submission_a_review_and_a_withdrawal_show_at_once(client, director, rep, other_rep, lead, committed):
    with committed(execute=True):
        first = submitted(rep)
    assert f'data-report="{first.pk}"' in reading(client, director)

    with committed(execute=True):
        second = submitted(other_rep)
    html = reading(client, director)
    assert html.index(f'data-report="{second.pk}"') < html.index(f'data-report="{first.pk}"')  # latest first

    with committed(execute=True):
        review_services.mark_reviewed(report=first, reviewer=lead, praise="客户拜访安排得很好")
    assert "客户拜访安排得很好" in entry(reading(client, director), first)

    with committed(execute=True):
        review_services.withdraw_report(report=second, by=other_rep)
    assert f'data-report="{second.pk}"' not in reading(client, director)


@pytest.mark.usefixtures("friday")
def test_a_reviewer_outside_every_team_renamed_shows_the_new_name(client, director, rep, admin, committed):
    """An admin belongs to no team: a new name of theirs replaces every version."""
    with committed(execute=True):
        report = submitted(rep)
        review_services.mark_reviewed(report=report, reviewer=admin, praise="数据完整")
    assert f"{admin.display_name}: 数据完整" in entry(reading(client, director), report)
    with committed(execute=True):
        team_services.update_member(actor=admin, member=admin, data={"display_name": "系统管理员"})
    assert "系统管理员: 数据完整" in entry(reading(client, director), report)


@pytest.mark.usefixtures("friday")
def test_a_resubmission_after_a_return_shows_its_state(client, director, rep, lead, committed):
    with committed(execute=True):
        report = submitted(rep)
        review_services.return_for_revision(report=report, reviewer=lead, reason="补充客户名称")
    assert "Returned for revision" in entry(reading(client, director), report)  # the director reads English
    report.refresh_from_db()
    with committed(execute=True):
        report_services.submit_report(report=fill(report), by=rep, at=at(FRIDAY, 16))
    assert report.week_start == MONDAY
    state = entry(reading(client, director), report)
    assert "Submitted" in state and "Returned for revision" not in state
