"""`python manage.py robot_receiver`: a stand-in for DingTalk, Feishu and WeCom on loopback, for the
demo robot (demo/integrations.py) and for trying robots out without a real group chat. It prints
each message it gets, checks DingTalk's signature against the demo secret, and answers as the
platform would. Development only: it listens on 127.0.0.1."""

import json
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.management.base import BaseCommand

from demo import integrations as demo
from integrations import platforms


class Command(BaseCommand):
    help = "Print the messages chat robots send, answering as DingTalk, Feishu or WeCom would."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, port: int, **options):
        out = self.stdout

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                body = json.loads(raw or b"{}")
                platform = url.path.strip("/").split("/")[0]
                note = ""
                if platform == platforms.DINGTALK and "sign" in query:
                    expected = platforms.dingtalk_sign(demo.DEMO_SECRET, int(query["timestamp"]))
                    note = " (signed)" if urllib.parse.quote_plus(query["sign"]) == expected else " (SIGNATURE WRONG)"
                out.write(f"--- {platform}{note}\n{json.dumps(body, ensure_ascii=False, indent=2)}\n")
                answer = (
                    {"code": 0, "msg": "success"} if platform == platforms.FEISHU else {"errcode": 0, "errmsg": "ok"}
                )
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        out.write(f"Listening on http://127.0.0.1:{port}/ (dingtalk, feishu, wecom); Ctrl-C stops.\n")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
