"""The sales log pages: Today (one-line entry, follow-ups due, the week's entries), editing an
entry, a member's log for managers, customers, and imports. Rules live in customers/services.py;
every object comes through customers/access.py."""

import datetime
from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from customers import access as customer_access
from customers import imports, services
from customers.forms import ActivityFilter, ActivityForm, CustomerFilter, CustomerForm, LogImportForm
from customers.models import Activity, Customer, LogImport
from reports import dates
from reports.models import TeamSettings, WeeklyReport
from teams import access, filters, versions
from teams.forms import save_or_show_errors
from teams.models import User

FOLLOW_UPS_SHOWN = 20
CUSTOMERS_PER_PAGE = 50
ACTIVITIES_PER_PAGE = 50


# The week -----------------------------------------------------------------------------------------


def _week_start(request, team_settings: TeamSettings | None, today: datetime.date) -> datetime.date:
    """The week asked for in ?week= (any day of it), never after this week; this week by default."""
    calendar = team_settings or TeamSettings()
    this_week = calendar.week_start_for(today)
    day = dates.parse_day(request.GET.get("week"))
    return this_week if day is None else min(calendar.week_start_for(day), this_week)


def _week_context(
    author: User,
    activities: QuerySet[Activity],
    team_settings: TeamSettings | None,
    week: datetime.date,
    today: datetime.date,
    *,
    can_write: bool,
) -> dict:
    """One person's log of one week (`activities`: theirs that the reader may see), day by day,
    with counts per type and the week's report.

    On the author's own page the list is kept under their team's data version: logging, editing
    or removing an entry and renaming a customer replace it (customers/services.py), and the key
    holds the day (today's heading) and whether the week is still open (the buttons)."""
    end = week + datetime.timedelta(days=6)
    report = WeeklyReport.objects.filter(author=author, week_start=week).only("status", "week_start").first()
    week_is_open = report is None or report.is_editable_by_author
    editable = can_write and week_is_open

    def compute() -> dict:
        entries = activities.filter(occurred_on__range=(week, end)).select_related("customer")
        return week_list(list(entries.order_by("-occurred_on", "-pk")), week, today, editable=editable)

    listed = versions.kept_for(author, ("sales-log-week", week, today, editable), compute) if can_write else compute()
    return {
        "week": week,
        "week_end": end,
        "previous_week": week - datetime.timedelta(days=7),
        "next_week": week + datetime.timedelta(days=7) if end < today else None,
        **listed,
        "week_report": report,
        "week_is_open": week_is_open,
    }


def week_list(entries: list[Activity], week: datetime.date, today: datetime.date, *, editable: bool) -> dict:
    """A week's entries (newest first) drawn day by day (customers/_log_days.html), today's day
    shown even when empty, with their number and counts per type."""
    days = []
    for offset in range(6, -1, -1):
        day = week + datetime.timedelta(days=offset)
        on_day = [entry for entry in entries if entry.occurred_on == day]
        if on_day or day == today:
            days.append({"day": day, "entries": on_day, "is_today": day == today})
    counts = {kind: 0 for kind in Activity.Kind.values}
    for entry in entries:
        counts[entry.kind] += 1
    return {
        "days_html": render_to_string("customers/_log_days.html", {"days": days, "editable": editable}),
        "entry_count": len(entries),
        "counts": [(str(label), counts[value]) for value, label in Activity.Kind.choices if counts[value]],
    }


def _own_customers(user: User) -> QuerySet[Customer]:
    """The user's customers by name: read only when a form is checked, or drawn (a blank entry
    form is kept: entry_fields)."""
    return Customer.objects.filter(owner=user).only("name", "key", "owner_id", "status").order_by("name")


def _log_page(
    request, form: ActivityForm, customers: Iterable[Customer], team_settings: TeamSettings | None
) -> HttpResponse:
    user = request.user
    today = services.local_today(team_settings)
    week = _week_start(request, team_settings, today)
    context = {
        "form": form,
        "entry_fields": entry_fields(user, form, customers),
        "today": today,
        "follow_ups": list(services.overdue_follow_ups(Activity.objects.filter(author=user), today)[:FOLLOW_UPS_SHOWN]),
        "can_write": True,
        **_week_context(user, Activity.objects.filter(author=user), team_settings, week, today, can_write=True),
    }
    return render(request, "customers/log.html", context)


