"""Settings rules: KPI definitions, versioned report templates, team calendars and the targets table
(目标分解). Views call these; every change is audited in the transaction that makes it."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from reports import services
from reports.models import KPI, ProblemCategory, ReportTemplate, Target, TeamSettings, TemplateKPI, TemplateVersion
from teams import access, versions
from teams.models import Membership, Team, User

# KPIs ---------------------------------------------------------------------------------------------

KPI_FIELDS = [
    "code",
    "name_zh",
    "name_en",
    "unit",
    "decimals",
    "is_higher_better",
    "aggregation",
    "log_source",
    "position",
    "is_active",
]


@transaction.atomic
def save_kpi(*, actor: User, kpi: KPI | None, data: dict) -> KPI:
    """Create a KPI (kpi=None) or change one. KPIs are deactivated, never deleted, because old
    reports and targets point at them.

    Raises ValidationError on "code" when another KPI already uses the code.
    """
    versions.touch_all()  # KPIs, layouts and calendars shape every dashboard
    clash = KPI.objects.filter(code__iexact=data["code"])
    if kpi is not None:
        clash = clash.exclude(pk=kpi.pk)
    if clash.exists():
        raise ValidationError({"code": _("Another KPI already uses this code.")})
    if kpi is None:
        try:
            with transaction.atomic():
                kpi = KPI.objects.create(**{field: data[field] for field in KPI_FIELDS})
        except IntegrityError:  # created by someone else since the check above
            raise ValidationError({"code": _("Another KPI already uses this code.")}) from None
        record(actor=actor, action=AuditEntry.Action.CREATED, target=kpi, changes=diff(kpi, {}, KPI_FIELDS))
        return kpi
    kpi = KPI.objects.select_for_update().get(pk=kpi.pk)
    before = snapshot(kpi, KPI_FIELDS)
    for field in KPI_FIELDS:
        setattr(kpi, field, data[field])
    kpi.save(update_fields=KPI_FIELDS)
    changes = diff(kpi, before, KPI_FIELDS)
    if changes:
        record(actor=actor, action=AuditEntry.Action.UPDATED, target=kpi, changes=changes)
    return kpi


# Problem categories ---------------------------------------------------------------------------

CATEGORY_FIELDS = ["name_zh", "name_en", "position", "is_active"]


@transaction.atomic
def save_problem_category(*, actor: User, category: ProblemCategory | None, data: dict) -> ProblemCategory:
    """Create a problem category (category=None) or change one; categories are deactivated, never
    deleted, because reports point at them.

    Raises ValidationError on the name that another category already uses.
    """
    others = ProblemCategory.objects.exclude(pk=getattr(category, "pk", None))
    errors = {}
    for field in ("name_zh", "name_en"):
        data[field] = data[field].strip()
        if others.filter(**{f"{field}__iexact": data[field]}).exists():
            errors[field] = _("Another category already has this name.")
    if errors:
        raise ValidationError(errors)
    versions.touch_all()  # the dashboards name the categories
    if category is None:
        category = ProblemCategory.objects.create(**{field: data[field] for field in CATEGORY_FIELDS})
        changes = diff(category, {}, CATEGORY_FIELDS)
        record(actor=actor, action=AuditEntry.Action.CREATED, target=category, changes=changes)
        return category
    category = ProblemCategory.objects.select_for_update().get(pk=category.pk)
    before = snapshot(category, CATEGORY_FIELDS)
    for field in CATEGORY_FIELDS:
        setattr(category, field, data[field])
    category.save(update_fields=CATEGORY_FIELDS)
    changes = diff(category, before, CATEGORY_FIELDS)
    if changes:
        record(actor=actor, action=AuditEntry.Action.UPDATED, target=category, changes=changes)
    return category


# Templates ------------------------------------------------------------------------------------

MAX_CUSTOM_FIELDS = 30
_GENERATED_KEY = re.compile(r"^field_(\d+)$")


def version_kpis(version: TemplateVersion | None) -> list[KPI]:
    """The KPIs of a template version in the order the template lists them."""
    if version is None:
        return []
    return [
        row.kpi for row in TemplateKPI.objects.filter(version=version).select_related("kpi").order_by("position", "pk")
    ]


def offered_kpis(version: TemplateVersion | None) -> list[KPI]:
    """KPIs an admin may put in a template: the active ones, plus inactive ones it already has."""
    included = [kpi.pk for kpi in version_kpis(version)]
    return list(KPI.objects.filter(Q(is_active=True) | Q(pk__in=included)).order_by("position", "pk"))


def _check_template(
    template: ReportTemplate | None, name: str, sections: list[str], kpis: list[KPI], fields: list[dict]
) -> list[dict]:
    """The custom fields cleaned (keys not yet assigned); raises every input error at once."""
    errors: dict[str, list[str]] = defaultdict(list)
    others = ReportTemplate.objects.filter(name__iexact=name)
    if template is not None:
        others = others.exclude(pk=template.pk)
    if not name:
        errors["name"].append(_("Enter a name."))
    elif template is not None and template.name == services.DEFAULT_TEMPLATE_NAME and name != template.name:
        # Teams that name no template find the default one by its name.
        errors["name"].append(_("The default template cannot be renamed."))
    elif others.exists():
        errors["name"].append(_("Another template already has this name."))
    if not sections:
        errors["sections"].append(_("Include at least one section."))
    elif any(section not in TemplateVersion.Section.values for section in sections):
        errors["sections"].append(_("Unknown section."))
    if TemplateVersion.Section.KPIS in sections and not kpis:
        errors["kpis"].append(_("The KPIs section needs at least one KPI."))
    if len(fields) > MAX_CUSTOM_FIELDS:
        errors["sections"].append(_("A template can have at most %(n)d custom fields.") % {"n": MAX_CUSTOM_FIELDS})
    if fields and sections and TemplateVersion.Section.CUSTOM not in sections:
        # Otherwise the fields would be stored but never asked for.
        errors["sections"].append(_("Include “Other fields” to ask the custom fields below."))
    cleaned, labels = [], set()
    for index, field in enumerate(fields):
        label = field.get("label", "").strip()
        kind = field.get("type", "")
        choices = list(dict.fromkeys(line.strip() for line in field.get("choices", []) if line.strip()))
        if not label:
            errors[f"fields.{index}.label"].append(_("Enter a label."))
        elif label.casefold() in labels:
            errors[f"fields.{index}.label"].append(_("Another field already has this label."))
        labels.add(label.casefold())
        if kind not in TemplateVersion.FieldType.values:
            errors[f"fields.{index}.type"].append(_("Choose a type."))
        if kind == TemplateVersion.FieldType.CHOICE and len(choices) < 2:
            errors[f"fields.{index}.choices"].append(_("A choice field needs at least two choices, one per line."))
        cleaned.append(
            {
                "label": label[:100],
                "type": kind,
                "required": bool(field.get("required")),
                "help": field.get("help", "").strip()[:200],
                "choices": choices if kind == TemplateVersion.FieldType.CHOICE else [],
            }
        )
    if errors:
        raise ValidationError(dict(errors))
    return cleaned


def _with_keys(fields: list[dict], current_fields: list[dict], ever_used: set[str]) -> list[dict]:
    """Give each field a key: the current key of the field with the same label, else one that no
    version of the template has used. Reports store answers by key, so within a template a key
    always means the same question."""
    current_keys = {field["label"].casefold(): field["key"] for field in current_fields}
    numbers = [int(match.group(1)) for key in ever_used if (match := _GENERATED_KEY.match(key))]
    next_number = max(numbers, default=0) + 1
    used: set[str] = set()
    keyed = []
    for field in fields:
        key = current_keys.get(field["label"].casefold())
        if key is None or key in used:
            key = f"field_{next_number}"
            next_number += 1
        used.add(key)
        keyed.append({"key": key, **field})
    return keyed


def _describe(name: str, sections: list[str], kpis: list[KPI], fields: list[dict]) -> dict[str, str]:
    """A template's content as text lines for the audit trail."""
    return {
        "name": name,
        "sections": ", ".join(sections),
        "kpis": ", ".join(kpi.code for kpi in kpis),
        "fields": "; ".join(_describe_field(field) for field in fields),
    }


