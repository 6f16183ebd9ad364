"""``proficio new``: a small, valid school to start from, the way ``mkdocs new`` starts a site."""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from ..errors import ProficioError
from ..support.files import cannot_write, display_path, write_bytes
from .schemas import schemas_dir

# Each text in the languages we can offer out of the box; other languages are left for the
# school to translate (validate then lists them as missing translations).
_T = {
    "school": {"en": "Example Competency School", "es": "Escuela de Competencias de Ejemplo"},
    "school_desc": {
        "en": "Students move to the next level of a subject when they show proficiency on every learning target of their current level.",
        "es": "Los estudiantes pasan al siguiente nivel de una materia cuando demuestran dominio en cada meta de aprendizaje de su nivel actual.",
    },
    "profile_program": {
        "en": "Example Competency School teaches mathematics by levels. Students advance to the next level when they show proficiency, not by time in class; there are no letter grades or credits.",
        "es": "La Escuela de Competencias de Ejemplo enseña matemáticas por niveles. Los estudiantes pasan al siguiente nivel cuando demuestran dominio, no por tiempo de clase; no hay calificaciones con letras ni créditos.",
    },
    "profile_levels": {
        "en": "Each level is a set of learning targets, each scored on a scale of 1 to 4. 3 is proficient: the goal. The current score on a target weighs recent scores most, as the legend says, and a level is complete when all its targets are proficient; the date beside a level is when it was completed.",
        "es": "Cada nivel es un conjunto de metas de aprendizaje, cada una calificada en una escala de 1 a 4. El 3 es dominio: la meta. La calificación actual de una meta da más peso a las calificaciones recientes, como explica la leyenda, y un nivel se completa cuando todas sus metas alcanzan el dominio; la fecha junto a un nivel es la de su finalización.",
    },
    "profile_graduation": {
        "en": "A diploma needs Level 2 of Mathematics complete.",
        "es": "El diploma requiere completar el Nivel 2 de Matemáticas.",
    },
    "profile_contact": {
        "en": "Questions about this transcript: the registrar's office of Example Competency School.",
        "es": "Preguntas sobre este certificado: la oficina de registro de la Escuela de Competencias de Ejemplo.",
    },
    "scale": {"en": "Proficiency scale 1–4", "es": "Escala de dominio 1–4"},
    "p4": {"en": "Extending", "es": "Ampliando"},
    "p4d": {
        "en": "Applies the target in new situations that go beyond what was taught.",
        "es": "Aplica la meta en situaciones nuevas que van más allá de lo enseñado.",
    },
    "p3": {"en": "Proficient", "es": "Dominio"},
    "p3d": {
        "en": "Meets the learning target with no major errors.",
        "es": "Cumple la meta de aprendizaje sin errores importantes.",
    },
    "p2": {"en": "Developing", "es": "En desarrollo"},
    "p2d": {
        "en": "Knows the basic vocabulary and steps, with major errors on the target itself.",
        "es": "Conoce el vocabulario y los pasos básicos, con errores importantes en la meta.",
    },
    "p1": {"en": "Beginning", "es": "Inicial"},
    "p1d": {
        "en": "With help, shows partial understanding.",
        "es": "Con ayuda, muestra una comprensión parcial.",
    },
    "subject": {"en": "Mathematics", "es": "Matemáticas"},
    "l1": {"en": "Level 1", "es": "Nivel 1"},
    "l2": {"en": "Level 2", "es": "Nivel 2"},
    "topic1": {"en": "Whole numbers", "es": "Números enteros"},
    "t1": {
        "en": "I can add and subtract whole numbers up to 1,000.",
        "es": "Puedo sumar y restar números enteros hasta 1.000.",
    },
    "t1r3": {
        "en": "Adds and subtracts any two numbers up to 1,000 correctly, with regrouping.",
        "es": "Suma y resta correctamente dos números cualesquiera hasta 1.000, con reagrupación.",
    },
    "t2": {
        "en": "I can explain my strategy for a word problem.",
        "es": "Puedo explicar mi estrategia para un problema verbal.",
    },
    "topic2": {"en": "Fractions", "es": "Fracciones"},
    "t3": {"en": "I can compare two fractions.", "es": "Puedo comparar dos fracciones."},
    "t4": {
        "en": "I can place fractions on a number line.",
        "es": "Puedo ubicar fracciones en una recta numérica.",
    },
}


def _text(key: str, languages: list[str]) -> dict[str, str]:
    known = _T[key]
    out = {lang: known[lang] for lang in languages if lang in known}
    if languages[0] not in out:
        out = {languages[0]: known["en"], **out}
    return out


