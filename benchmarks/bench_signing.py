"""What packing and signing add per document, on the example school's 48 transcripts.

In one process and one run, for each of the example school's students (``examples/riverbend``,
scored as ``proficio build`` scores them), it measures:

- **Typst alone**: the PDF as Typst writes it (``Renderer.typeset``: the JSON, the layout);
- **packing**: :func:`proficio.transcripts.render.compact` (object streams, item 8 of #14);
- **signing**: a PAdES signature with a throwaway RSA-2048, RSA-3072 or Ed25519 key
  (``Signer.sign``: one incremental update);
- **verifying**: ``verify-pdf``'s check of the signed file against the CA;

then the same run end to end through ``proficio transcripts`` (fresh processes, all cores),
unsigned and signed, for documents per second. File sizes are reported for each stage.

    python benchmarks/bench_signing.py                 # ~1 minute on 2 cores
    python benchmarks/bench_signing.py --repeat 3 --no-end-to-end
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "riverbend"
ISSUED = date(2026, 6, 12)
EPOCH = "1781265600"  # the issue date at noon UTC: the signing time


def certificates(folder: Path) -> dict[str, tuple[Path, Path]]:
    """A throwaway CA and one registrar certificate per key kind: name -> (key, cert)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    start = datetime(2025, 1, 1, tzinfo=UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (
        x509.CertificateBuilder().subject_name(name("Bench CA")).issuer_name(name("Bench CA"))
        .public_key(ca_key.public_key()).serial_number(1).not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    keys = {
        "RSA-2048": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "RSA-3072": rsa.generate_private_key(public_exponent=65537, key_size=3072),
        "Ed25519": ed25519.Ed25519PrivateKey.generate(),
    }
    out = {}
    for label, key in keys.items():
        cert = (
            x509.CertificateBuilder().subject_name(name(f"Registrar {label}"))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(2)
            .not_valid_before(start).not_valid_after(start + timedelta(days=3650))
            .sign(ca_key, hashes.SHA256())
        )  # fmt: skip
        k, c = folder / f"{label}-key.pem", folder / f"{label}-cert.pem"
        k.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        c.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        out[label] = (k, c)
    return out


def ms(values: list[float]) -> str:
    return f"{1000 * statistics.median(values):7.1f} ms"


def kb(values: list[int]) -> str:
    return f"{statistics.mean(values) / 1000:6.1f} KB"


def per_document(folder: Path, keys: dict[str, tuple[Path, Path]], repeat: int) -> None:
    from proficio import load_school, open_gradebook
    from proficio.transcripts import signing
    from proficio.transcripts.document import Options
    from proficio.transcripts.fonts import Coverage, font_dirs
    from proficio.transcripts.render import Renderer, compact

    school = load_school(ROOT / "content")
    book = open_gradebook(school, EXAMPLE / "roster.csv", EXAMPLE / "evidence.csv", as_of=ISSUED)
    results = list(book.results())
    dirs = font_dirs()
    renderer = Renderer(school, replace(Options(issued=ISSUED)), dirs, Coverage.of_dirs(dirs))
    moment = datetime(2026, 6, 12, 12, tzinfo=UTC)
    signers = {
        label: signing.Signer(signing.load_identity(key=k, cert=c, moment=moment))
        for label, (k, c) in keys.items()
    }
    trusted = signing.load_trusted(folder / "ca.pem")
    tooltip = signing.tooltip(school, school.default_language)
    typst_s, pack_s = [], []
    sign_s: dict[str, list[float]] = {label: [] for label in signers}
    verify_s: list[float] = []
    raw_b, packed_b, signed_b = [], [], []
    pages = []
    renderer.typeset(results[0])  # Typst's caches warm, as in a bulk run's worker
    for _ in range(repeat):
        for r in results:
            t0 = time.perf_counter()
            typeset = renderer.typeset(r)
            t1 = time.perf_counter()
            packed = compact(typeset.pdf)
            t2 = time.perf_counter()
            typst_s.append(t1 - t0)
            pack_s.append(t2 - t1)
            raw_b.append(len(typeset.pdf))
            packed_b.append(len(packed))
            pages.append(typeset.pages)
            for label, signer in signers.items():
                t3 = time.perf_counter()
                signed = signer.sign(packed, tooltip=tooltip)
                sign_s[label].append(time.perf_counter() - t3)
                if label == "RSA-2048":
                    signed_b.append(len(signed))
                    path = folder / "signed.pdf"
                    path.write_bytes(signed)
                    t4 = time.perf_counter()
                    verdict = signing.verify(path, trusted)
                    verify_s.append(time.perf_counter() - t4)
                    assert verdict.ok, verdict.line()
    renderer.close()
    n = len(results)
    print(f"{n} example transcripts, {statistics.mean(pages):.1f} pages on average, "
          f"{repeat} pass(es), one core; medians per document:")  # fmt: skip
    print(f"  Typst alone (JSON + layout + PDF) {ms(typst_s)}   {kb(raw_b)} as Typst writes it")
    print(f"  + packing into object streams     {ms(pack_s)}   {kb(packed_b)} "
          f"({100 * sum(packed_b) / sum(raw_b):.0f}% of Typst's size)")  # fmt: skip
    for label, values in sign_s.items():
        extra = f"   {kb(signed_b)} signed" if label == "RSA-2048" else ""
        print(f"  + PAdES signature, {label:<14} {ms(values)}{extra}")
    print(f"  verify-pdf check, RSA-2048        {ms(verify_s)}")
    total = statistics.median(typst_s) + statistics.median(pack_s)
    rsa = statistics.median(sign_s["RSA-2048"])
    print(f"  signing adds {100 * rsa / total:.0f}% to the time of an unsigned document "
          f"({1000 * total:.0f} ms -> {1000 * (total + rsa):.0f} ms) and "
          f"{(statistics.mean(signed_b) - statistics.mean(packed_b)) / 1000:.1f} KB")  # fmt: skip


def end_to_end(folder: Path, keys: dict[str, tuple[Path, Path]]) -> None:
    key, cert = keys["RSA-2048"]
    base = [
        sys.executable, "-m", "proficio", "transcripts", "--content", str(ROOT / "content"),
        "--roster", str(EXAMPLE / "roster.csv"), "--evidence", str(EXAMPLE / "evidence.csv"),
        "--issue-date", ISSUED.isoformat(), "--issues", str(folder / "issues.csv"),
    ]  # fmt: skip
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    print(f"End to end, `proficio transcripts` in a fresh process, {os.cpu_count()} cores:")
    for label, extra in [
        ("unsigned", []),
        ("signed (RSA-2048)", ["--sign-key", str(key), "--sign-cert", str(cert)]),
    ]:
        out = folder / label.split()[0]
        started = time.perf_counter()
        done = subprocess.run(
            [*base, "--out", str(out), *extra], env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)
        files = list(out.glob("*.pdf"))
        size = sum(f.stat().st_size for f in files)
        print(f"  {label:<18} {len(files)} documents in {seconds:5.2f} s "
              f"({len(files) / seconds:5.1f}/s), {size / len(files) / 1000:.1f} KB each")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="passes over the 48 students")
    parser.add_argument("--no-end-to-end", action="store_true", help="skip the CLI runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-signing-") as tmp:
        folder = Path(tmp)
        keys = certificates(folder)
        per_document(folder, keys, args.repeat)
        if not args.no_end_to_end:
            end_to_end(folder, keys)


if __name__ == "__main__":
    main()