def _describe_field(field: dict) -> str:
    details = [
        field["type"],
        *(["required"] if field.get("required") else []),
        *field.get("choices", []),
        *([f"help: {field['help']}"] if field.get("help") else []),
    ]
    return f"{field['label']} ({', '.join(details)})"


def _set_kpis(version: TemplateVersion, kpis: list[KPI]) -> None:
    TemplateKPI.objects.filter(version=version).delete()
    TemplateKPI.objects.bulk_create(TemplateKPI(version=version, kpi=kpi, position=i) for i, kpi in enumerate(kpis))


@transaction.atomic
def save_template(
    *, actor: User, template: ReportTemplate | None, name: str, sections: list[str], kpis: list[KPI], fields: list[dict]
) -> ReportTemplate:
    """Create a template (template=None) or change one.

    `sections`: section kinds in display order; `kpis`: in display order; `fields`: custom fields as
    {"label", "type", "required", "help", "choices": [...]}. A change rewrites the current version
    while no report uses it; once reports do, it becomes a new version (number + 1) and the old
    reports keep, and render with, the version they were written with.

    Raises ValidationError keyed "name", "sections", "kpis" or "fields.<index>.<attribute>"
    (nothing is saved).
    """
    versions.touch_all()  # KPIs, layouts and calendars shape every dashboard
    name = name.strip()
    sections = list(dict.fromkeys(sections))
    kpis = list(dict.fromkeys(kpis)) if TemplateVersion.Section.KPIS in sections else []
    if template is None:
        fields = _with_keys(_check_template(None, name, sections, kpis, fields), [], set())
        template = ReportTemplate.objects.create(name=name)
        version = TemplateVersion.objects.create(
            template=template, number=1, sections=sections, fields=fields, created_by=actor
        )
        _set_kpis(version, kpis)
        changes = {key: [None, value] for key, value in _describe(name, sections, kpis, fields).items()}
        record(actor=actor, action=AuditEntry.Action.CREATED, target=template, changes=changes)
        return template

    template = ReportTemplate.objects.select_for_update().get(pk=template.pk)
    # Locking the version row makes a report being opened on it right now wait for this
    # transaction (its foreign key takes a share lock on the row), so "unused" stays true until
    # the in-place change is committed.
    current = TemplateVersion.objects.select_for_update().get(pk=services.current_version(template).pk)
    ever_used = {
        field["key"]
        for fields_of_version in template.versions.values_list("fields", flat=True)
        for field in fields_of_version
    }
    fields = _with_keys(_check_template(template, name, sections, kpis, fields), current.fields, ever_used)
    old_kpis = version_kpis(current)
    before = _describe(template.name, current.sections, old_kpis, current.fields)
    after = _describe(name, sections, kpis, fields)
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if not changes:
        return template
    if template.name != name:
        template.name = name
        template.save(update_fields=["name"])
    content_changed = (current.sections, old_kpis, current.fields) != (sections, kpis, fields)
    if content_changed and current.reports.exists():
        version = TemplateVersion.objects.create(
            template=template, number=current.number + 1, sections=sections, fields=fields, created_by=actor
        )
        _set_kpis(version, kpis)
        changes["version"] = [str(current.number), str(version.number)]
    elif content_changed:
        current.sections, current.fields = sections, fields
        current.save(update_fields=["sections", "fields"])
        _set_kpis(current, kpis)
    record(actor=actor, action=AuditEntry.Action.UPDATED, target=template, changes=changes)
    return template


