"""Hostile table, class "forgery": `proficio verify` must never pass a record it cannot
authenticate, and `proficio import-case` must refuse an absurdly deep or cyclic isChildOf tree
with a clear message instead of a traceback or a hang.

Every forged token is made here by hand (base64url, json, the cryptography primitives), not
with ``proficio.interop.signing``: a forger does not use our code, and a test that signed with
the code under test could not catch it accepting the wrong thing.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from proficio.cli import main

ROOT = Path(__file__).resolve().parents[2]
EPOCH = "1782777600"
"""2026-06-30T00:00:00Z: the run's clock (records are issued at this moment)."""
ENV = {"SOURCE_DATE_EPOCH": EPOCH}
CLAIMS = ("iss", "nbf", "jti", "sub", "exp")


# -- a forger's toolkit ------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def okp_jwk(key: Ed25519PrivateKey) -> dict[str, str]:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64(raw)}


def thumbprint_uri(jwk: dict[str, str]) -> str:
    """RFC 7638 / RFC 9278: the key's SHA-256 thumbprint as a URI."""
    members = {k: jwk[k] for k in ("crv", "kty", "x")}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
    return "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + b64(digest.digest())


def sign_ed(header: dict[str, Any], payload: bytes, key: Ed25519PrivateKey) -> str:
    signing_input = b64(compact(header)) + "." + b64(payload)
    return signing_input + "." + b64(key.sign(signing_input.encode("ascii")))


def sign_rs(header: dict[str, Any], payload: bytes, key: rsa.RSAPrivateKey) -> str:
    signing_input = b64(compact(header)) + "." + b64(payload)
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64(signature)


def sign_hs(header: dict[str, Any], payload: bytes, secret: bytes) -> str:
    signing_input = b64(compact(header)) + "." + b64(payload)
    mac = hmac.HMAC(secret, hashes.SHA256())
    mac.update(signing_input.encode("ascii"))
    return signing_input + "." + b64(mac.finalize())


def numeric(moment: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp())


def with_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The payload an honest issuer signs: the credential plus its OB 3.0 registered claims."""
    issuer = credential["issuer"]
    payload = {
        **credential,
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "nbf": numeric(credential["validFrom"]),
        "jti": credential["id"],
    }
    if credential.get("validUntil"):
        payload["exp"] = numeric(credential["validUntil"])
    return payload


def change_a_score(credential: dict[str, Any]) -> tuple[str, str]:
    """Raise the first target score in place; returns (old, new)."""
    for vc in credential["credentialSubject"]["verifiableCredential"]:
        for result in vc["credentialSubject"].get("result", []):
            if "value" in result and result["value"][:1].isdigit():
                old = result["value"]
                result["value"] = "4" if old != "4" else "3"
                return old, result["value"]
    raise AssertionError("no scored target in the record")


@dataclass
class School:
    """A genuine signed record (and everything needed to forge from it)."""

    folder: Path
    token: str
    header: dict[str, Any]
    credential: dict[str, Any]
    """The signed credential, without the JWT claims."""
    key: Ed25519PrivateKey
    other: Ed25519PrivateKey
    rsa: rsa.RSAPrivateKey
    pub: Path
    other_pub: Path
    rsa_pub: Path
    unsigned: Path
    """The same student's record as `export-clr` writes it without --sign-key."""

    def header_with(self, **changes: Any) -> dict[str, Any]:
        return {**self.header, **changes}

    def payload(self) -> dict[str, Any]:
        return with_claims(copy.deepcopy(self.credential))