def entry_fields(user: User, form: ActivityForm, customers: Iterable[Customer]) -> str:
    """The one-line entry's fields (customers/_entry_fields.html) for inside its form.

    A blank form is the same on every view until the user's customers or open opportunities
    change (both replace the versions of the owner's teams), so it is drawn once and kept under
    their team's data version, keyed by its starting values (the day, a customer asked for); a
    form holding what was typed is drawn each time."""

    def draw() -> str:
        return render_to_string("customers/_entry_fields.html", {"form": form, "customers": customers})

    if form.is_bound:
        return draw()
    start = sorted((name, str(value)) for name, value in form.initial.items())
    return versions.kept_for(user, ("log-entry-form", *start), draw)


def _require_log_keeper(user: User) -> None:
    if not customer_access.keeps_sales_log(user):
        raise Http404


# The log -------------------------------------------------------------------------------------------


@require_GET
def log(request):
    """Today: log an activity in one line, see what is due and what this week holds."""
    _require_log_keeper(request.user)
    team_settings = services.calendar_of(request.user)
    customers = _own_customers(request.user)
    form = ActivityForm(
        author=request.user,
        customers=customers,
        initial={
            "occurred_on": services.local_today(team_settings),
            "customer": request.GET.get("customer", "")[:200],
            "kind": Activity.Kind.VISIT,
        },
    )
    return _log_page(request, form, customers, team_settings)


