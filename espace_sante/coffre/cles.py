"""Key-encryption keys (from the environment) and the wrapping of per-blob data keys."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from espace_sante.lib.envkeys import KeySet

NONCE = 12
_CONTEXTE = b"espace-sante/cle-de-donnees/v1|"


class CleIndisponible(Exception):
    """The key that wrapped a data key is not loaded, or does not open it."""


@dataclass(frozen=True)
class CleEnveloppee:
    cle_id: str
    enveloppe: bytes  # nonce | AES-GCM(KEK, data key)


def _contexte(cle_id: str, objet: uuid.UUID | str) -> bytes:
    return _CONTEXTE + cle_id.encode() + b"|" + str(objet).encode()


class Trousseau:
    """The loaded key-encryption keys, one of them active."""

    def __init__(self, jeu: KeySet) -> None:
        # One AES-GCM object per key, made once: every blob written or read wraps or unwraps
        # its data key, and rebuilding the cipher each time is a fixed cost per blob.
        self._aeads = {cle_id: AESGCM(cle) for cle_id, cle in jeu.keys.items()}
        self.active = jeu.active

    def __repr__(self) -> str:
        return f"Trousseau(ids={sorted(self._aeads)}, active={self.active!r})"

    @property
    def ids(self) -> list[str]:
        return sorted(self._aeads)

    def aead(self, cle_id: str) -> AESGCM:
        """The AES-256-GCM cipher of a loaded key (for the encrypted text fields too)."""
        aead = self._aeads.get(cle_id)
        if aead is None:
            raise CleIndisponible(f"la clé {cle_id!r} n'est pas chargée")
        return aead

    def envelopper(self, cle: bytes, *, objet: uuid.UUID | str) -> CleEnveloppee:
        """Wrap a data key with the active key, bound to the object it protects."""
        nonce = os.urandom(NONCE)
        chiffre = self.aead(self.active).encrypt(nonce, cle, _contexte(self.active, objet))
        return CleEnveloppee(cle_id=self.active, enveloppe=nonce + chiffre)

    def ouvrir(self, enveloppee: CleEnveloppee, *, objet: uuid.UUID | str) -> bytes:
        kek = self.aead(enveloppee.cle_id)
        nonce, chiffre = enveloppee.enveloppe[:NONCE], enveloppee.enveloppe[NONCE:]
        try:
            return kek.decrypt(nonce, chiffre, _contexte(enveloppee.cle_id, objet))
        except InvalidTag as exc:
            raise CleIndisponible(
                "la clé de données ne s'ouvre pas (clé ou objet différent)"
            ) from exc

    def reenvelopper(self, enveloppee: CleEnveloppee, *, objet: uuid.UUID | str) -> CleEnveloppee:
        if enveloppee.cle_id == self.active:
            return enveloppee
        return self.envelopper(self.ouvrir(enveloppee, objet=objet), objet=objet)


def trousseau() -> Trousseau:
    """The key ring of the current settings (rebuilt when tests change the settings)."""
    jeu: KeySet = settings.ENCRYPTION_KEYS
    cache = getattr(trousseau, "_cache", None)
    if cache is None or cache[0] is not jeu:
        cache = (jeu, Trousseau(jeu))
        trousseau._cache = cache  # type: ignore[attr-defined]
    return cache[1]
