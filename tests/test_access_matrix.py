"""Every URL the project defines, for every role: the answer the access policy promises.

Roles: anonymous, a salesperson of the team (rep), a salesperson of another team (outsider), the
team's manager (lead), another team's manager (other_lead), the director above both teams, and an
admin. Object pages are asked about objects of `team` (a teammate of rep's, the team itself).
A URL added without an entry here fails `test_every_url_has_a_matrix_entry`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import world

# The cast and one object of each kind, built once for the module (tests/world.py).
world.used_by(globals())

ROLES = ["anonymous", "rep", "outsider", "lead", "other_lead", "director", "admin"]
LOGIN = "login"  # redirected to the login page


def every(code):
    return dict.fromkeys(ROLES, code)


def signed_in(code, anonymous=LOGIN):
    return {**every(code), "anonymous": anonymous}


def admins_only(admin_code=200):
    """Pages that are not about one object but only admins may use: 403 for everyone else."""
    return {**signed_in(403), "admin": admin_code}


def team_readers(code=200):
    """The team's own subtree readers: its manager, the director above, admins. Others: 404."""
    return {**signed_in(404), "lead": code, "director": code, "admin": code}


def team_structure(admin_code=200):
    """Admin-only changes to an object: readers who are not admins get 403, others 404."""
    return {**team_readers(403), "admin": admin_code}


def author_only(author_code):
    """Rep's draft and changes to it: only rep; everyone else 404 (a draft is private until it is
    submitted, so its manager, director and admins do not see it either)."""
    return {**signed_in(404), "rep": author_code}


def author_changes(author_code):
    """Changes to what rep wrote that others read (a comment on a submitted report, a sales log
    entry): only rep; its readers get 403, everyone else 404."""
    return {**team_readers(403), "rep": author_code}


def reviewers(code):
    """Review actions on rep's submitted report: its manager and admins; its other readers
    (the author, the director) get 403, everyone else 404."""
    return {**team_readers(403), "rep": 403, "lead": code, "admin": code}


# Chat robots: admins and managers (each for their own subtree); the others 403.
ROBOT_MANAGERS = {**signed_in(403), "lead": 200, "other_lead": 200, "admin": 200}


def team_robot(code):
    """A robot of `team`: its manager and admins; another subtree's manager 404; the others 403."""
    return {**signed_in(403), "lead": code, "other_lead": 404, "admin": code}


