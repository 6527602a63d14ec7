import datetime
from decimal import Decimal
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from reports import services, settings_services
from reports.models import KPI, ReportTemplate, Target, TeamSettings
from tests.factories import member_of

MONDAY = datetime.date(2026, 11, 16)
NOVEMBER_2026 = [datetime.date(2026, 11, d) for d in (2, 9, 16, 23, 30)]
ALL_SECTIONS = ("review", "kpis", "problems", "plan", "custom")


@pytest.fixture
def kpi(db):
    return {k.code: k for k in KPI.objects.all()}


@pytest.fixture
def default_template(db):
    return services.default_template()


@pytest.fixture
def key_accounts(admin, kpi):
    return settings_services.save_template(
        actor=admin,
        template=None,
        name="Key accounts",
        sections=["review", "kpis", "custom"],
        kpis=[kpi["sales_amount"]],
        fields=[
            {"label": "客户等级", "type": "choice", "required": True, "help": "", "choices": ["A", "B", "C"]},
            {"label": "本周亮点", "type": "long_text", "required": False, "help": "一句话", "choices": []},
        ],
    )


class _FormReader(HTMLParser):
    """What a browser would submit from the page's POST form: values, ticked boxes, selected options."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data[name] = attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs["value"]
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n")


def submitted_form(page: str) -> dict:
    body = page[page.index('<form method="post" novalidate>') :]
    reader = _FormReader()
    reader.feed(body[: body.index("</form>")])
    return {k: v for k, v in reader.data.items() if "__prefix__" not in k}


def kpi_data(**overrides) -> dict:
    return {
        "code": "satisfaction",
        "name_zh": "客户满意度",
        "name_en": "Customer satisfaction",
        "unit": "score",
        "decimals": "1",
        "aggregation": "average",
        "position": "10",
        "is_active": "on",
        **overrides,
    }


def template_data(name: str, sections=ALL_SECTIONS, kpis=(), fields=()) -> dict:
    """What the template page posts: ticked sections and KPIs numbered in order, then the fields."""
    data = {
        "name": name,
        "fields-TOTAL_FORMS": str(len(fields)),
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "30",
    }
    for position, section in enumerate(sections, start=1):
        data |= {f"section_{section}": "on", f"section_{section}_order": str(position)}
    for position, item in enumerate(kpis, start=1):
        data |= {f"kpi_{item.pk}": "on", f"kpi_{item.pk}_order": str(position)}
    for index, field in enumerate(fields):
        data |= {
            f"fields-{index}-{key}": value
            for key, value in {
                "type": "short_text",
                "help": "",
                "choices": "",
                "ORDER": str(index + 1),
                **field,
            }.items()
        }
    return data


def cell(member, kpi_row) -> str:
    return f"target_{member.pk}_{kpi_row.pk}"


def targets_url(team, query: str = "") -> str:
    return reverse("reports:targets", args=[team.pk]) + (f"?{query}" if query else "")


# KPIs ---------------------------------------------------------------------------------------------


def test_admin_creates_a_kpi(client, admin):
    client.force_login(admin)
    response = client.post(reverse("reports:kpi_create"), kpi_data())
    assert response.status_code == 302 and response.url == reverse("reports:kpi_list")
    created = KPI.objects.get(code="satisfaction")
    assert (created.name_zh, created.aggregation, created.decimals) == ("客户满意度", "average", 1)
    assert created.is_higher_better is False  # the box was left unticked
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, target_id=created.pk, actor=admin).exists()
    assert "客户满意度" in client.get(reverse("reports:kpi_list")).content.decode()


def test_a_kpi_code_already_in_use_is_reported_next_to_the_field(client, admin):
    client.force_login(admin)
    count = KPI.objects.count()
    response = client.post(reverse("reports:kpi_create"), kpi_data(code="sales_amount", name_zh="重复指标"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["code"]
    assert "重复指标" in response.content.decode()  # what was typed is kept
    assert KPI.objects.count() == count


def test_admin_deactivates_a_kpi_but_cannot_change_its_code(client, admin, kpi):
    client.force_login(admin)
    calls = kpi["calls"]
    data = kpi_data(
        code="renamed",
        name_zh=calls.name_zh,
        name_en=calls.name_en,
        unit="count",
        decimals="0",
        aggregation="sum",
        is_higher_better="on",
    )
    del data["is_active"]
    assert client.post(reverse("reports:kpi_edit", args=[calls.pk]), data).status_code == 302
    calls.refresh_from_db()
    assert (calls.code, calls.is_active) == ("calls", False)
    assert AuditEntry.objects.get(action=AuditEntry.Action.UPDATED, target_id=calls.pk).changes["is_active"] == [
        True,
        False,
    ]


# Report templates ---------------------------------------------------------------------------------


def test_admin_creates_a_template_in_the_chosen_order(client, admin, kpi):
    client.force_login(admin)
    data = template_data(
        "Key accounts",
        sections=("plan", "kpis", "custom"),
        kpis=(kpi["visits"], kpi["calls"]),
        fields=[{"label": "客户等级", "type": "choice", "choices": "A\nB\n\nC", "required": "on"}],
    )
    data["section_plan_order"], data["section_kpis_order"] = "2", "1"
    response = client.post(reverse("reports:template_create"), data)
    assert response.status_code == 302
    version = services.current_version(ReportTemplate.objects.get(name="Key accounts"))
    assert (version.number, version.sections) == (1, ["kpis", "plan", "custom"])
    assert [k.code for k in version.kpis.order_by("templatekpi__position")] == ["visits", "calls"]
    assert version.fields == [
        {
            "key": "field_1",
            "label": "客户等级",
            "type": "choice",
            "required": True,
            "help": "",
            "choices": ["A", "B", "C"],
        }
    ]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, target_id=version.template_id).exists()


def test_editing_an_unused_template_changes_its_version_in_place(client, admin, default_template, kpi):
    client.force_login(admin)
    url = reverse("reports:template_edit", args=[default_template.pk])
    response = client.post(
        url,
        template_data(
            default_template.name, sections=("review", "kpis", "plan"), kpis=(kpi["sales_amount"], kpi["visits"])
        ),
    )
    assert response.status_code == 302
    assert default_template.versions.count() == 1
    version = services.current_version(default_template)
    assert (version.number, version.sections) == (1, ["review", "kpis", "plan"])
    assert [k.code for k in version.kpis.order_by("templatekpi__position")] == ["sales_amount", "visits"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATED, target_id=default_template.pk)
    assert "version" not in entry.changes and entry.changes["kpis"][1] == "sales_amount, visits"


def test_editing_a_template_in_use_creates_a_new_version_and_old_reports_keep_theirs(
    client, admin, rep, other_rep, default_template, kpi
):
    report = services.open_report(author=rep, week_start=MONDAY)
    client.force_login(admin)
    assert "1 report uses version 1" in client.get(default_template.get_absolute_url()).content.decode()
    response = client.post(
        default_template.get_absolute_url(),
        template_data(
            default_template.name, kpis=(kpi["sales_amount"],), fields=[{"label": "本周亮点", "type": "long_text"}]
        ),
    )
    assert response.status_code == 302
    assert list(default_template.versions.values_list("number", flat=True)) == [2, 1]
    report.refresh_from_db()
    assert report.template_version.number == 1
    assert report.template_version.kpis.count() == 6 and report.template_version.fields == []
    assert report.kpi_values.count() == 6
    new_report = services.open_report(author=other_rep, week_start=MONDAY)
    assert new_report.template_version.number == 2
    assert [v.kpi.code for v in new_report.kpi_values.all()] == ["sales_amount"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATED, target_id=default_template.pk)
    assert entry.changes["version"] == ["1", "2"]


def test_invalid_template_input_is_kept_and_changes_nothing(client, admin, key_accounts):
    client.force_login(admin)
    before = services.current_version(key_accounts)
    response = client.post(
        key_accounts.get_absolute_url(),
        template_data(
            "Renamed",
            sections=("kpis", "custom"),
            kpis=(),
            fields=[
                {"label": "备注"},
                {"label": "备注"},
                {"label": "客户等级", "type": "choice", "choices": "只有一个"},
            ],
        ),
    )
    assert response.status_code == 200
    form, field_forms = response.context["form"], response.context["formset"].forms
    assert "kpis" in form.errors
    assert "label" in field_forms[1].errors and "choices" in field_forms[2].errors
    page = response.content.decode()
    assert "Renamed" in page and "只有一个" in page
    key_accounts.refresh_from_db()
    after = services.current_version(key_accounts)
    assert key_accounts.name == "Key accounts"
    assert (after.pk, after.sections, after.fields, after.kpis.count()) == (
        before.pk,
        before.sections,
        before.fields,
        1,
    )
    assert not AuditEntry.objects.filter(target_id=key_accounts.pk, action=AuditEntry.Action.UPDATED).exists()


def test_saving_the_template_page_unchanged_changes_nothing(client, admin, key_accounts):
    client.force_login(admin)
    page = client.get(key_accounts.get_absolute_url()).content.decode()
    assert client.post(key_accounts.get_absolute_url(), submitted_form(page)).status_code == 302
    assert key_accounts.versions.count() == 1
    assert not AuditEntry.objects.filter(target_id=key_accounts.pk, action=AuditEntry.Action.UPDATED).exists()


def test_custom_fields_keep_their_keys_while_their_labels_stay(admin, key_accounts, kpi):
    settings_services.save_template(
        actor=admin,
        template=key_accounts,
        name="Key accounts",
        sections=["review", "kpis", "custom"],
        kpis=[kpi["sales_amount"]],
        fields=[{"label": "亮点", "type": "long_text"}, {"label": "客户等级", "type": "choice", "choices": ["A", "B"]}],
    )
    fields = services.current_version(key_accounts).fields
    assert [(f["key"], f["label"]) for f in fields] == [("field_3", "亮点"), ("field_1", "客户等级")]


def test_the_default_template_keeps_its_name(admin, default_template):
    with pytest.raises(ValidationError) as exc:
        settings_services.save_template(
            actor=admin, template=default_template, name="Renamed", sections=["review"], kpis=[], fields=[]
        )
    assert "name" in exc.value.message_dict


def test_a_template_needs_a_section(client, admin, default_template):
    client.force_login(admin)
    response = client.post(default_template.get_absolute_url(), template_data(default_template.name, sections=()))
    assert response.status_code == 200
    assert "sections" in response.context["form"].errors
    assert len(services.current_version(default_template).sections) == 5


def test_template_list_shows_versions_reports_and_teams(client, admin, rep, team, default_template):
    services.open_report(author=rep, week_start=MONDAY)
    TeamSettings.objects.create(team=team, template=default_template)
    client.force_login(admin)
    row = client.get(reverse("reports:template_list")).context["rows"][0]
    assert (row["template"].current_number, row["template"].report_count, row["teams"]) == (1, 1, [team])


# Team settings ------------------------------------------------------------------------------------


def team_settings_data(**overrides) -> dict:
    return {
        "template": "",
        "week_start_weekday": "0",
        "deadline_weekday": "3",
        "deadline_time": "17:30",
        "grace_minutes": "15",
        "review_weekday": "0",
        "time_zone": "Asia/Hong_Kong",
        "is_deadline_moved_off_days_off": "on",
        "reminder_hours": "24,2",
        "overdue_reminder_minutes": "60",
        "digest_time": "09:00",
        "pending_reminder_time": "15:00",
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reminder_hours", "24,abc"),
        ("reminder_hours", "0"),
        ("reminder_hours", "1,2,3,4,5,6"),
        ("digest_time", "25:00"),
    ],
)
def test_a_malformed_reminder_setting_is_refused_and_nothing_is_saved(client, admin, team, field, value):
    client.force_login(admin)
    response = client.post(reverse("reports:team_settings", args=[team.pk]), team_settings_data(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'value="{value}"' in response.content.decode()  # what was typed stays in the field
    assert not TeamSettings.objects.filter(team=team).exists()


def test_team_settings_are_saved_and_inherited_by_sub_teams(client, admin, east, team):
    client.force_login(admin)
    response = client.post(reverse("reports:team_settings", args=[east.pk]), team_settings_data())
    assert response.status_code == 302
    own = TeamSettings.objects.get(team=east)
    assert (own.deadline_weekday, own.deadline_time, own.grace_minutes) == (3, datetime.time(17, 30), 15)
    assert own.template is None
    effective = services.settings_for(team)
    assert (effective.deadline_weekday, effective.time_zone) == (3, "Asia/Hong_Kong")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, target_id=own.pk, actor=admin).exists()
    page = client.get(reverse("reports:team_settings", args=[team.pk]))
    assert page.context["inherited_from"] == east and not page.context["has_own"]
    assert page.context["form"]["deadline_time"].value() == datetime.time(17, 30)  # starts from what it follows


def test_changing_own_team_settings_updates_the_row(client, admin, team):
    TeamSettings.objects.create(team=team, deadline_weekday=4)
    client.force_login(admin)
    client.post(reverse("reports:team_settings", args=[team.pk]), team_settings_data(deadline_weekday="2"))
    assert TeamSettings.objects.get(team=team).deadline_weekday == 2
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATED)
    assert entry.changes["deadline_weekday"] == [4, 2]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("deadline_time", "25:00"),
        ("time_zone", "Mars/Olympus"),
        ("grace_minutes", "-5"),
        ("deadline_weekday", "7"),
    ],
)
def test_malformed_calendar_is_refused_next_to_the_field(client, admin, team, field, value):
    client.force_login(admin)
    response = client.post(reverse("reports:team_settings", args=[team.pk]), team_settings_data(**{field: value}))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not TeamSettings.objects.filter(team=team).exists()


# Targets ------------------------------------------------------------------------------------------


def test_manager_sets_a_weeks_targets_for_the_team(client, lead, team, rep, other_rep, kpi):
    draft = services.open_report(author=rep, week_start=MONDAY)
    client.force_login(lead)
    page = client.get(targets_url(team, "week=2026-11-18"))  # a Wednesday: the week it falls in
    assert page.context["period"].weeks == (MONDAY,)
    assert {m.user for m in page.context["table"].members} == {rep, other_rep}  # the manager has no targets
    response = client.post(
        targets_url(team, "week=2026-11-16"),
        {
            cell(rep, kpi["sales_amount"]): "50000",
            cell(rep, kpi["visits"]): "12",
            cell(other_rep, kpi["sales_amount"]): "30,000",
        },
    )
    assert response.status_code == 302 and response.url == targets_url(team, "week=2026-11-16")
    stored = {(t.member, t.kpi.code): t.value for t in Target.objects.filter(week_start=MONDAY)}
    assert stored == {(rep, "sales_amount"): 50000, (rep, "visits"): 12, (other_rep, "sales_amount"): 30000}
    assert draft.kpi_values.get(kpi=kpi["visits"]).target == 12  # the open draft shows it at once
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UPDATED, actor=lead).count() == 2
    totals = dict(client.get(targets_url(team, "week=2026-11-16")).context["totals"])
    assert totals[kpi["sales_amount"]] == 80000 and totals[kpi["calls"]] is None


def test_the_targets_page_opens_on_this_week_in_the_team_time_zone(client, lead, team):
    TeamSettings.objects.create(team=team, time_zone="America/Los_Angeles")
    client.force_login(lead)
    # Monday 06:00 in Shanghai is still Sunday in Los Angeles: the week before there.
    with time_machine.travel(datetime.datetime(2026, 11, 16, 6, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        response = client.get(targets_url(team))
    assert response.context["period"].weeks == (MONDAY - datetime.timedelta(days=7),)


def test_an_emptied_cell_clears_the_target(client, lead, team, rep, kpi):
    services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={kpi["visits"]: Decimal(12)})
    client.force_login(lead)
    client.post(targets_url(team, "week=2026-11-16"), {cell(rep, kpi["visits"]): ""})
    assert not Target.objects.exists()


def test_a_month_target_is_spread_exactly_over_the_months_weeks(client, lead, team, rep, kpi):
    client.force_login(lead)
    response = client.post(
        targets_url(team, "month=2026-11"),
        {
            cell(rep, kpi["sales_amount"]): "100000",
            cell(rep, kpi["visits"]): "22",
        },
    )
    assert response.status_code == 302
    sales = Target.objects.filter(member=rep, kpi=kpi["sales_amount"]).order_by("week_start")
    assert [t.week_start for t in sales] == NOVEMBER_2026
    assert sum(t.value for t in sales) == Decimal(100000) and sales[0].value == Decimal(20000)
    visits = Target.objects.filter(member=rep, kpi=kpi["visits"]).order_by("week_start")
    assert [t.value for t in visits] == [4, 4, 4, 4, 6]
    page = client.get(targets_url(team, "month=2026-11"))
    assert page.context["form"][cell(rep, kpi["sales_amount"])].value() == "100000.00"  # the weeks added up


@pytest.mark.parametrize("bad", ["-5", "abc", "1e15", "2.5"])
def test_bad_target_values_are_refused_and_nothing_is_saved(client, lead, team, rep, other_rep, kpi, bad):
    client.force_login(lead)
    response = client.post(
        targets_url(team, "week=2026-11-16"),
        {
            cell(other_rep, kpi["sales_amount"]): "30000",
            cell(rep, kpi["visits"]): bad,
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [cell(rep, kpi["visits"])]
    page = response.content.decode()
    assert f'value="{bad}"' in page and 'value="30000"' in page  # everything typed is kept
    assert not Target.objects.exists()
    assert not AuditEntry.objects.filter(actor=lead).exists()


def test_copy_last_weeks_targets_to_members_without_any(client, lead, team, rep, other_rep, kpi):
    last_week = MONDAY - datetime.timedelta(days=7)
    for member in (rep, other_rep):
        services.set_targets(
            actor=lead,
            member=member,
            week_start=last_week,
            values={kpi["sales_amount"]: Decimal(40000), kpi["visits"]: Decimal(10)},
        )
    services.set_targets(actor=lead, member=other_rep, week_start=MONDAY, values={kpi["visits"]: Decimal(15)})
    client.force_login(lead)
    response = client.post(reverse("reports:targets_copy", args=[team.pk]) + "?week=2026-11-16")
    assert response.status_code == 302 and response.url == targets_url(team, "week=2026-11-16")
    this_week = {(t.member, t.kpi.code): t.value for t in Target.objects.filter(week_start=MONDAY)}
    assert this_week == {(rep, "sales_amount"): 40000, (rep, "visits"): 10, (other_rep, "visits"): 15}
    assert "1 member" in str(list(get_messages(response.wsgi_request))[0])


def test_copy_last_months_targets_spreads_them_over_this_month(client, lead, team, rep, kpi):
    for week in (datetime.date(2026, 10, d) for d in (5, 12, 19, 26)):
        services.set_targets(actor=lead, member=rep, week_start=week, values={kpi["sales_amount"]: Decimal(25000)})
    client.force_login(lead)
    client.post(reverse("reports:targets_copy", args=[team.pk]) + "?month=2026-11")
    weeks = Target.objects.filter(member=rep, week_start__month=11).order_by("week_start")
    assert [t.week_start for t in weeks] == NOVEMBER_2026 and sum(t.value for t in weeks) == 100000


def test_manager_of_another_team_gets_404(client, other_lead, team):
    client.force_login(other_lead)
    assert client.get(targets_url(team)).status_code == 404
    assert client.post(reverse("reports:targets_copy", args=[team.pk])).status_code == 404


def test_director_reads_the_team_but_cannot_set_its_targets(client, director, team, rep, kpi):
    client.force_login(director)
    assert client.post(targets_url(team, "week=2026-11-16"), {cell(rep, kpi["visits"]): "5"}).status_code == 403
    assert not Target.objects.exists()


def test_salesperson_cannot_find_the_targets_page(client, rep, team):
    client.force_login(rep)
    assert client.get(targets_url(team)).status_code == 404


def test_copy_is_post_only(client, lead, team):
    client.force_login(lead)
    assert client.get(reverse("reports:targets_copy", args=[team.pk])).status_code == 405


def test_team_settings_are_for_admins(client, lead, director, team):
    for reader in (lead, director):
        client.force_login(reader)
        assert client.post(reverse("reports:team_settings", args=[team.pk]), team_settings_data()).status_code == 403
    assert not TeamSettings.objects.exists()


@pytest.mark.parametrize("size", [3, 12])
def test_targets_page_queries_do_not_grow_with_members(client, lead, team, kpi, size, django_assert_max_num_queries):
    for n in range(size):
        member = member_of(team, display_name=f"销售{n:02d}")
        services.set_targets(actor=lead, member=member, week_start=MONDAY, values={k: Decimal(n) for k in kpi.values()})
    client.force_login(lead)
    with django_assert_max_num_queries(13):  # 11 + the two nav badges
        response = client.get(targets_url(team, "week=2026-11-16"))
    assert len(response.context["table"].members) == size
