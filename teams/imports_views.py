"""Bulk import of members: upload a spreadsheet, preview every row, then import all or nothing."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from teams import access, imports
from teams.forms import CrispyMixin
from teams.models import MemberImport


class MemberImportForm(CrispyMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A .csv or .xlsx file of at most %(size)s and %(rows)d rows.") % {
            "size": filesizeformat(settings.MEMBER_IMPORT_MAX_BYTES),
            "rows": settings.MEMBER_IMPORT_MAX_ROWS,
        }


def _member_import(pk: int) -> MemberImport:
    member_import = MemberImport.objects.select_related("uploaded_by").filter(pk=pk).first()
    if member_import is None:
        raise Http404
    return member_import


def member_import(request):
    access.require_structure_admin(request.user)
    form = MemberImportForm(request.POST, request.FILES) if request.method == "POST" else MemberImportForm()
    if form.is_bound and form.is_valid():
        try:
            stored = imports.store_member_import(actor=request.user, file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect(stored)
    return render(request, "teams/import_form.html", {"form": form, "columns": imports.COLUMNS})


def member_import_sample(request):
    access.require_structure_admin(request.user)
    response = HttpResponse(imports.sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "member-import-sample.csv")
    return response


def member_import_preview(request, pk):
    access.require_structure_admin(request.user)
    member_import = _member_import(pk)
    # An applied file is history: checked again, every row would clash with the people it created.
    result = None if member_import.is_applied else imports.preview_member_import(member_import)
    return render(request, "teams/import_preview.html", {"member_import": member_import, "result": result})


@require_POST
def member_import_apply(request, pk):
    access.require_structure_admin(request.user)
    member_import = _member_import(pk)
    try:
        applied = imports.apply_member_import(actor=request.user, member_import=member_import)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(member_import)
    messages.success(
        request,
        ngettext(
            "%(count)d member imported; invitations are on their way.",
            "%(count)d members imported; invitations are on their way.",
            applied.created_count,
        )
        % {"count": applied.created_count},
    )
    return redirect("teams:member_list")
