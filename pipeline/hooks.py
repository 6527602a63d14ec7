"""What the pipeline adds to lower apps through the hooks they own: the stage move in the Today
page's one-line entry (customers/activity_extensions.py) and the weekly report's pipeline section
(reports/sections.py). Both are registered in PipelineConfig.ready()."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from pipeline import selectors, services
from pipeline.models import Opportunity, Stage
from teams import versions


class OpportunityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Opportunity) -> str:
        return f"{obj.customer.name} · {obj.name} ({obj.stage.name})"


class StageMove:
    """Logging an activity can move one of the author's open opportunities to another stage in
    the same line: a quote moves it to 方案报价. The opportunity must be with the activity's
    customer; a move to a lost stage needs a reason."""

    template = "pipeline/_activity_stage.html"

    def fields(self, author) -> dict[str, forms.Field]:
        return {
            "opportunity": OpportunityChoice(
                label=gettext_lazy("Opportunity"),
                queryset=Opportunity.objects.open()
                .filter(customer__owner=author)
                .select_related("customer", "stage")
                .order_by("customer__name", "name"),
                required=False,
                empty_label=gettext_lazy("(none)"),
            ),
            "stage": forms.ModelChoiceField(
                label=gettext_lazy("Move to stage"),
                queryset=Stage.objects.filter(is_active=True),
                required=False,
                empty_label=gettext_lazy("(keep)"),
            ),
            "loss_reason": forms.CharField(label=gettext_lazy("Why lost"), max_length=300, required=False),
        }

    def apply(self, *, actor, activity, data: dict) -> None:
        opportunity, stage = data.get("opportunity"), data.get("stage")
        if stage is None:
            return
        if opportunity is None:
            raise ValidationError({"opportunity": _("Choose the opportunity whose stage moves.")})
        if opportunity.customer_id != activity.customer_id:
            raise ValidationError({"opportunity": _("This opportunity is with another customer.")})
        if stage == opportunity.stage:
            return
        services.move_stage(
            actor=actor,
            opportunity=opportunity,
            stage=stage,
            loss_reason=data.get("loss_reason") or "",
            on=activity.occurred_on,
        )


class PipelineSection:
    """The week's changes in the author's pipeline, with the author's comment on them."""

    key = "pipeline"
    title = gettext_lazy("Pipeline changes")
    comment_label = gettext_lazy("Your comment on the pipeline")
    template = "pipeline/_report_section.html"

    # Both are kept under the data version of the report's team: every change to the author's
    # opportunities or customers replaces the versions of the teams they belong or belonged to.

    def applies(self, report) -> bool:
        return versions.cached(
            report.team, ("has-pipeline", report.author_id), lambda: selectors.has_pipeline(report.author_id)
        )

    def context(self, report) -> dict:
        changes = versions.cached(
            report.team,
            ("pipeline-week", report.author_id, report.week_start.isoformat()),
            lambda: selectors.week_changes(owner_id=report.author_id, start=report.week_start, end=report.week_end),
        )
        return {
            "changes": changes,
            "groups": [
                (_("New"), changes["new"], "new"),
                (_("Advanced"), changes["advanced"], "advanced"),
                (_("Won"), changes["won"], "won"),
                (pgettext("opportunity", "Lost"), changes["lost"], "lost"),
                (_("Close date slipped"), changes["slipped"], "slipped"),
            ],
            "is_empty": not any(changes.values()),
        }
