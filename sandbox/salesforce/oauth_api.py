"""OAuth 2.0 endpoints: authorize (sign-in and consent page), token, userinfo, revoke, and
the identity URL ``/id/<orgId>/<userId>``."""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from werkzeug.wrappers import Request, Response

from sandbox.salesforce.auth import CODE_TTL, Code, OAuthError
from sandbox.salesforce.values import ms_timestamp
from sandbox.salesforce.web import SESSION_EXPIRED, error_response, json_response

if TYPE_CHECKING:
    from sandbox.salesforce.emulator import SalesforceEmulator

_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Login | Salesforce Sandbox</title></head>
<body>
<h1>Sign in to the Salesforce sandbox</h1>
<p>{client} is asking for access to your data ({scope}).</p>
{error}
<form method="post" action="/services/oauth2/authorize">
{hidden}
<label>Username <input type="email" name="username" id="username" value="{username}"></label>
<label>Password <input type="password" name="pw" id="password"></label>
<button type="submit" name="action" value="allow" id="Login">Allow</button>
<button type="submit" name="action" value="deny" id="Deny">Deny</button>
</form>
</body></html>
"""
_CARRIED = ("response_type", "client_id", "redirect_uri", "state", "scope",
            "code_challenge", "code_challenge_method", "prompt")


def handle(em: SalesforceEmulator, request: Request) -> Response:
    path = request.path.rstrip("/")
    try:
        if path == "/services/oauth2/authorize":
            return _authorize(em, request)
        if path == "/services/oauth2/token" and request.method == "POST":
            return _token(em, request)
        if path == "/services/oauth2/revoke" and request.method in ("POST", "GET"):
            token = request.values.get("token", "")
            if not em.tokens.revoke_token(token):
                raise OAuthError("unsupported_token_type", "this token type is not supported")
            return Response(status=200)
        if path == "/services/oauth2/userinfo" or path.startswith("/id/"):
            return _identity(em, request, path)
    except OAuthError as error:
        return json_response(error.as_body(), error.status)
    return Response("Not Found", status=404)


def redirect_allowed(em: SalesforceEmulator, uri: str) -> bool:
    """A redirect URI is allowed when configured, or when it points at loopback."""
    if uri in em.redirect_uris:
        return True
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in _LOOPBACK


def _redirect(uri: str, params: dict) -> Response:
    separator = "&" if "?" in uri else "?"
    return Response(status=302, headers={"Location": uri + separator + urlencode(params)})


def _authorize(em: SalesforceEmulator, request: Request) -> Response:
    params = {k: request.values.get(k, "") for k in _CARRIED}
    if params["client_id"] not in em.tokens.clients:
        return Response("error=invalid_client_id&error_description=client identifier invalid",
                        status=400, content_type="text/plain")
    if not redirect_allowed(em, params["redirect_uri"]):
        return Response("error=redirect_uri_mismatch&error_description=redirect_uri must "
                        "match configuration", status=400, content_type="text/plain")
    back = {"state": params["state"]} if params["state"] else {}
    if params["response_type"] != "code":
        return _redirect(params["redirect_uri"], {
            "error": "unsupported_response_type",
            "error_description": "response type not supported", **back})
    if request.method == "GET":
        return _page(params)
    if request.values.get("action") == "deny":
        return _redirect(params["redirect_uri"], {
            "error": "access_denied", "error_description": "end-user denied authorization",
            **back})
    username = request.values.get("username", "")
    user_id = em.check_password(username, request.values.get("pw", ""))
    if user_id is None:
        return _page(params, username=username, error="Please check your username and "
                     "password. If you still can't log in, contact your Salesforce "
                     "administrator.")
    now = em.clock.now()
    code = em.tokens.new_code(Code(
        user_id=user_id, client_id=params["client_id"], redirect_uri=params["redirect_uri"],
        scope=params["scope"] or "api refresh_token", expires_at=(now + CODE_TTL).isoformat(),
        code_challenge=params["code_challenge"] or None,
    ))
    return _redirect(params["redirect_uri"], {"code": code, **back})


def _page(params: dict, *, username: str = "", error: str = "") -> Response:
    hidden = "\n".join(
        f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
        for k, v in params.items() if v
    )
    body = _PAGE.format(
        client=html.escape(params["client_id"]), scope=html.escape(params["scope"] or "api"),
        hidden=hidden, username=html.escape(username),
        error=f'<p class="error" id="error">{html.escape(error)}</p>' if error else "",
    )
    return Response(body, status=200, content_type="text/html; charset=utf-8")


def _token(em: SalesforceEmulator, request: Request) -> Response:
    form = request.values
    grant_type = form.get("grant_type", "")
    client_id = form.get("client_id", "")
    secret = form.get("client_secret")
    now = em.clock.now()
    if grant_type == "authorization_code":
        has_verifier = bool(form.get("code_verifier"))
        em.tokens.check_client(client_id, secret, secret_required=not has_verifier)
        code = em.tokens.redeem_code(form.get("code", ""), client_id,
                                     form.get("redirect_uri", ""), form.get("code_verifier"),
                                     now)
        return _issue(em, code.user_id, client_id, code.scope, now, refresh=True)
    if grant_type == "refresh_token":
        em.tokens.check_client(client_id, secret, secret_required=secret is not None)
        grant, rotate = em.tokens.use_refresh(form.get("refresh_token", ""), client_id)
        if not em.user_active(grant.user_id):
            raise OAuthError("invalid_grant", "inactive user")
        return _issue(em, grant.user_id, client_id, grant.scope, now, refresh=rotate)
    if grant_type == "password":
        em.tokens.check_client(client_id, secret)
        user_id = em.check_password(form.get("username", ""), form.get("password", ""))
        if user_id is None:
            raise OAuthError("invalid_grant", "authentication failure")
        return _issue(em, user_id, client_id, "api", now, refresh=False)
    if grant_type == "client_credentials":
        em.tokens.check_client(client_id, secret)
        return _issue(em, em.admin_id, client_id, "api", now, refresh=False)
    raise OAuthError("unsupported_grant_type", "grant type not supported")


def _issue(em: SalesforceEmulator, user_id: str, client_id: str, scope: str, now: datetime,
           *, refresh: bool) -> Response:
    access, refresh_token = em.tokens.issue(user_id, client_id, scope, now,
                                            with_refresh=refresh)
    identity = em.identity_url(user_id)
    issued_at = ms_timestamp(now)
    body = {"access_token": access}
    if refresh_token:
        body["refresh_token"] = refresh_token
    body.update({
        "signature": em.tokens.signature(client_id, identity, issued_at),
        "scope": scope, "instance_url": em.base_url, "id": identity,
        "token_type": "Bearer", "issued_at": issued_at,
    })
    return json_response(body, headers={"Cache-Control": "no-cache,must-revalidate,"
                                                         "max-age=0,no-store,private"})


def _identity(em: SalesforceEmulator, request: Request, path: str) -> Response:
    grant = em.authenticate(request)
    if grant is None:
        if path.startswith("/id/"):
            return error_response(SESSION_EXPIRED)
        return Response("Bad_OAuth_Token", status=403, content_type="text/plain")
    if path.startswith("/id/"):
        parts = [p for p in path.split("/") if p]
        if len(parts) != 3 or parts[1] != em.org_id or parts[2] != grant.user_id:
            return Response("Bad_Id", status=403, content_type="text/plain")
    user = em.user(grant.user_id)
    base = em.base_url
    if path == "/services/oauth2/userinfo":
        return json_response({
            "sub": em.identity_url(user["Id"]), "user_id": user["Id"],
            "organization_id": em.org_id, "preferred_username": user["Username"],
            "nickname": user["CommunityNickname"], "name": user["Name"],
            "email": user["Email"], "email_verified": True,
            "given_name": user["FirstName"], "family_name": user["LastName"],
            "zoneinfo": user["TimeZoneSidKey"], "active": user["IsActive"],
            "user_type": "STANDARD", "language": user["LanguageLocaleKey"],
            "locale": user["LocaleSidKey"], "utcOffset": 0,
            "updated_at": user["LastModifiedDate"], "is_app_installed": True,
        })
    template = f"{base}/services/data/v{{version}}/"
    return json_response({
        "id": em.identity_url(user["Id"]), "asserted_user": True, "user_id": user["Id"],
        "organization_id": em.org_id, "username": user["Username"],
        "nick_name": user["CommunityNickname"], "display_name": user["Name"],
        "email": user["Email"], "email_verified": True, "first_name": user["FirstName"],
        "last_name": user["LastName"], "timezone": user["TimeZoneSidKey"],
        "active": user["IsActive"], "user_type": "STANDARD",
        "language": user["LanguageLocaleKey"], "locale": user["LocaleSidKey"], "utcOffset": 0,
        "last_modified_date": user["LastModifiedDate"], "is_app_installed": True,
        "urls": {
            "enterprise": f"{base}/services/Soap/c/{{version}}/{em.org_id[:15]}",
            "metadata": f"{base}/services/Soap/m/{{version}}/{em.org_id[:15]}",
            "partner": f"{base}/services/Soap/u/{{version}}/{em.org_id[:15]}",
            "rest": template, "sobjects": template + "sobjects/",
            "search": template + "search/", "query": template + "query/",
            "recent": template + "recent/", "profile": f"{base}/{user['Id']}",
            "limits": template + "limits/",
            "custom_domain": base,
        },
    })
