"""The REST API v1 (django-ninja): one NinjaAPI with its OpenAPI schema and Swagger UI at
/api/v1/docs (served from the package's own static files, no CDN), and the answers every
endpoint shares: 400 with field errors, 401, 403, 404, 409 for a stale version, 429."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError as SchemaError

from api.auth import TokenAuth, TokenRateThrottle
from api.endpoints import customers, pipeline, reports, teams
from reports.services import ReportConflict

api = NinjaAPI(
    title="Sales Weekly Reports API",
    version="1",
    description=(
        "Personal access tokens (profile → Preferences → API tokens) go in the "
        "`Authorization: Bearer <token>` header. Every answer is limited to what the token's "
        "owner may see on the pages."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=[TokenRateThrottle()],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    docs_decorator=login_required,
)
api.add_router("", teams.router)
api.add_router("", reports.router)
api.add_router("", customers.router)
api.add_router("", pipeline.router)


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}


@api.exception_handler(SchemaError)
def bad_request(request, exc: SchemaError):
    """Wrong types, unknown fields, missing ones: 400, by field (dotted path into the body)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        errors.setdefault(".".join(location) or "__all__", []).append(error.get("msg", ""))
    return api.create_response(request, {"detail": _("Check the fields named."), "errors": errors}, status=400)


@api.exception_handler(ValidationError)
def refused(request, exc: ValidationError):
    return api.create_response(
        request, {"detail": exc.messages[0] if exc.messages else "", "errors": field_errors(exc)}, status=400
    )


@api.exception_handler(PermissionDenied)
def forbidden(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": _("You may see this but not change it.")}, status=403)


@api.exception_handler(ReportConflict)
def conflict(request, exc: ReportConflict):
    current = exc.conflict.report.__class__.objects.only("version").get(pk=exc.conflict.report_id).version
    return api.create_response(
        request,
        {
            "detail": _("The report changed since the version you started from; nothing was saved."),
            "current_version": current,
        },
        status=409,
    )


DOCS_URL_NAMES = {"openapi-json", "openapi-view", "api-root"}


def urls():
    """The API's URLconf. Its endpoints answer 401 themselves (tokens, not the session), so the
    login redirect of LoginRequiredMiddleware is switched off for them; the docs and the schema
    stay behind the login like every page."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name not in DOCS_URL_NAMES:
            pattern.callback.login_required = False
    return patterns, app_name, namespace
