"""Signed transcripts (issue 14, item 6): PAdES signatures that keep PDF/A-2a and PDF/UA-1, the
verification line, and ``proficio verify-pdf``.

Every certificate is made here with ``cryptography`` (a throwaway CA and its registrar), never
checked in. The signing time is pinned with SOURCE_DATE_EPOCH, as a reproducible run pins it.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfReader

from proficio.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "riverbend"
CONTENT = ROOT / "content"
STUDENT = "S000013"  # an Arabic name
EPOCH = "1781265600"  # 2026-06-12 12:00:00 UTC, the issue date at noon
SIGNED_AT = "2026-06-12 12:00:00 UTC"
SIGNER = "Dana Whitfield (Riverbend Competency Academy)"
TOOLTIP = "Digital signature of Riverbend Competency Academy"
VERIFY_URL = "https://verify.riverbend.example.org/check?id={id}"
PASSWORD = "correct horse battery staple"

# -- certificates ---------------------------------------------------------------------------

_START = datetime(2025, 1, 1, tzinfo=UTC)


def _name(cn: str, org: str = "Riverbend Competency Academy") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        ]
    )


def _usage(*, sign: bool, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=not sign and not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _cert(
    subject, key, issuer=None, issuer_key=None, *, days=3650, start=_START, sign=True, ca=False
):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sign is not None:
        builder = builder.add_extension(_usage(sign=sign, ca=ca), critical=True)
    return builder.sign(issuer_key or key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key, password: str | None = None) -> bytes:
    crypt = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, crypt)


@dataclass
class Keys:
    folder: Path

    def __getattr__(self, name: str) -> str:
        stem, ext = name.rsplit("_", 1)  # other_ca_pem: other-ca.pem
        path = self.folder / f"{stem.replace('_', '-')}.{ext}"
        assert path.exists(), path
        return str(path)


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Keys:
    """A school CA and its registrar's certificate, and the wrong ones a registrar might hold."""
    d = tmp_path_factory.mktemp("keys")
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _cert(_name("Riverbend Test CA"), ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _cert(_name("Dana Whitfield"), key, ca, ca_key)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_cert = _cert(_name("Dana Whitfield"), ed_key, ca, ca_key)
    other_ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_ca = _cert(_name("Elsewhere CA", "Elsewhere High"), other_ca_key, ca=True)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = _cert(_name("Someone Else", "Elsewhere High"), other_key, other_ca, other_ca_key)
    expired = _cert(
        _name("Dana Whitfield"), key, ca, ca_key, days=365, start=datetime(2020, 1, 1, tzinfo=UTC)
    )
    no_signing = _cert(_name("Dana Whitfield"), key, ca, ca_key, sign=False)
    any_usage = _cert(_name("Dana Whitfield"), key, ca, ca_key, sign=None)
    weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    weak = _cert(_name("Dana Whitfield"), weak_key, ca, ca_key)
    files = {
        "ca.pem": _pem(ca),
        "key.pem": _key_pem(key),
        "cert.pem": _pem(cert),
        "chain.pem": _pem(cert) + _pem(ca),
        "locked.pem": _key_pem(key, PASSWORD),
        "ed25519-key.pem": _key_pem(ed_key),
        "ed25519-cert.pem": _pem(ed_cert),
        "other-ca.pem": _pem(other_ca),
        "other-key.pem": _key_pem(other_key),
        "other-cert.pem": _pem(other),
        "expired.pem": _pem(expired),
        "no-signing.pem": _pem(no_signing),
        "any-usage.pem": _pem(any_usage),
        "weak-key.pem": _key_pem(weak_key),
        "weak-cert.pem": _pem(weak),
        "school.p12": pkcs12.serialize_key_and_certificates(
            b"registrar",
            key,
            cert,
            [ca],
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        ),
    }
    for name, data in files.items():
        (d / name).write_bytes(data)
    return Keys(d)


# -- runs -----------------------------------------------------------------------------------


def run(*args: str, password: str | None = None) -> tuple[int, str]:
    env = {"SOURCE_DATE_EPOCH": EPOCH, "PROFICIO_KEY_PASSWORD": password}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def transcripts(
    out: Path,
    *sign: str,
    content: Path = CONTENT,
    kind: str = "transcript",
    password: str | None = None,
) -> tuple[int, str]:
    return run(
        "transcripts",
        "--content",
        str(content),
        "--roster",
        str(EXAMPLE / "roster.csv"),
        "--evidence",
        str(EXAMPLE / "evidence.csv"),
        "--out",
        str(out),
        "--kind",
        kind,
        "--issue-date",
        "2026-06-12",
        "--jobs",
        "1",
        "--students",
        STUDENT,
        *sign,
        password=password,
    )


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> Path:
    """The example school with a verification address."""
    folder = tmp_path_factory.mktemp("school") / "content"
    shutil.copytree(CONTENT, folder)
    yaml = folder / "school.yaml"
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(text + f"verification_url: {VERIFY_URL}\n", encoding="utf-8")
    return folder


@dataclass
class Issued:
    signed: Path
    again: Path
    unsigned: Path


@pytest.fixture(scope="module")
def issued(tmp_path_factory, keys, school) -> Issued:
    """One student's transcript signed twice (same inputs) and once unsigned (without the
    verification address)."""
    d = tmp_path_factory.mktemp("issued")
    sign = ("--sign-key", keys.key_pem, "--sign-cert", keys.chain_pem)
    for name in ("signed", "again"):
        code, output = transcripts(d / name, *sign, content=school)
        assert code == 0, output
        assert f"Signed by {SIGNER} at {SIGNED_AT}." in output
    code, output = transcripts(d / "unsigned")
    assert code == 0, output
    assert "Signed by" not in output
    return Issued(
        d / "signed" / f"{STUDENT}.pdf",
        d / "again" / f"{STUDENT}.pdf",
        d / "unsigned" / f"{STUDENT}.pdf",
    )


def ok_line(path: Path | str) -> str:
    return (
        f"{path}: OK: signed by {SIGNER} at {SIGNED_AT}; no byte changed since signing (the "
        "signature covers every byte but its own)."
    )


@pytest.mark.parametrize("trust", ["cert_pem", "ca_pem", "chain_pem"])
def test_a_signed_pdf_verifies_with_the_school_certificate_or_its_ca(issued, keys, trust):
    code, output = run("verify-pdf", str(issued.signed), "--cert", getattr(keys, trust))
    assert code == 0, output
    assert output.splitlines() == [ok_line(issued.signed)]


def test_two_signed_runs_are_byte_identical(issued):
    assert issued.signed.read_bytes() == issued.again.read_bytes()


def first_revision(data: bytes) -> bytes:
    """The PDF as Typst wrote it: everything up to its first %%EOF."""
    end = data.index(b"%%EOF") + len(b"%%EOF")
    return data[: end + 1] if data[end : end + 1] == b"\n" else data[:end]


def test_signing_is_an_incremental_update_that_keeps_pdfa_pdfua_and_the_tags(issued):
    data = issued.signed.read_bytes()
    original = first_revision(data)
    assert len(original) < len(data) and data.startswith(original)
    before, after = PdfReader(io.BytesIO(original)), PdfReader(io.BytesIO(data))
    xmp = after.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert xmp == before.trailer["/Root"]["/Metadata"].get_object().get_data()
    text = xmp.decode()
    for field, value in [("pdfaid:part", "2"), ("pdfaid:conformance", "A"), ("pdfuaid:part", "1")]:
        assert re.search(rf"<{field}>{value}</{field}>|{field}=\"{value}\"", text), field
    assert after.metadata == before.metadata  # the information dictionary as Typst wrote it
    root_b, root_a = before.trailer["/Root"], after.trailer["/Root"]
    assert root_a["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    assert bool(root_a["/MarkInfo"]["/Marked"]) and root_a["/Lang"] == root_b["/Lang"]
    form = root_a["/AcroForm"]
    assert form["/SigFlags"] == 3 and "/NeedAppearances" not in form

    tree_b, tree_a = root_b["/StructTreeRoot"], root_a["/StructTreeRoot"]
    top_b, top_a = tree_b["/K"][0].get_object(), tree_a["/K"][0].get_object()
    kids_b = [k.idnum for k in top_b["/K"]]
    kids_a = [k.idnum for k in top_a["/K"]]
    assert top_a["/S"] == "/Document" and kids_a[:-1] == kids_b and len(kids_a) == len(kids_b) + 1
    element = top_a["/K"][-1].get_object()
    assert element["/S"] == "/Form" and element["/Alt"] == TOOLTIP
    widget_ref = element["/K"]["/Obj"]
    assert element["/K"]["/Type"] == "/OBJR"
    widget = widget_ref.get_object()
    assert widget["/Subtype"] == "/Widget" and widget["/FT"] == "/Sig"
    assert widget["/TU"] == TOOLTIP and widget["/F"] == 132  # printed and locked
    assert [float(x) for x in widget["/Rect"]] == [0, 0, 0, 0]  # invisible: no area
    assert widget["/AP"]["/N"].get_object()["/Subtype"] == "/Form"
    assert widget["/V"]["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    key = widget["/StructParent"]
    nums = tree_a["/ParentTree"]["/Nums"]
    assert key == tree_b["/ParentTreeNextKey"] and tree_a["/ParentTreeNextKey"] == key + 1
    assert nums[-2] == key and nums[-1].idnum == top_a["/K"][-1].idnum

    def flat(values):
        return [getattr(v, "idnum", v) for v in values]

    assert flat(nums[:-2]) == flat(tree_b["/ParentTree"]["/Nums"])
    last = after.pages[-1]
    assert last["/Tabs"] == "/S" and last["/Annots"][-1].get_object()["/StructParent"] == key
    assert [p.extract_text() for p in after.pages] == [p.extract_text() for p in before.pages]


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def manifest_entry(pdf: Path) -> dict:
    return json.loads((pdf.parent / "manifest.json").read_text())["documents"][0]


def test_every_page_prints_the_document_id_and_content_hash(issued):
    signed, unsigned = manifest_entry(issued.signed), manifest_entry(issued.unsigned)
    assert signed["signed"] is True and unsigned["signed"] is False
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}", signed["document_id"])
    # Same student, kind, date and language: the same ID; same printed data: the same hash.
    assert signed["document_id"] == unsigned["document_id"]
    assert signed["content_sha256"] == unsigned["content_sha256"]
    digest = signed["content_sha256"]
    line = (
        f"Document ID {signed['document_id']} · content SHA-256 "
        f"{digest[:4]} {digest[4:8]} {digest[8:12]} {digest[12:16]}"
    )
    for pdf in (issued.signed, issued.unsigned):
        pages = pdftotext(pdf).split("\f")[:-1]
        assert len(pages) == manifest_entry(pdf)["pages"]
        assert all(line in page for page in pages), pdf  # the footer of every page
    url = VERIFY_URL.format(id=signed["document_id"])
    signed_text = pdftotext(issued.signed)
    assert f"To check this document, open {url}" in signed_text
    assert "This PDF is digitally signed by Dana Whitfield (Riverbend Competency" in signed_text
    assert "To check this document" not in pdftotext(issued.unsigned)
    links = [
        a.get_object()["/A"]["/URI"]
        for a in PdfReader(issued.signed).pages[-1].get("/Annots", [])
        if a.get_object()["/Subtype"] == "/Link"
    ]
    assert url in links
    figures = [alt for tag, alt in alt_texts(issued.signed) if alt.startswith("QR code")]
    assert figures == [f"QR code of the address to check this document: {url}"]
    assert not [alt for _, alt in alt_texts(issued.unsigned) if alt.startswith("QR code")]


def alt_texts(pdf: Path) -> list[tuple[str, str]]:
    """(tag, /Alt) of every structure element that has one, in reading order."""
    found: list[tuple[str, str]] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "get") or node.get("/Type") not in ("/StructElem", None):
            return
        if "/S" in node and "/Alt" in node:
            found.append((str(node["/S"]), str(node["/Alt"])))
        if "/K" in node and "/S" in node:
            walk(node["/K"])

    walk(PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"]["/K"])
    return found


def _flip(data: bytes, at: int) -> bytes:
    b = bytearray(data)
    b[at] = ord("0") if b[at] != ord("0") else ord("7")
    return bytes(b)


def _contents(data: bytes) -> tuple[int, int]:
    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    return start, data.index(b">", start)


def _retitled(data: bytes) -> bytes:
    """An edit appended as an incremental update, the way an editing tool saves."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    info = writer.trailer["/Info"]
    info["/Title"] = generic.TextStringObject("Official transcript: someone else")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CHANGED = (
    "CHANGED: bytes of this PDF differ from what was signed (the signature no longer matches "
    "the document). Do not accept it; ask the school for a new copy."
)
ADDED = (
    "CHANGED: bytes were added after the signature (an edited copy). Do not accept it; ask the "
    "school for a new copy."
)
UNREADABLE = "NOT VALID: not a readable PDF ("
TAMPERED = [
    ("a byte of page content", lambda d: _flip(d, len(d) // 3), CHANGED),
    ("a byte of the first object", lambda d: _flip(d, 20), CHANGED),
    (
        "the signing time",
        lambda d: d.replace(b"/M (D\\07220260612", b"/M (D\\07220250612"),
        CHANGED,
    ),
    ("the signature value's last digit", lambda d: _flip(d, _contents(d)[1] - 1), CHANGED),
    ("bytes appended", lambda d: d + b"% appended\n", ADDED),
    ("an incremental edit", _retitled, ADDED),
]


@pytest.mark.parametrize(("what", "change", "problem"), TAMPERED, ids=[t[0] for t in TAMPERED])
def test_one_changed_byte_fails(issued, keys, tmp_path, what, change, problem):
    data = issued.signed.read_bytes()
    bad = tmp_path / "changed.pdf"
    bad.write_bytes(change(data))
    assert bad.read_bytes() != data
    code, output = run("verify-pdf", str(issued.signed), str(bad), "--cert", keys.ca_pem)
    assert code == 1
    assert output.splitlines() == [
        ok_line(issued.signed),
        f"{bad}: {problem}",
        "Error: 1 of 2 PDF(s) failed verification (listed above).",
    ]


def _damaged_certificate(data: bytes) -> bytes:
    """The length of the signer's certificate, which the CMS carries outside what is signed."""
    start, end = _contents(data)
    certificates = data.index(b"A082", start, end)  # [0] IMPLICIT SET OF Certificate
    return _flip(data, certificates + len(b"A082xxxx3082"))


def _renamed_signer(data: bytes) -> bytes:
    """One letter of the name in the signer's certificate: still a well-formed certificate."""
    start, end = _contents(data)
    at = data.index(b"Dana".hex().upper().encode(), start, end)
    return data[:at] + b"Dona".hex().upper().encode() + data[at + 8 :]


ALTERED = re.escape(
    "NOT VALID: the certificate carried in the signature was altered (it is not the one the "
    "signature was made with)."
)
NOT_ACCEPTED = [
    (
        "a truncated file",
        lambda d: d[: len(d) // 2],
        "ca_pem",
        r"NOT VALID: not a readable PDF \(.+\): damaged, or cut short in transfer\.",
    ),
    (
        "the signer's certificate cut",
        _damaged_certificate,
        "ca_pem",
        r"NOT VALID: the signature is damaged \(Insufficient data - \d+ bytes requested but only "
        r"\d+ available\)\.",
    ),
    ("the signer's name changed", _renamed_signer, "ca_pem", ALTERED),
    ("the signer's name changed, own cert", _renamed_signer, "cert_pem", ALTERED),
    (
        "not a PDF",
        lambda d: b"Official transcript\n",
        "ca_pem",
        r"NOT VALID: not a readable PDF \(Illegal PDF header\): damaged, or cut short in transfer\.",
    ),
    (
        "an empty file",
        lambda d: b"",
        "ca_pem",
        r"NOT VALID: not a readable PDF \(Illegal PDF header\): damaged, or cut short in transfer\.",
    ),
    (
        "another school's certificate",
        lambda d: d,
        "other_ca_pem",
        re.escape(
            f"NOT VALID: signed by {SIGNER}, whose certificate is not the one given with "
            "--cert (nor issued by it), or was not valid at the signing time."
        ),
    ),
    (
        "another registrar's certificate",
        lambda d: d,
        "other_cert_pem",
        re.escape(
            f"NOT VALID: signed by {SIGNER}, whose certificate is not the one given with "
            "--cert (nor issued by it), or was not valid at the signing time."
        ),
    ),
]


@pytest.mark.parametrize(
    ("what", "change", "trust", "problem"), NOT_ACCEPTED, ids=[t[0] for t in NOT_ACCEPTED]
)
def test_a_pdf_that_is_not_the_school_signed_one_fails(
    issued, keys, tmp_path, what, change, trust, problem
):
    bad = tmp_path / "received.pdf"
    bad.write_bytes(change(issued.signed.read_bytes()))
    code, output = run("verify-pdf", str(bad), "--cert", getattr(keys, trust))
    assert code == 1
    lines = output.splitlines()
    assert (
        len(lines) == 2 and lines[1] == "Error: 1 of 1 PDF(s) failed verification (listed above)."
    )
    assert re.fullmatch(re.escape(f"{bad}: ") + problem, lines[0]), lines[0]


def test_an_unsigned_pdf_fails(issued, keys):
    code, output = run("verify-pdf", str(issued.unsigned), "--cert", keys.cert_pem)
    assert code == 1
    assert output.splitlines() == [
        f"{issued.unsigned}: NOT VALID: the PDF carries no digital signature.",
        "Error: 1 of 1 PDF(s) failed verification (listed above).",
    ]


@pytest.mark.parametrize(
    ("kind", "sign", "password"),
    [
        ("transcript", ("--sign-key", "ed25519-key.pem", "--sign-cert", "ed25519-cert.pem"), None),
        ("transcript", ("--sign-p12", "school.p12"), PASSWORD),
        ("transcript", ("--sign-key", "locked.pem", "--sign-cert", "cert.pem"), PASSWORD),
        ("progress", ("--sign-key", "key.pem", "--sign-cert", "cert.pem"), None),
        ("transcript", ("--sign-key", "key.pem", "--sign-cert", "any-usage.pem"), None),
    ],
    ids=["ed25519", "pkcs12", "encrypted-pem", "progress-report", "no-key-usage-extension"],
)
def test_other_keys_and_documents_sign_deterministically(keys, tmp_path, kind, sign, password):
    args = [str(keys.folder / a) if a.endswith((".pem", ".p12")) else a for a in sign]
    made = []
    for name in ("one", "two"):
        code, output = transcripts(tmp_path / name, *args, kind=kind, password=password)
        assert code == 0, output
        made.append((tmp_path / name / f"{STUDENT}.pdf").read_bytes())
    assert made[0] == made[1]
    code, output = run(
        "verify-pdf", str(tmp_path / "one" / f"{STUDENT}.pdf"), "--cert", keys.ca_pem
    )
    assert code == 0 and output.splitlines() == [ok_line(tmp_path / "one" / f"{STUDENT}.pdf")]


REFUSED = [
    (
        "key of another certificate",
        ("--sign-key", "key.pem", "--sign-cert", "other-cert.pem"),
        None,
        "--sign-cert {d}/other-cert.pem: no certificate there belongs to the key (it is the "
        "certificate of Someone Else (Elsewhere High), made for another key). Give the key's own "
        "certificate.",
    ),
    (
        "no certificate",
        ("--sign-key", "key.pem"),
        None,
        "--sign-cert is missing: signing takes the school's key (--sign-key KEY.pem) and its "
        "certificate (--sign-cert CERT.pem), or one PKCS#12 file (--sign-p12).",
    ),
    (
        "no key",
        ("--sign-cert", "cert.pem"),
        None,
        "--sign-key is missing: signing takes the school's key (--sign-key KEY.pem) and its "
        "certificate (--sign-cert CERT.pem), or one PKCS#12 file (--sign-p12).",
    ),
    (
        "p12 and a key",
        ("--sign-p12", "school.p12", "--sign-key", "key.pem"),
        PASSWORD,
        "--sign-p12 holds the key and the certificate: give it alone, or --sign-key with "
        "--sign-cert.",
    ),
    (
        "p12 without a password",
        ("--sign-p12", "school.p12"),
        None,
        "--sign-p12 {d}/school.p12 is protected by a password: set PROFICIO_KEY_PASSWORD, or run "
        "the command in a terminal to be asked for it.",
    ),
    (
        "p12 with a wrong password",
        ("--sign-p12", "school.p12"),
        "wrong",
        "--sign-p12 {d}/school.p12: the password does not open this file, or it is not a PKCS#12 "
        "(.p12/.pfx) file. Check PROFICIO_KEY_PASSWORD (or what you typed).",
    ),
    (
        "encrypted key without a password",
        ("--sign-key", "locked.pem", "--sign-cert", "cert.pem"),
        None,
        "--sign-key {d}/locked.pem is protected by a password: set PROFICIO_KEY_PASSWORD, or "
        "run the command in a terminal to be asked for it.",
    ),
    (
        "encrypted key, wrong password",
        ("--sign-key", "locked.pem", "--sign-cert", "cert.pem"),
        "wrong",
        "--sign-key {d}/locked.pem: the password does not open this key. Check "
        "PROFICIO_KEY_PASSWORD (or what you typed).",
    ),
    (
        "expired certificate",
        ("--sign-key", "key.pem", "--sign-cert", "expired.pem"),
        None,
        "--sign-cert {d}/expired.pem: the certificate of Dana Whitfield (Riverbend Competency "
        "Academy) is valid from 2020-01-01 to 2020-12-31, and the signing time is 2026-06-12 12:00 "
        "UTC (SOURCE_DATE_EPOCH, else now): renew the certificate, or correct SOURCE_DATE_EPOCH.",
    ),
    (
        "certificate not for signing",
        ("--sign-key", "key.pem", "--sign-cert", "no-signing.pem"),
        None,
        "--sign-cert {d}/no-signing.pem: the certificate of Dana Whitfield (Riverbend "
        "Competency Academy) may not sign documents (its key usage has neither digitalSignature nor "
        "nonRepudiation). Ask for a document-signing certificate.",
    ),
    (
        "1024-bit RSA",
        ("--sign-key", "weak-key.pem", "--sign-cert", "weak-cert.pem"),
        None,
        "--sign-cert {d}/weak-cert.pem: a 1024-bit RSA key is too weak to sign; use 2048 bits or "
        "more.",
    ),
    (
        "a certificate as the key",
        ("--sign-key", "cert.pem", "--sign-cert", "cert.pem"),
        None,
        "--sign-key {d}/cert.pem: not a private key (PEM or DER), or a damaged one. A test "
        "certificate: openssl req -x509 -newkey rsa:3072 -nodes -keyout school-key.pem -out "
        "school-cert.pem -days 825 -subj '/CN=Registrar/O=My School' (see README.md, 'Signed "
        "transcripts').",
    ),
    (
        "a key as the certificate",
        ("--sign-key", "key.pem", "--sign-cert", "key.pem"),
        None,
        "--sign-cert {d}/key.pem: not a certificate (PEM or DER). A test certificate: openssl req "
        "-x509 -newkey rsa:3072 -nodes -keyout school-key.pem -out school-cert.pem -days 825 -subj "
        "'/CN=Registrar/O=My School' (see README.md, 'Signed transcripts').",
    ),
]


@pytest.mark.parametrize(
    ("what", "sign", "password", "message"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_a_key_or_certificate_that_cannot_sign_stops_the_run_first(
    keys, tmp_path, what, sign, password, message
):
    args = [str(keys.folder / a) if a.endswith((".pem", ".p12")) else a for a in sign]
    out = tmp_path / "out"
    code, output = transcripts(out, *args, password=password)
    assert code == 2
    assert output.splitlines() == [f"Error: {message.format(d=keys.folder)}"]
    assert not out.exists() or not any(out.iterdir())  # nothing read, nothing written


# -- item 8: packed into object streams, nothing else changed ------------------------------------


def canonical(pdf: bytes) -> list:
    """Every object reachable from the catalog (pages, fonts, images, the structure tree, the
    XMP, the OutputIntent), numbered in the order a sorted walk meets them, streams decoded:
    two files with equal forms hold the same document whatever their object numbers, object
    streams or cross-reference form."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    reader = PdfReader(io.BytesIO(pdf))
    order: dict[int, int] = {}
    objects: list = []
    pending: list[IndirectObject] = []

    def ref(r: IndirectObject):
        if r.idnum not in order:
            order[r.idnum] = len(order)
            objects.append(None)
            pending.append(r)
        return ("ref", order[r.idnum])

    def form(value):
        if isinstance(value, IndirectObject):
            return ref(value)
        if isinstance(value, StreamObject):
            items = {
                k: form(v)
                for k, v in sorted(value.items())
                if k not in ("/Length", "/Filter", "/DecodeParms")
            }
            return ("stream", items, value.get_data())
        if isinstance(value, DictionaryObject):
            return ("dict", {k: form(v) for k, v in sorted(value.items())})
        if isinstance(value, ArrayObject):
            return ("array", [form(v) for v in value])
        return (type(value).__name__, str(value))

    ref(reader.trailer.raw_get("/Root"))
    while pending:
        r = pending.pop(0)
        objects[order[r.idnum]] = form(r.get_object())
    return objects


@pytest.fixture(scope="module")
def typeset():
    """Typst's own PDF and the packed one, for a transcript and a progress report of a Latin,
    an Arabic and a Chinese name."""
    from dataclasses import replace

    from transcript_helpers import ISSUED, result, school, simple_explain

    from proficio.evidence.records import Student
    from proficio.transcripts.document import Options
    from proficio.transcripts.fonts import Coverage, font_dirs
    from proficio.transcripts.render import Renderer, compact

    dirs = font_dirs()
    coverage = Coverage.of_dirs(dirs)
    students = [
        Student("T-1", "Ana", "Núñez"),
        Student("T-2", "محمد", "علي", language="es"),
        Student("T-3", "一鸣", "高", language="vi"),
    ]
    made = []
    for kind in ("transcript", "progress"):
        renderer = Renderer(
            school(), replace(Options(issued=ISSUED), kind=kind), dirs, coverage, simple_explain
        )
        try:
            for st in students:
                raw = renderer.typeset(result(st, current={"MA": 3, "ELA": 2})).pdf
                made.append((f"{kind} {st.id}", raw, compact(raw)))
        finally:
            renderer.close()
    return made


def test_packing_keeps_every_object_of_the_document(typeset):
    for what, raw, packed in typeset:
        assert canonical(packed) == canonical(raw), what
        before, after = PdfReader(io.BytesIO(raw)), PdfReader(io.BytesIO(packed))
        assert after.trailer["/ID"][0] == before.trailer["/ID"][0], what
        assert after.metadata == before.metadata, what
        meta = after.trailer["/Root"]["/Metadata"].get_object()
        assert "/Filter" not in meta  # PDF/A: the XMP stays readable as plain text
        assert meta.get_data() == before.trailer["/Root"]["/Metadata"].get_object().get_data()
        assert packed.startswith(b"%PDF-1.7\n%") and packed.endswith(b"%%EOF\n"), what


def test_packing_makes_the_files_less_than_half_as_large(typeset):
    for what, raw, packed in typeset:
        assert len(packed) < 0.5 * len(raw), (what, len(raw), len(packed))


def test_packed_files_read_the_same_in_poppler_and_pypdf(typeset, tmp_path):
    import pikepdf

    for what, raw, packed in typeset:
        for name, data in (("raw", raw), ("packed", packed)):
            (tmp_path / f"{name}.pdf").write_bytes(data)
        texts = [pdftotext(tmp_path / f"{name}.pdf") for name in ("raw", "packed")]
        assert texts[0] == texts[1] and what.split()[1] in texts[0], what
        infos = [
            subprocess.run(["pdfinfo", str(tmp_path / f"{n}.pdf")], capture_output=True, text=True)
            for n in ("raw", "packed")
        ]
        same = [
            line
            for line in infos[0].stdout.splitlines()
            if not line.startswith(("File size", "Optimized"))
        ]
        assert same == [
            line
            for line in infos[1].stdout.splitlines()
            if not line.startswith(("File size", "Optimized"))
        ], what
        assert infos[0].stderr == infos[1].stderr, what
        with pikepdf.open(io.BytesIO(packed)) as pdf:
            assert pdf.check_pdf_syntax() == [], what  # qpdf's own check of every object


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("https://verify.example.org/?id={id}", 0, None),
        ("https://verify.example.org/check", 0, None),
        (
            "verify.example.org",
            1,
            "'verification_url' 'verify.example.org' is not in the expected form.",
        ),
        (
            "https://verify example.org",
            1,
            "'verification_url' 'https://verify example.org' is not in the expected form.",
        ),
    ],
)
def test_the_verification_address_in_school_yaml(tmp_path, value, code, message):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    yaml = folder / "school.yaml"
    lines = yaml.read_text(encoding="utf-8").splitlines()
    yaml.write_text("\n".join([*lines, f'verification_url: "{value}"']) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(folder)], catch_exceptions=False)
    assert result.exit_code == code, result.output
    if message:
        assert f"{yaml}:{len(lines) + 1}:19: {message}" in result.output.splitlines()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://v.example.org/d/{id}", "https://v.example.org/d/7F3K-9QXM-2HBD"),
        ("https://v.example.org/check", "https://v.example.org/check?id=7F3K-9QXM-2HBD"),
        ("https://v.example.org/?school=rb", "https://v.example.org/?school=rb&id=7F3K-9QXM-2HBD"),
        (None, None),
    ],
)
def test_the_address_a_document_is_checked_at(url, shown):
    from dataclasses import replace

    from proficio.content.loader import load_school
    from proficio.transcripts.signing import check_address

    school = replace(load_school(CONTENT), verification_url=url)
    assert check_address(school, "7F3K-9QXM-2HBD") == shown
