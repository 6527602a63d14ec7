"""Start the test OpenID Connect provider: `python -m tests.sso.provider.serve PORT SETUP_JSON`.

SETUP_JSON lists the provider's people and the one client (the app under test). The provider
prints "ready" once it accepts connections."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.sso.provider.settings")


def main() -> None:
    port, setup = int(sys.argv[1]), json.loads(sys.argv[2])
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for person in setup["people"]:
        User.objects.create_user(**person)
    Application.objects.create(
        name="Sales Weekly Reports",
        client_id=setup["client_id"],
        client_secret=setup["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(setup["redirect_uris"]),
        post_logout_redirect_uris=" ".join(setup["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    print("ready", flush=True)
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
