"""PAdES signatures on transcripts and progress reports, and their verification (pyHanko).

A signed PDF is the Typst PDF with one incremental update appended: the untouched original
bytes, then a signature field and its PAdES baseline (B-B) signature over every byte. The update
keeps the document PDF/A-2a and PDF/UA-1: the XMP and the document information are not
rewritten (pyHanko would rewrite both with its own modification date), the signature's widget
is invisible (a zero-size rectangle, printable, locked), carries a tooltip (``/TU``) and an
empty appearance, and is a ``Form`` element of the structure tree with its object reference, as
PDF/UA requires of every widget.

Signing is deterministic for a fixed signing time (``SOURCE_DATE_EPOCH``): RSA signatures use
PKCS#1 v1.5 and Ed25519 is deterministic by design, the trailer's new file ID is derived from
the document and the time, and the signature's size is estimated the same way every time. An
ECDSA key signs too, but its signature carries a random number, so two runs differ there.

Verification trusts only the certificate it is given (the school's signing certificate or the
CA that issued it), checks the certificate at the signing time the PDF states, and requires the
signature to cover the whole file: any byte changed, added or cut after signing is a failure.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # cryptography loads when a key is used: not at every command's start
    from cryptography import x509

from ..content.identifiers import school_namespace
from ..content.model import School
from ..errors import DocumentError, ProficioError, UsageError

FIELD_NAME = "Signature"
PASSWORD_VARIABLE = "PROFICIO_KEY_PASSWORD"
"""The environment variable an encrypted key's (or PKCS#12 file's) password is read from; the
same one ``export-clr --sign-key`` reads."""

CERT_HELP = (
    "A test certificate: openssl req -x509 -newkey rsa:3072 -nodes -keyout school-key.pem "
    "-out school-cert.pem -days 825 -subj '/CN=Registrar/O=My School' (see README.md, "
    "'Signed transcripts')."
)

Password = Callable[[], bytes | None]
"""Asked only when the key is encrypted: the password, or ``None`` when there is none to give."""


@dataclass(frozen=True)
class Identity:
    """The school's signing key and certificate, checked, as bytes a worker process can take.

    ``key`` is the unencrypted PKCS#8 key (decrypted once, in the run's own process), ``chain``
    the certificates between the signer and its CA, ``moment`` the signing time of the run."""

    key: bytes
    certificate: bytes
    chain: tuple[bytes, ...]
    moment: datetime

    @property
    def name(self) -> str:
        """Who signs, as a person reads it (the certificate's subject)."""
        from cryptography import x509

        return display_name(x509.load_der_x509_certificate(self.certificate))


def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string() or "(no subject)"


def _read(path: Path, option: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot be read ({exc.strerror}).") from None


def _certificates(data: bytes, path: Path, option: str) -> list[x509.Certificate]:
    from cryptography import x509

    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise UsageError(f"{option} {path}: not a certificate (PEM or DER). {CERT_HELP}") from None


def _private_key(data: bytes, path: Path, password: Password) -> Any:
    from cryptography.hazmat.primitives import serialization

    load = (
        serialization.load_pem_private_key
        if b"-----BEGIN" in data
        else serialization.load_der_private_key
    )
    try:
        return load(data, password=None)
    except TypeError:  # encrypted: ask for the password only now
        pass
    except ValueError:
        raise UsageError(
            f"--sign-key {path}: not a private key (PEM or DER), or a damaged one. {CERT_HELP}"
        ) from None
    secret = password()
    if secret is None:
        raise UsageError(
            f"--sign-key {path} is protected by a password: set {PASSWORD_VARIABLE}, or run the "
            "command in a terminal to be asked for it."
        )
    try:
        return load(data, password=secret)
    except (TypeError, ValueError):
        raise UsageError(
            f"--sign-key {path}: the password does not open this key. Check {PASSWORD_VARIABLE} "
            "(or what you typed)."
        ) from None


def _from_p12(path: Path, password: Password) -> tuple[Any, list[x509.Certificate]]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    data = _read(path, "--sign-p12")
    for attempt in (None, "ask"):
        secret = None if attempt is None else password()
        if attempt is not None and secret is None:
            raise UsageError(
                f"--sign-p12 {path} is protected by a password: set {PASSWORD_VARIABLE}, or run "
                "the command in a terminal to be asked for it."
            )
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
        except ValueError:
            if attempt is None:
                continue
            raise UsageError(
                f"--sign-p12 {path}: the password does not open this file, or it is not a "
                f"PKCS#12 (.p12/.pfx) file. Check {PASSWORD_VARIABLE} (or what you typed)."
            ) from None
        if key is None or cert is None:
            raise UsageError(
                f"--sign-p12 {path} holds no private key with its certificate: export the "
                "signing certificate together with its private key."
            )
        return key, [cert, *extra]
    raise AssertionError("unreachable")  # pragma: no cover


def load_identity(
    *,
    key: Path | None = None,
    cert: Path | None = None,
    p12: Path | None = None,
    password: Password = lambda: None,
    moment: datetime,
) -> Identity:
    """The school's key and certificate from ``--sign-key``/``--sign-cert`` or ``--sign-p12``,
    checked before any document is made: the key belongs to the certificate, the certificate
    may sign documents and is valid at ``moment`` (the signing time)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, rsa

    if p12 is not None:
        if key is not None or cert is not None:
            raise UsageError(
                "--sign-p12 holds the key and the certificate: give it alone, or --sign-key "
                "with --sign-cert."
            )
        private, certs = _from_p12(p12, password)
        where = f"--sign-p12 {p12}"
    else:
        if key is None or cert is None:
            missing = "--sign-cert" if cert is None else "--sign-key"
            raise UsageError(
                f"{missing} is missing: signing takes the school's key (--sign-key KEY.pem) and "
                "its certificate (--sign-cert CERT.pem), or one PKCS#12 file (--sign-p12)."
            )
        certs = _certificates(_read(cert, "--sign-cert"), cert, "--sign-cert")
        private = _private_key(_read(key, "--sign-key"), key, password)
        where = f"--sign-cert {cert}"
    if isinstance(private, dsa.DSAPrivateKey) or not hasattr(private, "public_key"):
        raise UsageError(f"{where}: a DSA key cannot sign PDFs here; use RSA or Ed25519.")
    if isinstance(private, rsa.RSAPrivateKey) and private.key_size < 2048:
        raise UsageError(
            f"{where}: a {private.key_size}-bit RSA key is too weak to sign; use 2048 bits or more."
        )
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    own = [
        c
        for c in certs
        if c.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == public
    ]
    if not own:
        raise UsageError(
            f"{where}: no certificate there belongs to the key (it is the certificate of "
            f"{display_name(certs[0])}, made for another key). Give the key's own certificate."
        )
    leaf = own[0]
    _check_certificate(leaf, where, moment)
    return Identity(
        key=private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        certificate=leaf.public_bytes(serialization.Encoding.DER),
        chain=tuple(c.public_bytes(serialization.Encoding.DER) for c in certs if c is not leaf),
        moment=moment,
    )


def _check_certificate(cert: x509.Certificate, where: str, moment: datetime) -> None:
    from cryptography import x509

    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if not start <= moment <= end:
        raise UsageError(
            f"{where}: the certificate of {display_name(cert)} is valid from {start:%Y-%m-%d} to "
            f"{end:%Y-%m-%d}, and the signing time is {moment:%Y-%m-%d %H:%M} UTC "
            "(SOURCE_DATE_EPOCH, else now): renew the certificate, or correct SOURCE_DATE_EPOCH."
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise UsageError(
            f"{where}: the certificate of {display_name(cert)} may not sign documents (its key usage "
            "has neither digitalSignature nor nonRepudiation). Ask for a document-signing "
            "certificate."
        )


# -- the verification line ----------------------------------------------------------------

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Base 32 without I, L, O and U: a document ID read aloud or typed cannot be misread."""


WORDS: dict[str, dict[str, str]] = {
    "en": {
        "line": "Document ID {id} · content SHA-256 {hash}",
        "check": "To check this document, open",
        "qr_alt": "QR code of the address to check this document: {url}",
        "signed": "This PDF is digitally signed by {signer}: a PDF reader shows the signature "
        "and whether anything was changed since.",
        "field": "Digital signature of {school}",
    },
    "es": {
        "line": "N.º de documento {id} · SHA-256 del contenido {hash}",
        "check": "Para comprobar este documento, abra",
        "qr_alt": "Código QR de la dirección para comprobar este documento: {url}",
        "signed": "Este PDF lleva la firma digital de {signer}: un lector de PDF muestra la "
        "firma y si algo cambió desde entonces.",
        "field": "Firma digital de {school}",
    },
    "vi": {
        "line": "Mã tài liệu {id} · SHA-256 nội dung {hash}",
        "check": "Để kiểm tra tài liệu này, hãy mở",
        "qr_alt": "Mã QR của địa chỉ kiểm tra tài liệu này: {url}",
        "signed": "Tệp PDF này có chữ ký số của {signer}: trình đọc PDF cho thấy chữ ký và liệu "
        "có gì bị thay đổi kể từ đó.",
        "field": "Chữ ký số của {school}",
    },
}
"""The verification line, the QR code's caption and the signature field's name; kept here
with the code that prints them (English where a language has no translation)."""


def words(lang: str) -> dict[str, str]:
    return {**WORDS["en"], **WORDS.get(lang, {})}


def document_id(school: School, kind: str, student_id: str, issued: date, lang: str) -> str:
    """The printed ID of one student's document of one kind, issue date and language: 12
    characters in three groups (``7F3K-9QXM-2HBD``), stable across runs. A reissue on the same
    day keeps the ID; its content hash tells the two versions apart."""
    name = f"document/{kind}/{student_id}/{issued.isoformat()}/{lang}"
    value = (
        int.from_bytes(uuid.uuid5(school_namespace(school), name).bytes[:8], "big") >> 4
    )  # 60 bits: 12 characters of 5 bits
    chars = "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(12)))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def content_hash(*parts: str) -> str:
    """SHA-256 of the data a document prints (the template's inputs), in hex."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") + b"\n")
    return h.hexdigest()


def check_address(school: School, doc_id: str) -> str | None:
    """Where a recipient checks this document: ``verification_url`` with ``{id}`` replaced (or
    ``?id=`` added), ``None`` when the school gives none."""
    url = school.verification_url
    if not url:
        return None
    if "{id}" in url:
        return url.replace("{id}", doc_id)
    return f"{url}{'&' if '?' in url else '?'}id={doc_id}"


def qr_svg(url: str) -> str:
    """A QR code of ``url`` as SVG (segno), medium error correction, a quiet zone of 2."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", xmldecl=False, border=2, scale=1, nl=False, dark="#000"
    )
    return out.getvalue().decode("ascii")


def verification(
    school: School,
    lang: str,
    doc_id: str,
    digest: str,
    *,
    signer: str | None,
) -> dict[str, str | None]:
    """What the templates print to verify a document: the line in every page's footer, and on
    the last page the same line, the address with its QR code and, when signed, who signed."""
    text = words(lang)
    prefix = " ".join(digest[i : i + 4] for i in range(0, 16, 4))
    url = check_address(school, doc_id)
    name = school.text(school.name, lang)
    return {
        "line": text["line"].format(id=doc_id, hash=prefix),
        "url": url,
        "check": text["check"] if url else None,
        "qr": qr_svg(url) if url else None,
        "qr_alt": text["qr_alt"].format(url=url) if url else None,
        "signed": text["signed"].format(signer=signer or name) if signer else None,
    }


def tooltip(school: School, lang: str) -> str:
    """The signature field's name for a screen reader (PDF/UA: ``/TU``)."""
    return words(lang)["field"].format(school=school.text(school.name, lang))


def display_name(cert: x509.Certificate) -> str:
    """A certificate's subject as a person reads it: ``Dana Whitfield (Riverbend Academy)``."""
    from cryptography.x509.oid import NameOID

    common = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    org = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    if common:
        name = str(common[0])
        return f"{name} ({org[0]!s})" if org and str(org[0]) not in name else name
    return _subject(cert)


# -- signing --------------------------------------------------------------------------------


@dataclass
class Signer:
    """One worker's signer: the identity loaded into pyHanko once, used for every document."""

    identity: Identity

    def __post_init__(self) -> None:
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        store: Any = SimpleCertificateStore  # its from_certs is untyped
        key = asn1_keys.PrivateKeyInfo.load(self.identity.key)
        cert = asn1_x509.Certificate.load(self.identity.certificate)
        chain = [asn1_x509.Certificate.load(c) for c in self.identity.chain]
        self._signer = _signer_class()(
            signing_cert=cert,
            signing_key=key,
            cert_registry=store.from_certs(chain),  # the signer's own is added by pyHanko
        )
        self.name = display_name(x509.load_der_x509_certificate(self.identity.certificate))
        private = serialization.load_der_private_key(self.identity.key, password=None)
        # SHA-256 for RSA and ECDSA; Ed25519 and Ed448 fix their own (SHA-512, SHAKE256).
        rsa_or_ec = isinstance(private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        self.digest = "sha256" if rsa_or_ec else None

    def sign(self, pdf: bytes, *, tooltip: str) -> bytes:
        """``pdf`` with a PAdES signature of the school; ``tooltip`` names it for a screen
        reader (the field's ``/TU`` and the structure element's ``/Alt``)."""
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.sign.general import SigningError

        try:
            return asyncio.run(self._sign(pdf, tooltip))
        except (SigningError, PdfError, ValueError, KeyError) as exc:
            raise DocumentError(f"the PDF could not be signed: {exc}") from exc

    async def _sign(self, pdf: bytes, tooltip: str) -> bytes:
        from pyhanko.pdf_utils import generic
        from pyhanko.sign import fields, signers
        from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

        moment = self.identity.moment
        writer = _writer(pdf)
        first_id = writer._document_id[0]
        seed = hashlib.sha256(pdf + moment.isoformat().encode()).digest()[:16]
        writer._document_id = generic.ArrayObject([first_id, generic.ByteStringObject(seed)])
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm=self.digest,
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        spec = fields.SigFieldSpec(
            FIELD_NAME,
            on_page=-1,
            readable_field_name=tooltip,
            invis_sig_settings=fields.InvisSigSettings(set_print_flag=True),
        )
        pdf_signer = signers.PdfSigner(meta, self._signer, new_field_spec=spec)
        session = pdf_signer.init_signing_session(writer)
        session.system_time = moment
        _tag_widget(writer, tooltip)
        validation = await session.perform_presign_validation(writer)
        reserved = await session.estimate_signature_container_size(validation, tight=True)
        document = session.prepare_tbs_document(validation_info=validation, bytes_reserved=reserved)
        digest, output = document.digest_tbs_document()
        signed = await document.perform_signature(
            document_digest=digest.document_digest,
            pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=moment),
        )
        await signed.post_signature_processing(output)
        assert isinstance(output, io.BytesIO)
        return output.getvalue()


@functools.cache
def _signer_class() -> Any:
    """pyHanko's signer, holding the key loaded once.

    pyHanko's own reloads the key from its bytes for every signature, and loading an RSA key
    checks it (a tenth of a second or more): twice a document, with the size estimate."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class KeyLoadedOnce(SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            key = getattr(self, "_loaded", None)
            if key is None:
                key = self._loaded = serialization.load_der_private_key(
                    self.signing_key.dump(), password=None
                )
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            algorithm = mechanism["algorithm"].native
            digest = get_pyca_cryptography_hash(digest_algorithm)
            if isinstance(key, rsa.RSAPrivateKey) and algorithm.endswith("_rsa"):
                return key.sign(data, padding.PKCS1v15(), digest)
            if isinstance(key, ec.EllipticCurvePrivateKey) and algorithm.endswith("_ecdsa"):
                return key.sign(data, ec.ECDSA(digest))
            if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
                return key.sign(data)
            return bytes(super().sign_raw(data, digest_algorithm))

    return KeyLoadedOnce


def _writer(pdf: bytes) -> Any:
    """pyHanko's incremental writer over ``pdf``, leaving the document's metadata as Typst
    wrote it.

    pyHanko rewrites the XMP and the information dictionary with the current time as the
    modification date: the result would differ every run, and PDF/A requires the two to agree
    exactly. The document has not changed, only a signature is added, so both stay."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class KeepMetadata(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:
            return None

    return KeepMetadata(io.BytesIO(pdf))


def _tag_widget(writer: Any, tooltip: str) -> None:
    """Make the signature's widget PDF/UA-1 and PDF/A-2 conforming: an empty appearance, a
    ``Form`` structure element holding it (with ``/StructParent`` and the parent tree entry),
    and tab order by structure on its page."""
    from pyhanko.pdf_utils import generic as pdf_objects
    from pyhanko.pdf_utils.generic import pdf_name

    generic: Any = pdf_objects  # its object constructors are untyped
    form = writer.root["/AcroForm"]
    widget_ref = form["/Fields"].raw_get(len(form["/Fields"]) - 1)
    widget = widget_ref.get_object()
    page_ref = widget.raw_get("/P")
    page = page_ref.get_object()
    appearance = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject([generic.NumberObject(0)] * 4),
        },
        stream_data=b"",
    )
    widget[pdf_name("/AP")] = generic.DictionaryObject(
        {pdf_name("/N"): writer.add_object(appearance)}
    )
    tree_ref = writer.root.raw_get("/StructTreeRoot")
    tree = tree_ref.get_object()
    parents = tree["/ParentTree"]
    if "/Nums" not in parents:
        raise DocumentError(
            "the PDF's structure tree has a parent tree the signer cannot extend, so it was not "
            "signed (the signature must be tagged for PDF/UA)."
        )
    key = int(tree.get("/ParentTreeNextKey", 0))
    kids = tree["/K"]
    top_ref = kids.raw_get(0) if isinstance(kids, generic.ArrayObject) else tree.raw_get("/K")
    top = top_ref.get_object()
    element = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/StructElem"),
                pdf_name("/S"): pdf_name("/Form"),
                pdf_name("/P"): top_ref,
                pdf_name("/Alt"): generic.TextStringObject(tooltip),
                pdf_name("/Pg"): page_ref,
                pdf_name("/K"): generic.DictionaryObject(
                    {
                        pdf_name("/Type"): pdf_name("/OBJR"),
                        pdf_name("/Obj"): widget_ref,
                        pdf_name("/Pg"): page_ref,
                    }
                ),
            }
        )
    )
    top_kids = top.get("/K")
    if isinstance(top_kids, generic.ArrayObject):
        top_kids.append(element)
    else:
        earlier = [top.raw_get("/K")] if top_kids is not None else []
        top[pdf_name("/K")] = generic.ArrayObject([*earlier, element])
    writer.mark_update(top_ref)
    parents["/Nums"].extend([generic.NumberObject(key), element])
    tree[pdf_name("/ParentTreeNextKey")] = generic.NumberObject(key + 1)
    writer.mark_update(tree_ref)
    widget[pdf_name("/StructParent")] = generic.NumberObject(key)
    writer.mark_update(widget_ref)
    page[pdf_name("/Tabs")] = pdf_name("/S")
    writer.mark_update(page_ref)


