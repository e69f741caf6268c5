"""The OIDC seam: with IVR_LOGIN=oidc the region's identity provider authenticates, the console authorises.

The identity provider is a local server with a discovery document, a token endpoint and its signing keys.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request, Response

from ivr.audit.service import list_audit
from ivr.clock import FrozenClock
from ivr.config import Config, ConsoleSettings
from ivr.users.service import add_user

CLIENT_ID = "reservlinjen"
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key"})


class FakeIdentityProvider:
    """Discovery, token and keys of an OpenID Connect provider; the ID token names `username`."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.issuer = server.url_for("/").rstrip("/")
        self.username = "anna"
        self.nonce = ""
        base = self.issuer
        discovery = {
            "issuer": base,
            "authorization_endpoint": base + "/authorize",
            "token_endpoint": base + "/token",
            "jwks_uri": base + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }
        server.expect_request("/.well-known/openid-configuration").respond_with_json(discovery)
        server.expect_request("/jwks").respond_with_json({"keys": [KEY.as_dict(private=False)]})
        server.expect_request("/token", method="POST").respond_with_handler(self._token)

    def _token(self, request: Request) -> Response:
        assert request.form["code"] == "the-code"
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "200001010000",
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            "preferred_username": self.username,
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, KEY)
        body = {"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def config(config: Config, httpserver: HTTPServer) -> Config:
    settings = ConsoleSettings(
        login="oidc",
        oidc_metadata_url=httpserver.url_for("/.well-known/openid-configuration"),
        oidc_client_id=CLIENT_ID,
        oidc_client_secret="client-secret",
    )
    return replace(config, console=settings)


@pytest.fixture
def idp(httpserver: HTTPServer) -> FakeIdentityProvider:
    return FakeIdentityProvider(httpserver)


def go_to_the_provider(client: FlaskClient, idp: FakeIdentityProvider) -> str:
    answer = client.get("/login/oidc")
    assert answer.status_code == 302
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == idp.issuer + "/authorize"
    query = parse_qs(target.query)
    assert query["client_id"] == [CLIENT_ID] and "openid" in query["scope"][0].split()
    idp.nonce = query["nonce"][0]
    return query["state"][0]


def test_the_identity_provider_logs_in_a_user_added_without_a_password(
    client: FlaskClient, db_session: Session, clock: FrozenClock, idp: FakeIdentityProvider
) -> None:
    add_user(
        session=db_session,
        username="anna",
        display_name="Anna",
        organisation_code="25",
        role="admin",
        password=None,
        by="test",
        now=clock.now(),
    )
    db_session.commit()
    page = client.get("/login").get_data(as_text=True)
    assert "Logga in med regionens inloggning" in page and 'type="password"' not in page
    state = go_to_the_provider(client, idp)
    answer = client.get(f"/login/oidc/callback?code=the-code&state={state}")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert "Inloggad som Anna (administratör, Region Norrbotten)" in client.get("/").get_data(as_text=True)
    [login] = list_audit(session=db_session, action="users.login")
    assert '"method": "oidc"' in login.detail


def test_a_person_the_console_does_not_know_is_refused(client: FlaskClient, idp: FakeIdentityProvider) -> None:
    state = go_to_the_provider(client, idp)
    idp.username = "mallory"
    answer = client.get(f"/login/oidc/callback?code=the-code&state={state}")
    assert answer.status_code == 403
    assert "har inget konto i reservlinjen" in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_forged_state_is_refused_and_the_password_form_is_off(client: FlaskClient, idp: FakeIdentityProvider) -> None:
    go_to_the_provider(client, idp)
    assert client.get("/login/oidc/callback?code=the-code&state=forged").status_code == 403
    assert client.post("/login", data={"username": "anna", "password": "x"}).status_code in (400, 404)