# name: (method, objects the URL is about, expected answer by role); "name@case" asks the same URL
# about other objects.
MATRIX = {
    "integrations:robot_list": ("get", [], ROBOT_MANAGERS),
    "integrations:robot_create": ("get", [], ROBOT_MANAGERS),
    "integrations:robot_edit": ("get", ["robot"], team_robot(200)),
    "integrations:robot_test": ("post", ["robot"], team_robot(302)),
    "integrations:robot_delete": ("post", ["robot"], team_robot(302)),
    "integrations:redeliver": ("post", ["delivery"], team_robot(302)),
    "integrations:redeliver@webhook": ("post", ["webhook_delivery"], admins_only(302)),
    "integrations:webhook_list": ("get", [], admins_only()),
    "integrations:webhook_create": ("get", [], admins_only()),
    "integrations:webhook_edit": ("get", ["subscription"], admins_only()),
    "integrations:webhook_delete": ("post", ["subscription"], admins_only(302)),
    "home": ("get", [], signed_in(200)),
    "healthz": ("get", [], every(200)),
    "login": ("get", [], {**every(302), "anonymous": 200}),
    "logout": ("post", [], every(302)),
    "password_change": ("get", [], signed_in(200)),
    "password_change_done": ("get", [], signed_in(200)),
    "password_reset": ("get", [], every(200)),
    "password_reset_done": ("get", [], every(200)),
    "password_reset_confirm": ("get", ["uid", "token"], every(200)),
    "password_reset_complete": ("get", [], every(200)),
    "teams:team_list": ("get", [], {**signed_in(404), "lead": 200, "other_lead": 200, "director": 200, "admin": 200}),
    "teams:team_create": ("get", [], admins_only()),
    "teams:team_detail": ("get", ["team"], team_readers()),
    "teams:team_edit": ("get", ["team"], team_structure()),
    "teams:member_list": ("get", [], {**signed_in(404), "lead": 200, "other_lead": 200, "director": 200, "admin": 200}),
    "teams:member_create": ("get", [], admins_only()),
    "teams:member_import": ("get", [], admins_only()),
    "teams:member_import_sample": ("get", [], admins_only()),
    "teams:member_import_preview": ("get", ["member_import"], admins_only()),
    "teams:member_import_apply": ("post", ["member_import"], admins_only(302)),
    "teams:member_detail": ("get", ["teammate"], team_readers()),
    "teams:member_edit": ("get", ["teammate"], team_structure()),
    "teams:member_move": ("get", ["teammate"], team_structure()),
    "teams:member_status": ("get", ["teammate"], team_structure()),
    "teams:member_invite": ("post", ["teammate"], team_structure(302)),
    "teams:preferences": ("get", [], signed_in(200)),
    "teams:set_language": ("post", [], every(302)),
    "audit:list": ("get", [], admins_only()),
    "reports:kpi_list": ("get", [], admins_only()),
    "reports:kpi_create": ("get", [], admins_only()),
    "reports:kpi_edit": ("get", ["kpi"], admins_only()),
    "reports:problem_category_list": ("get", [], admins_only()),
    "reports:problem_category_create": ("get", [], admins_only()),
    "reports:problem_category_edit": ("get", ["problem_category"], admins_only()),
    "reports:template_list": ("get", [], admins_only()),
    "reports:template_create": ("get", [], admins_only()),
    "reports:template_edit": ("get", ["template"], admins_only()),
    "reports:team_settings": ("get", ["team"], team_structure()),
    "reports:targets": ("get", ["team"], {**team_readers(), "director": 403}),
    "reports:targets_copy": ("post", ["team"], {**team_readers(302), "director": 403}),
    "reports:this_week": ("get", [], signed_in(302)),
    "reports:edit": ("get", ["report"], author_only(200)),
    "reports:autosave": ("post", ["report"], author_only(200)),
    "reports:submit": ("post", ["report"], author_only(200)),
    "reports:conflict": ("get", ["report", "conflict"], author_only(200)),
    "reports:conflict_keep_mine": ("post", ["report", "conflict"], author_only(302)),
    "reports:attachment_upload": ("post", ["report"], author_only(302)),
    "reports:attachment_download": ("get", ["attachment"], author_only(200)),  # on rep's draft
    "reports:attachment_delete": ("post", ["attachment"], author_only(302)),
    "reports:my": ("get", [], signed_in(200)),
    "reviews:queue": ("get", [], {**signed_in(404), "lead": 200, "other_lead": 200, "admin": 200}),
    "reviews:review": ("get", ["submitted_report"], reviewers(200)),
    "reviews:side": ("get", ["submitted_report"], reviewers(200)),
    "reviews:next": ("get", ["submitted_report"], reviewers(302)),  # the next report, else the queue
    "reviews:mark_reviewed": ("post", ["submitted_report"], reviewers(200)),
    "reviews:return": ("post", ["submitted_report"], reviewers(200)),
    "reviews:overview": ("get", [], {**signed_in(404), "lead": 200, "other_lead": 200, "director": 200, "admin": 200}),
    "reviews:withdraw": ("post", ["submitted_report"], author_changes(302)),
    # Everyone who can read rep's report comments on it; an empty post answers with the form (200).
    "reviews:comment_add": ("post", ["submitted_report"], {**team_readers(), "rep": 200}),
    "reviews:thread": ("get", ["submitted_report"], {**team_readers(), "rep": 200}),
    "reviews:comment_edit": ("get", ["comment"], author_changes(200)),
    "reviews:comment_delete": ("post", ["comment"], author_changes(302)),
    # Notifications are rep's own: nobody else reaches them, whatever their role.
    "notifications:inbox": ("get", [], signed_in(200)),
    "notifications:open": ("get", ["notification"], {**signed_in(404), "rep": 302}),
    "notifications:read": ("post", ["notification"], {**signed_in(404), "rep": 302}),
    "notifications:read_all": ("post", [], signed_in(302)),
    "notifications:settings": ("get", [], signed_in(200)),
    "reminders:schedule": ("get", [], admins_only()),
    "reminders:day_off_delete": ("post", ["day_off"], admins_only(302)),
    # Leave is each person's own: others' answer 404, whatever their role.
    "reminders:leave": ("get", [], signed_in(200)),
    "reminders:leave_delete": ("post", ["leave"], {**signed_in(404), "rep": 302}),
    # Managers, directors and admins see their subtree's leave; rep's pending leave is decided by
    # rep's manager or an admin (rep and the director may see it but not decide it).
    "reminders:team_leave": (
        "get",
        [],
        {**signed_in(404), "lead": 200, "other_lead": 200, "director": 200, "admin": 200},
    ),
    "reminders:leave_approve": ("post", ["leave"], reviewers(302)),
    "reminders:leave_decline": ("post", ["leave"], reviewers(302)),
    # PDFs of rep's report, of the team and of a teammate: whoever may read what they show.
    "insights:home": ("get", [], {**signed_in(404), "lead": 302, "other_lead": 302, "director": 302, "admin": 302}),
    "insights:dashboard": ("get", ["team"], team_readers()),
    "insights:member": ("get", ["teammate"], team_readers()),
    "insights:compare": ("get", ["team"], team_readers()),
    "insights:export": ("post", ["team"], team_readers(302)),  # nothing chosen: back to the dashboard
    "summaries:report_pdf": ("post", ["report"], author_only(302)),  # rep's draft
    "summaries:report_pdf@submitted": ("post", ["submitted_report"], {**team_readers(302), "rep": 302}),
    "summaries:team_week": ("get", ["team"], team_readers()),
    "summaries:team_week_pdf": ("post", ["team"], team_readers(302)),
    "summaries:team_period": ("get", ["team"], team_readers()),
    "summaries:team_period_pdf": ("post", ["team"], team_readers()),  # no period chosen: the form again
    "summaries:member_period": ("get", ["teammate"], team_readers()),
    "summaries:member_period_pdf": ("post", ["teammate"], team_readers()),
    "summaries:documents": ("get", [], signed_in(200)),  # each their own (tests/summaries/test_documents.py)
    "summaries:job": ("get", ["document"], {**team_readers(), "rep": 200}),
    "summaries:retry": ("post", ["document"], {**team_readers(302), "rep": 302}),
    "summaries:download": ("get", ["document"], {**team_readers(), "rep": 200}),
    "reports:fill_from_log": ("post", ["report"], author_only(200)),  # nothing posted: the form again
    # The sales log is kept by those who write reports; each person's own.
    "customers:log": ("get", [], {**signed_in(200), "director": 404, "admin": 404}),
    "customers:activity_create": ("post", [], {**signed_in(200), "director": 404, "admin": 404}),
    "customers:activity_edit": ("get", ["activity"], author_changes(200)),
    "customers:activity_delete": ("post", ["activity"], author_changes(302)),
    "customers:member_log": ("get", ["teammate"], team_readers()),
    "customers:customer_list": ("get", [], signed_in(200)),
    "customers:activity_list": ("get", [], signed_in(200)),
    "customers:customer_create": ("get", [], {**signed_in(200), "director": 403}),
    "customers:customer_detail": ("get", ["customer"], {**team_readers(), "rep": 200}),
    "customers:customer_edit": ("get", ["customer"], {**team_readers(200), "rep": 200, "director": 403}),
    "customers:import": ("get", [], {**signed_in(200), "director": 403}),
    "customers:import_sample": ("get", ["kind"], {**signed_in(200), "director": 403}),
    # A stored import is only its uploader's.
    "customers:import_preview": ("get", ["log_import"], {**signed_in(404), "rep": 200}),
    "customers:import_apply": ("post", ["log_import"], {**signed_in(404), "rep": 302}),
    "reports:detail": ("get", ["report"], author_only(200)),  # rep's draft
    "reports:history": ("get", ["report"], author_only(200)),
    "reports:detail@submitted": ("get", ["submitted_report"], {**team_readers(), "rep": 200}),
    "reports:history@submitted": ("get", ["submitted_report"], {**team_readers(), "rep": 200}),
    # Period summaries: each writer their own; managers review their subtree's.
    "periodsummaries:my": ("get", [], {**signed_in(200), "director": 404, "admin": 404}),
    "periodsummaries:start": ("post", [], {**signed_in(200), "director": 404, "admin": 404}),  # the form again
    "periodsummaries:detail": ("get", ["period_summary"], author_only(200)),  # rep's draft
    "periodsummaries:detail@submitted": ("get", ["submitted_period_summary"], {**team_readers(), "rep": 200}),
    "periodsummaries:edit": ("get", ["period_summary"], author_only(200)),
    "periodsummaries:autosave": ("post", ["period_summary"], author_only(200)),
    "periodsummaries:submit": ("post", ["period_summary"], author_only(200)),
    "periodsummaries:refresh_figures": ("post", ["period_summary"], author_only(200)),  # nothing posted: the form
    "periodsummaries:conflict": ("get", ["period_summary", "period_conflict"], author_only(200)),
    "periodsummaries:conflict_keep_mine": ("post", ["period_summary", "period_conflict"], author_only(302)),
    "periodsummaries:pdf": ("get", ["submitted_period_summary"], {**team_readers(), "rep": 200}),
    "periodsummaries:practice_add": ("post", ["submitted_period_summary"], {**reviewers(200), "rep": 200}),
    "periodsummaries:queue": ("get", [], {**signed_in(404), "lead": 200, "other_lead": 200, "admin": 200}),
    "periodsummaries:review": ("get", ["submitted_period_summary"], reviewers(200)),
    "periodsummaries:mark_reviewed": ("post", ["submitted_period_summary"], reviewers(200)),
    "periodsummaries:return": ("post", ["submitted_period_summary"], reviewers(200)),
    "periodsummaries:practices": ("get", ["team"], {**team_readers(), "rep": 200}),
    "periodsummaries:rules": ("get", ["team"], {**team_readers(), "director": 403}),
    # The pipeline: opportunities follow their customer's reach; forecasts are set by managers.
    "pipeline:index": ("get", [], signed_in(302)),
    "pipeline:member": ("get", ["teammate"], team_readers()),
    "pipeline:team": ("get", ["team"], team_readers()),
    "pipeline:forecast_set": ("post", ["team"], {**team_readers(403), "lead": 302, "admin": 302}),
    "pipeline:export": ("get", ["team", "file_format"], team_readers()),
    "pipeline:opportunity_create": ("get", [], {**signed_in(200), "director": 403}),
    "pipeline:opportunity_detail": ("get", ["opportunity"], {**team_readers(), "rep": 200}),
    "pipeline:opportunity_edit": ("get", ["opportunity"], {**team_readers(200), "rep": 200, "director": 403}),
    "pipeline:import": ("get", [], {**signed_in(200), "director": 403}),
    "pipeline:import_sample": ("get", [], {**signed_in(200), "director": 403}),
    "pipeline:import_preview": ("get", ["opportunity_import"], {**signed_in(404), "rep": 200}),
    "pipeline:import_apply": ("post", ["opportunity_import"], {**signed_in(404), "rep": 302}),
    # Two-factor login: everyone's own pages; nobody in the cast has it on or is required to.
    "security:two_factor": ("get", [], signed_in(200)),
    "security:setup": ("get", [], signed_in(200)),
    "security:verify": ("get", [], signed_in(302)),  # nothing to verify: on to the page asked for
    "security:backup_codes": ("post", [], signed_in(302)),  # two-factor login is off: back, with a message
    "security:turn_off": ("post", [], signed_in(302)),
    "security:policy": ("get", [], admins_only()),
    "security:member_reset": ("post", ["teammate"], team_structure(302)),
    # No provider is configured here: the sign-in URLs do not exist for anyone.
    "sso:start": ("get", ["provider"], every(404)),
    "sso:callback": ("get", ["provider"], every(404)),
    "sso:policy": ("get", [], admins_only()),
    "sso:unlink": ("post", ["identity"], team_structure(302)),
    # API tokens: each person's own page; rep's token is revoked by rep or an admin, nobody else.
    "api:tokens": ("get", [], signed_in(200)),
    "api:revoke": ("post", ["api_token"], {**signed_in(404), "rep": 302, "admin": 302}),
    "api:all_tokens": ("get", [], admins_only()),
    # The API's documentation and schema are pages (behind the login); its endpoints answer
    # tokens, not sessions, and have their own matrix in tests/api/test_access_matrix.py.
    "api-v1:openapi-view": ("get", [], signed_in(200)),
    "api-v1:openapi-json": ("get", [], signed_in(200)),
    "api-v1:api-root": ("get", [], signed_in(404)),
    # Target plans: managers and directors of the subtree read and write them; only the director
    # above (and admins) approve or send back. "plan" is lead's proposal, "draft_plan" lead's draft.
    "planning:index": ("get", [], {**signed_in(404), "lead": 200, "other_lead": 200, "director": 200, "admin": 200}),
    "planning:team": ("get", ["team"], team_readers()),
    "planning:start": ("post", ["team"], team_readers(302)),  # nothing chosen: back, with a message
    "planning:plan": ("get", ["plan"], team_readers()),
    "planning:save": ("post", ["draft_plan"], team_readers(302)),  # nothing typed: nothing changes
    "planning:save@proposed": ("post", ["plan"], team_readers(403)),
    "planning:split": ("post", ["draft_plan"], team_readers(200)),  # no method chosen: the form again
    "planning:propose": ("post", ["draft_plan"], {**team_readers(403), "lead": 302}),
    "planning:approve": ("post", ["plan"], {**team_readers(403), "director": 302, "admin": 302}),
    "planning:return": ("post", ["plan"], {**team_readers(403), "director": 200, "admin": 200}),  # no comment
    # Everyone signed in searches; what each finds is tested in tests/search/test_access.py.
    "search:results": ("get", [], signed_in(200)),
}

