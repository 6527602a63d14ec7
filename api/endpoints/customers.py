"""Customers and the sales log: list, create, change. A POST that carries an `external_id`
already sent (by the same owner or author) changes that customer or activity instead of adding a
second one, so a CRM can send its records again safely."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import PageNumberPagination, paginate

from api import schemas
from api.endpoints.filters import ListFilters, narrow
from customers import access as customer_access
from customers import services as customer_services
from customers.models import Activity, Customer

router = Router(tags=["customers and sales log"])


@router.get("/customers", response=list[schemas.CustomerOut], summary="Customers in reach")
@paginate(PageNumberPagination, page_size=100)
def customer_list(request, filters: Query[ListFilters], external_id: str | None = None):
    condition = narrow(
        request.user,
        filters,
        team_field="owner__memberships__team",
        member_field="owner",
        day_field="created_on",
        week=False,
    )
    customers = customer_access.visible_customers(request.user).filter(condition)
    if external_id:
        customers = customers.filter(external_id=external_id)
    return customers.distinct().order_by("name", "pk")


def _owner(request, owner_id: int | None):
    """Whom a new or handed-over customer belongs to: as on the pages, one of
    customer_access.customer_owners() (yourself when left out); nobody for directors (403)."""
    owners = customer_access.customer_owners(request.user)
    if not owners.exists():
        raise PermissionDenied
    owner = owners.filter(pk=request.user.pk if owner_id is None else owner_id).first()
    if owner is None:
        message = _("Choose the owner.") if owner_id is None else _("You cannot give customers to this person.")
        raise ValidationError({"owner_id": [message]})
    return owner


@router.post(
    "/customers",
    response={200: schemas.CustomerOut, 201: schemas.CustomerOut, 400: schemas.Error},
    summary="Add a customer (201), or change the one with the same external_id (200)",
)
def customer_create(request, payload: schemas.CustomerIn):
    owner = _owner(request, payload.owner_id)
    # A resend changes only what it names; a new customer takes the defaults for the rest.
    sent = payload.model_dump(exclude_unset=True, exclude={"owner_id", "external_id"})
    if payload.external_id:
        existing = Customer.objects.filter(owner=owner, external_id=payload.external_id).first()
        if existing is not None:
            return Status(200, _update_customer(request, existing.pk, sent))
    fields = payload.model_dump(exclude={"owner_id", "external_id"})
    try:
        with transaction.atomic():
            customer = customer_services.create_customer(
                actor=request.user, owner=owner, external_id=payload.external_id, **fields
            )
    except IntegrityError:  # the same external id sent twice at the same moment: the other won
        existing = Customer.objects.get(owner=owner, external_id=payload.external_id)
        return Status(200, _update_customer(request, existing.pk, sent))
    return Status(201, customer)


def _update_customer(request, pk: int, fields: dict) -> Customer:
    customer = customer_access.customer_for_edit(request.user, pk)
    return customer_services.update_customer(actor=request.user, customer=customer, data=fields)


@router.patch(
    "/customers/{int:customer_id}",
    response={200: schemas.CustomerOut, 400: schemas.Error},
    summary="Change a customer (its owner, their managers, admins)",
)
def customer_update(request, customer_id: int, payload: schemas.CustomerPatch):
    customer = customer_access.customer_for_edit(request.user, customer_id)
    data = payload.model_dump(exclude_unset=True)
    if "owner_id" in data:
        data["owner"] = _owner(request, data.pop("owner_id"))
    return customer_services.update_customer(actor=request.user, customer=customer, data=data)


@router.get("/activities", response=list[schemas.ActivityOut], summary="Sales log entries in reach")
@paginate(PageNumberPagination, page_size=100)
def activity_list(request, filters: Query[ListFilters], external_id: str | None = None):
    condition = narrow(
        request.user, filters, team_field="team", member_field="author", day_field="occurred_on", week=False
    )
    activities = customer_access.visible_activities(request.user).filter(condition)
    if external_id:
        activities = activities.filter(external_id=external_id)
    return activities.order_by("-occurred_on", "-pk")


def _own_customer(request, customer_id: int) -> Customer:
    try:
        return customer_access.customer_for_view(request.user, customer_id)
    except Http404:
        raise ValidationError({"customer_id": [_("Choose one of your own customers.")]}) from None


def _activity_data(request, fields: dict) -> dict:
    if fields.get("customer_id") is not None:
        fields["customer"] = _own_customer(request, fields.pop("customer_id"))
    else:
        fields.pop("customer_id", None)
    return fields


@router.post(
    "/activities",
    response={200: schemas.ActivityOut, 201: schemas.ActivityOut, 400: schemas.Error},
    summary="Log an activity (201), or change the one with the same external_id (200)",
)
def activity_create(request, payload: schemas.ActivityIn):
    if not customer_access.keeps_sales_log(request.user):
        raise PermissionDenied
    sent = _activity_data(request, payload.model_dump(exclude_unset=True, exclude={"external_id"}))
    if payload.external_id:
        existing = Activity.objects.filter(author=request.user, external_id=payload.external_id).first()
        if existing is not None:
            return Status(200, customer_services.update_activity(actor=request.user, activity=existing, data=sent))
    fields = {**payload.model_dump(exclude={"external_id", "customer_id"}), "customer": sent["customer"]}
    try:
        with transaction.atomic():
            activity = customer_services.log_activity(author=request.user, external_id=payload.external_id, **fields)
    except IntegrityError:  # the same external id sent twice at the same moment: the other won
        existing = Activity.objects.get(author=request.user, external_id=payload.external_id)
        return Status(200, customer_services.update_activity(actor=request.user, activity=existing, data=sent))
    return Status(201, activity)


@router.patch(
    "/activities/{int:activity_id}",
    response={200: schemas.ActivityOut, 400: schemas.Error},
    summary="Change your activity while its week is open",
)
def activity_update(request, activity_id: int, payload: schemas.ActivityPatch):
    activity = customer_access.activity_for_edit(request.user, activity_id)
    data = _activity_data(request, payload.model_dump(exclude_unset=True))
    return customer_services.update_activity(actor=request.user, activity=activity, data=data)
