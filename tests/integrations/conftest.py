import pytest

from tests.integrations.receiver import Receiver, start


@pytest.fixture
def receiver(settings):
    """The chat platforms and a webhook consumer on loopback, which the setting lets us reach."""
    settings.INTEGRATIONS_ALLOW_PRIVATE_URLS = True
    settings.SITE_URL = "https://reports.example.com"
    found = Receiver(secrets={"dingtalk": "SECdingtalk-secret-1234", "feishu": "feishu-secret-5678"})
    server = start(found)
    yield found
    server.shutdown()
    server.server_close()