def _pem_public(key: Any) -> bytes:
    return bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> School:
    folder = tmp_path_factory.mktemp("forgery")
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "school.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "rsa.pem").write_bytes(
        rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    for name, k in (("school", key), ("other", other), ("rsa", rsa_key)):
        (folder / f"{name}.pub.pem").write_bytes(_pem_public(k))
    roster = folder / "roster.csv"
    lines = (ROOT / "examples" / "riverbend" / "roster.csv").read_text(encoding="utf-8")
    roster.write_text("\n".join(lines.splitlines()[:2]) + "\n", encoding="utf-8")
    args = ["export-clr", "--content", str(ROOT / "content"), "--roster", str(roster)]
    args += ["--evidence", str(ROOT / "examples" / "riverbend" / "evidence.csv")]
    args += ["--issues", str(folder / "issues.csv")]
    runner = CliRunner()
    done = runner.invoke(
        main,
        [*args, "--out", str(folder / "jwt"), "--sign-key", str(folder / "school.pem")],
        env=ENV,
    )
    assert done.exit_code == 0, done.output
    done = runner.invoke(main, [*args, "--out", str(folder / "json")], env=ENV)
    assert done.exit_code == 0, done.output
    [token_file] = sorted((folder / "jwt").glob("*.jwt"))
    [unsigned] = sorted((folder / "json").glob("*.json"))
    token = token_file.read_text(encoding="utf-8").strip()
    header_part, payload_part, _ = token.split(".")
    payload = json.loads(unb64(payload_part))
    return School(
        folder=folder,
        token=token,
        header=json.loads(unb64(header_part)),
        credential={k: v for k, v in payload.items() if k not in CLAIMS},
        key=key,
        other=other,
        rsa=rsa_key,
        pub=folder / "school.pub.pem",
        other_pub=folder / "other.pub.pem",
        rsa_pub=folder / "rsa.pub.pem",
        unsigned=unsigned,
    )


# -- the forgeries: each writes a file and says how `verify` is called -------------------------

Made = tuple[Path, list[str]]


def _write(tmp: Path, name: str, text: str | bytes) -> Path:
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def key(s: School) -> list[str]:
    return ["--key", str(s.pub)]


def genuine(s: School, tmp: Path) -> Made:
    return _write(tmp, "record.jwt", s.token + "\n"), key(s)


def unsigned_copy_with_key(s: School, tmp: Path) -> Made:
    credential = copy.deepcopy(s.credential)
    change_a_score(credential)
    return _write(tmp, "record.json", json.dumps(credential, indent=2)), key(s)


def unsigned_without_key(s: School, tmp: Path) -> Made:
    return s.unsigned, []


def tampered_payload(s: School, tmp: Path) -> Made:
    header, _, signature = s.token.split(".")
    payload = s.payload()
    change_a_score(payload)
    return _write(tmp, "record.jwt", f"{header}.{b64(compact(payload))}.{signature}"), key(s)


def tampered_header(s: School, tmp: Path) -> Made:
    _, payload, signature = s.token.split(".")
    header = {k: v for k, v in s.header.items() if k != "typ"}
    return _write(tmp, "record.jwt", f"{b64(compact(header))}.{payload}.{signature}"), key(s)


def wrong_key(s: School, tmp: Path) -> Made:
    return _write(tmp, "record.jwt", s.token), ["--key", str(s.other_pub)]


def other_signer_no_jwk(s: School, tmp: Path) -> Made:
    token = sign_ed({"alg": "EdDSA", "typ": "JWT"}, compact(s.payload()), s.other)
    return _write(tmp, "record.jwt", token), key(s)


def alg_none(s: School, tmp: Path) -> Made:
    token = f"{b64(compact({'alg': 'none', 'typ': 'JWT'}))}.{b64(compact(s.payload()))}."
    return _write(tmp, "record.jwt", token), key(s)


def alg_confusion(s: School, tmp: Path) -> Made:
    token = sign_hs({"alg": "HS256", "typ": "JWT"}, compact(s.payload()), s.pub.read_bytes())
    return _write(tmp, "record.jwt", token), key(s)


def kid_mismatch(s: School, tmp: Path) -> Made:
    header = {"alg": "EdDSA", "typ": "JWT", "kid": thumbprint_uri(okp_jwk(s.other))}
    return _write(tmp, "record.jwt", sign_ed(header, compact(s.payload()), s.key)), key(s)


def expired(s: School, tmp: Path) -> Made:
    credential = copy.deepcopy(s.credential)
    credential["validUntil"] = "2026-01-31T00:00:00Z"
    token = sign_ed(s.header, compact(with_claims(credential)), s.key)
    return _write(tmp, "record.jwt", token), key(s)


def not_yet_valid(s: School, tmp: Path) -> Made:
    credential = copy.deepcopy(s.credential)
    credential["validFrom"] = "2027-09-01T00:00:00Z"
    token = sign_ed(s.header, compact(with_claims(credential)), s.key)
    return _write(tmp, "record.jwt", token), key(s)


