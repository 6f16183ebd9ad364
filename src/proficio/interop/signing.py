"""Sign credentials as VC-JWTs with the school's key, and verify them.

The format is the Open Badges 3.0 / CLR 2.0 JSON Web Token proof (OB 3.0 section 8.2): a
compact JWS whose header names the algorithm (``EdDSA`` for an Ed25519 key, ``RS256`` for an
RSA key, the spec's minimum) and carries the public key as a JWK, and whose payload is the
credential itself plus the registered claims ``iss`` (issuer id), ``nbf`` (validFrom), ``jti``
(credential id), ``sub`` (subject id, when there is one) and ``exp`` (validUntil, when there
is one). The JWS itself is joserfc's (RFC 7515, 7518, 8037), not ours.

Verification trusts only the key the verifier is given, never the key or key URL inside the
token; the key's type fixes the one algorithm accepted, so a token cannot choose how it is
checked (``none``, or HS256 with the public key as the secret). Anything OB 3.0 does not allow
in the header (``crit``, ``jku``, ``b64``, ...) is refused, as are an expired or not yet valid
record by the run's clock, claims that disagree with the credential, and JSON with a member
twice (two readers could see two different records).
"""

from __future__ import annotations

import base64
import json
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError, SecurityWarning
from joserfc.jwk import JWKRegistry, OKPKey, RSAKey
from joserfc.registry import JWS_HEADER_REGISTRY
from joserfc.util import int_to_base64, urlsafe_b64decode

from ..errors import ProficioError
from ..support import clock
from . import validation

KEY_HELP = (
    "Create a key pair with: openssl genpkey -algorithm ed25519 -out school-key.pem && "
    "openssl pkey -in school-key.pem -pubout -out school-key.pub.pem"
)

PrivateKey = Ed25519PrivateKey | RSAPrivateKey
PublicKey = Ed25519PublicKey | RSAPublicKey

HEADER_NAMES = ("alg", "kid", "jwk", "typ")
"""The JOSE header parameters OB 3.0 allows ("Additional JOSE Headers are NOT allowed")."""
CLAIM_NAMES = ("iss", "nbf", "jti", "sub", "exp")
MIN_RSA_BITS = 2048
_PART_NAMES = ("header", "payload", "signature")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_THUMBPRINT_URI = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"


class _Registry(jws.JWSRegistry):
    """joserfc's JWS registry for one algorithm, limited to OB 3.0's header parameters, with
    room for a CLR record (joserfc's default 128 kB payload limit is smaller than a real one)."""

    max_header_length = 16_384
    max_payload_length = 1 << 30
    max_signature_length = 4096

    def __init__(self, alg: str) -> None:
        super().__init__(algorithms=[alg])
        self.header_registry = {name: JWS_HEADER_REGISTRY[name] for name in HEADER_NAMES}


@contextmanager
def _quiet() -> Iterator[None]:
    """joserfc warns that RFC 9864 deprecates the name "EdDSA"; OB 3.0 and every wallet still
    use it, and a verifier must accept what issuers write."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        yield


# -- keys --------------------------------------------------------------------------------------


def _algorithm(key: PrivateKey | PublicKey) -> str:
    return "EdDSA" if isinstance(key, Ed25519PrivateKey | Ed25519PublicKey) else "RS256"


def _kind(key: PublicKey) -> str:
    return "an Ed25519 key" if isinstance(key, Ed25519PublicKey) else "an RSA key"


def _accepted(key: PublicKey) -> tuple[str, ...]:
    """The algorithms a token checked with ``key`` may name (the fully specified "Ed25519" of
    RFC 9864 is the same signature as "EdDSA" with an Ed25519 key)."""
    return ("EdDSA", "Ed25519") if isinstance(key, Ed25519PublicKey) else ("RS256",)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ProficioError(f"cannot read the key file {path}: {exc.strerror}.") from exc


def _usable(key: object, path: Path) -> None:
    if isinstance(key, RSAPrivateKey | RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise ProficioError(
            f"{path} is a {key.key_size}-bit RSA key; RS256 needs at least {MIN_RSA_BITS} bits. "
            + KEY_HELP
        )


def load_private_key(path: Path, password: bytes | None = None) -> PrivateKey:
    """The school's signing key: Ed25519 (signs with EdDSA) or RSA of 2048 bits or more (RS256)."""
    data = _read(path)
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise ProficioError(
            f"{path} is not a readable PEM private key ({exc}). {KEY_HELP}"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey | RSAPrivateKey):
        raise ProficioError(
            f"{path} is not an Ed25519 or RSA key; CLR signing uses Ed25519 (or RSA). {KEY_HELP}"
        )
    _usable(key, path)
    return key


