"""Forms of the sales log: the one-line activity entry (customer by name, created on the spot when
new, with a warning about similar names), the customer form and the import upload."""

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers import activity_extensions, services
from customers.models import Activity, Customer, LogImport
from reports.customer_names import name_key
from reports.dates import BoundedDateField
from teams import filters
from teams.filters import FilterForm
from teams.forms import CrispyMixin, IsoDateInput, ServiceCheckedModelForm
from teams.models import User

DATE = {"type": "date"}


def _similar_message(similar: list[services.Similar]) -> str:
    names = "、".join(
        f"“{s.customer.name}”" + ("" if s.is_own else _(" (%(owner)s's)") % {"owner": s.customer.owner})
        for s in similar
    )
    return _("Similar customers already exist: %(names)s. Use one of them, or confirm the new one below.") % {
        "names": names
    }


class CustomerNameMixin:
    """A customer typed by name: one of the author's customers, or a new one to create, confirmed
    when it looks like an existing customer of the author's team."""

    def _resolve_customer(self, name: str, author: User, own: dict[str, Customer]) -> None:
        self.customer, self.new_customer, self.similar = None, "", []
        key = name_key(name)
        if key in own:
            self.customer = own[key]
            return
        self.new_customer = name
        self.similar = services.similar_customers(owner=author, name=name)
        if self.similar and not self.cleaned_data.get("confirm_new"):
            self.add_error("customer", _similar_message(self.similar))
            self.fields["confirm_new"].label = _("Create “%(name)s” as a new customer anyway") % {"name": name}