# Team calendars -----------------------------------------------------------------------------------

TEAM_SETTINGS_FIELDS = [
    "template",
    "week_start_weekday",
    "deadline_weekday",
    "deadline_time",
    "grace_minutes",
    "review_weekday",
    "time_zone",
    "is_deadline_moved_off_days_off",
    "reminder_hours",
    "overdue_reminder_minutes",
    "digest_time",
    "pending_reminder_time",
]


def own_settings(team: Team) -> TeamSettings:
    """The team's own settings row, or an unsaved one that starts from the calendar it inherits
    (and inherits the template, since it names none)."""
    row = TeamSettings.objects.filter(team=team).select_related("template").first()
    if row is not None:
        return row
    effective = services.settings_for(team)
    return TeamSettings(
        team=team,
        template=None,
        **{field: getattr(effective, field) for field in TEAM_SETTINGS_FIELDS if field != "template"},
    )


def inherited_template(team: Team) -> ReportTemplate:
    """The template the team gets when it names none: its nearest ancestor's, else the default."""
    parent_template = services.settings_for(team.parent).template if team.parent_id else None
    return parent_template or services.default_template()


@transaction.atomic
def save_team_settings(*, actor: User, team: Team, data: dict) -> TeamSettings:
    """Create or change the team's own calendar and template; sub-teams without their own
    settings follow it. Raises ValidationError (by field) on an invalid value."""
    versions.touch_all()  # KPIs, layouts and calendars shape every dashboard
    row = TeamSettings.objects.select_for_update().filter(team=team).first()
    created = row is None
    if created:
        row = TeamSettings(team=team)
    before = {} if created else snapshot(row, TEAM_SETTINGS_FIELDS)
    for field in TEAM_SETTINGS_FIELDS:
        setattr(row, field, data[field])
    row.full_clean(exclude=["team"])
    row.save()
    changes = diff(row, before, TEAM_SETTINGS_FIELDS)
    if created or changes:
        record(
            actor=actor,
            action=AuditEntry.Action.CREATED if created else AuditEntry.Action.UPDATED,
            target=row,
            changes=changes,
        )
    return row


