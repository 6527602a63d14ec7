"""Settings pages: KPIs and report templates (admins), team calendars (admins) and targets
(the team's managers and admins)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reports import access as report_access
from reports import services, settings_services
from reports.models import KPI, ProblemCategory, ReportTemplate, TeamSettings
from reports.settings_forms import (
    CustomFieldFormSet,
    KPIForm,
    PeriodForm,
    ProblemCategoryForm,
    TargetTableForm,
    TeamSettingsForm,
    TemplateForm,
    custom_field_initial,
    place_template_errors,
)
from teams import access
from teams.forms import save_or_show_errors

# KPIs ---------------------------------------------------------------------------------------------


def kpi_list(request):
    report_access.require_template_admin(request.user)
    return render(request, "reports/settings/kpi_list.html", {"kpis": KPI.objects.order_by("position", "pk")})


def kpi_create(request):
    report_access.require_template_admin(request.user)
    return _kpi_form(request, kpi=None)


def kpi_edit(request, pk):
    report_access.require_template_admin(request.user)
    return _kpi_form(request, kpi=get_object_or_404(KPI, pk=pk))


def _kpi_form(request, kpi: KPI | None):
    form = KPIForm(request.POST or None, instance=KPI.objects.get(pk=kpi.pk) if kpi else None)
    if request.method == "POST" and form.is_valid():
        saved = []
        if save_or_show_errors(
            form, lambda: saved.append(settings_services.save_kpi(actor=request.user, kpi=kpi, data=form.cleaned_data))
        ):
            messages.success(request, _("KPI “%(name)s” saved.") % {"name": saved[0].name})
            return redirect("reports:kpi_list")
    return render(request, "reports/settings/kpi_form.html", {"form": form, "kpi": kpi})


# Problem categories -------------------------------------------------------------------------------


def problem_category_list(request):
    report_access.require_template_admin(request.user)
    categories = ProblemCategory.objects.annotate(problem_count=Count("problems")).order_by("position", "pk")
    return render(request, "reports/settings/problem_category_list.html", {"categories": categories})


def problem_category_create(request):
    report_access.require_template_admin(request.user)
    return _problem_category_form(request, category=None)


def problem_category_edit(request, pk):
    report_access.require_template_admin(request.user)
    return _problem_category_form(request, category=get_object_or_404(ProblemCategory, pk=pk))


def _problem_category_form(request, category: ProblemCategory | None):
    instance = ProblemCategory.objects.get(pk=category.pk) if category else None
    form = ProblemCategoryForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = []
        if save_or_show_errors(
            form,
            lambda: saved.append(
                settings_services.save_problem_category(actor=request.user, category=category, data=form.cleaned_data)
            ),
        ):
            messages.success(request, _("Category “%(name)s” saved.") % {"name": saved[0].name})
            return redirect("reports:problem_category_list")
    return render(request, "reports/settings/problem_category_form.html", {"form": form, "category": category})


# Report templates ---------------------------------------------------------------------------------


def template_list(request):
    report_access.require_template_admin(request.user)
    templates = ReportTemplate.objects.annotate(
        current_number=Max("versions__number"), report_count=Count("versions__reports")
    ).order_by("name")
    teams_by_template = {}
    for row in TeamSettings.objects.filter(template__isnull=False).select_related("team").order_by("team__path"):
        teams_by_template.setdefault(row.template_id, []).append(row.team)
    return render(
        request,
        "reports/settings/template_list.html",
        {
            "rows": [
                {
                    "template": t,
                    "teams": teams_by_template.get(t.pk, []),
                    "is_default": t.name == services.DEFAULT_TEMPLATE_NAME,
                }
                for t in templates
            ],
        },
    )


def template_create(request):
    report_access.require_template_admin(request.user)
    return _template_form(request, template=None)


def template_edit(request, pk):
    report_access.require_template_admin(request.user)
    return _template_form(request, template=get_object_or_404(ReportTemplate, pk=pk))


def _template_form(request, template: ReportTemplate | None):
    version = services.current_version(template) if template else None
    form = TemplateForm(
        request.POST or None,
        kpis=settings_services.offered_kpis(version),
        version=version,
        initial={"name": template.name if template else ""},
    )
    formset = CustomFieldFormSet(request.POST or None, prefix="fields", initial=custom_field_initial(version))
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        field_forms = formset.ordered_forms
        try:
            saved = settings_services.save_template(
                actor=request.user,
                template=template,
                name=form.cleaned_data["name"],
                sections=form.chosen_sections(),
                kpis=form.chosen_kpis(),
                fields=[f.as_field() for f in field_forms],
            )
        except ValidationError as exc:
            place_template_errors(exc, form, field_forms)
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.name})
            return redirect("reports:template_list")
    return render(
        request,
        "reports/settings/template_form.html",
        {
            "form": form,
            "formset": formset,
            "template": template,
            "version": version,
            "report_count": version.reports.count() if version else 0,
        },
    )


# Team calendars -----------------------------------------------------------------------------------


def team_settings(request, pk):
    team = access.team_for_edit(request.user, pk)
    own = settings_services.own_settings(team)
    form = TeamSettingsForm(
        request.POST or None, instance=own, inherited_template=settings_services.inherited_template(team)
    )
    if request.method == "POST" and form.is_valid():
        if save_or_show_errors(
            form, lambda: settings_services.save_team_settings(actor=request.user, team=team, data=form.cleaned_data)
        ):
            messages.success(request, _("Settings of %(team)s saved.") % {"team": team})
            return redirect("reports:team_settings", pk=team.pk)
    effective = services.settings_for(team)
    return render(
        request,
        "reports/settings/team_settings.html",
        {
            "team": team,
            "form": form,
            "has_own": own.pk is not None,
            "effective": effective,
            "effective_template": effective.template or services.default_template(),
            "inherited_from": effective.team if effective.pk and effective.team_id != team.pk else None,
        },
    )


# Targets ------------------------------------------------------------------------------------------


def _period(request, team_settings: TeamSettings) -> settings_services.Period:
    return PeriodForm(request.GET).period(team_settings, services.current_week_start(team_settings))


def targets(request, pk):
    team = access.team_for_targets(request.user, pk)
    team_settings = services.settings_for(team)
    period = _period(request, team_settings)
    table = settings_services.target_table(team=team, period=period)
    form = TargetTableForm(request.POST or None, table=table)
    if request.method == "POST" and form.is_valid():
        changed = []
        if save_or_show_errors(
            form,
            lambda: changed.append(
                settings_services.save_targets(actor=request.user, table=table, values=form.values())
            ),
        ):
            if changed[0]:
                messages.success(
                    request,
                    ngettext("Targets of %(count)d member saved.", "Targets of %(count)d members saved.", changed[0])
                    % {"count": changed[0]},
                )
            else:
                messages.info(request, _("No target changed."))
            return redirect(f"{reverse('reports:targets', args=[team.pk])}?{period.query}")
    return render(
        request,
        "reports/settings/targets.html",
        {
            "team": team,
            "period": period,
            "form": form,
            "table": table,
            "totals": table.totals(),
            "previous": settings_services.shifted_period(team_settings, period, -1),
            "next": settings_services.shifted_period(team_settings, period, 1),
            "show_teams": any(m.team_id != team.pk for m in table.members),
        },
    )


@require_POST
def targets_copy(request, pk):
    team = access.team_for_targets(request.user, pk)
    team_settings = services.settings_for(team)
    period = _period(request, team_settings)
    copied = settings_services.copy_previous_targets(
        actor=request.user, team=team, team_settings=team_settings, period=period
    )
    if copied:
        messages.success(
            request,
            ngettext(
                "Copied the previous period's targets for %(count)d member.",
                "Copied the previous period's targets for %(count)d members.",
                copied,
            )
            % {"count": copied},
        )
    else:
        messages.info(request, _("Nothing to copy: everyone has targets already, or the previous period has none."))
    return redirect(f"{reverse('reports:targets', args=[team.pk])}?{period.query}")