class ActivityForm(CustomerNameMixin, forms.Form):
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(DATE, format="%Y-%m-%d"))
    customer = forms.CharField(
        label=_("Customer"),
        max_length=200,
        widget=forms.TextInput(attrs={"list": "own-customers", "autocomplete": "off", "enterkeyhint": "next"}),
        help_text=_("Type a name; a new one is added to your customers."),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=Activity.Kind.choices)
    outcome = forms.CharField(label=pgettext_lazy("sales activity", "Outcome"), max_length=500, required=False)
    amount = forms.CharField(
        label=_("Amount (CNY)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    next_step_on = forms.DateField(
        label=_("Next step by"), required=False, widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )
    notes = forms.CharField(label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea({"rows": 2}))
    confirm_new = forms.BooleanField(label=_("Create it as a new customer anyway"), required=False)

    def __init__(self, *args, author: User, customers: Iterable[Customer], **kwargs):
        super().__init__(*args, **kwargs)
        self.author = author
        self.customers = customers  # the author's, by name: read when the form is checked or drawn
        self.customer, self.new_customer, self.similar = None, "", []
        # Fields of the registered extensions (customers/activity_extensions.py), kept apart for apply().
        self.extension_fields: list[str] = []
        self.extension_templates: list[str] = []
        # They start blank on a new entry and on an edit alike, so an edit that leaves them alone
        # acts on nothing (the entry does not remember what it moved).
        for extension in activity_extensions.registered():
            added = extension.fields(author)
            self.fields.update(added)
            self.extension_fields += list(added)
            self.extension_templates.append(extension.template)
        for name, field in self.fields.items():
            if name != "confirm_new":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = f"{css} {field.widget.attrs.get('class', '')}".strip()
            field.widget.attrs["aria-describedby"] = f"{self.auto_id % self.add_prefix(name)}_errors"

    def clean_amount(self):
        try:
            return services.parse_amount(self.cleaned_data["amount"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    @cached_property
    def own(self) -> dict[str, Customer]:
        return {customer.key: customer for customer in self.customers}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("customer"):
            self._resolve_customer(cleaned["customer"], self.author, self.own)
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        """Flag the inputs that have errors, for Bootstrap and screen readers."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = attrs.get("class", "") + " is-invalid"

    def service_data(self) -> dict:
        """The cleaned input as the keyword arguments of services.log_activity."""
        data = {key: self.cleaned_data[key] for key in services.ACTIVITY_FIELDS if key != "customer"}
        data["outcome"], data["next_step"] = data["outcome"] or "", data["next_step"] or ""
        data["notes"] = data["notes"] or ""
        extra = {name: self.cleaned_data.get(name) for name in self.extension_fields}
        return {**data, "customer": self.customer, "new_customer": self.new_customer, "extra": extra}

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)
        self.mark_invalid()


class CustomerForm(ServiceCheckedModelForm):
    """A new customer (with the duplicate warning) or a change to one; the owner is chosen only by
    managers and admins, who hand customers over."""

    confirm_new = forms.BooleanField(label=_("Create it as a new customer anyway"), required=False)

    class Meta:
        model = Customer
        fields = ["name", "industry", "tier", "status", "lost_reason", "contact", "owner", "created_on"]
        widgets = {"created_on": forms.DateInput(DATE, format="%Y-%m-%d")}

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.similar = []
        self.fields["owner"].queryset = owners
        self.fields["owner"].empty_label = None
        if len(owners) <= 1:
            self.fields["owner"].widget = forms.HiddenInput()
        if self.instance.pk:
            # The day it became a customer counts in that week's "new customers"; it stays put.
            del self.fields["created_on"], self.fields["confirm_new"]
        else:
            # Asked only once a similar customer shows up.
            self.fields["confirm_new"].widget = forms.HiddenInput()
        self.fields["lost_reason"].widget.attrs["placeholder"] = _("Only for lost customers")

    def clean(self):
        cleaned = super().clean()
        owner, name = cleaned.get("owner"), cleaned.get("name")
        if not self.instance.pk and owner and name:
            self.similar = services.similar_customers(owner=owner, name=name)
            if self.similar and not cleaned.get("confirm_new"):
                self.add_error("name", _similar_message(self.similar))
                self.fields["confirm_new"].widget = forms.CheckboxInput()
        return cleaned


class LogImportForm(CrispyMixin, forms.Form):
    kind = forms.ChoiceField(label=_("The file lists"), choices=LogImport.Kind.choices, widget=forms.RadioSelect)
    file = forms.FileField(label=_("Spreadsheet"), help_text=_("A .csv or .xlsx file with the columns below."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"


class CustomerFilter(FilterForm):
    """The customers list: a name, industry or contact, a status, a tier, an owner."""

    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        widget=forms.TextInput(
            attrs={**filters.SMALL, "type": "search", "placeholder": _("Name, industry or contact")}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *Customer.Status.choices],
        widget=forms.Select(attrs=filters.SMALL_SELECT),
    )
    tier = forms.ChoiceField(
        label=_("Tier"),
        choices=[("", _("All")), *Customer.Tier.choices],
        widget=forms.Select(attrs=filters.SMALL_SELECT),
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, widget=forms.Select(attrs=filters.SMALL_SELECT))

    def __init__(self, data=None, *, owners: list[User], **kwargs):
        super().__init__(data, **kwargs)
        self.owners = owners  # everyone who owns a customer the list can show
        if len(owners) > 1:
            self.fields["owner"].choices = [("", _("All")), *((owner.pk, str(owner)) for owner in owners)]
        else:
            del self.fields["owner"]

    def filter_q(self, customers, query):
        return customers.filter(Q(name__icontains=query) | Q(industry__icontains=query) | Q(contact__icontains=query))

    def filter_status(self, customers, status):
        return customers.filter(status=status)

    def filter_tier(self, customers, tier):
        return customers.filter(tier=tier)

    def filter_owner(self, customers, owner):
        return customers.filter(owner_id=owner)


class ActivityFilter(FilterForm):
    """The sales log as a list: a period, a type, a customer's name, and who logged it when the
    viewer sees several people."""

    start = BoundedDateField(label=_("From"), widget=IsoDateInput(filters.SMALL))
    end = BoundedDateField(label=_("Until"), widget=IsoDateInput(filters.SMALL))
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("All")), *Activity.Kind.choices],
        widget=forms.Select(attrs=filters.SMALL_SELECT),
    )
    customer = forms.CharField(
        label=_("Customer"),
        max_length=100,
        widget=forms.TextInput(attrs={**filters.SMALL, "type": "search", "placeholder": _("Customer name")}),
    )
    author = forms.TypedChoiceField(label=_("Salesperson"), coerce=int, widget=forms.Select(attrs=filters.SMALL_SELECT))

    def __init__(self, data=None, *, authors: list[User], **kwargs):
        super().__init__(data, **kwargs)
        if len(authors) > 1:
            self.fields["author"].choices = [("", _("All")), *((person.pk, str(person)) for person in authors)]
        else:
            del self.fields["author"]

    def filter_start(self, activities, day):
        return activities.filter(occurred_on__gte=day)

    def filter_end(self, activities, day):
        return activities.filter(occurred_on__lte=day)

    def filter_kind(self, activities, kind):
        return activities.filter(kind=kind)

    def filter_customer(self, activities, name):
        return activities.filter(customer__name__icontains=name)

    def filter_author(self, activities, author):
        return activities.filter(author_id=author)
