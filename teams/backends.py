from django.contrib.auth.backends import ModelBackend

from teams.models import User


def find_account(login: str) -> User | None:
    """The account a typed login names: its email address or its username, ignoring case and
    surrounding spaces. The login form and the lockout both ask here, so every spelling of one
    account is the same account to both."""
    login = (login or "").strip()
    if not login:
        return None
    field = "email__iexact" if "@" in login else "username__iexact"
    user = User.objects.filter(**{field: login}).order_by("pk").first()
    if user is None and "@" in login:
        user = User.objects.filter(username__iexact=login).order_by("pk").first()
    return user


class EmailOrUsernameBackend(ModelBackend):
    """Log in with either the username or the email address (case-insensitive)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Spend the same time as a real check so that timing does not reveal who exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