# Targets ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The weeks a targets table covers: one reporting week, or the weeks that start in a month."""

    weeks: tuple[datetime.date, ...]
    month: datetime.date | None = None  # the 1st of the month, when the period is a month

    @property
    def is_month(self) -> bool:
        return self.month is not None

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}" if self.month else f"{self.weeks[0]:%Y-%m-%d}"

    @property
    def last_day(self) -> datetime.date:
        return self.weeks[-1] + datetime.timedelta(days=6)

    @property
    def query(self) -> str:
        return f"month={self.label}" if self.month else f"week={self.label}"


def week_period(team_settings: TeamSettings, day: datetime.date) -> Period:
    """The reporting week that contains `day`."""
    return Period(weeks=(team_settings.week_start_for(day),))


def month_period(team_settings: TeamSettings, year: int, month: int) -> Period:
    """The reporting weeks that start in the month."""
    return Period(weeks=tuple(services.weeks_of_month(team_settings, year, month)), month=datetime.date(year, month, 1))


def shifted_period(team_settings: TeamSettings, period: Period, steps: int) -> Period:
    """The period `steps` weeks or months before (negative) or after (positive) `period`."""
    if not period.is_month:
        return week_period(team_settings, period.weeks[0] + datetime.timedelta(weeks=steps))
    index = period.month.year * 12 + period.month.month - 1 + steps
    return month_period(team_settings, index // 12, index % 12 + 1)


def cell_name(member_id: int, kpi_id: int) -> str:
    """The name of one member's KPI in the targets table (errors are keyed by it)."""
    return f"target_{member_id}_{kpi_id}"


@dataclass
class TargetTable:
    """A team subtree's salespeople against its template's KPIs for one period."""

    team: Team
    period: Period
    members: list[Membership]
    kpis: list[KPI]
    # (member id, KPI id) → the period's target: the week's, or the month's weeks added up.
    values: dict[tuple[int, int], Decimal]

    def totals(self) -> list[tuple[KPI, Decimal | None]]:
        """The team's target per KPI, computed from its members' (never stored)."""
        totals = []
        for kpi in self.kpis:
            values = [self.values[m.user_id, kpi.pk] for m in self.members if (m.user_id, kpi.pk) in self.values]
            totals.append((kpi, _over(kpi, values)))
        return totals


def _over(kpi: KPI, values: list[Decimal]) -> Decimal | None:
    """Several weeks' or people's targets as one: averaged for averaged KPIs, else added up."""
    if not values:
        return None
    if kpi.aggregation == KPI.Aggregation.AVERAGE:
        return (sum(values) / len(values)).quantize(Decimal(1).scaleb(-kpi.decimals))
    return sum(values)


def _over_weeks(kpi: KPI, by_week: dict[datetime.date, Decimal]) -> Decimal | None:
    if kpi.aggregation == KPI.Aggregation.LATEST and by_week:
        return by_week[max(by_week)]
    return _over(kpi, list(by_week.values()))


def _across_weeks(kpi: KPI, value: Decimal, weeks: int) -> list[Decimal]:
    """A month's target as weekly targets: a sum is spread so the weeks add up exactly; an
    average or a level (satisfaction, pipeline) is the same every week."""
    if kpi.aggregation == KPI.Aggregation.SUM:
        return services.spread_monthly_target(value, weeks, kpi.decimals)
    return [value] * weeks


def target_table(*, team: Team, period: Period) -> TargetTable:
    """The current salespeople of the team's subtree, its template's KPIs and their targets
    (a fixed number of queries, however many members)."""
    members = list(
        Membership.objects.active()
        .filter(access.in_subtrees((team.path,)), role=Membership.Role.SALESPERSON)
        .select_related("user", "team")
        .order_by("team__path", "user__display_name", "user_id")
    )
    kpis = version_kpis(services.template_version_for(team))
    by_week: dict[tuple[int, int], dict[datetime.date, Decimal]] = defaultdict(dict)
    rows = Target.objects.filter(member_id__in=[m.user_id for m in members], kpi__in=kpis, week_start__in=period.weeks)
    for member_id, kpi_id, week_start, value in rows.values_list("member_id", "kpi_id", "week_start", "value"):
        by_week[member_id, kpi_id][week_start] = value
    by_pk = {kpi.pk: kpi for kpi in kpis}
    values = {key: _over_weeks(by_pk[key[1]], weeks) for key, weeks in by_week.items()}
    return TargetTable(team=team, period=period, members=members, kpis=kpis, values=values)


def _check_target(kpi: KPI, value: Decimal) -> str | None:
    if not value.is_finite():
        return _("Enter a number.")
    if value < 0:
        return _("A target cannot be negative.")
    if value > services.MAX_KPI_VALUE:
        return _("This number is too large; check for a typo.")
    if value != round(value, kpi.decimals):
        if kpi.decimals == 0:
            return _("Enter a whole number.")
        return ngettext("Use at most %(n)d decimal place.", "Use at most %(n)d decimal places.", kpi.decimals) % {
            "n": kpi.decimals
        }
    return None


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


@transaction.atomic
def save_targets(*, actor: User, table: TargetTable, values: dict[tuple[int, int], Decimal | None]) -> int:
    """Store the targets typed into the table, for the cells whose value changed. For a month
    the typed value is the month's and is spread over its weeks. None clears a target. Open
    drafts of those weeks show the new targets at once. Returns how many members changed.

    Raises ValidationError keyed by cell_name() when a value is out of range (nothing is saved).
    """
    kpis = {kpi.pk: kpi for kpi in table.kpis}
    errors = {}
    for (member_id, kpi_id), value in values.items():
        problem = None if value is None else _check_target(kpis[kpi_id], value)
        if problem:
            errors[cell_name(member_id, kpi_id)] = problem
    if errors:
        raise ValidationError(errors)
    weeks = table.period.weeks
    changed = 0
    for membership in table.members:
        member = membership.user
        per_week: dict[datetime.date, dict[KPI, Decimal | None]] = defaultdict(dict)
        changes = {}
        for kpi in table.kpis:
            key = (member.pk, kpi.pk)
            if key not in values or values[key] == table.values.get(key):
                continue
            new = values[key]
            shares = [None] * len(weeks) if new is None else _across_weeks(kpi, new, len(weeks))
            for week, share in zip(weeks, shares, strict=True):
                per_week[week][kpi] = share
            changes[f"target {kpi.code} {table.period.label}"] = [_plain(table.values.get(key)), _plain(new)]
        for week, week_values in per_week.items():
            services.set_targets(actor=actor, member=member, week_start=week, values=week_values)
        if changes:
            record(actor=actor, action=AuditEntry.Action.UPDATED, target=member, changes=changes)
            changed += 1
    return changed


@transaction.atomic
def copy_previous_targets(*, actor: User, team: Team, team_settings: TeamSettings, period: Period) -> int:
    """Give the members who have no target yet in `period` the ones they had in the period
    before (a month's spread again over this month's weeks). Returns how many members got targets."""
    table = target_table(team=team, period=period)
    previous = target_table(team=team, period=shifted_period(team_settings, period, -1))
    values = {}
    for membership in table.members:
        keys = [(membership.user_id, kpi.pk) for kpi in table.kpis]
        if any(key in table.values for key in keys):
            continue
        values.update({key: previous.values[key] for key in keys if key in previous.values})
    return save_targets(actor=actor, table=table, values=values)