# Django's own admin guards itself (staff only); it is checked separately below.
OWN_NAMESPACES_EXCLUDED = {"admin"}
# The API's endpoints, every one by every role with real tokens: tests/api/test_access_matrix.py.
API_DOCS = {"api-v1:openapi-view", "api-v1:openapi-json", "api-v1:api-root"}


def _url_names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            if namespace in OWN_NAMESPACES_EXCLUDED:
                continue
            yield from _url_names(pattern.url_patterns, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            if prefix != "api-v1:" or prefix + pattern.name in API_DOCS:
                yield prefix + pattern.name


def test_every_url_has_a_matrix_entry():
    missing = sorted(set(_url_names(get_resolver().url_patterns)) - {name.split("@")[0] for name in MATRIX})
    assert not missing, f"URLs without an access-matrix entry: {missing}"


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_access_matrix(client, objects, cast, name, role):
    method, arg_keys, expected = MATRIX[name]
    if role != "anonymous":
        cast.log_in(client, role)
    url = reverse(name.split("@")[0], args=[objects[key] for key in arg_keys])
    response = getattr(client, method)(url)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login")), response.url
    else:
        assert response.status_code == want, f"{method.upper()} {url} as {role}"


def test_django_admin_is_for_staff_only(client, rep, admin):
    client.force_login(rep)
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(admin)
    assert client.get(reverse("admin:index")).status_code == 200


def test_people_always_see_their_own_profile(client, rep, outsider):
    for person in (rep, outsider):
        client.force_login(person)
        assert client.get(reverse("teams:member_detail", args=[person.pk])).status_code == 200
