"""Loading the key-encryption keys from the environment.

Format: ``ENCRYPTION_KEYS="id1:<base64url 32 bytes>,id2:<…>"`` and ``ENCRYPTION_ACTIVE_KEY=id2``
(the last key is active when no id is named). Keys are never logged.
"""

from __future__ import annotations

import base64
import binascii
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32


@dataclass(frozen=True)
class KeySet:
    keys: dict[str, bytes]
    active: str

    def __repr__(self) -> str:  # never show the key material
        return f"KeySet(ids={sorted(self.keys)}, active={self.active!r})"


def encode_key(key_id: str, key: bytes) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(key).decode('ascii')}"


def parse(raw: str, *, name: str = "ENCRYPTION_KEYS") -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id or not key_id.replace("-", "").replace("_", "").isalnum():
            raise ImproperlyConfigured(f"{name}: each item must read 'id:base64key'.")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(f"{name}: key {key_id!r} is not base64.") from exc
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"{name}: key {key_id!r} must be 32 bytes.")
        if key_id in keys:
            raise ImproperlyConfigured(f"{name}: key id {key_id!r} appears twice.")
        keys[key_id] = key
    return keys


def load(
    *,
    raw: str,
    active: str,
    production: bool,
    dev_key_path: Path,
    name: str = "ENCRYPTION_KEYS",
    active_name: str = "ENCRYPTION_ACTIVE_KEY",
    purpose: str = "encryption key",
) -> KeySet:
    """The key set named ``name`` (the vault's by default; the journal's sealing keys too)."""
    if not raw:
        if production:
            raise ImproperlyConfigured(f"{name} (or {name}_FILE) is required in production.")
        raw = _development_key(dev_key_path, name=name, purpose=purpose)
    keys = parse(raw, name=name)
    if not keys:
        raise ImproperlyConfigured(f"{name} holds no key.")
    active = active or list(keys)[-1]
    if active not in keys:
        raise ImproperlyConfigured(f"{active_name} {active!r} is not loaded.")
    return KeySet(keys=keys, active=active)


def _development_key(path: Path, *, name: str, purpose: str) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(encode_key("dev-1", os.urandom(KEY_BYTES)))
        print(
            f"WARNING: generated a DEVELOPMENT {purpose} in {path}. "
            f"Never use it for real data; set {name} in production.",
            file=sys.stderr,
        )
    return path.read_text(encoding="ascii").strip()
