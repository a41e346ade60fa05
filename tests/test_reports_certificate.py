"""Signing keys and the signed certificate payload: round trip, every tamper, unknown keys, expiry."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from socialcredit.errors import Conflict, InvalidInput
from socialcredit.reports import (
    BadSignature,
    CertificateExpired,
    CertificateInvalid,
    MalformedCertificate,
    UnknownKey,
    init_key,
    key_id,
    load_public_keys,
    load_signing_key,
    published_keys,
    sign_certificate,
    verify_payload,
)
from socialcredit.reports.certificate import canonical_json
from socialcredit.reports.errors import KeyFileError, SigningKeyMissing
from socialcredit.reports.signing import PRIVATE_NAME, PUBLIC_NAME, load_public_key

from conftest import PERSON

ISSUED = date(2025, 7, 1)
UNTIL = date(2026, 7, 1)
POLICY = {"id": "test", "version": "1", "hash": "0123456789abcdef" * 4}
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def sign(key: Ed25519PrivateKey, **changes: object) -> str:
    fields: dict[str, object] = {
        "subject": PERSON,
        "grade": "A",
        "points": "1000.5",
        "as_of": date(2025, 6, 30),
        "issued": ISSUED,
        "valid_until": UNTIL,
        "policy": POLICY,
        "private_key": key,
    }
    fields.update(changes)
    return sign_certificate(**fields)  # type: ignore[arg-type]


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def trusted(*keys: Ed25519PrivateKey) -> dict[str, Ed25519PublicKey]:
    return {key_id(k.public_key()): k.public_key() for k in keys}


def test_round_trip_gives_the_signed_contents(key: Ed25519PrivateKey) -> None:
    payload = sign(key)
    assert payload.startswith("SC1.") and payload.count(".") == 2
    contents = verify_payload(payload, trusted(key), today=ISSUED)
    assert contents == {
        "subject": PERSON,
        "grade": "A",
        "points": "1000.5",
        "as_of": "2025-06-30",
        "issued": "2025-07-01",
        "valid_until": "2026-07-01",
        "policy": {"id": "test", "version": "1", "hash": "0123456789abcdef"},
        "kid": key_id(key.public_key()),
    }


def test_body_is_canonical_json_and_points_may_be_null(key: Ed25519PrivateKey) -> None:
    payload = sign(key, points=None)
    body = payload.split(".")[1]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert raw == canonical_json(json.loads(raw))
    assert b" " not in raw and json.loads(raw)["points"] is None
    assert verify_payload(payload, trusted(key), today=ISSUED)["points"] is None


def test_every_single_character_tamper_fails(key: Ed25519PrivateKey) -> None:
    payload = sign(key)
    keys = trusted(key)
    body_end = payload.rindex(".")
    for index, char in enumerate(payload):
        last_of_part = index in (body_end - 1, len(payload) - 1)
        pool = B64URL + "+/=" if last_of_part else B64URL[(B64URL.find(char) + 1) % 64] + "."
        for other in pool:
            if other == char:
                continue
            tampered = payload[:index] + other + payload[index + 1 :]
            with pytest.raises(CertificateInvalid):
                verify_payload(tampered, keys, today=ISSUED)
        with pytest.raises(CertificateInvalid):
            verify_payload(payload[:index] + payload[index + 1 :], keys, today=ISSUED)


def test_a_changed_body_is_a_bad_signature_not_a_crash(key: Ed25519PrivateKey) -> None:
    prefix, body, signature = sign(key).split(".")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).replace(b'"grade":"A"', b'"grade":"AAA"')
    forged = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    with pytest.raises(BadSignature, match="altered"):
        verify_payload(f"{prefix}.{forged}.{signature}", trusted(key), today=ISSUED)


def test_unknown_key_and_a_forged_key_id(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    with pytest.raises(UnknownKey, match=key_id(other.public_key())):
        verify_payload(sign(other), trusted(key), today=ISSUED)
    # An attacker signs with their own key but names the issuer's key id.
    contents = json.loads(base64.urlsafe_b64decode(sign(key).split(".")[1] + "=="))
    body = base64.urlsafe_b64encode(canonical_json({**contents, "grade": "AAA"})).rstrip(b"=").decode()
    signature = base64.urlsafe_b64encode(other.sign(f"SC1.{body}".encode())).rstrip(b"=").decode()
    with pytest.raises(BadSignature):
        verify_payload(f"SC1.{body}.{signature}", trusted(key), today=ISSUED)


def test_expired_is_reported_as_expired_with_the_contents(key: Ed25519PrivateKey) -> None:
    payload = sign(key)
    assert verify_payload(payload, trusted(key), today=UNTIL)["valid_until"] == "2026-07-01"
    with pytest.raises(CertificateExpired, match="expired on 2026-07-01") as caught:
        verify_payload(payload, trusted(key), today=date(2026, 7, 2))
    assert caught.value.code == "certificate-expired"
    assert caught.value.details["subject"] == PERSON
    assert isinstance(caught.value, InvalidInput)


@pytest.mark.parametrize(
    "payload",
    ["", "SC1", "SC2.e30.AAAA", "SC1.e30", "SC1.e30.AAAA", "SC1.e3 0.AAAA", "SC1.!!.AAAA", "SC1.e30=.AAAA.x"],
)
def test_malformed_payloads_name_the_problem(key: Ed25519PrivateKey, payload: str) -> None:
    with pytest.raises(MalformedCertificate) as caught:
        verify_payload(payload, trusted(key))
    assert caught.value.code == "malformed-certificate"


def test_signing_refuses_bad_contents(key: Ed25519PrivateKey) -> None:
    with pytest.raises(MalformedCertificate) as caught:
        sign(key, subject="123", points="1.234")
    fields = " ".join(caught.value.details)
    assert "subject" in fields and "points" in fields
    with pytest.raises(MalformedCertificate, match="before issued"):
        sign(key, valid_until=date(2025, 1, 1))


def test_init_key_creates_private_0600_once_and_key_id_is_sha256_of_raw_key(tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"
    info = init_key(keys_dir)
    assert info.created and info.private_path == keys_dir / PRIVATE_NAME
    assert stat.S_IMODE(info.private_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    public = load_signing_key(keys_dir).public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert info.key_id == hashlib.sha256(raw).hexdigest()[:16]
    before = info.private_path.read_bytes()
    again = init_key(keys_dir)
    assert not again.created and again.key_id == info.key_id and info.private_path.read_bytes() == before
    assert list(load_public_keys(keys_dir)) == [info.key_id]
    assert published_keys(keys_dir)[0]["pem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_init_key_restores_a_lost_public_key_and_refuses_an_orphan_public_key(tmp_path: Path) -> None:
    info = init_key(tmp_path)
    pem = info.public_path.read_text()
    info.public_path.unlink()
    assert init_key(tmp_path).public_path.read_text() == pem
    info.private_path.unlink()
    with pytest.raises(Conflict, match=PUBLIC_NAME):
        init_key(tmp_path)
    assert not info.private_path.exists()


def test_key_file_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyMissing, match="init-key"):
        load_signing_key(tmp_path)
    with pytest.raises(KeyFileError, match="no public keys"):
        load_public_keys(tmp_path)
    info = init_key(tmp_path / "k")
    with pytest.raises(KeyFileError, match="private key"):
        load_public_key(info.private_path)
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "ec.pub.pem").write_bytes(ec_pem)
    with pytest.raises(KeyFileError, match="expected an Ed25519 public key"):
        load_public_key(tmp_path / "ec.pub.pem")
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(KeyFileError, match="not a PEM public key"):
        load_public_key(tmp_path / "junk.pem")
