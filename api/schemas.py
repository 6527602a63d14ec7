"""What the API accepts and answers. Every input refuses unknown fields (a typo in a field name
is an error, not silently ignored) and wrong types; both answer 400 with the fields at fault."""

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


# People and teams ------------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    is_active: bool
    children: list["TeamOut"] = []


class MemberOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    status: str
    team_id: int | None
    role: str | None


class MeOut(MemberOut):
    language: str
    is_admin: bool
    managed_team_ids: list[int]
    token_can_write: bool


class KpiOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    unit: str
    decimals: int
    aggregation: str
    is_higher_better: bool


# Targets ---------------------------------------------------------------------------------------


class TargetOut(Schema):
    member_id: int
    kpi: str
    week_start: datetime.date
    value: Decimal


class TargetValueIn(Input):
    member_id: int
    kpi: str = Field(description="The KPI's code.")
    value: Decimal | None = Field(description="null clears the target.")


class TargetsIn(Input):
    week_start: datetime.date = Field(description="Any day of the week; the team's reporting week is used.")
    values: list[TargetValueIn] = Field(max_length=2000)


class TargetsSaved(Schema):
    members_changed: int


# Weekly reports --------------------------------------------------------------------------------


class KpiValueOut(Schema):
    kpi: str
    target: Decimal | None
    actual: Decimal | None
    is_from_log: bool


class ProblemOut(Schema):
    problem: str
    category_id: int | None
    customer: str
    cause: str
    action: str
    help_needed: str


class PlanItemOut(Schema):
    item: str
    customer: str
    due_on: datetime.date | None


class PlanReviewOut(Schema):
    id: int
    item: str
    is_goal: bool
    outcome: str
    note: str


class FeedbackOut(Schema):
    id: int
    report_id: int
    reviewer_id: int
    praise: str
    problems: str
    suggestions: str
    goals: list[str]
    rating: int | None
    created_at: datetime.datetime


class ReportOut(Schema):
    id: int
    author_id: int
    team_id: int
    week_start: datetime.date
    status: str
    version: int
    submitted_at: datetime.datetime | None
    last_submitted_at: datetime.datetime | None
    is_late: bool
    reviewed_at: datetime.datetime | None
    updated_at: datetime.datetime


class ReportDetailOut(ReportOut):
    summary: str
    kpis: list[KpiValueOut]
    plan_reviews: list[PlanReviewOut]
    problems: list[ProblemOut]
    plan: list[PlanItemOut]
    custom: dict
    feedback: list[FeedbackOut]
    missing_for_submission: dict[str, str]


class ReportOpenIn(Input):
    week_start: datetime.date | None = Field(None, description="Any day of the week; this week when left out.")


class ProblemIn(Input):
    problem: str = Field(max_length=500)
    category_id: int | None = None
    customer: str = Field("", max_length=200)
    cause: str = Field("", max_length=500)
    action: str = Field("", max_length=500)
    help_needed: str = Field("", max_length=500)


class PlanItemIn(Input):
    item: str = Field(max_length=500)
    customer: str = Field("", max_length=200)
    due_on: datetime.date | None = None


class PlanReviewIn(Input):
    outcome: str = Field("", description="done, partly, not_done or empty")
    note: str = Field("", max_length=500)


class ReportContentIn(Input):
    """The author's content; a section left out stays as it is."""

    base_version: int = Field(description="The report's `version` the change starts from.")
    summary: str | None = None
    kpis: dict[str, Decimal | None] | None = Field(None, description="KPI code → this week's actual.")
    plan_reviews: dict[int, PlanReviewIn] | None = Field(None, description="plan review id → answer")
    problems: list[ProblemIn] | None = Field(None, max_length=50)
    plan: list[PlanItemIn] | None = Field(None, max_length=50)
    custom: dict[str, str | int | float | bool | None] | None = None


class FeedbackIn(Input):
    praise: str = Field("", max_length=5000)
    problems: str = Field("", max_length=5000)
    suggestions: str = Field("", max_length=5000)
    goals: list[str] = Field([], max_length=10)
    rating: int | None = Field(None, ge=1, le=5)


class Conflict(Schema):
    detail: str
    current_version: int


# Customers and the sales log -------------------------------------------------------------------


class CustomerOut(Schema):
    id: int
    name: str
    industry: str
    tier: str
    status: str
    lost_reason: str
    contact: str
    owner_id: int
    created_on: datetime.date
    external_id: str
    updated_at: datetime.datetime


class CustomerIn(Input):
    name: str = Field(max_length=200)
    industry: str = Field("", max_length=100)
    tier: str = "c"
    status: str = "lead"
    lost_reason: str = Field("", max_length=300)
    contact: str = Field("", max_length=200)
    owner_id: int | None = Field(None, description="Yourself when left out.")
    created_on: datetime.date | None = None
    external_id: str = Field("", max_length=100, description="Your system's id: sending it again updates.")


class CustomerPatch(Input):
    name: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=100)
    tier: str | None = None
    status: str | None = None
    lost_reason: str | None = Field(None, max_length=300)
    contact: str | None = Field(None, max_length=200)
    owner_id: int | None = None
    created_on: datetime.date | None = None


