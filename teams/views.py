from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEntry
from teams import access, filters, services
from teams.forms import (
    MemberCreateForm,
    MemberFilter,
    MemberMoveForm,
    MemberProfileForm,
    MemberStatusForm,
    PreferencesForm,
    TeamForm,
    save_or_show_errors,
)
from teams.models import Membership, Team, User

MEMBERS_PER_PAGE = 50


def _current_memberships() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.active().select_related("team"),
        to_attr="current_memberships",
    )


def _member_count():
    return Count("memberships", filter=Q(memberships__ended_on__isnull=True), distinct=True)


def team_list(request):
    if not access.scope(request.user).sees_teams:
        raise Http404
    managers = Prefetch(
        "memberships",
        queryset=Membership.objects.active().filter(role=Membership.Role.MANAGER).select_related("user"),
        to_attr="managers",
    )
    teams = access.visible_teams(request.user).annotate(member_count=_member_count()).prefetch_related(managers)
    return render(
        request,
        "teams/team_list.html",
        {
            "teams": teams,
            "can_manage": access.can_manage_structure(request.user),
        },
    )


def team_detail(request, pk):
    team = access.team_for_view(request.user, pk)
    memberships = (
        Membership.objects.filter(team=team).select_related("user").order_by("ended_on", "role", "user__display_name")
    )
    return render(
        request,
        "teams/team_detail.html",
        {
            "team": team,
            "ancestors": Team.objects.filter(pk__in=team.ancestor_ids).order_by("depth"),
            "children": team.children.annotate(member_count=_member_count()).order_by("name"),
            "current": [m for m in memberships if m.is_current],
            "former": [m for m in memberships if not m.is_current],
            "can_manage": access.can_manage_structure(request.user),
            "can_set_targets": access.can_set_targets(request.user, team),
        },
    )


