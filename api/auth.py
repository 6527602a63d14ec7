"""How an API request is let in: a personal access token as `Authorization: Bearer <token>`,
read-only tokens only for reading, and a rate limit per token."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from api import services

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    """No token, an unknown, revoked or expired one, or one of a deactivated person: 401.
    A read-only token on a change: 403."""

    def authenticate(self, request, token):
        found = services.token_for(token)
        if found is None:
            return None
        if request.method not in SAFE_METHODS and not found.can_write:
            raise HttpError(403, _("This token is read-only."))
        request.user = found.user
        if found.user.language:
            translation.activate(found.user.language)
        services.record_use(found)
        return found


class TokenRateThrottle(SimpleRateThrottle):
    """API_RATE_LIMIT requests per token (e.g. "120/min"), counted in the cache; over it the
    answer is 429 with Retry-After."""

    scope = "token"

    def __init__(self) -> None:
        super().__init__(rate=settings.API_RATE_LIMIT)

    def allow_request(self, request) -> bool:
        # Read at each request so a changed setting applies without a restart of the process.
        self.rate = settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str | None:
        token = getattr(request, "auth", None)
        return None if token is None else self.cache_format % {"scope": self.scope, "ident": token.pk}