# -- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What ``verify-pdf`` says of one file: ``problem`` is ``None`` when the file is intact and
    signed by the given certificate (or one it issued)."""

    path: Path
    signer: str | None = None
    signed_at: datetime | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def line(self) -> str:
        if self.ok:
            return (
                f"{self.path}: OK: signed by {self.signer} at {_when(self.signed_at)}; no byte "
                "changed since signing (the signature covers every byte but its own)."
            )
        return f"{self.path}: {self.problem}"


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "an unstated time"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _first_line(exc: Exception) -> str:
    """An exception's message in one line (asn1crypto's run over several)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_trusted(path: Path) -> list[bytes]:
    """The certificates ``verify-pdf --cert`` trusts (DER): the school's signing certificate,
    or the CA's that issued it."""
    from cryptography.hazmat.primitives import serialization

    certs = _certificates(_read(path, "--cert"), path, "--cert")
    return [c.public_bytes(serialization.Encoding.DER) for c in certs]


def verify(path: Path, trusted: list[bytes]) -> Verdict:
    """Check one signed PDF against ``trusted``; every failure is a :class:`Verdict` whose
    problem says what a registrar or an admissions office should conclude."""
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        data = path.read_bytes()
    except OSError as exc:
        return Verdict(path, problem=f"NOT VALID: cannot be read ({exc.strerror}).")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.root  # noqa: B018  (reads the catalog: a cut file fails here)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        return Verdict(
            path,
            problem=f"NOT VALID: not a readable PDF ({_first_line(exc)}): damaged, or cut short "
            "in transfer.",
        )
    try:
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        return Verdict(path, problem=f"NOT VALID: the signature is damaged ({_first_line(exc)}).")
    if not signatures:
        return Verdict(path, problem="NOT VALID: the PDF carries no digital signature.")
    if len(signatures) > 1:
        return Verdict(
            path,
            problem=f"NOT VALID: the PDF carries {len(signatures)} signatures; a document "
            "Proficio issued carries one.",
        )
    embedded = signatures[0]
    try:
        moment = embedded.self_reported_timestamp
        signer = display_name(x509.load_der_x509_certificate(embedded.signer_cert.dump()))
    except SignatureValidationError:
        return Verdict(
            path,
            problem="NOT VALID: the certificate carried in the signature was altered (it is not "
            "the one the signature was made with).",
        )
    except (KeyError, ValueError, TypeError, PdfError) as exc:
        return Verdict(path, problem=f"NOT VALID: the signature is damaged ({_first_line(exc)}).")
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(c) for c in trusted],
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment or datetime.now(UTC),
    )
    # What signing accepted (load_identity): a certificate for digital signatures or
    # non-repudiation, or one with no key usage at all (pyHanko alone wants non-repudiation).
    usage = embedded.signer_cert.key_usage_value
    constraints = KeyUsageConstraints(
        key_usage={"digital_signature", "non_repudiation"} if usage is not None else set()
    )  # an empty set: no requirement (None would mean pyHanko's default)
    try:
        status = validate_pdf_signature(embedded, context, key_usage_settings=constraints)
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        return Verdict(
            path,
            signer,
            moment,
            problem=f"NOT VALID: the signature cannot be checked ({_first_line(exc)}).",
        )
    if not (status.intact and status.valid):
        return Verdict(
            path,
            signer,
            moment,
            problem="CHANGED: bytes of this PDF differ from what was signed (the signature no "
            "longer matches the document). Do not accept it; ask the school for a new copy.",
        )
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return Verdict(
            path,
            signer,
            moment,
            problem="CHANGED: bytes were added after the signature (an edited copy). Do not "
            "accept it; ask the school for a new copy.",
        )
    if not status.trusted:
        return Verdict(
            path,
            signer,
            moment,
            problem=f"NOT VALID: signed by {signer}, whose certificate is not the one given with "
            "--cert (nor issued by it), or was not valid at the signing time.",
        )
    return Verdict(path, signer, moment)


def failure(verdicts: list[Verdict]) -> ProficioError | None:
    """The error ``verify-pdf`` exits with, or ``None`` when every file passed."""
    bad = [v for v in verdicts if not v.ok]
    if not bad:
        return None
    return ProficioError(
        f"{len(bad)} of {len(verdicts)} PDF(s) failed verification (listed above)."
    )
