import json

import pytest

from api import services


class ApiClient:
    """The Django test client speaking JSON through the real URLconf with a real token."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers)

    def _send(self, method: str, path: str, body):
        return getattr(self.client, method)(
            f"/api/v1{path}", json.dumps(body, default=str), content_type="application/json", headers=self.headers
        )

    def post(self, path: str, body=None):
        return self._send("post", path, body if body is not None else {})

    def put(self, path: str, body):
        return self._send("put", path, body)

    def patch(self, path: str, body):
        return self._send("patch", path, body)


@pytest.fixture
def api_as(client):
    """api_as(user) → a client with a new read-write token of `user` (write=False: read-only)."""

    def make(user, write: bool = True) -> ApiClient:
        secret = services.create_token(user=user, name="test", days=30, can_write=write).secret if user else None
        return ApiClient(client, secret)

    return make
