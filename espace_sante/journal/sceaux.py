"""The journal's sealing keys (docs/JOURNAL.md): keys the database does not hold.

Each key of ``JOURNAL_SEAL_KEYS`` is a 32-byte Ed25519 seed. From it come:

- an HMAC-SHA256 key (HKDF, a label of its own) that seals every chain head on each append —
  about a microsecond, on the hot path;
- an Ed25519 signing key for the checkpoints written to the storage and the digests holders
  download: anyone holding the public key checks them, without any secret.

A seal names its key id: new seals use the active key, old ones verify while their key is loaded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from espace_sante.lib.envkeys import KeySet

_LABEL_TETE = b"espace-sante/journal/sceau-de-tete/v1"


class CleDeScellementAbsente(Exception):
    """The key a seal or signature names is not loaded."""


def encoder_b64(octets: bytes) -> str:
    return base64.urlsafe_b64encode(octets).decode("ascii")


def decoder_b64(texte: str) -> bytes:
    return base64.urlsafe_b64decode(texte + "=" * (-len(texte) % 4))


def cle_publique_brute(cle: Ed25519PublicKey) -> bytes:
    return cle.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class Sceaux:
    """The loaded sealing keys, one of them active."""

    def __init__(self, jeu: KeySet) -> None:
        self.active = jeu.active
        self._mac: dict[str, bytes] = {}
        self._signature: dict[str, Ed25519PrivateKey] = {}
        for cle_id, graine in jeu.keys.items():
            self._mac[cle_id] = HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL_TETE
            ).derive(graine)
            self._signature[cle_id] = Ed25519PrivateKey.from_private_bytes(graine)

    def __repr__(self) -> str:
        return f"Sceaux(ids={sorted(self._mac)}, active={self.active!r})"

    @property
    def ids(self) -> list[str]:
        return sorted(self._mac)

    # --- Chain heads (HMAC) --------------------------------------------------------------------

    def sceller_tete(self, *, chaine: str, rang: int, hash: str) -> str:
        """``<key id>:<hex HMAC>`` over the chain, its last sequence number and hash."""
        return f"{self.active}:{self._mac_tete(self.active, chaine, rang, hash)}"

    def tete_scellee(self, sceau: str, *, chaine: str, rang: int, hash: str) -> bool:
        cle_id, _, mac = sceau.partition(":")
        if cle_id not in self._mac:
            raise CleDeScellementAbsente(cle_id)
        return hmac.compare_digest(mac, self._mac_tete(cle_id, chaine, rang, hash))

    def _mac_tete(self, cle_id: str, chaine: str, rang: int, hash: str) -> str:
        message = f"{chaine}\n{rang}\n{hash}".encode()
        return hmac.new(self._mac[cle_id], message, hashlib.sha256).hexdigest()

    # --- Checkpoints and digests (Ed25519) -----------------------------------------------------

    def signer(self, message: bytes) -> tuple[str, str]:
        """The active key's id and its signature of ``message`` (base64url)."""
        return self.active, encoder_b64(self._signature[self.active].sign(message))

    def cle_publique(self, cle_id: str) -> Ed25519PublicKey:
        cle = self._signature.get(cle_id)
        if cle is None:
            raise CleDeScellementAbsente(cle_id)
        return cle.public_key()

    def cles_publiques(self) -> dict[str, str]:
        """Every loaded key's public key (base64url of its 32 raw bytes), to be published."""
        return {i: encoder_b64(cle_publique_brute(self.cle_publique(i))) for i in self.ids}

    def signature_valide(self, message: bytes, *, cle_id: str, signature: str) -> bool:
        return signature_valide(self.cle_publique(cle_id), message, signature)


def signature_valide(cle: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        cle.verify(decoder_b64(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def sceaux() -> Sceaux:
    """The sealing keys of the current settings (rebuilt when tests change the settings)."""
    jeu: KeySet = settings.JOURNAL_SEAL_KEYS
    cache = getattr(sceaux, "_cache", None)
    if cache is None or cache[0] is not jeu:
        cache = (jeu, Sceaux(jeu))
        sceaux._cache = cache  # type: ignore[attr-defined]
    return cache[1]
