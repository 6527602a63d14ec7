"""A stand-in for the three chat platforms and a webhook consumer, on loopback: a thread running
http.server that checks each request the way the platform documents it and records what it got.

- /dingtalk?access_token=…&timestamp=…&sign=…: sign must be the URL-encoded base64 HMAC-SHA256,
  keyed with the secret, of "timestamp\\nsecret" (timestamp in ms, within an hour); answers
  {"errcode":0,"errmsg":"ok"}, or errcode 310000 "sign not match".
- /feishu/<token>: body "timestamp" (s) and "sign", the base64 HMAC-SHA256 keyed with
  "timestamp\\nsecret" over an empty message; body at most 20 KB; answers {"code":0,"msg":"success"}
  or code 19021 "sign match fail or timestamp is not within one hour from current time".
- /wecom?key=…: no signature; markdown content at most 4,096 bytes, text at most 2,048; answers
  {"errcode":0,"errmsg":"ok"} or errcode 40058.
- /webhook: X-SalesReports-Signature "t=…,v1=…" over "t.body" with the subscription's secret.

Written from the platforms' pages (docs/integrations.md), apart from the code under test.
"""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    platform: str
    path: str
    body: dict
    headers: dict
    verified: bool


@dataclass
class Receiver:
    secrets: dict[str, str] = field(default_factory=dict)  # platform -> secret
    received: list[Received] = field(default_factory=list)
    # platform -> (HTTP status, answer) to give instead of the usual one (an outage, an error).
    answers: dict[str, tuple[int, dict]] = field(default_factory=dict)
    base: str = ""

    def of(self, platform: str) -> list[Received]:
        return [r for r in self.received if r.platform == platform]


def _b64_hmac(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def verify_dingtalk(query: dict, secret: str) -> bool:
    timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
    # parse_qs has already URL-decoded the sign once, as DingTalk's server does.
    return bool(timestamp) and hmac.compare_digest(sign, _b64_hmac(secret.encode(), f"{timestamp}\n{secret}".encode()))


def verify_feishu(body: dict, secret: str) -> bool:
    timestamp, sign = body.get("timestamp", ""), body.get("sign", "")
    return bool(timestamp) and hmac.compare_digest(sign, _b64_hmac(f"{timestamp}\n{secret}".encode(), b""))


def verify_webhook(header: str, raw: bytes, secret: str) -> bool:
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    expected = hmac.new(secret.encode(), parts.get("t", "").encode() + b"." + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(parts.get("v1", ""), expected)


def start(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            body = json.loads(raw)
            platform = url.path.strip("/").split("/")[0]
            secret = receiver.secrets.get(platform, "")
            if platform == "dingtalk":
                ok = not secret or verify_dingtalk(query, secret)
                answer = {"errcode": 0, "errmsg": "ok"} if ok else {"errcode": 310000, "errmsg": "sign not match"}
            elif platform == "feishu":
                ok = (not secret or verify_feishu(body, secret)) and len(raw) <= 20 * 1024
                answer = (
                    {"code": 0, "msg": "success", "data": {}}
                    if ok
                    else {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
                )
            elif platform == "wecom":
                kind = body.get("msgtype")
                content = body.get(kind, {}).get("content", "")
                ok = "key" in query and len(content.encode()) <= (4096 if kind == "markdown" else 2048)
                answer = (
                    {"errcode": 0, "errmsg": "ok"} if ok else {"errcode": 40058, "errmsg": "content exceed max length"}
                )
            else:
                ok = verify_webhook(self.headers.get("X-SalesReports-Signature", ""), raw, secret)
                answer = {"ok": ok}
            headers = {key.lower(): value for key, value in self.headers.items()}
            receiver.received.append(Received(platform, self.path, body, headers, ok))
            status, answer = receiver.answers.get(platform, (200 if ok or platform != "webhook" else 400, answer))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server
