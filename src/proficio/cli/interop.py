"""The interop commands: ``import-case``, ``export-case``, ``export-clr`` and ``verify``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..content.loader import find_content, load_school
from ..errors import ProficioError, UsageError
from ..support import clock
from ..support.files import cannot_write, display_path, folder_lock, write_text
from .options import (
    EvidenceInputs,
    command,
    content_option,
    evidence_options,
    language_option,
    offered_language,
    out_option,
)

if TYPE_CHECKING:
    from ..interop import signing


@command("import-case")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--subject", "subject_code", required=True, help="Code of the subject to create, e.g. MA."
)
@content_option(help="The school's content folder (created with a minimal school.yaml if missing).")
@click.option("--slug", help="Folder name under subjects/ (default: from the framework's title).")
@click.option("--title", help="Subject title (default: the framework's title).")
@click.option(
    "--scale",
    "scale_id",
    help="Scale the imported targets use. Default: the school's only scale, else marzano-4 "
    "(created in scales/ when missing; four-point can be created too).",
)
@click.option(
    "--map-types",
    "map_types",
    multiple=True,
    metavar="TYPE=ROLE,...",
    help="Which CFItemType becomes which tier, e.g. 'Cluster=topic,Standard=target'. ROLE is "
    "level, topic, target, rubric, flatten (leave this tier out, keep the items under it), skip "
    "(leave it out with everything under it) or auto; TYPE may also be 'untyped' or 'depth:N'.",
)
@click.option(
    "--orphans",
    default="report",
    show_default=True,
    metavar="RULE",
    help="Items outside the framework's tree (no isChildOf): report (list them), top (read at "
    "the top by their types; never in a level Proficio makes up), by-code (under the item whose "
    "code begins theirs) or under:CODE (under that item).",
)
@click.option(
    "--repeats",
    type=click.Choice(["once", "each"]),
    default="once",
    show_default=True,
    help="A standard listed again under another parent (same code and statement): place it "
    "once, or under each parent (with the parent's code before its own).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print the tree, the item types and the report; write nothing."
)
@click.option(
    "--replace", is_flag=True, help="Overwrite a subject folder that came from elsewhere."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every item (its outcome, the code written, the reason) to this CSV instead of "
    "listing the items not placed; written even when nothing can be placed.",
)
def import_case(
    package: Path,
    subject_code: str,
    content: Path,
    slug: str | None,
    title: str | None,
    scale_id: str | None,
    map_types: tuple[str, ...],
    orphans: str,
    repeats: str,
    dry_run: bool,
    replace: bool,
    report_path: Path | None,
) -> None:
    """Turn a CASE 1.0/1.1 CFPackage (a JSON file) into a subject in the content folder.

    The tree comes from isChildOf associations; CFItemTypes map onto level, measurement topic
    and learning target (see --map-types); humanCodingScheme becomes the code and every node
    keeps its CASE identifier and URI. Every item is accounted for: placed, already in the
    school (the same CASE identifier in another subject), or not placed with the reason; every
    code written differently from the package is listed. Importing the same package again
    rewrites the same files.
    """
    from ..interop.case_import import parse_mapping, plan_import, write_plan

    content = find_content(content)
    plan = plan_import(
        package,
        content,
        subject_code=subject_code,
        slug=slug,
        title=title,
        scale_id=scale_id,
        mapping=parse_mapping(map_types),
        orphans=orphans,
        repeats=repeats,
    )
    report = plan.report
    if dry_run or not plan.levels:
        click.echo(plan.tree())
        for line in plan.type_lines():
            click.echo(line)
    for note in report.notes:
        click.echo(f"note: {note}")
    if report_path:
        write_text(report_path, report.csv(), private=False)
    else:
        for label, reason in report.unplaced:
            click.echo(f"not placed: {label}: {reason}")
        for entry in report.shared:
            click.echo(f"already in the school: {entry.label}: {entry.reason}")
        for entry in report.renamed:
            click.echo(
                f"renamed: {entry.code} -> {entry.written_as} ({entry.label}): {entry.renamed}"
            )
    listed = f"; every item is listed in {report_path}" if report_path else ""
    if not plan.levels:
        raise ProficioError(plan.nothing_placed(f"in {report_path}" if report_path else "above"))
    if not dry_run:
        written = write_plan(plan, replace=replace)
        for path in written:
            click.echo(f"  wrote {path}")
    click.echo(
        plan.summary()
        + listed
        + (
            ". Dry run: nothing written."
            if dry_run
            else f". Check with: proficio validate {content}"
        )
    )


@command("export-case")
@content_option()
@out_option("build/case", "Folder for the packages, one <subject>.json per subject.")
@language_option("Language of the texts (default: the school's default language).")
@click.option(
    "--base-uri",
    help="Prefix of the CASE URIs, e.g. https://school.example/case/ (default: the school's "
    "website + case/, or urn:uuid: identifiers).",
)
def export_case(content: Path, out: Path, language: str | None, base_uri: str | None) -> None:
    """Write the school's frameworks as CASE 1.1 CFPackages, validated against the official schema.

    Identifiers are stable (imported nodes keep their CASE identifiers; others are UUID5s of the
    codes), so exporting again changes nothing unless the content changed.
    """
    from ..interop.case import export_school

    click.get_current_context().with_resource(folder_lock(out))  # one export at a time
    school = load_school(content)
    try:
        packages = export_school(
            school, out, language=offered_language(school, language), base_uri=base_uri
        )
    except OSError as exc:
        raise cannot_write(out, exc) from None
    for path, package in packages:
        click.echo(
            f"  wrote {path}: {len(package['CFItems'])} items, "
            f"{len(package['CFAssociations'])} associations, {len(package['CFRubrics'])} rubrics"
        )
    click.echo(f"{len(packages)} CASE 1.1 packages, valid against the official schema.")


@command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The school's public key (PEM; Ed25519, or RSA for RS256) that signed the record. With "
    "--key the record must be signed, and the signature, the key, the dates and the claims are "
    "checked.",
)
def verify(file: Path, key_path: Path | None) -> None:
    """Check a CLR record: the signature of a signed .jwt (with --key), and the official CLR 2.0 /
    Open Badges 3.0 schemas for the record and every credential inside it.

    With --key the record must be signed (a .jwt, or JSON whose proof holds one), by that key,
    and be valid by the run's clock (nbf, exp). Without --key only the schemas are checked: the
    output says the record is NOT authenticated. Exits with status 1 if anything fails, saying
    what.
    """
    from ..interop import signing

    key = signing.load_public_key(key_path) if key_path is not None else None
    try:
        verified, credential, unchecked = _authenticate(file, key)
    except UsageError:
        raise
    except ProficioError as exc:
        raise ProficioError(f"{file}: NOT VALID: {exc}") from None
    if key is not None and verified is None:
        raise ProficioError(
            f"{file} is not signed; with --key a signature is required. Verify the signed .jwt "
            "record (`export-clr --sign-key` writes one), or leave out --key to check only the "
            "schemas, which says nothing about who wrote the record."
        )
    try:
        problems = signing.check_schema(credential)
    except RecursionError:
        raise ProficioError(
            f"{file}: NOT VALID: the record is nested too deeply to be a credential."
        ) from None
    if problems:
        raise ProficioError(
            f"{file}: NOT VALID against the CLR 2.0 / OB 3.0 schemas ({len(problems)} problems, "
            "the first listed above).",
            details=[f"  {p}" for p in problems[:20]],
        )
    subject = credential.get("credentialSubject", {})
    count = len(subject.get("verifiableCredential") or [])
    what = f"{credential.get('name', 'record')}, {count} credentials"
    if verified is None:
        why = (
            "its proof was not checked (give --key to check it)"
            if unchecked
            else "the file is not signed (schema check only)"
        )
        click.echo(
            f"{file}: matches the CLR 2.0 and Open Badges 3.0 schemas: {what}. NOT "
            f"AUTHENTICATED: {why}, so nothing shows who wrote it or that it is unchanged. "
            "To authenticate a record, check the signed .jwt with --key."
        )
        return
    issuer = credential.get("issuer", {})
    by = issuer.get("name", issuer.get("id", "?")) if isinstance(issuer, dict) else issuer
    named = (
        f"; the token names its key {verified.named_key!r}, which Proficio does not fetch: it "
        "checked the key given"
        if verified.named_key
        else ""
    )
    click.echo(
        f"{file}: valid: {what}; signature valid (signed by {by}, key {verified.key_id}){named}; "
        "matches the CLR 2.0 and Open Badges 3.0 schemas."
    )


def _authenticate(
    file: Path, key: signing.PublicKey | None
) -> tuple[signing.Verified | None, dict[str, Any], bool]:
    """Read ``file`` and check its signature with ``key``: (what was verified, or ``None``;
    the credential; whether it carries a proof that was not checked)."""
    from ..interop import signing

    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise ProficioError(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}): "
            "not a CLR record (.json) or a signed record (.jwt)."
        ) from None
    if not text:
        raise ProficioError(
            "the file is empty: not a CLR record (.json) or a signed record (.jwt)."
        )
    if text[0] not in "{[":
        if key is None:
            raise UsageError(f"{file} is signed: give the school's public key with --key.")
        verified = signing.check(text, key)
        return verified, verified.credential, False
    document = signing.parse_json(text, "the file")
    if not isinstance(document, dict):
        raise ProficioError(
            f"the JSON is {signing.json_kind(document)}, not a CLR record (a ClrCredential object)."
        )
    if "proof" not in document:
        return None, document, False
    if key is None:
        return None, document, True
    verified = signing.check_proof(document, key)
    return verified, verified.credential, False


def _issued(value: str | None) -> datetime:
    """When the records are issued: --issued, else the clock (SOURCE_DATE_EPOCH, else now)."""
    if not value:
        return clock.now()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date or date-time such as 2026-06-12 or 2026-06-12T15:00:00Z.",
            param_hint="--issued",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@command("export-clr")
@evidence_options()
@out_option(
    "build/clr",
    "Folder for the records: <student id>.json, or .jwt when signed.",
    student_data=True,
)
@click.option(
    "--issued", help="Issue date-time of the records (default: SOURCE_DATE_EPOCH, else now)."
)
@click.option(
    "--sign-key",
    "key_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="The school's Ed25519 (or RSA, RS256) private key (PEM): each record becomes a signed "
    "VC-JWT. An encrypted key's password is read from PROFICIO_KEY_PASSWORD.",
)
@language_option("Language of the texts (default: the school's default).")
@click.option(
    "--validate",
    type=click.Choice(["first", "all", "none"]),
    default="first",
    show_default=True,
    help="Check records against the official CLR 2.0 / OB 3.0 schemas: the first (every record "
    "has the same structure), all of them (slower), or none.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write every record. Without it, a student whose evidence, roster row, content and "
    "options are as the folder's manifest records keeps their record.",
)
def export_clr(
    inputs: EvidenceInputs,
    out: Path,
    issued: str | None,
    key_path: Path | None,
    language: str | None,
    validate: str,
    force: bool,
) -> None:
    """Write one CLR 2.0 learner record per student from the scored evidence.

    Evidence is imported and scored exactly as `proficio score` does (rejected rows are listed
    in the issues report, --issues). Unsigned by default; with --sign-key each record is a
    VC-JWT that `proficio verify FILE --key PUBLIC.pem` checks.

    The folder's manifest.clr (JSON) lists each record's SHA-256. Run again into the
    same folder with the same --issued, only the students whose inputs changed are scored and
    written; the others keep their record once its SHA-256 is checked.
    """
    import os
    import time

    from ..interop import signing
    from ..interop.clr import export_clrs

    started = time.perf_counter()
    # Held from before the import: a second run, or a --out that cannot be written, stops at once.
    click.get_current_context().with_resource(folder_lock(out))
    school = load_school(inputs.content)
    offered_language(school, language)
    moment = _issued(issued)
    key = None
    if key_path is not None:
        password = os.environ.get("PROFICIO_KEY_PASSWORD")
        key = signing.load_private_key(key_path, password.encode() if password else None)
    book = inputs.gradebook("learner records", school=school)
    summary = export_clrs(
        school,
        None,
        out,
        issued=moment,
        key=key,
        language=language,
        validate=validate,
        students=book.students,
        score=book.results,
        evidence=book.evidence.digest,
        as_of=inputs.as_of,
        force=force,
    )
    kind = "signed VC-JWT" if key is not None else "unsigned JSON"
    click.echo(
        f"Wrote {summary.students:,} CLR 2.0 records ({kind}, {summary.credentials:,} credentials, "
        f"{summary.bytes / 1e6:.1f} MB) into {display_path(out)} in "
        f"{time.perf_counter() - started:.1f} s; {summary.validated} checked against the official "
        "schemas."
    )
    if summary.incremental:
        click.echo(
            f"Rendered {summary.written}, unchanged {summary.kept} (kept). A record is written "
            "again when the student's evidence, roster row, the content or the options changed; "
            "--force writes everyone."
        )
    if summary.removed:
        n = len(summary.removed)
        click.echo(
            f"Removed {n} record{'s' if n != 1 else ''} of students no longer on the roster."
        )
    if summary.failed:
        click.echo(f"{len(summary.failed)} not written:")
        for sid, reason in summary.failed:
            click.echo(f"  {sid!r}: {reason}")
        raise ProficioError(
            f"{len(summary.failed)} of {len(summary.failed) + summary.students} records could not "
            "be made (listed above, with the reason); everyone else's record is written."
        )
