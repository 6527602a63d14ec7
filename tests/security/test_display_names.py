"""Display names cannot impersonate (issue 16, finding 10): a name is unique within the company,
ignoring case, full/half width, spacing and invisible characters, and comments and emails show
who wrote them by a stable identifier (the username) next to the name."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from reviews.services import add_comment
from teams.models import Membership, User, name_key
from tests.factories import UserFactory
from tests.teams.test_import import CHINESE_HEADER, apply, csv_file, row_html, uploaded_import

# Ways to write "Li Qiang" that look like it.
LOOKALIKES = [
    "Li Qiang",
    "li qiang",
    "LI QIANG",
    "Ｌｉ　Ｑｉａｎｇ",
    "  Li   Qiang ",
    "Li Qiang\u200b",
    "Li\u00a0Qiang",
]


@pytest.fixture
def manager(lead):
    User.objects.filter(pk=lead.pk).update(display_name="Li Qiang", name_key=name_key("Li Qiang"))
    lead.refresh_from_db()
    return lead


def test_every_lookalike_has_the_same_key():
    assert {name_key(name) for name in LOOKALIKES} == {"liqiang"}
    assert name_key("李经理") != name_key("李經理")  # different characters stay different names


@pytest.mark.parametrize("name", LOOKALIKES)
def test_a_salesperson_cannot_take_their_managers_name(client, rep, manager, name):
    client.force_login(rep)
    response = client.post(
        reverse("teams:preferences"), {"display_name": name, "language": "zh-hans", "phone": "", "wechat": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    rep.refresh_from_db()
    assert rep.display_name == "张伟"


def test_keeping_ones_own_name_in_another_case_is_fine(client, rep):
    client.force_login(rep)
    response = client.post(
        reverse("teams:preferences"), {"display_name": " 张伟 ", "language": "en", "phone": "", "wechat": ""}
    )
    assert response.status_code == 302


def test_an_admin_cannot_give_a_new_or_existing_member_a_taken_name(client, admin, team, rep, manager):
    client.force_login(admin)
    base = {"language": "zh-hans", "team": team.pk, "role": Membership.Role.SALESPERSON, "username": ""}
    new = {**base, "display_name": "LI QIANG", "email": "x@example.com"}
    response = client.post(reverse("teams:member_create"), new)
    assert response.status_code == 200 and response.context["form"].errors["display_name"]
    assert 'value="LI QIANG"' in response.content.decode()
    assert not User.objects.filter(email="x@example.com").exists()
    edit = {"display_name": "ｌｉ ｑｉａｎｇ", "email": rep.email, "language": "en"}
    response = client.post(reverse("teams:member_edit", args=[rep.pk]), edit)
    assert response.status_code == 200 and response.context["form"].errors["display_name"]
    rep.refresh_from_db()
    assert rep.display_name == "张伟"


def test_the_member_import_refuses_taken_and_repeated_names(client, admin, team, manager):
    client.force_login(admin)
    member_import = uploaded_import(
        client,
        csv_file(
            [
                CHINESE_HEADER,
                ["li qiang", "a@example.com", team.name, "", "", ""],
                ["孙丽", "b@example.com", team.name, "", "", ""],
                ["孙 丽", "c@example.com", team.name, "", "", ""],
            ]
        ),
    )
    preview = client.get(member_import.get_absolute_url())
    assert "Another person already uses this name." in row_html(preview, 2)
    assert "name" not in row_html(preview, 3)
    assert "This name is also on row 3." in row_html(preview, 4)
    apply(client, member_import)
    assert not User.objects.filter(email__in=["a@example.com", "b@example.com", "c@example.com"]).exists()


def test_the_django_admin_refuses_a_taken_name_next_to_the_field(client, admin, rep, manager):
    client.force_login(admin)
    page = client.get(reverse("admin:teams_user_change", args=[rep.pk])).context["adminform"].form
    data = {key: value for key, value in page.initial.items() if value is not None and key != "password"}
    data.update({"display_name": "LI QIANG", "is_active": "on", "last_login_0": "", "last_login_1": ""})
    data.update({"date_joined_0": rep.date_joined.date().isoformat(), "date_joined_1": "00:00:00"})
    data.update({"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:teams_user_change", args=[rep.pk]), data)
    assert response.status_code == 200 and response.context["adminform"].form.errors["display_name"]


def test_the_database_refuses_a_lookalike_name_whatever_path_it_takes(manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(display_name="ＬＩ ＱＩＡＮＧ")


def test_comments_and_their_emails_show_the_authors_username(
    client, objects, rep, lead, mailoutbox, django_capture_on_commit_callbacks
):
    from reports.models import WeeklyReport

    report = WeeklyReport.objects.get(pk=objects["submitted_report"])
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(report=report, author=rep, body="@李经理 请看一下")
    client.force_login(lead)
    thread = client.get(reverse("reviews:thread", args=[report.pk])).content.decode()
    assert "@rep" in thread
    mention = next(m for m in mailoutbox if m.to == [lead.email])
    assert "(@rep)" in mention.subject


def test_people_who_already_shared_a_name_keep_it_with_their_username_added(db):
    import importlib

    from django.apps import apps

    first, second, third = UserFactory(username="wangwei"), UserFactory(username="ww2"), UserFactory(username="ww3")
    User.objects.filter(pk=first.pk).update(display_name="王伟")
    User.objects.filter(pk=second.pk).update(display_name="王伟 ")
    User.objects.filter(pk=third.pk).update(display_name="王　伟")
    importlib.import_module("teams.migrations.0005_unique_display_names").fill_keys(apps, None)
    names = dict(User.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("username", "display_name"))
    assert names == {"wangwei": "王伟", "ww2": "王伟 (ww2)", "ww3": "王　伟 (ww3)"}
