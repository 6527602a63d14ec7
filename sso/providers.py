"""The providers people sign in with, configured by environment variables (see docs/sso.md).

Each browser provider turns the code its callback receives into `Claims`: who the person is at the
provider and what it vouches for. OpenID Connect goes through Authlib (discovery, state, nonce,
PKCE, the ID token's signature); DingTalk, Feishu and WeCom speak their own token and user-info
APIs, called here as documented. Anything that goes wrong at a provider raises `ProviderError`.
"""

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from joserfc.errors import JoseError

from sso.models import Provider, SsoPolicy

TIMEOUT = 10  # seconds; a provider that does not answer by then is "down"


@dataclass(frozen=True)
class Claims:
    provider: str
    subject: str
    email: str = ""
    email_verified: bool = False
    employee_id: str = ""
    mobile: str = ""
    name: str = ""


class ProviderError(Exception):
    """The sign-in could not be completed at the provider. `is_admin_matter` says whether admins
    should hear of it (the provider is down or answers nonsense), as opposed to a stale or forged
    callback, which only concerns the person's browser."""

    def __init__(self, message: str, *, is_admin_matter: bool = False, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.is_admin_matter = is_admin_matter
        self.detail = detail or message


def _state_error() -> ProviderError:
    return ProviderError(_("This sign-in link has expired or was already used. Start again from the login page."))


def _garbage(provider_label, detail: str) -> ProviderError:
    return ProviderError(
        _("%(provider)s did not answer as expected. Try again later or log in another way.")
        % {"provider": provider_label},
        is_admin_matter=True,
        detail=detail,
    )


class BrowserProvider:
    """A provider the browser is sent to and comes back from with a code."""

    key: str
    label = ""
    logout_url = ""

    def start(self, request, redirect_uri: str):
        raise NotImplementedError

    def finish(self, request, redirect_uri: str) -> Claims:
        raise NotImplementedError

    def end_session_url(self, request, id_token: str, return_to: str) -> str:
        return ""


# OpenID Connect ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    name: str
    is_from_environment: bool


def oidc_config(policy: SsoPolicy | None) -> OidcConfig | None:
    """The OpenID Connect provider: the server's variables when set, else the admins' policy."""
    if settings.SSO_OIDC_ISSUER and settings.SSO_OIDC_CLIENT_ID:
        return OidcConfig(
            settings.SSO_OIDC_ISSUER,
            settings.SSO_OIDC_CLIENT_ID,
            settings.SSO_OIDC_CLIENT_SECRET,
            settings.SSO_OIDC_NAME,
            is_from_environment=True,
        )
    if policy is not None and policy.oidc_issuer and policy.oidc_client_id:
        return OidcConfig(policy.oidc_issuer, policy.oidc_client_id, policy.oidc_client_secret, policy.oidc_name, False)
    return None


def check_issuer(issuer: str) -> None:
    """Raise ProviderError unless the issuer answers discovery with its own metadata."""
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
        if metadata.get("issuer", "").rstrip("/") != issuer.rstrip("/") or "authorization_endpoint" not in metadata:
            raise ValueError("not this issuer's metadata")
    except (requests.RequestException, ValueError, AttributeError) as exc:
        raise ProviderError(_("No OpenID Connect provider answers at this address (%(url)s).") % {"url": url}) from exc


class OpenIDConnect(BrowserProvider):
    key = Provider.OIDC

    def __init__(self, config: OidcConfig):
        self.config = config
        self.label = config.name or gettext_lazy("Company account")
        issuer = config.issuer.rstrip("/")
        self.client = OAuth().register(
            Provider.OIDC,
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": settings.SSO_OIDC_SCOPES, "code_challenge_method": "S256", "timeout": TIMEOUT},
        )

    def start(self, request, redirect_uri: str):
        try:
            return self.client.authorize_redirect(request, redirect_uri)
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise _garbage(self.label, f"discovery failed: {exc}") from exc

    def finish(self, request, redirect_uri: str) -> Claims:
        if "error" in request.GET:
            raise ProviderError(_("The sign-in was cancelled or refused at %(provider)s.") % {"provider": self.label})
        try:
            token = self.client.authorize_access_token(request)
            claims = dict(token.get("userinfo") or {})
            if not claims.get("sub"):
                raise ValueError("no ID token")
            metadata = self.client.load_server_metadata()
            if metadata.get("userinfo_endpoint"):
                extra = dict(self.client.userinfo(token=token))
                if extra.get("sub") == claims["sub"]:
                    claims = {**extra, **claims}
        except MismatchingStateError as exc:
            raise _state_error() from exc
        except OAuthError as exc:
            # invalid_grant: the code was already used or has expired.
            if exc.error == "invalid_grant":
                raise _state_error() from exc
            raise _garbage(self.label, f"{exc.error}: {exc.description}") from exc
        except JoseError as exc:
            # A wrong nonce, issuer, audience or signature: this ID token is not for this sign-in.
            raise _garbage(self.label, f"ID token refused: {exc}") from exc
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            raise _garbage(self.label, str(exc)[:150]) from exc
        request.session["sso_id_token"] = token.get("id_token", "")
        return Claims(
            provider=self.key,
            subject=str(claims["sub"]),
            email=str(claims.get("email") or ""),
            # Some providers send the flag as a string.
            email_verified=claims.get("email_verified") in (True, "true"),
            employee_id=str(claims.get(settings.SSO_OIDC_EMPLOYEE_ID_CLAIM) or ""),
            mobile=str(claims.get("phone_number") or ""),
            name=str(claims.get("name") or claims.get("preferred_username") or ""),
        )

    def end_session_url(self, request, id_token: str, return_to: str) -> str:
        try:
            endpoint = self.client.load_server_metadata().get("end_session_endpoint")
        except (requests.RequestException, ValueError):
            return ""
        if not endpoint:
            return ""
        query = {"post_logout_redirect_uri": return_to, "client_id": self.config.client_id}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"


# DingTalk, Feishu and WeCom -----------------------------------------------------------------------


class DirectoryApp(BrowserProvider):
    """An office platform's web login: a state of our own in the session, then token and user-info
    calls with the code. Their codes are single-use and expire within minutes at the platform."""

    def _new_state(self, request) -> str:
        state = secrets.token_urlsafe(24)
        request.session[f"sso_state_{self.key}"] = state
        return state

    def _check_state(self, request) -> str:
        expected = request.session.pop(f"sso_state_{self.key}", "")
        given = request.GET.get("state", "")
        code = request.GET.get("code") or request.GET.get("authCode") or ""
        if not expected or not hmac.compare_digest(expected, given) or not code:
            raise _state_error()
        return code

    def start(self, request, redirect_uri: str):
        return redirect(self.authorize_url(redirect_uri, self._new_state(request)))

    def finish(self, request, redirect_uri: str) -> Claims:
        code = self._check_state(request)
        try:
            return self.claims_for(code, redirect_uri)
        except ProviderError:
            raise
        except (requests.RequestException, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _garbage(self.label, f"{type(exc).__name__}: {str(exc)[:150]}") from exc

    def _json(self, response) -> dict:
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        raise NotImplementedError

    def claims_for(self, code: str, redirect_uri: str) -> Claims:
        raise NotImplementedError


class DingTalk(DirectoryApp):
    """open.dingtalk.com: "获取用户 token" (POST /v1.0/oauth2/userAccessToken) and "获取用户通讯录个人信息"
    (GET /v1.0/contact/users/me). DingTalk vouches for the mobile number it signs people in with,
    not for the email address they typed."""

    key = Provider.DINGTALK
    label = gettext_lazy("DingTalk")

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = {
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "client_id": settings.SSO_DINGTALK_CLIENT_ID,
            "scope": "openid",
            "state": state,
            "prompt": "consent",
        }
        return f"{settings.SSO_DINGTALK_LOGIN_URL}/oauth2/auth?{urlencode(query)}"

    def claims_for(self, code: str, redirect_uri: str) -> Claims:
        api = settings.SSO_DINGTALK_API_URL
        body = {
            "clientId": settings.SSO_DINGTALK_CLIENT_ID,
            "clientSecret": settings.SSO_DINGTALK_CLIENT_SECRET,
            "code": code,
            "grantType": "authorization_code",
        }
        answer = requests.post(f"{api}/v1.0/oauth2/userAccessToken", json=body, timeout=TIMEOUT)
        token = self._json(answer)
        if answer.status_code >= 400 or not token.get("accessToken"):
            if answer.status_code < 500 and str(token.get("code", "")).lower().startswith("invalid"):
                raise _state_error()
            raise _garbage(self.label, f"token: {answer.status_code} {token.get('code', '')}")
        headers = {"x-acs-dingtalk-access-token": token["accessToken"]}
        answer = requests.get(f"{api}/v1.0/contact/users/me", headers=headers, timeout=TIMEOUT)
        me = self._json(answer)
        if answer.status_code >= 400 or not me.get("unionId"):
            raise _garbage(self.label, f"users/me: {answer.status_code}")
        return Claims(
            provider=self.key,
            subject=str(me["unionId"]),
            email=str(me.get("email") or ""),
            email_verified=False,
            mobile=str(me.get("mobile") or ""),
            name=str(me.get("nick") or ""),
        )


class Feishu(DirectoryApp):
    """open.feishu.cn: "获取 user_access_token" (POST /open-apis/authen/v2/oauth/token) and "获取用户信息"
    (GET /open-apis/authen/v1/user_info). The enterprise email is set by the company's Feishu
    admins, so it counts as verified; a personal email does not."""

    key = Provider.FEISHU
    label = gettext_lazy("Feishu")

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = {"client_id": settings.SSO_FEISHU_APP_ID, "redirect_uri": redirect_uri, "state": state}
        return f"{settings.SSO_FEISHU_LOGIN_URL}/open-apis/authen/v1/authorize?{urlencode(query)}"

    def claims_for(self, code: str, redirect_uri: str) -> Claims:
        api = settings.SSO_FEISHU_API_URL
        body = {
            "grant_type": "authorization_code",
            "client_id": settings.SSO_FEISHU_APP_ID,
            "client_secret": settings.SSO_FEISHU_APP_SECRET,
            "code": code,
            "redirect_uri": redirect_uri,
        }
        answer = requests.post(f"{api}/open-apis/authen/v2/oauth/token", json=body, timeout=TIMEOUT)
        token = self._json(answer)
        if token.get("code") != 0 or not token.get("access_token"):
            # 20003/20004: the code is invalid or has expired (or was used already).
            if token.get("code") in (20003, 20004, 20007):
                raise _state_error()
            raise _garbage(self.label, f"token: {answer.status_code} {token.get('code')}")
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        answer = requests.get(f"{api}/open-apis/authen/v1/user_info", headers=headers, timeout=TIMEOUT)
        info = self._json(answer)
        data = info.get("data") or {}
        if info.get("code") != 0 or not data.get("union_id"):
            raise _garbage(self.label, f"user_info: {answer.status_code} {info.get('code')}")
        enterprise_email = str(data.get("enterprise_email") or "")
        return Claims(
            provider=self.key,
            subject=str(data["union_id"]),
            email=enterprise_email or str(data.get("email") or ""),
            email_verified=bool(enterprise_email),
            employee_id=str(data.get("employee_no") or data.get("user_id") or ""),
            mobile=str(data.get("mobile") or ""),
            name=str(data.get("name") or ""),
        )


class WeCom(DirectoryApp):
    """developer.work.weixin.qq.com: "企业微信登录" (scan to log in), then gettoken, "获取访问用户身份"
    (/cgi-bin/auth/getuserinfo) and "读取成员" (/cgi-bin/user/get). The userid is the account the
    company's WeCom admins gave the person: it is their employee id here; the business email
    (biz_mail) is set by those admins too."""

    key = Provider.WECOM
    label = gettext_lazy("WeCom")

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = {
            "login_type": "CorpApp",
            "appid": settings.SSO_WECOM_CORP_ID,
            "agentid": settings.SSO_WECOM_AGENT_ID,
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return f"{settings.SSO_WECOM_LOGIN_URL}/wwlogin/sso/login?{urlencode(query)}"

    def claims_for(self, code: str, redirect_uri: str) -> Claims:
        api = settings.SSO_WECOM_API_URL
        params = {"corpid": settings.SSO_WECOM_CORP_ID, "corpsecret": settings.SSO_WECOM_SECRET}
        token = self._json(requests.get(f"{api}/cgi-bin/gettoken", params=params, timeout=TIMEOUT))
        if token.get("errcode") != 0 or not token.get("access_token"):
            raise _garbage(self.label, f"gettoken: {token.get('errcode')}")
        access_token = token["access_token"]
        params = {"access_token": access_token, "code": code}
        who = self._json(requests.get(f"{api}/cgi-bin/auth/getuserinfo", params=params, timeout=TIMEOUT))
        if who.get("errcode") in (40029, 40163):  # invalid code / code already used
            raise _state_error()
        if who.get("errcode") != 0 or not who.get("userid"):
            # No userid: someone outside the company (an openid) scanned the code.
            raise _garbage(self.label, f"getuserinfo: {who.get('errcode')}")
        params = {"access_token": access_token, "userid": who["userid"]}
        member = self._json(requests.get(f"{api}/cgi-bin/user/get", params=params, timeout=TIMEOUT))
        if member.get("errcode") != 0:
            member = {}
        biz_mail = str(member.get("biz_mail") or "")
        return Claims(
            provider=self.key,
            subject=f"{settings.SSO_WECOM_CORP_ID}:{who['userid']}",
            email=biz_mail or str(member.get("email") or ""),
            email_verified=bool(biz_mail),
            employee_id=str(who["userid"]),
            mobile=str(member.get("mobile") or ""),
            name=str(member.get("name") or ""),
        )


# Which are configured -----------------------------------------------------------------------------


def browser_providers(policy: SsoPolicy | None = None) -> list[BrowserProvider]:
    """The providers whose settings are filled in, in the order the login page shows them (with
    the admins' OpenID Connect settings from `policy`, else from the saved policy)."""
    found: list[BrowserProvider] = []
    oidc = oidc_config(policy or SsoPolicy.objects.filter(pk=1).first())
    if oidc is not None:
        found.append(OpenIDConnect(oidc))
    if settings.SSO_DINGTALK_CLIENT_ID and settings.SSO_DINGTALK_CLIENT_SECRET:
        found.append(DingTalk())
    if settings.SSO_FEISHU_APP_ID and settings.SSO_FEISHU_APP_SECRET:
        found.append(Feishu())
    if settings.SSO_WECOM_CORP_ID and settings.SSO_WECOM_SECRET:
        found.append(WeCom())
    return found


def browser_provider(key: str) -> BrowserProvider | None:
    return next((p for p in browser_providers() if p.key == key), None)


def ldap_configured() -> bool:
    return bool(settings.LDAP_SERVER_URI)


def configured_keys(policy: SsoPolicy | None = None) -> list[str]:
    return [p.key for p in browser_providers(policy)] + ([Provider.LDAP] if ldap_configured() else [])
