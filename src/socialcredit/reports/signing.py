"""Ed25519 signing keys for certificates: create, store, load, and name them by a key id.

A keys directory holds one signing key pair, ``certificate-signing.pem`` (private, PKCS #8 PEM, mode 0600)
and ``certificate-signing.pub.pem`` (public, SubjectPublicKeyInfo PEM). Verification trusts every
``*.pub.pem`` in the directory, so a verifier can keep the public keys of several issuers there, and an
issuer keeps old public keys after rotating. The key id is the first 16 hex characters of the SHA-256
of the raw 32-byte public key. Nothing here prints or returns the private key's bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from socialcredit.errors import Conflict
from socialcredit.reports.errors import KeyFileError, SigningKeyMissing

PRIVATE_NAME = "certificate-signing.pem"
PUBLIC_NAME = "certificate-signing.pub.pem"
PUBLIC_SUFFIX = ".pub.pem"
KEY_ID_LENGTH = 16


@dataclass(frozen=True, slots=True)
class SigningKeyInfo:
    """Where a signing key pair lives and its key id; ``created`` tells whether this call made it."""

    key_id: str
    private_path: Path
    public_path: Path
    created: bool


def key_id(public_key: Ed25519PublicKey) -> str:
    """First 16 hex characters of the SHA-256 of the raw public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:KEY_ID_LENGTH]


def public_pem(public_key: Ed25519PublicKey) -> str:
    """The public key as SubjectPublicKeyInfo PEM text."""
    data = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return data.decode("ascii")


def init_key(keys_dir: Path) -> SigningKeyInfo:
    """Create the signing key pair in ``keys_dir`` unless it exists (then only restore a lost public file)."""
    private_path, public_path = keys_dir / PRIVATE_NAME, keys_dir / PUBLIC_NAME
    if private_path.exists():
        key = load_signing_key(keys_dir)
        if not public_path.exists():
            _write_new(public_path, public_pem(key.public_key()).encode("ascii"), mode=0o644)
        return SigningKeyInfo(key_id(key.public_key()), private_path, public_path, created=False)
    if public_path.exists():
        raise Conflict(
            f"{public_path} exists without its private key {private_path.name}; "
            "move the old public key elsewhere (e.g. rename it to old.pub.pem) before creating a new key pair"
        )
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    private_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_new(private_path, private_bytes, mode=0o600)
    _write_new(public_path, public_pem(key.public_key()).encode("ascii"), mode=0o644)
    return SigningKeyInfo(key_id(key.public_key()), private_path, public_path, created=True)


def load_signing_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The private signing key of ``keys_dir``; a clear error when it is missing or not Ed25519."""
    path = keys_dir / PRIVATE_NAME
    if not path.is_file():
        raise SigningKeyMissing(
            f"no certificate signing key at {path}; create one with: socialcredit certificate init-key "
            f"--keys-dir {keys_dir}"
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise KeyFileError(f"{path}: not a readable unencrypted PEM private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: a {type(key).__name__}, expected an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """One Ed25519 public key from a PEM file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"{path}: cannot read public key ({error.strerror})") from None
    if b"PRIVATE KEY" in data:
        raise KeyFileError(f"{path}: this is a private key; pass the public key ({PUBLIC_NAME})")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as error:
        raise KeyFileError(f"{path}: not a PEM public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: a {type(key).__name__}, expected an Ed25519 public key")
    return key


def load_public_keys(keys_dir: Path | None = None, files: Iterable[Path] = ()) -> dict[str, Ed25519PublicKey]:
    """Trusted public keys by key id: the given files, else every ``*.pub.pem`` in ``keys_dir``."""
    paths = list(files)
    if not paths and keys_dir is not None and keys_dir.is_dir():
        paths = sorted(keys_dir.glob(f"*{PUBLIC_SUFFIX}"))
    if not paths:
        where = f" in {keys_dir}" if keys_dir is not None else ""
        raise KeyFileError(f"no public keys{where} to verify with; pass --public-key FILE.pem")
    keys = {}
    for path in paths:
        key = load_public_key(path)
        keys[key_id(key)] = key
    return keys


def published_keys(keys_dir: Path) -> list[dict[str, str]]:
    """The public keys of ``keys_dir`` as ``{"kid", "algorithm", "pem"}`` (for a keys endpoint)."""
    keys = load_public_keys(keys_dir)
    return [{"kid": kid, "algorithm": "Ed25519", "pem": public_pem(key)} for kid, key in sorted(keys.items())]


def _write_new(path: Path, data: bytes, *, mode: int) -> None:
    """Create ``path`` exclusively with ``mode`` (never widened by umask, never overwriting)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
    finally:
        os.close(fd)
