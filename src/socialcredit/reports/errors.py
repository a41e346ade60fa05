"""Errors of reports and certificates, in the project's one exception tree.

Every way a certificate fails verification is a :class:`CertificateInvalid` (the CLI exits 1 for these);
input that cannot be read at all (no such file, not a PDF, no payload inside) is an
:class:`UnreadableCertificate` (exit 2, like every other user error).
"""

from __future__ import annotations

from socialcredit.errors import InvalidInput, NotFound, SocialCreditError


class CertificateInvalid(InvalidInput):
    """A certificate payload does not verify; subclasses say why."""

    code = "invalid-certificate"


class MalformedCertificate(CertificateInvalid):
    """Not of the shape ``SC1.<body>.<signature>``, or its body is not a certificate."""

    code = "malformed-certificate"


class UnknownKey(CertificateInvalid):
    """Signed by a key that is not among the trusted public keys."""

    code = "unknown-key"


class BadSignature(CertificateInvalid):
    """The signature does not match the body: the payload was altered."""

    code = "bad-signature"


class CertificateExpired(CertificateInvalid):
    """Authentic (the signature is valid) but past its ``valid_until``; ``details`` holds the contents."""

    code = "certificate-expired"


class UnreadableCertificate(InvalidInput):
    """The input is no certificate at all: a missing file, a broken PDF, a PDF without a payload."""

    code = "unreadable-certificate"


class KeyFileError(InvalidInput):
    """A key file is missing, unreadable or not an Ed25519 key of the expected kind."""

    code = "invalid-key-file"


class SigningKeyMissing(NotFound):
    """No signing key in the keys directory (create one with ``socialcredit certificate init-key``)."""

    code = "no-signing-key"


class NothingToCertify(InvalidInput):
    """The standing has no grade (for instance, the handbook requires consent and there is none)."""

    code = "no-grade"


class FontMissing(SocialCreditError):
    """No usable CJK TrueType font to embed; the message names the package to install."""

    status = 500
    code = "cjk-font-missing"
