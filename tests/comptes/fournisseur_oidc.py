"""A small but real OpenID Connect provider on loopback, for the tests of FranceConnect and
Pro Santé Connect: discovery document, JWKS, authorization (answers at once for the identity
the test chose), token (client secret and PKCE checked, RS256-signed ID token) and userinfo."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "espace-sante-test"
SECRET = "secret-de-test-oidc"
NOMS = {"franceconnect": "FranceConnect", "prosanteconnect": "Pro Santé Connect"}


@dataclass
class Fournisseur:
    url: str = ""
    identite: dict[str, Any] = field(default_factory=dict)  # claims of the next person to log in
    cle: Any = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    jetons: dict[str, dict[str, Any]] = field(default_factory=dict)
    echanges: int = 0

    def configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        cle = json.loads(RSAAlgorithm.to_jwk(self.cle.public_key()))
        return {"keys": [{**cle, "kid": "cle-1", "use": "sig", "alg": "RS256"}]}

    def autoriser(self, params: dict[str, str]) -> str:
        assert params["client_id"].startswith(CLIENT_ID) and params["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**params, "identite": dict(self.identite)}
        retour = {"code": code, "state": params["state"]}
        return f"{params['redirect_uri']}?{urlencode(retour)}"

    def echanger(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        demande = self.codes.pop(params.get("code", ""), None)
        if (
            demande is None
            or params.get("client_id") != demande["client_id"]
            or params.get("client_secret") != SECRET
            or params.get("redirect_uri") != demande["redirect_uri"]
        ):
            return 400, {"error": "invalid_grant"}
        if "code_challenge" in demande:
            verifieur = params.get("code_verifier", "").encode()
            defi = base64.urlsafe_b64encode(hashlib.sha256(verifieur).digest()).rstrip(b"=")
            if defi.decode() != demande["code_challenge"]:
                return 400, {"error": "invalid_grant"}
        self.echanges += 1
        identite = demande["identite"]
        maintenant = int(time.time())
        jeton_id = jwt.encode(
            {
                "iss": self.url,
                "aud": demande["client_id"],
                "sub": identite["sub"],
                "iat": maintenant,
                "exp": maintenant + 60,
                **({"nonce": demande["nonce"]} if "nonce" in demande else {}),
            },
            self.cle,
            algorithm="RS256",
            headers={"kid": "cle-1"},
        )
        acces = secrets.token_urlsafe(16)
        self.jetons[acces] = identite
        return 200, {
            "access_token": acces,
            "token_type": "Bearer",
            "expires_in": 60,
            "id_token": jeton_id,
        }


def _gestionnaire(fournisseur: Fournisseur) -> type[BaseHTTPRequestHandler]:
    class Gestionnaire(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, statut: int, corps: dict[str, Any]) -> None:
            donnees = json.dumps(corps).encode()
            self.send_response(statut)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(donnees)))
            self.end_headers()
            self.wfile.write(donnees)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, fournisseur.configuration())
            elif url.path == "/jwks":
                self._json(200, fournisseur.jwks())
            elif url.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", fournisseur.autoriser(params))
                self.end_headers()
            elif url.path == "/userinfo":
                jeton = self.headers.get("Authorization", "").removeprefix("Bearer ")
                identite = fournisseur.jetons.get(jeton)
                self._json(200 if identite else 401, identite or {"error": "invalid_token"})
            else:
                self._json(404, {})

        def do_POST(self) -> None:
            longueur = int(self.headers.get("Content-Length", "0"))
            params = {k: v[0] for k, v in parse_qs(self.rfile.read(longueur).decode()).items()}
            if urlparse(self.path).path == "/token":
                self._json(*fournisseur.echanger(params))
            else:
                self._json(404, {})

    return Gestionnaire


@contextmanager
def fournisseur_sur_boucle_locale() -> Iterator[Fournisseur]:
    fournisseur = Fournisseur()
    serveur = ThreadingHTTPServer(("127.0.0.1", 0), _gestionnaire(fournisseur))
    fournisseur.url = f"http://127.0.0.1:{serveur.server_address[1]}"
    fil = threading.Thread(target=serveur.serve_forever, daemon=True)
    fil.start()
    try:
        yield fournisseur
    finally:
        serveur.shutdown()
        serveur.server_close()


def reglages_fournisseurs(url: str, *identifiants: str) -> dict[str, Any]:
    """SOCIALACCOUNT_PROVIDERS as settings.py builds it from the environment."""
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": identifiant,
                    "name": NOMS[identifiant],
                    "client_id": f"{CLIENT_ID}-{identifiant}",  # one per provider
                    "secret": SECRET,
                    "settings": {
                        "server_url": url,
                        "token_auth_method": "client_secret_post",
                        "oauth_pkce_enabled": True,
                    },
                }
                for identifiant in identifiants
            ],
        }
    }