def unknown_crit(s: School, tmp: Path) -> Made:
    header = s.header_with(crit=["urn:example:policy"], **{"urn:example:policy": "strict"})
    return _write(tmp, "record.jwt", sign_ed(header, compact(s.payload()), s.key)), key(s)


def crit_absent(s: School, tmp: Path) -> Made:
    header = s.header_with(crit=["exp"])
    return _write(tmp, "record.jwt", sign_ed(header, compact(s.payload()), s.key)), key(s)


def key_url_header(s: School, tmp: Path) -> Made:
    header = s.header_with(jku="https://attacker.example/keys.json")
    return _write(tmp, "record.jwt", sign_ed(header, compact(s.payload()), s.key)), key(s)


def truncated(s: School, tmp: Path) -> Made:
    return _write(tmp, "record.jwt", s.token[: len(s.token) // 2]), key(s)


def extra_segments(s: School, tmp: Path) -> Made:
    return _write(tmp, "record.jwt", s.token + "." + s.token.split(".")[2]), key(s)


def not_base64url(s: School, tmp: Path) -> Made:
    header, payload, signature = s.token.split(".")
    i = len(payload) // 2
    return _write(
        tmp, "record.jwt", f"{header}.{payload[:i]}+/{payload[i + 2 :]}.{signature}"
    ), key(s)


def payload_a_list(s: School, tmp: Path) -> Made:
    return _write(tmp, "record.jwt", sign_ed(s.header, b"[1, 2, 3]", s.key)), key(s)


def payload_not_json(s: School, tmp: Path) -> Made:
    return _write(tmp, "record.jwt", sign_ed(s.header, b"Ana: 4, Bao: 4", s.key)), key(s)


def payload_without_dates(s: School, tmp: Path) -> Made:
    payload = {"id": "urn:uuid:1", "issuer": {"id": "https://x.example"}, "iss": "x"}
    return _write(tmp, "record.jwt", sign_ed(s.header, compact(payload), s.key)), key(s)


def duplicate_member(s: School, tmp: Path) -> Made:
    text = compact(s.payload()).decode("utf-8")
    text = text[:-1] + ',"name":"Comprehensive Learner Record: someone else"}'
    return _write(tmp, "record.jwt", sign_ed(s.header, text.encode(), s.key)), key(s)


def proof_mismatch(s: School, tmp: Path) -> Made:
    visible = copy.deepcopy(s.credential)
    change_a_score(visible)
    visible["proof"] = {"type": "JwtProof2020", "jwt": s.token}
    return _write(tmp, "record.json", json.dumps(visible)), key(s)


def proof_match(s: School, tmp: Path) -> Made:
    visible = {**copy.deepcopy(s.credential), "proof": {"type": "JwtProof2020", "jwt": s.token}}
    return _write(tmp, "record.json", json.dumps(visible)), key(s)


def proof_unsupported(s: School, tmp: Path) -> Made:
    visible = copy.deepcopy(s.credential)
    visible["proof"] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "proofValue": "z58DAdFfa9SkqZMVPxAQpic7ndSayn1PzZs6ZjWp1CktyGesjuTSwRdoWhAfGFCF5bppETSTojQCrfFPP2oumHKtz",
    }
    return _write(tmp, "record.json", json.dumps(visible)), key(s)


def not_utf8(s: School, tmp: Path) -> Made:
    return _write(tmp, "record.jwt", b"\xff\xfe" + s.token.encode()[:40]), key(s)


def empty(s: School, tmp: Path) -> Made:
    return _write(tmp, "record.jwt", "\n"), key(s)


def json_list(s: School, tmp: Path) -> Made:
    return _write(tmp, "record.json", json.dumps([s.credential])), key(s)


def legacy_vc_claim(s: School, tmp: Path) -> Made:
    """VC 1.1 style (OB 3.0 8.2: a verifier converts the ``vc`` claim)."""
    payload = {k: v for k, v in s.payload().items() if k in CLAIMS}
    payload["vc"] = copy.deepcopy(s.credential)
    return _write(tmp, "record.jwt", sign_ed(s.header, compact(payload), s.key)), key(s)


def rs256(s: School, tmp: Path) -> Made:
    token = sign_rs({"alg": "RS256", "typ": "JWT"}, compact(s.payload()), s.rsa)
    return _write(tmp, "record.jwt", token), ["--key", str(s.rsa_pub)]


def eddsa_with_rsa_key(s: School, tmp: Path) -> Made:
    return _write(tmp, "record.jwt", s.token), ["--key", str(s.rsa_pub)]


def url_kid(s: School, tmp: Path) -> Made:
    header = {"alg": "EdDSA", "typ": "JWT", "kid": "https://school.example/keys#2026"}
    return _write(tmp, "record.jwt", sign_ed(header, compact(s.payload()), s.key)), key(s)


def private_jwk(s: School, tmp: Path) -> Made:
    raw = s.key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    header = s.header_with(jwk={**okp_jwk(s.key), "d": b64(raw)})
    return _write(tmp, "record.jwt", sign_ed(header, compact(s.payload()), s.key)), key(s)


def typ_not_jwt(s: School, tmp: Path) -> Made:
    header = s.header_with(typ="JOSE+JSON")
    return _write(tmp, "record.jwt", sign_ed(header, compact(s.payload()), s.key)), key(s)


def proof_without_key(s: School, tmp: Path) -> Made:
    path, _ = proof_mismatch(s, tmp)
    return path, []


def short_rsa_key(s: School, tmp: Path) -> Made:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = _write(tmp, "rsa1024.pub.pem", _pem_public(weak))
    token = sign_rs({"alg": "RS256", "typ": "JWT"}, compact(s.payload()), weak)
    return _write(tmp, "record.jwt", token), ["--key", str(pem)]


@dataclass(frozen=True)
class Case:
    make: Callable[[School, Path], Made]
    code: int
    words: tuple[str, ...]


NOT_VALID = "record.jwt: NOT VALID: "
SIGNATURE = (
    NOT_VALID + "the signature does not match: the record was changed after it was signed, or "
    "it was signed with another key."
)
VALID = "signature valid (signed by Riverbend Competency Academy, key urn:ietf:params:oauth:"
CASES: dict[str, Case] = {
    "genuine record": Case(genuine, 0, (VALID,)),
    "unsigned hand-edited copy with --key": Case(
        unsigned_copy_with_key,
        1,
        (
            "record.json is not signed; with --key a signature is required. Verify the signed "
            ".jwt record (`export-clr --sign-key` writes one), or leave out --key to check only "
            "the schemas, which says nothing about who wrote the record.",
        ),
    ),
    "unsigned record without --key": Case(
        unsigned_without_key,
        0,
        (
            "NOT AUTHENTICATED: the file is not signed (schema check only), so nothing shows who "
            "wrote it or that it is unchanged. To authenticate a record, check the signed .jwt "
            "with --key.",
        ),
    ),
    "tampered payload": Case(tampered_payload, 1, (SIGNATURE,)),
    "tampered header": Case(tampered_header, 1, (SIGNATURE,)),
    "wrong key": Case(
        wrong_key, 1, (NOT_VALID + "the token was signed with a different key than the one given.",)
    ),
    "signed by another key, no jwk": Case(other_signer_no_jwk, 1, (SIGNATURE,)),
    "alg none": Case(
        alg_none,
        1,
        (
            NOT_VALID + "the token says its algorithm is 'none' (not signed): refused. Only a "
            "record signed with the school's key is valid.",
        ),
    ),
    "alg confusion HS256 with the public key": Case(
        alg_confusion,
        1,
        (
            NOT_VALID + "the token says it is signed with HS256, but the key given is an Ed25519 "
            "key, which checks only EdDSA or Ed25519: refused (a token cannot choose how it is "
            "checked). Give the key that signed the record.",
        ),
    ),
    "kid names another key": Case(
        kid_mismatch,
        1,
        (
            NOT_VALID + "the token names its key 'urn:ietf:params:oauth:jwk-thumbprint:sha-256:",
            "(kid), which is not the key given (urn:ietf:params:oauth:jwk-thumbprint:sha-256:",
            "): refused. Give the key the record names.",
        ),
    ),
    "jwk carries a private key": Case(
        private_jwk,
        1,
        (
            NOT_VALID + "the token's header carries a private key (jwk with 'd'): refused. "
            "Whoever made it leaked the signing key; make a new key pair.",
        ),
    ),
    "typ is not JWT": Case(
        typ_not_jwt,
        1,
        (NOT_VALID + "the token's typ is 'JOSE+JSON'; Open Badges 3.0 requires 'JWT'.",),
    ),
    "expired exp": Case(
        expired,
        1,
        (
            NOT_VALID + "the record expired on 2026-01-31T00:00:00Z (exp); the run's clock says "
            "2026-06-30T00:00:00Z. Ask the school for a current record.",
        ),
    ),
    "nbf in the future": Case(
        not_yet_valid,
        1,
        (
            NOT_VALID + "the record is not valid before 2027-09-01T00:00:00Z (nbf); the run's "
            "clock says 2026-06-30T00:00:00Z. Check it again from then (or check "
            "SOURCE_DATE_EPOCH).",
        ),
    ),
    "unknown crit header": Case(
        unknown_crit,
        1,
        (
            NOT_VALID + "the token marks 'urn:example:policy' as critical (crit), which Proficio "
            "does not understand: refused. A record must not require extensions to be "
            "understood.",
        ),
    ),
    "crit lists an absent header": Case(
        crit_absent,
        1,
        (NOT_VALID + "the token's crit lists 'exp', which its header does not have: malformed.",),
    ),
    "header points at a key URL (jku)": Case(
        key_url_header,
        1,
        (
            NOT_VALID + "the token's header has 'jku', which Open Badges 3.0 does not allow (only "
            "alg, kid, jwk and typ): refused.",
        ),
    ),
    "truncated token": Case(
        truncated,
        1,
        (
            NOT_VALID + "not a compact JWT: it has 2 parts; a signed record is three base64url "
            "parts joined by dots (header.payload.signature). The file may be cut short or have "
            "something added: export the record again.",
        ),
    ),
    "extra segments": Case(extra_segments, 1, (NOT_VALID + "not a compact JWT: it has 4 parts;",)),
    "non-base64url characters": Case(
        not_base64url,
        1,
        (
            NOT_VALID + "the token is damaged: its payload holds characters that are not "
            "base64url (only A-Z, a-z, 0-9, '-' and '_' may appear).",
        ),
    ),
    "signed payload is a list": Case(
        payload_a_list,
        1,
        (NOT_VALID + "the signed payload is not a JSON object (it is a list): not a credential.",),
    ),
    "signed payload is not JSON": Case(
        payload_not_json,
        1,
        (
            NOT_VALID
            + "the signed payload is not JSON (Expecting value: line 1 column 1 (char 0)).",
        ),
    ),
    "signed payload without validFrom": Case(
        payload_without_dates,
        1,
        (NOT_VALID + "the signed credential has no validFrom (Open Badges 3.0 requires it).",),
    ),
    "signed payload repeats a member": Case(
        duplicate_member,
        1,
        (
            NOT_VALID + "the signed payload has 'name' twice in one object: one reader would see "
            "the first value and another the second, so it is refused.",
        ),
    ),
    "JSON with a proof, visible credential edited": Case(
        proof_mismatch,
        1,
        (
            "record.json: NOT VALID: the JSON in the file is not what was signed: "
            "credentialSubject/verifiableCredential/",
            '/credentialSubject/result/1/value reads "4" but the signed record says "',
            "Trust only the signed record (its proof's jwt), or ask the school for a new copy.",
        ),
    ),
    "JSON with a proof, unchanged": Case(proof_match, 0, (VALID,)),
    "JSON with a proof, no --key": Case(
        proof_without_key,
        0,
        (
            "NOT AUTHENTICATED: its proof was not checked (give --key to check it), so nothing "
            "shows who wrote it or that it is unchanged.",
        ),
    ),
    "JSON with a proof Proficio cannot check": Case(
        proof_unsupported,
        1,
        (
            "record.json: NOT VALID: its proof is a DataIntegrityProof (eddsa-rdfc-2022), which "
            "Proficio cannot check: it checks VC-JWT signatures (the .jwt records `export-clr "
            "--sign-key` writes).",
        ),
    ),
    "file not UTF-8": Case(
        not_utf8,
        1,
        (
            NOT_VALID + "the file is not UTF-8 text (byte 0xff at position 0): not a CLR record "
            "(.json) or a signed record (.jwt).",
        ),
    ),
    "empty file": Case(
        empty,
        1,
        (NOT_VALID + "the file is empty: not a CLR record (.json) or a signed record (.jwt).",),
    ),
    "JSON list instead of a record": Case(
        json_list,
        1,
        ("record.json: NOT VALID: the JSON is a list, not a CLR record (a ClrCredential object).",),
    ),
    "legacy vc claim": Case(legacy_vc_claim, 0, (VALID,)),
    "RS256 with the school's RSA key": Case(rs256, 0, (VALID,)),
    "EdDSA token, RSA key given": Case(
        eddsa_with_rsa_key,
        1,
        (
            NOT_VALID + "the token says it is signed with EdDSA, but the key given is an RSA key, "
            "which checks only RS256: refused",
        ),
    ),
    "RSA key too short": Case(
        short_rsa_key,
        1,
        ("rsa1024.pub.pem is a 1024-bit RSA key; RS256 needs at least 2048 bits.",),
    ),
    "kid is a URL Proficio does not fetch": Case(
        url_kid,
        0,
        (
            VALID,
            "; the token names its key 'https://school.example/keys#2026', which Proficio does "
            "not fetch: it checked the key given;",
        ),
    ),
}


def verify(school: School, case: Case, tmp: Path) -> tuple[int, str]:
    path, args = case.make(school, tmp)
    result = CliRunner().invoke(main, ["verify", str(path), *args], env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    return result.exit_code, result.output


@pytest.mark.parametrize("name", list(CASES))
def test_verify_refuses_what_it_cannot_authenticate(
    name: str, school: School, tmp_path: Path
) -> None:
    case = CASES[name]
    code, output = verify(school, case, tmp_path)
    assert code == case.code, output
    flat = " ".join(output.split())
    for words in case.words:
        assert words in flat, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == (1 if case.code else 0), output
    if case.code == 0:
        assert "matches the CLR 2.0 and Open Badges 3.0 schemas" in flat, output


def test_a_signed_record_is_byte_identical_to_the_hand_made_jws(school: School) -> None:
    """The library swap changed no byte: the record is exactly the JWS a by-hand EdDSA signer
    makes of the same header and payload (Ed25519 signatures are deterministic)."""
    header, payload, _ = school.token.split(".")
    assert school.header == {"alg": "EdDSA", "typ": "JWT", "jwk": okp_jwk(school.key)}
    assert sign_ed(school.header, unb64(payload), school.key) == school.token
    assert b64(compact(school.header)) == header


@pytest.mark.parametrize(("kind", "alg"), [("school", "EdDSA"), ("rsa", "RS256")])
def test_export_clr_signs_with_either_key_and_verify_accepts_only_that_key(
    kind: str, alg: str, school: School, tmp_path: Path
) -> None:
    """OB 3.0 asks for RS256 as the minimum; Proficio signs with EdDSA (Ed25519) and RS256, and
    the record verifies with its own key and no other."""
    args = ["export-clr", "--content", str(ROOT / "content"), "--roster"]
    args += [str(school.folder / "roster.csv"), "--evidence"]
    args += [str(ROOT / "examples" / "riverbend" / "evidence.csv")]
    args += ["--issues", str(tmp_path / "issues.csv"), "--out", str(tmp_path / "clr")]
    args += ["--sign-key", str(school.folder / f"{kind}.pem")]
    runner = CliRunner()
    done = runner.invoke(main, args, env=ENV)
    assert done.exit_code == 0, done.output
    assert "Wrote 1 CLR 2.0 records (signed VC-JWT, " in done.output
    [record] = sorted((tmp_path / "clr").glob("*.jwt"))
    header = json.loads(unb64(record.read_text(encoding="utf-8").split(".")[0]))
    assert header["alg"] == alg and header["typ"] == "JWT" and set(header) == {"alg", "typ", "jwk"}
    ok = runner.invoke(
        main, ["verify", str(record), "--key", str(school.folder / f"{kind}.pub.pem")], env=ENV
    )
    assert ok.exit_code == 0, ok.output
    assert VALID in " ".join(ok.output.split())
    other = school.rsa_pub if kind == "school" else school.pub
    refused = runner.invoke(main, ["verify", str(record), "--key", str(other)], env=ENV)
    assert refused.exit_code == 1, refused.output
    assert f"the token says it is signed with {alg}, but the key given is " in refused.output


# -- CASE: a chain of isChildOf far deeper than any framework, and cycles ----------------------


def case_package(
    n: int, edges: list[tuple[int, int | None]], *, typed: bool = False
) -> dict[str, Any]:
    """``n`` CFItems ``D.0`` ... and isChildOf associations (child, parent); ``None`` is the
    CFDocument."""
    doc_uri = "https://example.org/case/doc-1"
    items = []
    for i in range(n):
        item = {
            "identifier": f"item-{i:04d}",
            "uri": f"https://example.org/case/item-{i:04d}",
            "fullStatement": f"Statement {i}",
            "humanCodingScheme": f"D.{i}",
        }
        if typed:
            item["CFItemType"] = "Standard"
        items.append(item)

    def node(j: int | None) -> dict[str, str]:
        if j is None:
            return {"identifier": "doc-1", "uri": doc_uri}
        return {"identifier": f"item-{j:04d}", "uri": f"https://example.org/case/item-{j:04d}"}

    return {
        "CFDocument": {"identifier": "doc-1", "uri": doc_uri, "title": "Hostile framework"},
        "CFItems": items,
        "CFAssociations": [
            {
                "identifier": f"assoc-{k}",
                "associationType": "isChildOf",
                "originNodeURI": node(child),
                "destinationNodeURI": node(parent),
                "sequenceNumber": 1,
            }
            for k, (child, parent) in enumerate(edges)
        ],
    }


def chain(n: int) -> list[tuple[int, int | None]]:
    return [(i, i - 1 if i else None) for i in range(n)]


DEEP = (
    "the isChildOf tree is {depth} items deep, and Proficio imports at most 64 tiers "
    "(a framework has a handful: subject, level, topic, target). The deepest chain starts "
    "D.0 > D.1 > D.2 > D.3 > D.4 > ..."
)
CASE_CASES: dict[str, tuple[dict[str, Any], int, tuple[str, ...]]] = {
    "3,000-deep untyped chain": (case_package(3000, chain(3000)), 1, (DEEP.format(depth="3,000"),)),
    "3,000-deep typed chain": (
        case_package(3000, chain(3000), typed=True),
        1,
        (DEEP.format(depth="3,000"),),
    ),
    "20,000-deep chain (was minutes of walking, then a traceback)": (
        case_package(20_000, chain(20_000)),
        1,
        (DEEP.format(depth="20,000"),),
    ),
    "65-deep chain (one past the limit)": (
        case_package(65, chain(65)),
        1,
        (DEEP.format(depth="65"),),
    ),
    "64-deep chain (the limit)": (
        case_package(64, chain(64)),
        0,
        ("64 items read, 3 placed (1 levels, 1 topics, 1 targets), 61 not placed",),
    ),
    "two items each the other's child": (
        case_package(3, [(0, None), (1, 2), (2, 1)]),
        0,
        (
            'note: isChildOf from untyped item D.2 "Statement 2" [item-0002] to item-0001 would make a cycle: ignored.',
            "3 items read, 3 placed",
        ),
    ),
    "an item its own child": (
        case_package(2, [(0, None), (1, 1)]),
        0,
        (
            'note: isChildOf from untyped item D.1 "Statement 1" [item-0001] to item-0001 would make a cycle: ignored.',
            "2 items read, 2 placed",
        ),
    ),
    "a 3,000-item ring": (
        case_package(3000, [(i, (i - 1) % 3000) for i in range(3000)]),
        1,
        (
            'isChildOf from untyped item D.2999 "Statement 2999" [item-2999] to item-2998 would make a cycle: ignored.',
            "the isChildOf tree is 3,000 items deep",
        ),
    ),
}


@pytest.mark.parametrize("name", list(CASE_CASES))
def test_import_case_refuses_a_tree_too_deep_and_reports_cycles(name: str, tmp_path: Path) -> None:
    """A refused package is refused before anything is written (so no --dry-run there); an
    accepted one is imported as a dry run."""
    package, code, words = CASE_CASES[name]
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(package), encoding="utf-8")
    content = tmp_path / "content"
    args = ["import-case", str(path), "--subject", "DP", "--content", str(content)]
    result = CliRunner().invoke(main, [*args] if code else [*args, "--dry-run"], env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output[-2000:]}")
    assert result.exit_code == code, result.output[-2000:]
    flat = " ".join(result.output.split())
    for expected in words:
        assert expected in flat, result.output[-2000:]
    assert "Traceback" not in result.output
    if code:
        assert f"Error: {path}: the isChildOf tree is " in result.output
        assert flat.endswith("export it again. Nothing was imported."), flat[-300:]
    assert not content.exists()
