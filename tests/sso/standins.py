"""Local stand-ins of DingTalk's, Feishu's and WeCom's documented token and user-info endpoints
(the platforms themselves are outside systems). Codes are single-use, as at the platforms; set
`garbage` to have every endpoint answer an HTML error page instead of JSON."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Platforms:
    def __init__(self):
        self.people: dict[str, dict] = {}  # code -> the person's record at the platform
        self.used: set[str] = set()
        self.tokens: dict[str, dict] = {}
        self.garbage = False

    def issue_code(self, code: str, person: dict) -> str:
        self.people[code] = person
        return code

    def redeem(self, code: str) -> str | None:
        if code in self.used or code not in self.people:
            return None
        self.used.add(code)
        token = f"token-{code}"
        self.tokens[token] = self.people[code]
        return token


def _handler(platforms: Platforms):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status: int, body: dict) -> None:
            if platforms.garbage:
                payload, kind = b"<html><body>502 Bad Gateway</body></html>", "text/html"
            else:
                payload, kind = json.dumps(body).encode(), "application/json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _body(self) -> dict:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")

        def do_POST(self):
            url = urlparse(self.path)
            body = self._body()
            if url.path == "/v1.0/oauth2/userAccessToken":  # DingTalk
                token = body.get("clientSecret") == "ding-secret" and platforms.redeem(body.get("code", ""))
                if not token:
                    return self._answer(400, {"code": "invalidAuthCode", "message": "不合法的临时授权码"})
                return self._answer(200, {"accessToken": token, "refreshToken": "r", "expireIn": 7200})
            if url.path == "/open-apis/authen/v2/oauth/token":  # Feishu
                token = body.get("client_secret") == "feishu-secret" and platforms.redeem(body.get("code", ""))
                if not token:
                    return self._answer(400, {"code": 20003, "error": "invalid_grant"})
                return self._answer(200, {"code": 0, "access_token": token, "token_type": "Bearer"})
            return self._answer(404, {})

        def do_GET(self):
            url = urlparse(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/v1.0/contact/users/me":  # DingTalk
                person = platforms.tokens.get(self.headers.get("x-acs-dingtalk-access-token", ""))
                return self._answer(200, person) if person else self._answer(401, {"code": "InvalidAuthentication"})
            if url.path == "/open-apis/authen/v1/user_info":  # Feishu
                person = platforms.tokens.get(self.headers.get("Authorization", "").removeprefix("Bearer "))
                if not person:
                    return self._answer(401, {"code": 99991668, "msg": "invalid access token"})
                return self._answer(200, {"code": 0, "msg": "success", "data": person})
            if url.path == "/cgi-bin/gettoken":  # WeCom
                if query.get("corpsecret") != "wecom-secret":
                    return self._answer(200, {"errcode": 40001, "errmsg": "invalid credential"})
                return self._answer(200, {"errcode": 0, "access_token": "corp-token", "expires_in": 7200})
            if url.path == "/cgi-bin/auth/getuserinfo":
                token = platforms.redeem(query.get("code", ""))
                if not token:
                    return self._answer(200, {"errcode": 40029, "errmsg": "invalid code"})
                return self._answer(200, {"errcode": 0, "userid": platforms.tokens[token]["userid"]})
            if url.path == "/cgi-bin/user/get":
                person = next((p for p in platforms.tokens.values() if p.get("userid") == query.get("userid")), None)
                return self._answer(200, {"errcode": 0, **person} if person else {"errcode": 60111})
            return self._answer(404, {})

    return Handler


def start() -> tuple[ThreadingHTTPServer, Platforms]:
    platforms = Platforms()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(platforms))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, platforms
