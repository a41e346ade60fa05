"""The certificate payload: a compact, QR-friendly, Ed25519-signed text.

Format: ``SC1.<body>.<signature>`` where ``body`` is base64url (no padding) of the canonical JSON of the
contents (sorted keys, no spaces, UTF-8) and ``signature`` is base64url (no padding) of the Ed25519
signature of the ASCII bytes ``SC1.<body>``. Contents::

    {"as_of": "2025-06-30", "grade": "AA", "issued": "2025-07-01", "kid": "<16 hex>",
     "points": "1035" | null, "policy": {"hash": "<16 hex>", "id": "rongcheng", "version": "2021.1"},
     "subject": "<national id>", "valid_until": "2026-07-01"}
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from socialcredit.reports.errors import BadSignature, CertificateExpired, MalformedCertificate, UnknownKey
from socialcredit.reports.signing import key_id

PREFIX = "SC1"
POLICY_HASH_LENGTH = 16
SIGNATURE_BYTES = 64
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")

Hex16 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
Points = Annotated[str, StringConstraints(pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$")]


class PolicyStamp(BaseModel):
    """Which handbook produced the grade: id, version and the first 16 hex characters of its hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, Field(min_length=1)]
    version: Annotated[str, Field(min_length=1)]
    hash: Hex16


class CertificateBody(BaseModel):
    """What a certificate asserts; the signed JSON is exactly this model's canonical form."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    subject: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{18}$")]
    grade: Annotated[str, Field(min_length=1)]
    points: Points | None
    as_of: date
    issued: date
    valid_until: date
    policy: PolicyStamp
    kid: Hex16

    def canonical(self) -> bytes:
        return canonical_json(self.model_dump(mode="json"))


def canonical_json(data: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_certificate(
    *,
    subject: str,
    grade: str,
    points: str | None,
    as_of: date,
    issued: date,
    valid_until: date,
    policy: Mapping[str, str],
    private_key: Ed25519PrivateKey,
) -> str:
    """Sign the contents with ``private_key`` and return the payload text (what the QR code carries)."""
    try:
        body = CertificateBody(
            subject=subject,
            grade=grade,
            points=points,
            as_of=as_of,
            issued=issued,
            valid_until=valid_until,
            policy=PolicyStamp(
                id=policy.get("id", ""),
                version=policy.get("version", ""),
                hash=str(policy.get("hash", ""))[:POLICY_HASH_LENGTH],
            ),
            kid=key_id(private_key.public_key()),
        )
    except ValidationError as error:
        raise MalformedCertificate("cannot certify these contents", details=_problems(error)) from None
    if valid_until < issued:
        raise MalformedCertificate(f"valid_until {valid_until} is before issued {issued}")
    signed = f"{PREFIX}.{_b64encode(body.canonical())}"
    return f"{signed}.{_b64encode(private_key.sign(signed.encode('ascii')))}"


def verify_payload(
    payload: str, public_keys: Mapping[str, Ed25519PublicKey], *, today: date | None = None
) -> dict[str, Any]:
    """The verified contents of ``payload``, or a :class:`CertificateInvalid` saying why not.

    Checks, in order: shape (``malformed-certificate``), key id among ``public_keys`` (``unknown-key``),
    signature (``bad-signature``), contents (``malformed-certificate``), and that ``today`` (default: the
    local date) is not after ``valid_until`` (``certificate-expired``, with the contents in ``details``).
    """
    signed, body_bytes, signature = _split(payload.strip())
    data = _decode_body(body_bytes)
    kid = data.get("kid")
    public_key = public_keys.get(kid) if isinstance(kid, str) else None
    if public_key is None:
        known = ", ".join(sorted(public_keys)) or "none"
        raise UnknownKey(f"signed by unknown key {kid!r}; trusted keys: {known}")
    try:
        public_key.verify(signature, signed.encode("ascii"))
    except InvalidSignature:
        raise BadSignature(f"signature does not match the contents: the payload was altered (key {kid})") from None
    try:
        body = CertificateBody.model_validate(data)
    except ValidationError as error:
        raise MalformedCertificate("signed contents are not a certificate", details=_problems(error)) from None
    contents = body.model_dump(mode="json")
    day = today or date.today()
    if day > body.valid_until:
        raise CertificateExpired(
            f"certificate expired on {body.valid_until} (signature valid, checked on {day})", details=contents
        )
    return contents


def _split(payload: str) -> tuple[str, bytes, bytes]:
    parts = payload.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise MalformedCertificate(f"not a certificate payload: expected {PREFIX}.<body>.<signature>")
    body = _b64decode(parts[1], "body")
    signature = _b64decode(parts[2], "signature")
    if len(signature) != SIGNATURE_BYTES:
        raise MalformedCertificate(f"signature has {len(signature)} bytes, expected {SIGNATURE_BYTES}")
    return f"{parts[0]}.{parts[1]}", body, signature


def _decode_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedCertificate("certificate body is not UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise MalformedCertificate("certificate body is not a JSON object")
    return data


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str, part: str) -> bytes:
    """Strict base64url: only the alphabet, and only the one canonical spelling of the bytes."""
    if not _B64URL.match(text):
        raise MalformedCertificate(f"certificate {part} is not base64url text")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise MalformedCertificate(f"certificate {part} is not valid base64url") from None
    if _b64encode(data) != text:
        raise MalformedCertificate(f"certificate {part} is not canonical base64url")
    return data


def _problems(error: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()]