def team_create(request):
    access.require_structure_admin(request.user)
    teams = access.visible_teams(request.user)
    initial = {"parent": request.GET.get("parent")}
    form = TeamForm(request.POST or None, teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = []
        if save_or_show_errors(
            form,
            lambda: created.append(
                services.create_team(actor=request.user, name=data["name"], kind=data["kind"], parent=data["parent"])
            ),
        ):
            messages.success(request, _("Team “%(name)s” created.") % {"name": created[0].name})
            return redirect(created[0])
    return render(request, "teams/team_form.html", {"form": form})


def team_edit(request, pk):
    team = access.team_for_edit(request.user, pk)
    form = TeamForm(request.POST or None, instance=team, teams=access.visible_teams(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if save_or_show_errors(
            form,
            lambda: services.update_team(
                actor=request.user,
                team=Team.objects.get(pk=pk),
                name=data["name"],
                kind=data["kind"],
                parent=data["parent"],
            ),
        ):
            messages.success(request, _("Team saved."))
            return redirect("teams:team_detail", pk=pk)
    return render(request, "teams/team_form.html", {"form": form, "team": Team.objects.get(pk=pk)})


def member_rows(user: User, data) -> tuple[MemberFilter, QuerySet]:
    """The members list as `user` may see it, filtered by the query string `data`."""
    form = MemberFilter(data, teams=access.visible_teams(user))
    members = access.visible_members(user) if access.scope(user).sees_teams else User.objects.none()
    members = form.apply(members).prefetch_related(_current_memberships())
    return form, members.order_by("display_name", "pk")


MEMBER_LIST = filters.ExportableList(
    rows=member_rows,
    header=lambda: [_("Name"), _("Username"), _("Team"), _("Role"), _("Position"), _("Email"), _("Status")],
    cells=lambda member: _member_cells(member),
    filename="members",
    title=lambda: _("Members"),
)


def member_list(request):
    if not access.scope(request.user).sees_teams:
        raise Http404
    form, members = member_rows(request.user, request.GET)
    export = filters.export_list(request, "members", members)
    if export:
        return export
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "teams/member_list.html",
        {"page": page, "form": form, "can_manage": access.can_manage_structure(request.user)},
    )


def _member_cells(member: User) -> list:
    membership = member.current_memberships[0] if member.current_memberships else None
    return [
        str(member),
        member.username,
        membership.team.name if membership else "",
        membership.get_role_display() if membership else "",
        member.position,
        member.email,
        member.get_status_display(),
    ]


def member_detail(request, pk):
    member = access.member_for_view(request.user, pk)
    can_edit = access.can_edit_member(request.user, member)
    audit = []
    if access.can_view_audit_trail(request.user):
        audit = AuditEntry.objects.filter(target_type__model="user", target_id=member.pk).select_related("actor")[:20]
    return render(
        request,
        "teams/member_detail.html",
        {
            "member": member,
            "memberships": member.memberships.select_related("team").order_by("-started_on", "-pk"),
            "can_edit": can_edit,
            "audit": audit,
        },
    )


def member_create(request):
    access.require_structure_admin(request.user)
    teams = access.visible_teams(request.user)
    form = MemberCreateForm(request.POST or None, teams=teams, initial={"team": request.GET.get("team")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = []
        if save_or_show_errors(
            form,
            lambda: created.append(
                services.add_member(
                    actor=request.user,
                    display_name=data["display_name"],
                    email=data["email"],
                    team=data["team"],
                    role=data["role"],
                    username=data["username"],
                    position=data["position"],
                    phone=data["phone"],
                    wechat=data["wechat"],
                    hired_on=data["hired_on"],
                    language=data["language"],
                    send_invitation=data["send_invitation"],
                )
            ),
        ):
            messages.success(request, _("%(name)s added.") % {"name": created[0]})
            return redirect(created[0])
    return render(request, "teams/member_form.html", {"form": form, "title": _("Add member")})


def member_edit(request, pk):
    member = access.member_for_edit(request.user, pk)
    form = MemberProfileForm(request.POST or None, instance=User.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        if save_or_show_errors(
            form, lambda: services.update_member(actor=request.user, member=member, data=form.cleaned_data)
        ):
            messages.success(request, _("Profile saved."))
            return redirect(member)
    return render(request, "teams/member_form.html", {"form": form, "member": member, "title": _("Edit profile")})


def member_move(request, pk):
    member = access.member_for_edit(request.user, pk)
    current = services.current_membership(member)
    initial = {"team": current.team_id, "role": current.role} if current else {}
    form = MemberMoveForm(request.POST or None, teams=access.visible_teams(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if save_or_show_errors(
            form,
            lambda: services.move_member(
                actor=request.user, member=member, team=data["team"], role=data["role"], on=data["on"]
            ),
        ):
            messages.success(request, _("Team and role saved."))
            return redirect(member)
    return render(
        request,
        "teams/member_form.html",
        {
            "form": form,
            "member": member,
            "title": _("Change team or role"),
            "current": current,
        },
    )


def member_status(request, pk):
    member = access.member_for_edit(request.user, pk)
    form = MemberStatusForm(
        request.POST or None, teams=access.visible_teams(request.user), initial={"status": member.status}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if save_or_show_errors(
            form,
            lambda: services.change_status(
                actor=request.user,
                member=member,
                status=data["status"],
                on=data["on"],
                team=data["team"],
                role=data["role"] or Membership.Role.SALESPERSON,
            ),
        ):
            messages.success(request, _("Status saved."))
            return redirect(member)
    return render(request, "teams/member_form.html", {"form": form, "member": member, "title": _("Change status")})


@require_POST
def member_invite(request, pk):
    member = access.member_for_edit(request.user, pk)
    if not member.email or not member.is_active:
        messages.error(request, _("An invitation needs an active person with an email address."))
    else:
        services.queue_invitation(member)
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": member.email})
    return redirect(member)


def preferences(request):
    form = PreferencesForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        if not save_or_show_errors(
            form, lambda: services.update_member(actor=request.user, member=request.user, data=form.cleaned_data)
        ):
            return render(request, "teams/preferences.html", {"form": form})
        translation.activate(request.user.language)
        messages.success(request, _("Preferences saved."))
        response = redirect("teams:preferences")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, request.user.language, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
        )
        return response
    return render(request, "teams/preferences.html", {"form": form})


@login_not_required
@require_POST
def set_language(request):
    """Switch the interface language; remembered on the account and in a cookie for the login page."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.update_member(actor=request.user, member=request.user, data={"language": language})
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
        )
    return response