def load_public_key(path: Path) -> PublicKey:
    """The key a record is checked with (a private key file works too: its public half)."""
    data = _read(path)
    try:
        key: object = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise ProficioError(f"{path} is not a PEM public key. {KEY_HELP}") from exc
    if not isinstance(key, Ed25519PublicKey | RSAPublicKey):
        raise ProficioError(f"{path} is not an Ed25519 or RSA public key. {KEY_HELP}")
    _usable(key, path)
    return key


def public_jwk(key: PublicKey) -> dict[str, str]:
    """The public key as the JWK in the token header (members in the order Proficio has always
    written them, so records keep their bytes)."""
    if isinstance(key, Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw)}
    numbers = key.public_numbers()
    return {"kty": "RSA", "n": int_to_base64(numbers.n), "e": int_to_base64(numbers.e)}


def _jose(key: PrivateKey | PublicKey) -> OKPKey | RSAKey:
    if isinstance(key, Ed25519PrivateKey | Ed25519PublicKey):
        return OKPKey.import_key(key)
    return RSAKey.import_key(key)


def key_id(key: PublicKey) -> str:
    """The key's RFC 9278 thumbprint URI: how a verifier names the key it checked with."""
    return _THUMBPRINT_URI + _jose(key).thumbprint()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict base64url (RFC 7515 section 2: no padding, no other characters)."""
    try:
        return urlsafe_b64decode(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ProficioError("the token is damaged: a part is not base64url.") from exc


# -- claims ------------------------------------------------------------------------------------


def _moment(value: Any, field: str) -> int:
    if not isinstance(value, str):
        raise ProficioError(f"the signed credential has no {field} (Open Badges 3.0 requires it).")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ProficioError(
            f"the signed credential's {field} {value!r} is not a date-time such as "
            "2026-06-12T15:00:00Z."
        ) from None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def _issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    return str(issuer.get("id", "")) if isinstance(issuer, dict) else ""


def claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The JWT registered claims the credential implies (merged into the payload). A VC 1.1
    credential's ``issuanceDate`` / ``expirationDate`` stand for ``validFrom`` / ``validUntil``."""
    start = "validFrom" if "validFrom" in credential else "issuanceDate"
    if "id" not in credential:
        raise ProficioError("the signed credential has no id (Open Badges 3.0 requires it).")
    found: dict[str, Any] = {
        "iss": _issuer_id(credential),
        "nbf": _moment(credential.get(start), "validFrom"),
        "jti": credential["id"],
    }
    subject = credential.get("credentialSubject") or {}
    if isinstance(subject, dict) and subject.get("id"):
        found["sub"] = subject["id"]
    end = "validUntil" if "validUntil" in credential else "expirationDate"
    if credential.get(end):
        found["exp"] = _moment(credential[end], "validUntil")
    return found


# -- signing -----------------------------------------------------------------------------------


def sign(credential: dict[str, Any], key: PrivateKey) -> str:
    """The credential as a compact VC-JWT (Ed25519 signatures are deterministic: same bytes)."""
    payload = {**credential, **claims(credential)}
    return sign_payload(json.dumps(payload, separators=(",", ":"), ensure_ascii=False), key)


def sign_payload(payload: str, key: PrivateKey) -> str:
    """Sign an already serialised payload (the credential with its claims) as a compact JWS."""
    alg = _algorithm(key)
    header = {"alg": alg, "typ": "JWT", "jwk": public_jwk(key.public_key())}
    with _quiet():
        return jws.serialize_compact(
            header, payload.encode("utf-8"), _jose(key), registry=_Registry(alg)
        )


# -- verifying ---------------------------------------------------------------------------------


@dataclass
class Verified:
    """A credential whose signature and claims were checked with a trusted key."""

    credential: dict[str, Any]
    key_id: str
    """The thumbprint URI of the key that checked it."""
    named_key: str | None = None
    """A ``kid`` the token gives that Proficio cannot compare (a URL it does not fetch)."""