@require_POST
def activity_create(request):
    _require_log_keeper(request.user)
    customers = _own_customers(request.user)
    form = ActivityForm(request.POST, author=request.user, customers=customers)
    if form.is_valid():
        try:
            activity = services.log_activity(author=request.user, **form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            message = _("Logged: %(activity)s.") % {"activity": activity}
            if request.htmx:
                return _logged_fragment(request, activity, message)
            messages.success(request, message)
            return redirect(f"{reverse('customers:log')}?week={activity.occurred_on:%Y-%m-%d}")
    if request.htmx:
        fields = entry_fields(request.user, form, customers)
        return render(request, "customers/log.html#entry-form", {"form": form, "entry_fields": fields})
    return _log_page(request, form, customers, services.calendar_of(request.user))


def _logged_fragment(request, activity: Activity, message: str) -> HttpResponse:
    """After an htmx entry: a fresh form (same date and type, ready for the next one) and the
    refreshed week, swapped in together."""
    customers = _own_customers(request.user)
    form = ActivityForm(
        author=request.user,
        customers=customers,
        initial={"occurred_on": activity.occurred_on, "kind": activity.kind},
    )
    team_settings = services.calendar_of(request.user)
    today = services.local_today(team_settings)
    week = (team_settings or TeamSettings()).week_start_for(activity.occurred_on)
    return render(
        request,
        "customers/log.html#logged",
        {
            "form": form,
            "entry_fields": entry_fields(request.user, form, customers),
            "logged": message,
            "today": today,
            "can_write": True,
            **_week_context(
                request.user, Activity.objects.filter(author=request.user), team_settings, week, today, can_write=True
            ),
        },
    )


def activity_edit(request, pk):
    activity = customer_access.activity_for_edit(request.user, pk)
    customers = _own_customers(request.user)
    initial = {
        **{name: getattr(activity, name) for name in services.ACTIVITY_FIELDS},
        "customer": activity.customer.name,
    }
    form = ActivityForm(request.POST or None, author=request.user, customers=customers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        extra = data.pop("extra")
        try:
            services.update_activity(actor=request.user, activity=activity, data=data, extra=extra)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The entry is saved."))
            return redirect(f"{reverse('customers:log')}?week={form.cleaned_data['occurred_on']:%Y-%m-%d}")
    return render(request, "customers/activity_form.html", {"form": form, "activity": activity, "customers": customers})


@require_POST
def activity_delete(request, pk):
    activity = customer_access.activity_for_edit(request.user, pk)
    try:
        services.delete_activity(actor=request.user, activity=activity)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Removed: %(activity)s.") % {"activity": activity})
    url = f"{reverse('customers:log')}?week={activity.occurred_on:%Y-%m-%d}"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
def member_log(request, pk):
    """A member's log of one week, read-only, for the people who may see that member."""
    member = access.member_for_view(request.user, pk)
    if member.pk == request.user.pk and customer_access.keeps_sales_log(request.user):
        return redirect("customers:log")
    team_settings = services.calendar_of(member)
    today = services.local_today(team_settings)
    week = _week_start(request, team_settings, today)
    activities = customer_access.visible_activities(request.user).filter(author=member)
    context = _week_context(member, activities, team_settings, week, today, can_write=False)
    return render(
        request,
        "customers/log.html",
        {
            **context,
            "member": member,
            "today": today,
            "can_write": False,
            "follow_ups": list(services.overdue_follow_ups(activities, today)[:FOLLOW_UPS_SHOWN]),
        },
    )


def activity_rows(user: User, data) -> tuple[ActivityFilter, QuerySet]:
    """The sales log `user` may read (their own, their subtree's), filtered by the query string."""
    activities = customer_access.visible_activities(user)
    s = access.scope(user)
    if s.is_admin or s.readable_paths:
        authors = list(access.visible_members(user).order_by("display_name", "pk"))
    else:
        authors = [user]
    form = ActivityFilter(data, authors=authors)
    activities = form.apply(activities).select_related("author", "team", "customer")
    return form, activities.order_by("-occurred_on", "-pk")


ACTIVITY_LIST = filters.ExportableList(
    rows=activity_rows,
    header=lambda: [
        _("Date"),
        _("Salesperson"),
        _("Team"),
        _("Customer"),
        _("Type"),
        pgettext("sales activity", "Outcome"),
        _("Amount (CNY)"),
        _("Next step"),
        _("Next step by"),
        _("Notes"),
    ],
    cells=lambda activity: _activity_cells(activity),
    filename="sales-log",
    title=lambda: _("Sales log"),
)


def _activity_cells(activity: Activity) -> list:
    return [
        activity.occurred_on.isoformat(),
        str(activity.author),
        activity.team.name,
        activity.customer.name,
        activity.get_kind_display(),
        activity.outcome,
        activity.amount,
        activity.next_step,
        activity.next_step_on.isoformat() if activity.next_step_on else "",
        activity.notes,
    ]


@require_GET
def activity_list(request):
    """The sales log as a filtered list, across weeks and (for managers) people."""
    form, activities = activity_rows(request.user, request.GET)
    export = filters.export_list(request, "activities", activities)
    if export:
        return export
    page = Paginator(activities, ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "customers/activity_list.html", {"page": page, "form": form})


# Customers ------------------------------------------------------------------------------------------


def customer_rows(user: User, data) -> tuple[CustomerFilter, QuerySet]:
    """The customers list as `user` may see it, filtered by the query string `data`."""
    customers = customer_access.visible_customers(user)
    owners = list(
        User.objects.filter(Exists(customers.filter(owner=OuterRef("pk")))).order_by("display_name", "username")
    )
    form = CustomerFilter(data, owners=owners)
    return form, form.apply(customers).select_related("owner").order_by("name", "pk")


CUSTOMER_LIST = filters.ExportableList(
    rows=customer_rows,
    header=lambda: [_("Customer"), _("Industry"), _("Tier"), _("Status"), _("Owner"), _("Contact"), _("Added on")],
    cells=lambda customer: _customer_cells(customer),
    filename="customers",
    title=lambda: _("Customers"),
)


@require_GET
def customer_list(request):
    form, customers = customer_rows(request.user, request.GET)
    export = filters.export_list(request, "customers", customers)
    if export:
        return export
    # The page's owners are among the filter's, read for its choices: joining the users table in
    # (select_related, for the export) took longer than the page's query itself (2.7 → 1.1 ms,
    # about a tenth of the page's median on the large demo).
    page = Paginator(customers.select_related(None), CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    owners = {owner.pk: owner for owner in form.owners}
    for customer in page:
        customer.owner = owners[customer.owner_id]
    return render(
        request,
        "customers/customer_list.html",
        {
            "page": page,
            "rows": customer_rows_html(request.user, list(page)) if page else "",
            "form": form,
            # Whoever may own a customer or import for someone may create one (one question, asked once).
            "can_create": (can_import := customer_access.can_import_sales_log(request.user)),
            "can_import": can_import,
        },
    )


def customer_rows_html(user: User, customers: list[Customer]) -> str:
    """A page of the customers list (customers/_customer_rows.html) with each customer's number of
    entries and last entry in the sales log the user may read.

    Kept under the data version of the user's team, keyed by the page's customers as they were
    last saved: any change to a customer saves it, an entry logged, changed or removed replaces
    the versions of its author's teams and those above (the user's among them when the entry is
    in reach), and a renamed owner those of the owner's teams."""

    def draw() -> str:
        # Counted for the page's customers only: a team's log has hundreds of thousands of entries.
        logged = {
            row["customer_id"]: row
            for row in customer_access.visible_activities(user)
            .filter(customer__in=[c.pk for c in customers])
            .values("customer_id")
            .annotate(last=Max("occurred_on"), n=Count("pk"))
        }
        for customer in customers:
            customer.last_activity = logged.get(customer.pk, {}).get("last")
            customer.activity_count = logged.get(customer.pk, {}).get("n", 0)
        return render_to_string("customers/_customer_rows.html", {"customers": customers})

    return versions.kept_for(user, ("customer-rows", tuple((c.pk, c.updated_at) for c in customers)), draw)


def _customer_cells(customer: Customer) -> list:
    return [
        customer.name,
        customer.industry,
        customer.get_tier_display(),
        customer.get_status_display(),
        str(customer.owner),
        customer.contact,
        customer.created_on.isoformat() if customer.created_on else "",
    ]


def customer_create(request):
    owners = customer_access.customer_owners(request.user)
    if not owners.exists():
        raise PermissionDenied
    initial = {"owner": request.user.pk, "created_on": services.local_today(services.calendar_of(request.user))}
    form = CustomerForm(request.POST or None, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data[key] for key in services.CUSTOMER_FIELDS if key in form.cleaned_data}
        customer = None

        def create():
            nonlocal customer
            customer = services.create_customer(actor=request.user, **data)

        if save_or_show_errors(form, create):
            messages.success(request, _("“%(name)s” is added to the customers.") % {"name": customer.name})
            return redirect(customer)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "title": _("New customer"), "cancel_url": reverse("customers:customer_list")},
    )


@require_GET
def customer_detail(request, pk):
    customer = customer_access.customer_for_view(request.user, pk)
    activities = list(
        customer_access.visible_activities(request.user)
        .filter(customer=customer)
        .select_related("author")
        .order_by("-occurred_on", "-pk")[:200]
    )
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "activities": activities,
            "can_edit": customer_access.can_edit_customer(request.user, customer),
            "can_log": customer.owner_id == request.user.pk and customer_access.keeps_sales_log(request.user),
        },
    )


