"""Each chat platform's documented dialect: how a message is signed, shaped, cut to size, and how
the platform says it accepted it (docs/integrations.md cites the platforms' pages).

- DingTalk custom robot: HMAC-SHA256 (key: the secret) of "<timestamp in ms>\\n<secret>",
  base64, URL-encoded, added to the URL as &timestamp=…&sign=…; markdown with at.atMobiles;
  answers {"errcode": 0}.
- Feishu/Lark custom bot: HMAC-SHA256 whose KEY is "<timestamp in s>\\n<secret>" over an empty
  message, base64, in the JSON body as "timestamp" and "sign"; an interactive card with a markdown
  element; request body at most 20 KB; answers {"code": 0}.
- WeCom group robot: no signature (the key is in the URL); markdown content at most 4,096 bytes,
  text at most 2,048 bytes with mentioned_mobile_list; answers {"errcode": 0}.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import quote_plus

from django.utils.translation import gettext as _

DINGTALK, FEISHU, WECOM = "dingtalk", "feishu", "wecom"

# Bytes of the message text each platform accepts (DingTalk documents no figure below its 20 KB
# request limit, so Feishu's is used for both).
LIMITS = {DINGTALK: 20_000, FEISHU: 20_000, WECOM: 4096}
WECOM_TEXT_LIMIT = 2048
# Messages per robot: (at most, per this many seconds), as each platform documents.
RATE_LIMITS = {DINGTALK: [(20, 60)], FEISHU: [(5, 1), (100, 60)], WECOM: [(20, 60)]}


@dataclass
class Message:
    """A message before it is put into a platform's dialect: a title, markdown lines, the page
    with the whole story, and the mobile numbers of people to @ (DingTalk and WeCom)."""

    title: str
    lines: list[str]
    link: str = ""
    mobiles: list[str] | None = None

    def as_json(self) -> dict:
        return {"title": self.title, "lines": self.lines, "link": self.link, "mobiles": self.mobiles or []}

    @classmethod
    def from_json(cls, data: dict) -> "Message":
        return cls(data["title"], list(data["lines"]), data.get("link", ""), list(data.get("mobiles") or []))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def fit(lines: list[str], link: str, limit: int, head: str = "") -> str:
    """The lines joined, cut so that the whole stays within `limit` bytes; a cut message ends with
    a link to the full page."""
    whole = "\n".join([head, *lines] if head else lines)
    if link:
        label = _("Open the page")
        whole += f"\n\n[{label}]({link})"
    if len(whole.encode()) <= limit:
        return whole
    more = _("More on the page")
    tail = f"\n…\n[{more}]({link})" if link else "\n…"
    kept = [head] if head else []
    for line in lines:
        if len("\n".join([*kept, line]).encode()) + len(tail.encode()) > limit:
            break
        kept.append(line)
    text = "\n".join(kept) + tail
    return text.encode()[:limit].decode(errors="ignore")


def request(platform: str, url: str, secret: str, message: Message, now_ms: int) -> tuple[str, bytes]:
    """The URL to POST to and the JSON body, signed and within the platform's limits."""
    mobiles = message.mobiles or []
    if platform == DINGTALK:
        mention = " ".join(f"@{m}" for m in mobiles)
        text = fit(message.lines, message.link, LIMITS[DINGTALK] - len(mention.encode()) - 1, f"### {message.title}")
        body = {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": f"{text}\n{mention}" if mention else text},
            "at": {"atMobiles": mobiles, "isAtAll": False},
        }
        if secret:
            sep = "&" if "?" in url else "?"
            url = f"{url}{sep}timestamp={now_ms}&sign={dingtalk_sign(secret, now_ms)}"
    elif platform == FEISHU:
        body = {"msg_type": "interactive"}
        if secret:
            timestamp = now_ms // 1000
            body |= {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp)}
        card = {
            "header": {"title": {"tag": "plain_text", "content": message.title}},
            "elements": [{"tag": "markdown", "content": ""}],
        }
        body["card"] = card
        # The whole request within 20 KB: the card's frame, its title and the JSON escapes of the
        # text (a newline is two bytes there) come off the text's share.
        room = LIMITS[FEISHU] - len(json.dumps(body, ensure_ascii=False).encode())
        while True:
            card["elements"][0]["content"] = fit(message.lines, message.link, room)
            over = len(json.dumps(body, ensure_ascii=False).encode()) - LIMITS[FEISHU]
            if over <= 0:
                break
            room -= over
    elif mobiles:  # WeCom @-mentions by mobile number work only in text messages
        text = fit(message.lines, message.link, WECOM_TEXT_LIMIT, message.title)
        body = {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": mobiles}}
    else:
        text = fit(message.lines, message.link, LIMITS[WECOM], f"### {message.title}")
        body = {"msgtype": "markdown", "markdown": {"content": text}}
    return url, json.dumps(body, ensure_ascii=False).encode()


def accepted(platform: str, status: int, answer: bytes) -> bool:
    """Whether the platform says it took the message: HTTP 200 and its own success code."""
    if status != 200:
        return False
    try:
        data = json.loads(answer)
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    if platform == FEISHU:
        return data.get("code", data.get("StatusCode")) == 0
    return data.get("errcode") == 0
