from django.contrib.auth.backends import ModelBackend

from teams.models import User


class EmailOrUsernameBackend(ModelBackend):
    """Log in with either the username or the email address (case-insensitive)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        login = username.strip()
        field = "email__iexact" if "@" in login else "username__iexact"
        user = User.objects.filter(**{field: login}).first()
        if user is None and "@" in login:
            user = User.objects.filter(username__iexact=login).first()
        if user is None:
            # Spend the same time as a real check so that timing does not reveal who exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