class ActivityOut(Schema):
    id: int
    author_id: int
    team_id: int
    customer_id: int
    occurred_on: datetime.date
    kind: str
    outcome: str
    amount: Decimal | None
    next_step: str
    next_step_on: datetime.date | None
    notes: str
    external_id: str
    updated_at: datetime.datetime


class ActivityIn(Input):
    customer_id: int
    occurred_on: datetime.date
    kind: str
    outcome: str = Field("", max_length=500)
    amount: Decimal | None = None
    next_step: str = Field("", max_length=300)
    next_step_on: datetime.date | None = None
    notes: str = Field("", max_length=5000)
    external_id: str = Field("", max_length=100, description="Your system's id: sending it again updates.")


class ActivityPatch(Input):
    customer_id: int | None = None
    occurred_on: datetime.date | None = None
    kind: str | None = None
    outcome: str | None = Field(None, max_length=500)
    amount: Decimal | None = None
    next_step: str | None = Field(None, max_length=300)
    next_step_on: datetime.date | None = None
    notes: str | None = Field(None, max_length=5000)


# Team numbers ----------------------------------------------------------------------------------


class KpiTotalOut(Schema):
    kpi: str
    actual: Decimal | None
    target: Decimal | None
    rate: Decimal | None
    previous_actual: Decimal | None


class DisciplineOut(Schema):
    expected: int
    on_time: int
    late: int
    not_yet_due: int
    missing: int
    on_leave: int


class TeamNumbersOut(Schema):
    team_id: int
    start: datetime.date
    end: datetime.date
    totals: list[KpiTotalOut]
    discipline: DisciplineOut


# The pipeline ----------------------------------------------------------------------------------


class StageOut(Schema):
    id: int
    name: str
    probability: int
    position: int
    is_won: bool
    is_lost: bool
    is_active: bool


class LeadSourceOut(Schema):
    id: int
    name: str
    position: int
    is_active: bool


class OpportunityOut(Schema):
    id: int
    customer_id: int
    owner_id: int
    name: str
    amount: Decimal
    stage_id: int
    expected_close_on: datetime.date
    lead_source_id: int | None
    competitor: str
    loss_reason: str
    created_on: datetime.date
    closed_on: datetime.date | None
    external_id: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_owner_id(opportunity) -> int:
        """Whoever owns the customer owns its opportunities."""
        return opportunity.customer.owner_id


class StageChangeOut(Schema):
    from_stage_id: int | None
    to_stage_id: int
    changed_on: datetime.date
    changed_by_id: int | None


class CloseDateChangeOut(Schema):
    from_on: datetime.date
    to_on: datetime.date
    changed_on: datetime.date
    changed_by_id: int | None


class OpportunityDetailOut(OpportunityOut):
    stage_history: list[StageChangeOut]
    close_date_changes: list[CloseDateChangeOut]

    @staticmethod
    def resolve_stage_history(opportunity) -> list:
        return list(opportunity.stage_changes.order_by("changed_on", "pk"))

    @staticmethod
    def resolve_close_date_changes(opportunity) -> list:
        return list(opportunity.close_date_changes.order_by("changed_on", "pk"))


class OpportunityIn(Input):
    customer_id: int
    name: str = Field(max_length=200)
    amount: Decimal
    stage_id: int
    expected_close_on: datetime.date
    lead_source_id: int | None = None
    competitor: str = Field("", max_length=200)
    loss_reason: str = Field("", max_length=300)
    external_id: str = Field("", max_length=100, description="Your system's id: sending it again updates.")


class OpportunityPatch(Input):
    name: str | None = Field(None, max_length=200)
    amount: Decimal | None = None
    stage_id: int | None = Field(None, description="A move is kept in the stage history; lost needs loss_reason.")
    expected_close_on: datetime.date | None = None
    lead_source_id: int | None = None
    competitor: str | None = Field(None, max_length=200)
    loss_reason: str | None = Field(None, max_length=300)


class PeriodOut(Schema):
    team_id: int
    period: str
    start: datetime.date
    end: datetime.date


class ForecastRowOut(Schema):
    member_id: int | None
    won: Decimal
    weighted: Decimal
    pipeline: Decimal
    forecast: Decimal
    commit: Decimal | None
    best_case: Decimal | None
    target: Decimal | None
    attainment: Decimal | None
    frozen: Decimal | None
    accuracy: Decimal | None


class ForecastOut(PeriodOut):
    is_closed: bool
    rows: list[ForecastRowOut]
    total: ForecastRowOut


class FunnelStepOut(Schema):
    stage_id: int
    stage: str
    reached: int
    conversion: Decimal | None


class OutcomesOut(Schema):
    won: int
    lost: int
    won_amount: Decimal
    cycle_days: Decimal | None
    win_rate: Decimal | None


class SourceFunnelOut(Schema):
    lead_source: str
    steps: list[FunnelStepOut]
    outcomes: OutcomesOut


class MemberOutcomesOut(OutcomesOut):
    member_id: int


class LossReasonOut(Schema):
    loss_reason: str
    count: int
    amount: Decimal | None


class LostCustomerOut(Schema):
    id: int
    name: str
    owner_id: int
    lost_reason: str


class FunnelOut(PeriodOut):
    steps: list[FunnelStepOut]
    outcomes: OutcomesOut
    by_source: list[SourceFunnelOut]
    by_member: list[MemberOutcomesOut]
    loss_reasons: list[LossReasonOut]
    lost_customers: list[LostCustomerOut]