def customer_edit(request, pk):
    customer = customer_access.customer_for_edit(request.user, pk)
    owners = customer_access.customer_owners(request.user) | User.objects.filter(pk=customer.owner_id)
    form = CustomerForm(request.POST or None, instance=customer, owners=owners.distinct())
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data[key] for key in services.CUSTOMER_FIELDS if key in form.cleaned_data}
        customer.refresh_from_db()  # the form wrote its input onto the instance; the service compares
        if save_or_show_errors(
            form, lambda: services.update_customer(actor=request.user, customer=customer, data=data)
        ):
            messages.success(request, _("The customer is saved."))
            return redirect(customer)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "title": customer.name, "cancel_url": customer.get_absolute_url()},
    )


# Imports --------------------------------------------------------------------------------------------


def import_upload(request):
    customer_access.require_sales_log_import(request.user)
    form = LogImportForm(request.POST or None, request.FILES or None, initial={"kind": LogImport.Kind.CUSTOMERS})
    if request.method == "POST" and form.is_valid():
        try:
            stored = imports.store(actor=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect(stored)
    return render(
        request,
        "customers/import_form.html",
        {"form": form, "column_sets": [(label, imports.COLUMNS[kind], kind) for kind, label in LogImport.Kind.choices]},
    )


@require_GET
def import_sample(request, kind):
    customer_access.require_sales_log_import(request.user)
    if kind not in LogImport.Kind.values:
        raise Http404
    response = HttpResponse(imports.sample_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-sample.csv"'
    return response


@require_GET
def import_preview(request, pk):
    log_import = customer_access.log_import_for(request.user, pk)
    result = None if log_import.is_applied else imports.preview(log_import)
    return render(request, "customers/import_preview.html", {"log_import": log_import, "result": result})


@require_POST
def import_apply(request, pk):
    log_import = customer_access.log_import_for(request.user, pk)
    try:
        imports.apply(actor=request.user, log_import=log_import)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The file is imported."))
    return redirect(log_import)