def parse_json(data: bytes | str, what: str) -> Any:
    """JSON that means one thing to every reader: a member twice in one object, NaN or
    Infinity, or nesting deeper than Python can walk is refused."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, value in pairs:
            if name in found:
                raise ProficioError(
                    f"{what} has {name!r} twice in one object: one reader would see the first "
                    "value and another the second, so it is refused."
                )
            found[name] = value
        return found

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return json.loads(text, object_pairs_hook=unique, parse_constant=constant)
    except UnicodeDecodeError as exc:
        raise ProficioError(f"{what} is not UTF-8 text.") from exc
    except RecursionError as exc:
        raise ProficioError(f"{what} is nested too deeply to be a credential.") from exc
    except ValueError as exc:
        raise ProficioError(f"{what} is not JSON ({exc}).") from exc


def _split(token: str) -> tuple[list[str], dict[str, Any]]:
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ProficioError(
            f"not a compact JWT: it has {len(parts)} part{'s' if len(parts) != 1 else ''}; a "
            "signed record is three base64url parts joined by dots (header.payload.signature). "
            "The file may be cut short or have something added: export the record again."
        )
    for name, part in zip(_PART_NAMES, parts, strict=True):
        if not part and name != "signature":  # an empty signature is reported after alg
            raise ProficioError(f"the token is damaged: its {name} is empty.")
        if not _BASE64URL.fullmatch(part):
            raise ProficioError(
                f"the token is damaged: its {name} holds characters that are not base64url "
                "(only A-Z, a-z, 0-9, '-' and '_' may appear)."
            )
    header = parse_json(_unb64(parts[0]), "the token header")
    if not isinstance(header, dict):
        raise ProficioError("the token header is not a JSON object.")
    return parts, header


def _check_header(header: dict[str, Any], key: PublicKey) -> str | None:
    """Refuse what OB 3.0 does not allow; return a ``kid`` that cannot be compared."""
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise ProficioError("the token header names no algorithm (alg).")
    if alg.casefold() == "none":
        raise ProficioError(
            "the token says its algorithm is 'none' (not signed): refused. Only a record "
            "signed with the school's key is valid."
        )
    if alg not in _accepted(key):
        raise ProficioError(
            f"the token says it is signed with {alg}, but the key given is {_kind(key)}, which "
            f"checks only {' or '.join(_accepted(key))}: refused (a token cannot choose how it "
            "is checked). Give the key that signed the record."
        )
    crit = header.get("crit")
    if crit is not None:
        if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
            raise ProficioError("the token's crit is not a list of header names: malformed.")
        for name in crit:
            if name not in header:
                raise ProficioError(
                    f"the token's crit lists {name!r}, which its header does not have: malformed."
                )
        raise ProficioError(
            f"the token marks {crit[0]!r} as critical (crit), which Proficio does not "
            "understand: refused. A record must not require extensions to be understood."
        )
    extra = sorted(set(header) - set(HEADER_NAMES))
    if extra:
        raise ProficioError(
            f"the token's header has {extra[0]!r}, which Open Badges 3.0 does not allow (only "
            "alg, kid, jwk and typ): refused."
        )
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.casefold() != "jwt"):
        raise ProficioError(f"the token's typ is {typ!r}; Open Badges 3.0 requires 'JWT'.")
    given = key_id(key)
    jwk = header.get("jwk")
    if jwk is not None:
        if not isinstance(jwk, dict):
            raise ProficioError("the token's jwk is not a key.")
        if "d" in jwk:
            raise ProficioError(
                "the token's header carries a private key (jwk with 'd'): refused. Whoever made "
                "it leaked the signing key; make a new key pair."
            )
        try:
            named = _THUMBPRINT_URI + JWKRegistry.import_key(jwk).thumbprint()
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise ProficioError("the token's jwk is not a valid public key.") from exc
        if named != given:
            raise ProficioError("the token was signed with a different key than the one given.")
    kid = header.get("kid")
    if kid is None:
        return None
    if not isinstance(kid, str):
        raise ProficioError("the token's kid is not a string.")
    comparable = kid.startswith(_THUMBPRINT_URI) or re.fullmatch(r"[A-Za-z0-9_-]{43}", kid)
    if comparable:
        if kid not in (given, given.removeprefix(_THUMBPRINT_URI)):
            raise ProficioError(
                f"the token names its key {kid!r} (kid), which is not the key given ({given}): "
                "refused. Give the key the record names."
            )
        return None
    return kid


def _numeric(payload: dict[str, Any], claim: str) -> datetime | None:
    value = payload.get(claim)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProficioError(f"claim '{claim}' is {value!r}: not a NumericDate (seconds).")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise ProficioError(f"claim '{claim}' is {value!r}: not a possible date.") from None


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_time(payload: dict[str, Any]) -> None:
    """OB 3.0 ("Verify a Credential VC-JWT Signature"): not valid before ``nbf``, and expired from ``exp`` on (the run's clock:
    ``SOURCE_DATE_EPOCH``, else now)."""
    now = clock.now()
    start, end = _numeric(payload, "nbf"), _numeric(payload, "exp")
    if start is not None and start > now:
        raise ProficioError(
            f"the record is not valid before {_iso(start)} (nbf); the run's clock says "
            f"{_iso(now)}. Check it again from then (or check SOURCE_DATE_EPOCH)."
        )
    if end is not None and end <= now:
        raise ProficioError(
            f"the record expired on {_iso(end)} (exp); the run's clock says {_iso(now)}. Ask "
            "the school for a current record."
        )


def check(token: str, key: PublicKey) -> Verified:
    """Check the signature with the trusted ``key`` and the claims against the credential and
    the clock. Raises :class:`ProficioError` saying what is wrong."""
    parts, header = _split(token)
    named = _check_header(header, key)
    if not parts[2]:
        raise ProficioError("the token is damaged: its signature is empty.")
    alg = header["alg"]
    try:
        with _quiet():
            signed = jws.deserialize_compact(".".join(parts), _jose(key), registry=_Registry(alg))
    except BadSignatureError as exc:
        raise ProficioError(
            "the signature does not match: the record was changed after it was signed, or it was "
            "signed with another key."
        ) from exc
    except (JoseError, ValueError) as exc:
        raise ProficioError(f"the token is damaged ({exc}).") from exc
    payload = parse_json(signed.payload, "the signed payload")
    if not isinstance(payload, dict):
        raise ProficioError(
            f"the signed payload is not a JSON object (it is {json_kind(payload)}): not a "
            "credential."
        )
    if isinstance(payload.get("vc"), dict) and "@context" not in payload:
        credential = payload["vc"]  # VC 1.1 style: OB 3.0 has verifiers read the vc claim
    else:
        credential = {k: v for k, v in payload.items() if k not in CLAIM_NAMES}
    for claim, value in claims(credential).items():
        if payload.get(claim) != value:
            raise ProficioError(
                f"claim '{claim}' is {payload.get(claim)!r}, but the credential says {value!r}."
            )
    _check_time(payload)
    return Verified(credential, key_id(key), named)


def verify(token: str, key: PublicKey) -> dict[str, Any]:
    """:func:`check`, returning just the credential (without the JWT claims)."""
    return check(token, key).credential


def json_kind(value: Any) -> str:
    """What a JSON value is, in words (for messages)."""
    kinds = {list: "a list", str: "a string", bool: "true or false", type(None): "null"}
    return kinds.get(type(value), "a number")


_MISSING = object()


def _shown(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _first_difference(shown: Any, signed: Any) -> tuple[str, str, str] | None:
    """Where two JSON values first differ (path, shown, signed), walked without recursion."""
    stack: list[tuple[str, Any, Any]] = [("", shown, signed)]
    while stack:
        path, a, b = stack.pop()
        if isinstance(a, dict) and isinstance(b, dict):
            names = sorted(set(a) | set(b), reverse=True)
            stack.extend((f"{path}/{n}", a.get(n, _MISSING), b.get(n, _MISSING)) for n in names)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            stack.extend((f"{path}/{i}", a[i], b[i]) for i in reversed(range(len(a))))
        elif type(a) is not type(b) or a != b:
            return path.lstrip("/") or "(top)", _shown(a), _shown(b)
    return None


def check_proof(document: dict[str, Any], key: PublicKey) -> Verified:
    """A JSON credential with an embedded ``proof``: only a proof holding a VC-JWT (``jwt``)
    can be checked, and the JSON a person reads must be exactly what was signed."""
    proofs = document.get("proof")
    listed = proofs if isinstance(proofs, list) else [proofs]
    jwt_proofs = [p for p in listed if isinstance(p, dict) and isinstance(p.get("jwt"), str)]
    if not jwt_proofs:
        first = listed[0] if listed and isinstance(listed[0], dict) else {}
        kind = str(first.get("type") or "proof of no type")
        suite = f" ({first['cryptosuite']})" if isinstance(first.get("cryptosuite"), str) else ""
        raise ProficioError(
            f"its proof is a {kind}{suite}, which Proficio cannot check: it checks VC-JWT "
            "signatures (the .jwt records `export-clr --sign-key` writes). Verify the record in "
            "the form the issuer signed it, or with a tool for that proof type."
        )
    verified = check(jwt_proofs[0]["jwt"], key)
    rest = [p for p in listed if p not in jwt_proofs]
    shown = {k: v for k, v in document.items() if k != "proof"}
    if rest:
        shown["proof"] = rest if isinstance(proofs, list) else rest[0]
    difference = _first_difference(shown, verified.credential)
    if difference is not None:
        path, seen, signed = difference
        raise ProficioError(
            f"the JSON in the file is not what was signed: {path} reads {seen} but the signed "
            f"record says {signed}. Trust only the signed record (its proof's jwt), or ask the "
            "school for a new copy."
        )
    return verified


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