NEW_SCHOOL = Path(__file__).parent / "new_school"
"""The files of a new project besides its content: the site's settings, docs/, .gitignore, the
editors' README and the GitHub Actions workflows (stored without their leading dots)."""

_PROJECT_FILES = {
    "mkdocs.yml": "mkdocs.yml",
    "docs/robots.txt": "docs/robots.txt",
    ".gitignore": "gitignore",
    "README.md": "README.md",
    ".github/workflows/site.yml": "github/workflows/site.yml",
    ".github/workflows/transcripts.yml": "github/workflows/transcripts.yml",
}


def _yaml(schema: str, data: dict[str, Any]) -> bytes:
    header = f"# yaml-language-server: $schema={schema}\n"
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return (header + body).encode("utf-8")


def _requirements() -> bytes:
    """The Proficio this school was made with, pinned: CI builds with what the editors saw."""
    try:
        version = metadata.version("proficio")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return b"proficio\n"
    return f"proficio=={version}\n".encode()


def _school_files(t: Callable[[str], dict[str, str]], languages: list[str]) -> dict[str, bytes]:
    math = "content/subjects/mathematics"
    return {
        "content/school.yaml": _yaml(
            "../schemas/school.schema.json",
            {
                "name": t("school"),
                "description": t("school_desc"),
                "languages": languages,
                "profile": {
                    part: t(f"profile_{part}")
                    for part in ("program", "levels", "graduation", "contact")
                },
                "calculation": {"method": "decaying_average", "weight": 65},
                "completion": {"rule": "all"},
            },
        ),
        "content/scales/four-point.yaml": _yaml(
            "../../schemas/scale.schema.json",
            {
                "id": "four-point",
                "title": t("scale"),
                "threshold": 3,
                "points": [
                    {"value": v, "label": t(f"p{v}"), "descriptor": t(f"p{v}d")}
                    for v in (4, 3, 2, 1)
                ],
            },
        ),
        f"{math}/subject.yaml": _yaml(
            "../../../schemas/subject.schema.json",
            {"code": "MA", "title": t("subject"), "scale": "four-point", "order": 1},
        ),
        f"{math}/level-1.yaml": _yaml(
            "../../../schemas/level.schema.json",
            {
                "level": 1,
                "title": t("l1"),
                "topics": [
                    {
                        "code": "MA.L1.WN",
                        "title": t("topic1"),
                        "targets": [
                            {"code": "MA.L1.WN.1", "title": t("t1"), "rubric": {3: t("t1r3")}},
                            {"code": "MA.L1.WN.2", "title": t("t2")},
                        ],
                    }
                ],
            },
        ),
        f"{math}/level-2.yaml": _yaml(
            "../../../schemas/level.schema.json",
            {
                "level": 2,
                "title": t("l2"),
                "topics": [
                    {
                        "code": "MA.L2.FR",
                        "title": t("topic2"),
                        "targets": [
                            {"code": "MA.L2.FR.1", "title": t("t3")},
                            {"code": "MA.L2.FR.2", "title": t("t4")},
                        ],
                    }
                ],
            },
        ),
    }


def scaffold(directory: Path, languages: list[str]) -> list[Path]:
    """Write a new school project into ``directory``: content, site, README and CI workflows.

    Every file is checked first, so an existing one stops the run before anything is written.
    """
    t: Callable[[str], dict[str, str]] = lambda key: _text(key, languages)  # noqa: E731
    files = _school_files(t, languages)
    school_name = t("school")[languages[0]]
    for dest, template in _PROJECT_FILES.items():
        data = (NEW_SCHOOL / template).read_bytes()
        if dest == "README.md":
            data = data.replace(b"{{school}}", school_name.encode("utf-8"))
        files[dest] = data
    files["requirements.txt"] = _requirements()
    for schema in sorted(schemas_dir().glob("*.schema.json")):
        files[f"schemas/{schema.name}"] = schema.read_bytes()
    existing = [name for name in files if (directory / name).exists()]
    if existing:
        shown = ", ".join(display_path(directory / name) for name in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise ProficioError(
            f"A file of the new project already exists: {shown}{more}; nothing was written. "
            "Choose an empty folder."
        )
    written: list[Path] = []
    for name, data in files.items():
        path = directory / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(path, data, private=False)
        except OSError as exc:
            raise cannot_write(path.parent, exc, "DIRECTORY", path) from None
        written.append(path)
    return written
