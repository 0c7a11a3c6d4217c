"""A real OpenID provider (oidc-provider-mock) and the app, each on a free 127.0.0.1 port.

The provider is the package's own Flask app served by Werkzeug in a thread; a hook records
what reaches its token endpoint, so tests can check the PKCE verifier the app sent.
"""

import base64
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import requests
from flask import request

from tests.serving import serve

CLIENT_ID = "tracker-test"
CLIENT_SECRET = "tracker-test-secret"


@dataclass
class Provider:
    url: str
    token_requests: list[dict] = field(default_factory=list)

    def add_user(self, sub: str, **claims) -> None:
        """Claims the provider puts in the ID token for sub (email, email_verified, name)."""
        answer = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        answer.raise_for_status()

    def settings(self, **extra) -> dict:
        return {
            "issuer": self.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "label": "Corp ID",
            "mfa": False,
        } | extra


@contextmanager
def running_provider():
    provider_app = oidc_provider_mock.app(require_nonce=True)
    recorded: list[dict] = []

    @provider_app.before_request
    def record_token_requests():
        if request.path == "/oauth2/token":
            recorded.append(request.form.to_dict())

    with serve(provider_app) as url:
        yield Provider(url=url, token_requests=recorded)


def authorize_as(http: requests.Session, form_page: requests.Response, sub: str):
    """Press "authorize" on the provider's consent page as sub; follows every redirect."""
    return http.post(form_page.url, data={"sub": sub}, timeout=10)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
