"""The identity the ALB's OIDC authentication puts in `x-amzn-oidc-data`: an ES256 JWT signed by the
load balancer, verified with its public key (by key id), its signer and its expiry checked."""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime

import jwt
import requests

log = logging.getLogger(__name__)
OIDC_HEADER = "x-amzn-oidc-data"
MAX_TOKEN_CHARS = 8192


class AlbKeys:
    """The ALB's public keys by key id: from settings, else fetched once each from AWS's key endpoint."""

    def __init__(self, configured: dict[str, str], url_template: str,
                 fetch: Callable[[str], str] | None = None):
        self.keys = dict(configured)
        self.url_template = url_template
        self.fetch = fetch or self._fetch
        self.lock = threading.Lock()

    def _fetch(self, kid: str) -> str:
        response = requests.get(self.url_template.format(kid=kid), timeout=3)
        response.raise_for_status()
        return response.text

    def key(self, kid: str) -> str | None:
        """The PEM public key for a key id, or None when it cannot be had."""
        with self.lock:
            if kid in self.keys:
                return self.keys[kid]
        if not kid.replace("-", "").isalnum() or len(kid) > 100:
            return None
        try:
            pem = self.fetch(kid)
        except requests.RequestException as error:
            log.warning("ALB public key could not be fetched: %s", type(error).__name__)
            return None
        with self.lock:
            self.keys[kid] = pem
        return pem


def _unpadded(token: str) -> str:
    # The ALB pads its base64url segments with '=', which JWT libraries refuse.
    return ".".join(part.rstrip("=") for part in token.split("."))


def verified_claims(token: str, *, keys: AlbKeys, signer: str | None, now: datetime) -> dict | None:
    """The claims of a valid ALB identity token, or None (bad signature, other signer, expired, malformed)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    token = _unpadded(token)
    try:
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or header.get("alg") != "ES256" or not isinstance(header.get("kid"), str):
        return None
    if signer is not None and header.get("signer") != signer:
        return None
    pem = keys.key(header["kid"])
    if pem is None:
        return None
    try:
        claims = jwt.decode(token, pem, algorithms=["ES256"], options={"verify_exp": False, "verify_aud": False})
    except jwt.PyJWTError:
        return None
    expires = claims.get("exp")
    if not isinstance(expires, (int, float)) or expires < now.timestamp():
        return None
    return claims
