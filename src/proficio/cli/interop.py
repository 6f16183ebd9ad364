"""The interop commands: ``import-case``, ``export-case``, ``export-clr`` and ``verify``."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import click

from ..content.loader import find_content
from .options import evidence_options, import_or_exit, school_or_exit


@click.command("import-case")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--subject", "subject_code", required=True, help="Code of the subject to create, e.g. MA."
)
@click.option(
    "--content",
    default="content",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The school's content folder (created with a minimal school.yaml if missing).",
)
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
    "level, topic, target, rubric, skip or auto; TYPE may also be 'untyped' or 'depth:N'.",
)
@click.option("--dry-run", is_flag=True, help="Print the tree and the report; write nothing.")
@click.option(
    "--replace", is_flag=True, help="Overwrite a subject folder that came from elsewhere."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the items not placed (item, reason) to this CSV instead of listing them all.",
)
def import_case(
    package: Path,
    subject_code: str,
    content: Path,
    slug: str | None,
    title: str | None,
    scale_id: str | None,
    map_types: tuple[str, ...],
    dry_run: bool,
    replace: bool,
    report_path: Path | None,
) -> None:
    """Turn a CASE 1.0/1.1 CFPackage (a JSON file) into a subject in the content folder.

    The tree comes from isChildOf associations; CFItemTypes map onto level, measurement topic
    and learning target (see --map-types); humanCodingScheme becomes the code and every node
    keeps its CASE identifier and URI. Items that cannot be placed are listed with the reason.
    Importing the same package again rewrites the same files.
    """
    from ..interop.case_import import CaseImportError, parse_mapping, plan_import, write_plan
    from ..support.files import write_text

    content = find_content(content)
    try:
        plan = plan_import(
            package,
            content,
            subject_code=subject_code,
            slug=slug,
            title=title,
            scale_id=scale_id,
            mapping=parse_mapping(map_types),
        )
    except CaseImportError as exc:
        raise click.ClickException(str(exc)) from exc
    report = plan.report
    if dry_run:
        click.echo(plan.tree())
    for note in report.notes:
        click.echo(f"note: {note}")
    if report_path:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["item", "reason"])
        writer.writerows(report.unplaced)
        write_text(report_path, buffer.getvalue())
    else:
        for label, reason in report.unplaced:
            click.echo(f"not placed: {label}: {reason}")
    if not dry_run:
        try:
            written = write_plan(plan, replace=replace)
        except CaseImportError as exc:
            raise click.ClickException(str(exc)) from exc
        for path in written:
            click.echo(f"  wrote {path}")
    targets = sum(len(t["targets"]) for lv in plan.levels for t in lv["topics"])
    click.echo(
        f"{package.name}: {report.read} items read, {len(report.placed)} placed "
        f"({len(plan.levels)} levels, {sum(len(lv['topics']) for lv in plan.levels)} topics, "
        f"{targets} targets), {report.reported} not placed"
        + (f" (listed in {report_path})" if report_path else "")
        + (
            ". Dry run: nothing written."
            if dry_run
            else f". Check with: proficio validate {content}"
        )
    )


@click.command("export-case")
@click.option(
    "--content",
    default="content",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The school's content folder.",
)
@click.option(
    "--out",
    default="build/case",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for the packages, one <subject>.json per subject.",
)
@click.option("--language", help="Language of the texts (default: the school's default language).")
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
    from ..interop.case import ExportError, export_school

    school = school_or_exit(content)
    try:
        packages = export_school(school, out, language=language, base_uri=base_uri)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    for path, package in packages:
        click.echo(
            f"  wrote {path}: {len(package['CFItems'])} items, "
            f"{len(package['CFAssociations'])} associations, {len(package['CFRubrics'])} rubrics"
        )
    click.echo(f"{len(packages)} CASE 1.1 packages, valid against the official schema.")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The school's Ed25519 public key (PEM) that signed the record.",
)
def verify(file: Path, key_path: Path | None) -> None:
    """Check a CLR record: the signature of a signed .jwt (with --key), and the official CLR 2.0 /
    Open Badges 3.0 schemas for the record and every credential inside it.

    Exits with status 1 if anything fails, saying what.
    """
    import json

    from ..interop import signing

    text = file.read_text(encoding="utf-8-sig").strip()
    signed = not text.startswith("{")
    try:
        if signed:
            if key_path is None:
                raise signing.SigningError(
                    "this record is signed: give the school's public key with --key."
                )
            credential = signing.verify(text, signing.load_public_key(key_path))
        else:
            credential = json.loads(text)
    except signing.SigningError as exc:
        click.echo(f"{file}: NOT VALID: {exc}")
        raise SystemExit(1) from exc
    except json.JSONDecodeError as exc:
        click.echo(f"{file}: NOT VALID: not JSON and not a signed token ({exc}).")
        raise SystemExit(1) from exc
    problems = signing.check_schema(credential)
    if problems:
        click.echo(f"{file}: NOT VALID against the CLR 2.0 / OB 3.0 schemas:")
        for p in problems[:20]:
            click.echo(f"  {p}")
        raise SystemExit(1)
    subject = credential.get("credentialSubject", {})
    count = len(subject.get("verifiableCredential") or [])
    issuer = credential.get("issuer", {})
    by = issuer.get("name", issuer.get("id", "?")) if isinstance(issuer, dict) else issuer
    how = f"signature valid (signed by {by})" if signed else "not signed (schema check only)"
    click.echo(
        f"{file}: valid: {credential.get('name', 'record')}, {count} credentials; {how}; "
        "matches the CLR 2.0 and Open Badges 3.0 schemas."
    )


def _issued(value: str | None):
    """When the records are issued: --issued, else SOURCE_DATE_EPOCH, else now (UTC)."""
    import os
    from datetime import datetime, timezone

    if value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise click.BadParameter(
                f"'{value}' is not a date or date-time such as 2026-06-12 or 2026-06-12T15:00:00Z.",
                param_hint="--issued",
            ) from exc
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


@click.command("export-clr")
@evidence_options()
@click.option(
    "--out",
    default="build/clr",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for the records: <student id>.json, or .jwt when signed.",
)
@click.option(
    "--issued", help="Issue date-time of the records (default: SOURCE_DATE_EPOCH, else now)."
)
@click.option(
    "--sign-key",
    "key_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="The school's Ed25519 private key (PEM): each record becomes a signed VC-JWT. "
    "An encrypted key's password is read from PROFICIO_KEY_PASSWORD.",
)
@click.option("--language", help="Language of the texts (default: the school's default).")
@click.option(
    "--validate",
    type=click.Choice(["first", "all", "none"]),
    default="first",
    show_default=True,
    help="Check records against the official CLR 2.0 / OB 3.0 schemas: the first (every record "
    "has the same structure), all of them (slower), or none.",
)
def export_clr(
    rosters: tuple[Path, ...],
    evidence: tuple[Path, ...],
    content: Path,
    out: Path,
    mapping_path: Path | None,
    encoding: str | None,
    as_of: date | None,
    issued: str | None,
    key_path: Path | None,
    language: str | None,
    validate: str,
    strict: bool,
) -> None:
    """Write one CLR 2.0 learner record per student from the scored evidence.

    Evidence is imported and scored exactly as `proficio score` does (rejected rows are listed
    in reports/evidence-issues.csv beside the output folder, e.g. build/reports/). Unsigned by default; with --sign-key each record is a
    VC-JWT that `proficio verify FILE --key PUBLIC.pem` checks.
    """
    import os
    import time

    from ..content.diagnostics import display_path
    from ..interop import signing
    from ..interop.clr import ClrExportError, export_clrs
    from ..scoring.standing import score_students

    started = time.perf_counter()
    school = school_or_exit(content)
    if language and language not in school.languages:
        raise click.BadParameter(
            f"'{language}' is not offered by the school ({', '.join(school.languages)}).",
            param_hint="--language",
        )
    moment = _issued(issued)
    key = None
    if key_path is not None:
        password = os.environ.get("PROFICIO_KEY_PASSWORD")
        try:
            key = signing.load_private_key(key_path, password.encode() if password else None)
        except signing.SigningError as exc:
            raise click.ClickException(str(exc)) from exc
    imported = import_or_exit(
        school,
        rosters,
        evidence,
        mapping=mapping_path,
        encoding=encoding,
        as_of=as_of,
        issues=out.parent / "reports" / "evidence-issues.csv",
        strict=strict,
        nothing="learner records",
    )
    results = score_students(school, imported.students, imported.evidence)
    try:
        summary = export_clrs(
            school, results, out, issued=moment, key=key, language=language, validate=validate
        )
    except ClrExportError as exc:
        raise click.ClickException(str(exc)) from exc
    kind = "signed VC-JWT" if key is not None else "unsigned JSON"
    click.echo(
        f"Wrote {summary.students:,} CLR 2.0 records ({kind}, {summary.credentials:,} credentials, "
        f"{summary.bytes / 1e6:.1f} MB) into {display_path(out)} in "
        f"{time.perf_counter() - started:.1f} s; {summary.validated} checked against the official "
        "schemas."
    )
