"""Encryption of personal data at rest: AES-256-GCM with a per-user key.

Every encrypted value is ``version (1 byte) | nonce (12 bytes) | ciphertext+tag``. The
associated data binds a value to where it belongs (draft id and field name), so a value copied
to another row or column fails to decrypt instead of being shown in the wrong place.

Where the key lives, in order:

1. ``OMSDESKTOP_DATA_KEY`` (base64) or ``OMSDESKTOP_DATA_KEY_FILE`` (a file holding it): for
   service centres where several desks share one PostgreSQL database and so one key;
2. the OS keyring (``keyring``: Windows Credential Manager, macOS Keychain, Secret Service);
3. a key file readable only by the user in the per-user data folder, where no keyring exists.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from omsdesktop import paths
from omsdesktop.storage.errors import DataCorruptedError, EncryptionKeyUnavailableError

KEY_BYTES = 32
_VERSION = b"\x01"
_NONCE_BYTES = 12

KEY_ENV = "OMSDESKTOP_DATA_KEY"
KEY_FILE_ENV = "OMSDESKTOP_DATA_KEY_FILE"
KEYRING_ENV = "OMSDESKTOP_KEYRING"  # "off" disables the OS keyring (tests, portable installs)
KEYRING_SERVICE = "omsdesktop"
KEYRING_USERNAME = "data-key"


class DataCipher:
    """Authenticated encryption of values with a context string as associated data."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("the data key must be 32 bytes")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, context.encode("utf-8"))

    def decrypt(self, blob: bytes, context: str) -> bytes:
        if len(blob) < 1 + _NONCE_BYTES + 16 or blob[:1] != _VERSION:
            raise DataCorruptedError("bad ciphertext header")
        nonce = blob[1 : 1 + _NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[1 + _NONCE_BYTES :], context.encode("utf-8"))
        except InvalidTag as exc:
            raise DataCorruptedError("authentication tag mismatch") from exc

    def encrypt_text(self, text: str | None, context: str) -> bytes | None:
        return None if text is None else self.encrypt(text.encode("utf-8"), context)

    def decrypt_text(self, blob: bytes | None, context: str) -> str | None:
        return None if blob is None else self.decrypt(blob, context).decode("utf-8")


class KeyProvider(Protocol):
    """Supplies the 32-byte data key, creating it on first use."""

    def load_or_create(self) -> bytes: ...

    def describe(self) -> str:
        """Where the key is kept, for messages and docs (never the key itself)."""
        ...


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise EncryptionKeyUnavailableError("key is not base64", where=where) from exc
    if len(key) != KEY_BYTES:
        raise EncryptionKeyUnavailableError("key has a wrong length", where=where)
    return key


@dataclass(frozen=True)
class StaticKeyProvider:
    """A key given directly (from ``OMSDESKTOP_DATA_KEY``, or by tests)."""

    key: bytes
    where: str = "OMSDESKTOP_DATA_KEY"

    def load_or_create(self) -> bytes:
        return self.key

    def describe(self) -> str:
        return self.where


@dataclass(frozen=True)
class FileKeyProvider:
    """A key file created with mode 0600 (only its owner can read it)."""

    path: Path
    create: bool = True

    def read(self) -> bytes | None:
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise EncryptionKeyUnavailableError(str(exc), where=str(self.path)) from exc
        return decode_key(text, str(self.path))

    def load_or_create(self) -> bytes:
        key = self.read()
        if key is not None:
            return key
        if not self.create:
            raise EncryptionKeyUnavailableError("key file missing", where=str(self.path))
        key = new_key()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL: two processes starting at once must not both write a different key.
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            existing = self.read()
            if existing is None:
                raise EncryptionKeyUnavailableError(
                    "key file vanished", where=str(self.path)
                ) from exc
            return existing
        except OSError as exc:
            raise EncryptionKeyUnavailableError(str(exc), where=str(self.path)) from exc
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(encode_key(key) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return key

    def describe(self) -> str:
        return f"file {self.path}"


class KeyringUnavailable(Exception):
    """The OS keyring cannot be used here (no backend, locked, refused)."""


@dataclass(frozen=True)
class KeyringKeyProvider:
    """The key stored in the OS keyring as base64 text."""

    service: str = KEYRING_SERVICE
    username: str = KEYRING_USERNAME

    def read(self) -> bytes | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            text = keyring.get_password(self.service, self.username)
        except (KeyringError, RuntimeError, OSError) as exc:
            raise KeyringUnavailable(str(exc)) from exc
        return None if text is None else decode_key(text, self.describe())

    def store(self, key: bytes) -> None:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(self.service, self.username, encode_key(key))
        except (KeyringError, RuntimeError, OSError) as exc:
            raise KeyringUnavailable(str(exc)) from exc

    def load_or_create(self) -> bytes:
        key = self.read()
        if key is None:
            key = new_key()
            self.store(key)
            stored = self.read()  # some backends accept a write and then forget it
            if stored != key:
                raise KeyringUnavailable("the keyring did not keep the key")
        return key

    def describe(self) -> str:
        return f"OS keyring ({self.service}/{self.username})"


class DefaultKeyProvider:
    """Environment, then the OS keyring, then the 0600 key file (see the module docstring)."""

    def __init__(self, key_file: Path | None = None, *, use_keyring: bool | None = None) -> None:
        self._key_file = FileKeyProvider(key_file or paths.key_file_path())
        if use_keyring is None:
            use_keyring = os.environ.get(KEYRING_ENV, "").strip().lower() not in {"off", "0", "no"}
        self._keyring = KeyringKeyProvider() if use_keyring else None
        self._where = ""

    def load_or_create(self) -> bytes:
        env_key = os.environ.get(KEY_ENV, "").strip()
        if env_key:
            self._where = KEY_ENV
            return decode_key(env_key, KEY_ENV)
        env_file = os.environ.get(KEY_FILE_ENV, "").strip()
        if env_file:
            provider = FileKeyProvider(Path(env_file), create=False)
            self._where = provider.describe()
            return provider.load_or_create()
        # An existing key wins wherever it is: creating a second one would lock the data out.
        if self._keyring is not None:
            try:
                key = self._keyring.read()
            except KeyringUnavailable:
                key = None
            else:
                if key is not None:
                    self._where = self._keyring.describe()
                    return key
        existing = self._key_file.read()
        if existing is not None:
            self._where = self._key_file.describe()
            return existing
        if self._keyring is not None:
            try:
                key = self._keyring.load_or_create()
            except KeyringUnavailable:
                pass
            else:
                self._where = self._keyring.describe()
                return key
        self._where = self._key_file.describe()
        return self._key_file.load_or_create()

    def describe(self) -> str:
        return self._where or "not loaded yet"
