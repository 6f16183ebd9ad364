"""Sign credentials as VC-JWTs with the school's Ed25519 key, and verify them.

The format is the Open Badges 3.0 / CLR 2.0 JSON Web Token proof (OB 3.0 section 8.2): a
compact JWS whose header names the algorithm (``EdDSA``) and carries the public key as a JWK,
and whose payload is the credential itself plus the registered claims ``iss`` (issuer id),
``nbf`` (validFrom), ``jti`` (credential id) and ``sub`` (subject id, when there is one).
Verification trusts only the key the verifier is given, never the key inside the token.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import ProficioError
from . import validation

KEY_HELP = (
    "Create a key pair with: openssl genpkey -algorithm ed25519 -out school-key.pem && "
    "openssl pkey -in school-key.pem -pubout -out school-key.pub.pem"
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ProficioError("the token is damaged: a part is not base64url.") from exc


def load_private_key(path: Path, password: bytes | None = None) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProficioError(f"cannot read the key file {path}: {exc.strerror}.") from exc
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise ProficioError(
            f"{path} is not a readable PEM private key ({exc}). {KEY_HELP}"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ProficioError(f"{path} is not an Ed25519 key; CLR signing uses Ed25519. {KEY_HELP}")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProficioError(f"cannot read the key file {path}: {exc.strerror}.") from exc
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:  # a private key file works too: its public half is used
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise ProficioError(f"{path} is not a PEM public key. {KEY_HELP}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ProficioError(f"{path} is not an Ed25519 public key.")
    return key


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(_raw(key))}


def _numeric_date(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def _issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    return issuer if isinstance(issuer, str) else (issuer or {}).get("id", "")


def claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The JWT registered claims the credential implies (merged into the payload)."""
    claims: dict[str, Any] = {
        "iss": _issuer_id(credential),
        "nbf": _numeric_date(credential["validFrom"]),
        "jti": credential["id"],
    }
    subject = credential.get("credentialSubject") or {}
    if isinstance(subject, dict) and subject.get("id"):
        claims["sub"] = subject["id"]
    if credential.get("validUntil"):
        claims["exp"] = _numeric_date(credential["validUntil"])
    return claims


def sign(credential: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """The credential as a compact VC-JWT (Ed25519 signatures are deterministic: same bytes)."""
    payload = {**credential, **claims(credential)}
    return sign_payload(json.dumps(payload, separators=(",", ":"), ensure_ascii=False), key)


def sign_payload(payload: str, key: Ed25519PrivateKey) -> str:
    """Sign an already serialised payload (the credential with its claims) as a compact JWS."""
    header = {"alg": "EdDSA", "typ": "JWT", "jwk": public_jwk(key.public_key())}
    signing_input = (
        _b64(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64(payload.encode("utf-8"))
    )
    return signing_input + "." + _b64(key.sign(signing_input.encode("ascii")))


def verify(token: str, key: Ed25519PublicKey) -> dict[str, Any]:
    """Check the signature with the trusted ``key`` and the claims against the credential;
    return the credential (without the JWT claims). Raises :class:`ProficioError`."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ProficioError(
            "not a compact JWT (it should be three base64url parts joined by dots)."
        )
    try:
        header = json.loads(_unb64(parts[0]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProficioError("the token header is damaged.") from exc
    if not isinstance(header, dict) or header.get("alg") != "EdDSA":
        raise ProficioError(
            f"unsupported algorithm {header.get('alg') if isinstance(header, dict) else '?'}: expected EdDSA (Ed25519)."
        )
    jwk = header.get("jwk")
    if jwk is not None and jwk != public_jwk(key):
        raise ProficioError("the token was signed with a different key than the one given.")
    try:
        key.verify(_unb64(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature as exc:
        raise ProficioError(
            "the signature does not match: the record was changed after it was signed, or it was "
            "signed with another key."
        ) from exc
    try:
        payload = json.loads(_unb64(parts[1]).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProficioError("the signed payload is not JSON.") from exc
    credential = {k: v for k, v in payload.items() if k not in ("iss", "nbf", "jti", "sub", "exp")}
    expected = claims(credential)
    for claim, value in expected.items():
        if payload.get(claim) != value:
            raise ProficioError(
                f"claim '{claim}' is {payload.get(claim)!r}, but the credential says {value!r}."
            )
    return credential


def check_schema(credential: dict[str, Any]) -> list[str]:
    """Schema errors of a ClrCredential and of each credential nested in it."""
    problems = validation.errors(credential, validation.CLR_CREDENTIAL)
    subject = credential.get("credentialSubject") or {}
    nested = subject.get("verifiableCredential") or [] if isinstance(subject, dict) else []
    for i, vc in enumerate(nested if isinstance(nested, list) else [nested]):
        problems += [
            f"verifiableCredential/{i}/{p}"
            for p in validation.errors(vc, validation.OB_ACHIEVEMENT_CREDENTIAL)
        ]
    return problems
