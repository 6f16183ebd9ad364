"""Seeded synthetic schools, rosters and evidence: realistic test data at any size, no real people.

Tests and benchmarks need content folders of 300 or 5,000 targets, rosters with names in many
scripts, and up to millions of evidence rows that behave like a competency-based school's (scores
rising over several attempts, earlier levels mostly proficient, later ones in progress). Every
function here is a pure function of its arguments and seed: ``random.Random`` instances only, no
clock, so the same call always writes byte-identical files. Evidence is streamed student by
student, so the size is limited by disk, not memory.

    python -m proficio.dev.synthetic school --targets 5000 --seed 1 --out /tmp/big
    python -m proficio.dev.synthetic students --content content --students 40 --out /tmp/riverbend

From Python, the 1,000,000-row benchmark shape (10,000 students x 100 rows; 100 rows cap the
150 targets at 67 per student, so targets keep several attempts)::

    school = load_school(write_school(Path("/tmp/big"), targets=5000, seed=1))
    roster = write_roster(Path("/tmp/roster.csv"), 10_000, seed=1)
    write_evidence(Path("/tmp/evidence.csv"), school, roster, targets_per_student=150,
                   rows_per_student=100, seed=1)
"""

from __future__ import annotations

import csv
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import click
import yaml

from ..content.model import Scale, School
from ..support.numbers import decimal_text as score_text

__all__ = [
    "EVIDENCE_HEADER", "ROSTER_HEADER", "SCHOOL_YEAR", "main", "roster_rows", "school_days",
    "school_shape", "score_text", "write_evidence", "write_roster", "write_school",
]

ROSTER_HEADER = (
    "student_id", "given_name", "family_name", "preferred_name", "graduation_year", "birth_date",
    "language", "name_order", "latin_name",
)
EVIDENCE_HEADER = (
    "student_id", "target", "score", "date", "assessment", "type", "scorer", "comment",
)
SCHOOL_YEAR = (date(2025, 8, 25), date(2026, 6, 12))
"""First and last day of the school year the evidence falls in (fixed: files must not depend on
the day they are generated)."""
NO_SCHOOL = (
    (date(2025, 9, 1), date(2025, 9, 1)),      # Labor Day
    (date(2025, 11, 24), date(2025, 11, 28)),  # Thanksgiving week
    (date(2025, 12, 22), date(2026, 1, 2)),    # winter break
    (date(2026, 1, 19), date(2026, 1, 19)),    # Martin Luther King Jr. Day
    (date(2026, 2, 16), date(2026, 2, 16)),    # Presidents' Day
    (date(2026, 3, 23), date(2026, 3, 27)),    # spring break
    (date(2026, 5, 25), date(2026, 5, 25)),    # Memorial Day
)
GRADUATION_YEARS = (2027, 2028, 2029, 2030, 2031)
EVIDENCE_TYPES = (
    "test", "quiz", "project", "observation", "conversation", "portfolio", "performance task",
)

# --------------------------------------------------------------------------------------------
# Word-like text per language


@dataclass(frozen=True)
class Lexicon:
    """The words and a few fixed phrases synthetic text in one language is built from."""

    words: tuple[str, ...]
    i_can: str
    level: str
    joiner: str = " "
    end: str = "."


def _split(text: str, sep: str = ",") -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(sep) if w.strip())


LEXICONS: dict[str, Lexicon] = {
    "en": Lexicon(
        _split(
            "analyze, model, explain, evidence, pattern, ratio, equation, claim, source, argument,"
            "structure, energy, cycle, data, graph, compare, describe, measure, estimate, solve,"
            "represent, justify, predict, interpret, evaluate, design, test, revise, summarize,"
            "identify, organize, connect, apply, construct, calculate, fraction, decimal, angle,"
            "volume, density, force, motion, cell, habitat, climate, map, timeline, culture,"
            "economy, rights, text, theme, character, narrative, author, audience, purpose,"
            "detail, reasoning, strategy, tool, process, system, variable, function, relationship,"
            "accurate, clearly, several, key, simple, complex, written, visual, everyday, using,"
            "with, and, the, a, of, in, for, from, between, each, two, different"
        ),
        "I can", "Level",
    ),
    "es": Lexicon(
        _split(
            "analizar, modelo, explicar, evidencia, patrón, razón, ecuación, afirmación, fuente,"
            "argumento, estructura, energía, ciclo, datos, gráfica, comparar, describir, medir,"
            "estimar, resolver, representar, justificar, predecir, interpretar, evaluar, diseñar,"
            "probar, revisar, resumir, identificar, organizar, conectar, aplicar, construir,"
            "calcular, fracción, decimal, ángulo, volumen, densidad, fuerza, movimiento, célula,"
            "hábitat, clima, mapa, cronología, cultura, economía, derechos, texto, tema, personaje,"
            "narración, autor, público, propósito, detalle, razonamiento, estrategia, herramienta,"
            "proceso, sistema, variable, función, relación, preciso, claramente, varios, clave,"
            "sencillo, complejo, escrito, visual, cotidiano, según, con, y, el, la, de, en, para,"
            "entre, cada, dos, distintos, también, mediante"
        ),
        "Puedo", "Nivel",
    ),
    "vi": Lexicon(
        _split(
            "phân tích, mô hình, giải thích, bằng chứng, quy luật, tỉ số, phương trình, nhận định,"
            "nguồn, lập luận, cấu trúc, năng lượng, chu trình, dữ liệu, biểu đồ, so sánh, mô tả,"
            "đo lường, ước lượng, giải, biểu diễn, chứng minh, dự đoán, diễn giải, đánh giá,"
            "thiết kế, kiểm tra, sửa đổi, tóm tắt, xác định, sắp xếp, kết nối, vận dụng,"
            "xây dựng, tính toán, phân số, số thập phân, góc, thể tích, khối lượng riêng, lực,"
            "chuyển động, tế bào, môi trường, khí hậu, bản đồ, dòng thời gian, văn hóa, kinh tế,"
            "quyền, văn bản, chủ đề, nhân vật, tác giả, người đọc, mục đích, chi tiết, suy luận,"
            "chiến lược, công cụ, quá trình, hệ thống, biến số, hàm số, mối quan hệ, chính xác,"
            "rõ ràng, nhiều, then chốt, đơn giản, phức tạp, viết, trực quan, hằng ngày, bằng,"
            "với, và, của, trong, cho, từ, giữa, mỗi, hai, khác nhau"
        ),
        "Em có thể", "Cấp độ",
    ),
}

# Letters for languages without a word list: words are built from them, seeded by the language
# code, so every language gets its own stable, script-appropriate pseudo-words.
_SCRIPTS: dict[str, tuple[str, str, str, str]] = {
    # script key: (consonants, vowels, joiner, sentence end); Han and Hangul list syllables
    "latin": ("bcdfghjklmnprstvz", "aeiou", " ", "."),
    "arabic": ("بتثجحخدذرزسشصضطظعغفقكلمنه", "اوي", " ", "."),
    "cyrillic": ("бвгдзклмнпрстфхчш", "аеиоуыяю", " ", "."),
    "greek": ("βγδζθκλμνξπρστφχ", "αεηιουω", " ", "."),
    "hebrew": ("בגדהזחטכלמנסעפצקרשת", "וי", " ", "."),
    "devanagari": ("कखगचजटडतदनपबमयरलवसह", "ािीुूेोै", " ", "।"),
    "han": ("学习数理解释证据模型能量图表比较描述测量估计问题方法结构系统变化关系文本作者主题人物"
            "分析设计评价应用计算分数角度体积密度力运动细胞气候地图文化经济", "", "", "。"),
    "hangul": ("가나다라마바사아자하고노도로모보소오조호구누두루무부수우주기니디리미비시이지히는을를에의한서"
               "면게학습생각문제해결방법자료설명비교측정", "", " ", "."),
}
_SCRIPT_OF = {
    "ar": "arabic", "fa": "arabic", "ur": "arabic", "ps": "arabic",
    "ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic", "sr": "cyrillic", "mk": "cyrillic",
    "el": "greek", "he": "hebrew", "yi": "hebrew", "hi": "devanagari", "mr": "devanagari",
    "ne": "devanagari", "zh": "han", "ja": "han", "yue": "han", "ko": "hangul",
}


def _pseudo_word(rng: random.Random, script: str) -> str:
    consonants, vowels, _, _ = _SCRIPTS[script]
    if script == "han":
        return "".join(rng.choices(consonants, k=rng.randint(1, 2)))
    if script == "hangul":
        return "".join(rng.choices(consonants, k=rng.randint(2, 3)))
    return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(1, 3)))


@cache
def lexicon(lang: str) -> Lexicon:
    """The lexicon of ``lang``: a written word list, or stable pseudo-words in its script."""
    if lang in LEXICONS:
        return LEXICONS[lang]
    script = _SCRIPT_OF.get(lang.split("-")[0], "latin")
    rng = random.Random(f"lexicon:{lang}")
    words = tuple(dict.fromkeys(_pseudo_word(rng, script) for _ in range(120)))
    _, _, joiner, end = _SCRIPTS[script]
    return Lexicon(words, _pseudo_word(rng, script), _pseudo_word(rng, script), joiner, end)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def phrase(rng: random.Random, lex: Lexicon, lo: int, hi: int) -> str:
    """A capitalized run of words without end mark (titles)."""
    return _cap(lex.joiner.join(rng.choices(lex.words, k=rng.randint(lo, hi))))


def paragraph(rng: random.Random, lex: Lexicon, lo: int, hi: int) -> str:
    """``lo``-``hi`` words as sentences of 6-15 words (descriptions, rubric descriptors)."""
    left = rng.randint(lo, hi)
    sentences = []
    while left > 0:
        n = rng.randint(6, 15)
        if left - n < 4:  # no one-word sentence at the end
            n = left
        left -= n
        sentences.append(phrase(rng, lex, n, n) + lex.end)
    return (" " if lex.joiner else "").join(sentences)


def target_title(rng: random.Random, lex: Lexicon) -> str:
    """A student-facing "I can ..." statement."""
    words = lex.joiner.join(rng.choices(lex.words, k=rng.randint(5, 12)))
    return f"{lex.i_can}{lex.joiner}{words}{lex.end}"


def texts(rng: random.Random, languages: Sequence[str], make: Callable[..., str], *args: Any) -> dict[str, str]:
    """The same kind of text in every language (each language its own words)."""
    return {lang: make(rng, lexicon(lang), *args) for lang in languages}


def _known(table: Mapping[str, str], rng: random.Random, languages: Sequence[str]) -> dict[str, str]:
    """Real text where we have it, word-like text in the other languages."""
    return {
        lang: table.get(lang) or phrase(rng, lexicon(lang), 2, 4) for lang in languages
    }


# --------------------------------------------------------------------------------------------
# The school's content


@dataclass(frozen=True)
class SubjectSpec:
    slug: str
    title: dict[str, str]
    scale: str


SUBJECTS = (
    SubjectSpec("mathematics", {"en": "Mathematics", "es": "Matemáticas", "vi": "Toán học"},
                "marzano-4"),
    SubjectSpec("english-language-arts", {"en": "English Language Arts",
                "es": "Artes del Lenguaje en Inglés", "vi": "Ngữ văn tiếng Anh"}, "marzano-4"),
    SubjectSpec("welding-technology", {"en": "Welding Technology",
                "es": "Tecnología de Soldadura", "vi": "Công nghệ Hàn"}, "cte-5"),
    SubjectSpec("science", {"en": "Science", "es": "Ciencias", "vi": "Khoa học"}, "marzano-4"),
    SubjectSpec("social-studies", {"en": "Social Studies", "es": "Estudios Sociales",
                "vi": "Nghiên cứu Xã hội"}, "marzano-4"),
    SubjectSpec("world-languages", {"en": "World Languages", "es": "Lenguas del Mundo",
                "vi": "Ngoại ngữ"}, "marzano-4"),
    SubjectSpec("visual-arts", {"en": "Visual Arts", "es": "Artes Visuales", "vi": "Mỹ thuật"},
                "marzano-4"),
    SubjectSpec("computer-science", {"en": "Computer Science",
                "es": "Ciencias de la Computación", "vi": "Khoa học Máy tính"}, "marzano-4"),
    SubjectSpec("engineering-design", {"en": "Engineering Design",
                "es": "Diseño de Ingeniería", "vi": "Thiết kế Kỹ thuật"}, "cte-5"),
    SubjectSpec("health-and-wellness", {"en": "Health and Wellness", "es": "Salud y Bienestar",
                "vi": "Sức khỏe"}, "marzano-4"),
    SubjectSpec("music", {"en": "Music", "es": "Música", "vi": "Âm nhạc"}, "marzano-4"),
    SubjectSpec("financial-literacy", {"en": "Financial Literacy",
                "es": "Educación Financiera", "vi": "Hiểu biết Tài chính"}, "marzano-4"),
)

_MARZANO = (
    # value, label en/es/vi, descriptor en/es/vi
    (4.0, ("Beyond proficient", "Más allá del dominio", "Vượt mức thành thạo"),
     ("Goes beyond what was taught, making in-depth inferences and applications.",
      "Va más allá de lo enseñado, con inferencias y aplicaciones profundas.",
      "Vượt ra ngoài những gì đã được dạy, suy luận và vận dụng sâu sắc.")),
    (3.5, ("Proficient, working beyond", "Dominio, avanzando más allá",
           "Thành thạo, đang vượt lên"),
     ("Everything at 3.0, plus partial success at 4.0.",
      "Todo lo del 3.0, y éxito parcial en el 4.0.",
      "Đạt mọi yêu cầu của mức 3.0 và thành công một phần ở mức 4.0.")),
    (3.0, ("Proficient", "Dominio", "Thành thạo"),
     ("Meets the learning target itself, with no major errors or omissions.",
      "Cumple la meta de aprendizaje, sin errores ni omisiones importantes.",
      "Đạt được chính mục tiêu học tập, không có lỗi lớn.")),
    (2.5, ("Developing, working toward proficient", "En desarrollo, avanzando hacia el dominio",
           "Đang phát triển, tiến tới thành thạo"),
     ("Everything at 2.0, plus partial success at 3.0.",
      "Todo lo del 2.0, y éxito parcial en el 3.0.",
      "Đạt mọi yêu cầu của mức 2.0 và thành công một phần ở mức 3.0.")),
    (2.0, ("Developing", "En desarrollo", "Đang phát triển"),
     ("Knows the simpler details and processes, but makes major errors on the target itself.",
      "Conoce los detalles y procesos más sencillos, pero comete errores importantes en la meta.",
      "Nắm được các chi tiết và quy trình đơn giản nhưng còn lỗi lớn ở chính mục tiêu.")),
    (1.5, ("Beginning, working toward developing", "Inicial, avanzando hacia el desarrollo",
           "Mới bắt đầu, tiến tới phát triển"),
     ("Partial success at 2.0, and partial success at 3.0 with help.",
      "Éxito parcial en el 2.0, y éxito parcial en el 3.0 con ayuda.",
      "Thành công một phần ở mức 2.0, và ở mức 3.0 khi có trợ giúp.")),
    (1.0, ("Beginning", "Inicial", "Mới bắt đầu"),
     ("With help, partial success at 2.0 and 3.0.",
      "Con ayuda, éxito parcial en el 2.0 y el 3.0.",
      "Khi có trợ giúp, thành công một phần ở mức 2.0 và 3.0.")),
    (0.5, ("Beginning with help", "Inicial con ayuda", "Mới bắt đầu, cần trợ giúp"),
     ("With help, partial success at 2.0 only.",
      "Con ayuda, éxito parcial solo en el 2.0.",
      "Khi có trợ giúp, chỉ thành công một phần ở mức 2.0.")),
    (0.0, ("No evidence yet", "Aún sin evidencia", "Chưa có bằng chứng"),
     ("Even with help, no success yet.",
      "Incluso con ayuda, todavía sin éxito.",
      "Ngay cả khi có trợ giúp, vẫn chưa thành công.")),
)
_CTE = (
    (5, ("Advanced", "Avanzado", "Nâng cao"),
     ("Performs the skill independently to industry standard and can adapt or teach it.",
      "Realiza la destreza de forma independiente según la norma de la industria y puede "
      "adaptarla o enseñarla.",
      "Thực hiện kỹ năng độc lập theo tiêu chuẩn ngành và có thể điều chỉnh hoặc hướng dẫn.")),
    (4, ("Proficient, industry ready", "Competente, listo para la industria",
         "Thành thạo, sẵn sàng làm việc"),
     ("Performs the skill independently and safely, to industry standard.",
      "Realiza la destreza de forma independiente y segura, según la norma de la industria.",
      "Thực hiện kỹ năng độc lập, an toàn, đạt tiêu chuẩn ngành.")),
    (3, ("Developing", "En desarrollo", "Đang phát triển"),
     ("Performs the skill with occasional guidance; minor errors affect quality.",
      "Realiza la destreza con orientación ocasional; errores menores afectan la calidad.",
      "Thực hiện kỹ năng khi thỉnh thoảng được hướng dẫn; lỗi nhỏ ảnh hưởng chất lượng.")),
    (2, ("Beginning", "Inicial", "Mới bắt đầu"),
     ("Performs parts of the skill under direct supervision.",
      "Realiza partes de la destreza bajo supervisión directa.",
      "Thực hiện được một phần kỹ năng dưới sự giám sát trực tiếp.")),
    (1, ("Not yet", "Todavía no", "Chưa đạt"),
     ("Cannot yet perform the skill safely, even with help.",
      "Todavía no realiza la destreza con seguridad, ni siquiera con ayuda.",
      "Chưa thực hiện được kỹ năng một cách an toàn, kể cả khi có trợ giúp.")),
)
_FIXED = {
    "school": {"en": "Proficio Synthetic Academy", "es": "Academia Sintética Proficio",
               "vi": "Học viện Mô phỏng Proficio"},
    "short": {"en": "Synthetic Academy", "es": "Academia Sintética", "vi": "Học viện Mô phỏng"},
    "district": {"en": "Synthetic Unified School District",
                 "es": "Distrito Escolar Unificado Sintético",
                 "vi": "Khu Học chánh Thống nhất Mô phỏng"},
    "registrar": {"en": "Registrar", "es": "Registradora", "vi": "Cán bộ học vụ"},
    "marzano": {"en": "Proficiency scale 0–4", "es": "Escala de dominio 0–4",
                "vi": "Thang đo thành thạo 0–4"},
    "cte": {"en": "Career and technical scale 1–5", "es": "Escala técnico-profesional 1–5",
            "vi": "Thang đo nghề nghiệp 1–5"},
}
_LANG_INDEX = {"en": 0, "es": 1, "vi": 2}
_SVG = {
    "logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
                '<circle cx="50" cy="50" r="46" fill="#1f5f8b"/><path d="M30 70 50 28 70 70z" '
                'fill="#fff"/></svg>\n',
    "seal.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
                '<circle cx="50" cy="50" r="46" fill="none" stroke="#8b1f1f" stroke-width="4"/>'
                '<circle cx="50" cy="50" r="36" fill="none" stroke="#8b1f1f" stroke-width="2"/>'
                '</svg>\n',
    "signature.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60">'
                     '<path d="M10 45c20-40 30 10 45-15s25 20 40 0 30-10 95 5" fill="none" '
                     'stroke="#123" stroke-width="2"/></svg>\n',
}


def _localized(rows: Sequence[str], rng: random.Random, languages: Sequence[str]) -> dict[str, str]:
    return _known({lang: rows[i] for lang, i in _LANG_INDEX.items()}, rng, languages)


def scale_docs(languages: Sequence[str], rng: random.Random) -> dict[str, dict[str, Any]]:
    """The two scales: Marzano 0-4 with half points (threshold 3), CTE 1-5 whole (threshold 4)."""

    def points(table: tuple[tuple[float, Sequence[str], Sequence[str]], ...]) -> list[dict[str, Any]]:
        return [
            {"value": v, "label": _localized(label, rng, languages),
             "descriptor": _localized(desc, rng, languages)}
            for v, label, desc in table
        ]

    return {
        "marzano-4": {
            "id": "marzano-4", "title": _known(_FIXED["marzano"], rng, languages),
            "description": texts(rng, languages, paragraph, 20, 35),
            "threshold": 3.0, "points": points(_MARZANO),
        },
        "cte-5": {
            "id": "cte-5", "title": _known(_FIXED["cte"], rng, languages),
            "description": texts(rng, languages, paragraph, 20, 35),
            "threshold": 4, "allowed": [5, 4, 3, 2, 1], "points": points(_CTE),
            "calculation": {"method": "n_mastery", "n": 2},
        },
    }


def school_doc(languages: Sequence[str], rng: random.Random) -> dict[str, Any]:
    return {
        "name": _known(_FIXED["school"], rng, languages),
        "short_name": _known(_FIXED["short"], rng, languages),
        "district": _known(_FIXED["district"], rng, languages),
        "description": texts(rng, languages, paragraph, 40, 70),
        "address": ["100 Synthetic Way", "Springfield, OR 97000", "United States"],
        "phone": "+1 503 555 0100",
        "email": "registrar@synthetic.example.org",
        "website": "https://curriculum.synthetic.example.org/",
        "school_code": "000000",
        "logo": "assets/logo.svg",
        "languages": list(languages),
        "registrar": {"name": "Rowan Ellery", "title": _known(_FIXED["registrar"], rng, languages),
                      "signature": "assets/signature.svg"},
        "seal": "assets/seal.svg",
        "calculation": {"method": "decaying_average", "weight": 65},
        "completion": {"rule": "all"},
    }


def split_evenly(total: int, parts: int, lo: int, hi: int, rng: random.Random) -> list[int]:
    """``parts`` counts summing to ``total``, each in ``lo..hi`` when that is possible, varied."""
    base, extra = divmod(total, parts)
    out = [base + (i < extra) for i in range(parts)]
    if lo * parts <= total <= hi * parts:
        for _ in range(parts * 3):
            i, j = rng.randrange(parts), rng.randrange(parts)
            if i != j and out[i] > lo and out[j] < hi:
                out[i] -= 1
                out[j] += 1
    rng.shuffle(out)
    return out


def school_shape(targets: int, rng: random.Random) -> list[list[list[int]]]:
    """Subjects -> levels -> topics -> target counts, summing to exactly ``targets``.

    Levels hold 9-20 targets as 3-4 topics of 3-5 targets, as in real frameworks; a bigger
    school gets more subjects (up to 12, about 8 at 5,000 targets) and more levels.
    """
    if targets < 1:
        raise ValueError("a school needs at least one target")
    n_subjects = max(min(3, math.ceil(targets / 9)), min(len(SUBJECTS), round(math.sqrt(targets / 80))))
    per_subject = max(1, round(targets / n_subjects / 14))
    levels = [max(1, round(per_subject * rng.uniform(0.75, 1.25))) for _ in range(n_subjects)]
    sizes = iter(split_evenly(targets, sum(levels), 9, 20, rng))
    shape = []
    for n_levels in levels:
        subject = []
        for _ in range(n_levels):
            size = next(sizes)
            options = [k for k in (3, 4) if 3 * k <= size <= 5 * k]
            k = rng.choice(options) if options else max(1, min(size, round(size / 4)))
            subject.append(split_evenly(size, k, 3, 5, rng))
        shape.append(subject)
    return shape


def _rubric_points(scale: dict[str, Any]) -> list[float | int]:
    """Above, at and below the threshold (4, 3, 2 on a 0-4 scale)."""
    values = [p["value"] for p in scale["points"]]
    t = scale["threshold"]
    return [v for v in (t + 1, t, t - 1) if v in values]


def _key(value: float | int) -> int | float:
    return int(value) if value == int(value) else value


def level_doc(
    subject_code: str, number: int, topics: list[int], languages: Sequence[str],
    scale: dict[str, Any], rng: random.Random,
) -> dict[str, Any]:
    """One level file: topics of targets, every text in every language, rubrics for 3 points."""
    code = f"{subject_code}.L{number}"
    points = _rubric_points(scale)
    title = texts(rng, languages, phrase, 2, 4)
    doc: dict[str, Any] = {
        "level": number, "code": code,
        "title": {lang: f"{lexicon(lang).level} {number}: {t}" for lang, t in title.items()},
        "description": texts(rng, languages, paragraph, 12, 25),
        "topics": [],
    }
    for ti, n_targets in enumerate(topics, 1):
        topic: dict[str, Any] = {"code": f"{code}.T{ti}", "title": texts(rng, languages, phrase, 1, 3)}
        if rng.random() < 0.5:
            topic["description"] = texts(rng, languages, paragraph, 10, 20)
        topic["targets"] = []
        for gi in range(1, n_targets + 1):
            target: dict[str, Any] = {
                "code": f"{code}.T{ti}.{gi}", "title": texts(rng, languages, target_title),
            }
            if rng.random() < 0.4:
                target["description"] = texts(rng, languages, paragraph, 12, 25)
            target["rubric"] = {_key(p): texts(rng, languages, paragraph, 20, 40) for p in points}
            topic["targets"].append(target)
        doc["topics"].append(topic)
    return doc


# libyaml's emitter writes the same bytes as yaml.safe_dump, ten times faster (5,000 targets).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(path: Path, data: dict[str, Any], seed: int) -> None:
    header = f"# Synthetic data written by proficio.dev.synthetic (seed {seed}); not a real school.\n"
    body = yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(header + body, encoding="utf-8")


def write_school(
    dest: Path, *, targets: int, languages: Sequence[str] = ("en", "es", "vi"), seed: int = 0,
) -> Path:
    """Write a complete, valid content folder with exactly ``targets`` learning targets.

    ``dest`` must not exist or be empty: stale subject folders of an earlier run would otherwise
    mix into the school.
    """
    dest = Path(dest)
    languages = list(languages)
    if not languages:
        raise ValueError("give at least one language")
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; write the school into a new or empty folder")
    rng = random.Random(seed)
    shape = school_shape(targets, rng)
    (dest / "scales").mkdir(parents=True, exist_ok=True)
    (dest / "assets").mkdir(exist_ok=True)
    for name, svg in _SVG.items():
        (dest / "assets" / name).write_text(svg, encoding="utf-8")
    _dump(dest / "school.yaml", school_doc(languages, rng), seed)
    scales = scale_docs(languages, rng)
    for scale_id, doc in scales.items():
        _dump(dest / "scales" / f"{scale_id}.yaml", doc, seed)
    for si, (spec, levels) in enumerate(zip(SUBJECTS, shape, strict=False), 1):
        folder = dest / "subjects" / spec.slug
        folder.mkdir(parents=True)
        code = f"S{si}"
        subject = {
            "code": code, "order": si, "title": _known(spec.title, rng, languages),
            "description": texts(rng, languages, paragraph, 15, 30), "scale": spec.scale,
        }
        _dump(folder / "subject.yaml", subject, seed)
        for number, topics in enumerate(levels, 1):
            doc = level_doc(code, number, topics, languages, scales[spec.scale], rng)
            _dump(folder / f"level-{number}.yaml", doc, seed)
    return dest


# --------------------------------------------------------------------------------------------
# Roster


@dataclass(frozen=True)
class Culture:
    """Names of one naming tradition; ``family`` entries ``m/f`` have gendered forms."""

    key: str
    language: str
    weight: int
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    two_family_names: float = 0.0
    family_first: bool = False
    """Written family name first (高一鸣, Nguyễn Văn An): the roster's ``name_order``."""


CULTURES = (
    Culture(
        "vietnamese", "vi", 14,
        _split("Thị Ánh, Ngọc Hân, Thu Trang, Bảo Châu, Khánh Linh, Minh Thư, Thùy Dương,"
               "Phương Anh, Mỹ Duyên, Hồng Nhung, Thanh Hương, Lan Chi, Ngọc Ánh"),
        _split("Quốc Bảo, Đức Huy, Minh Khôi, Gia Huy, Hoàng Nam, Tuấn Kiệt, Văn Đạt, Nhật Minh,"
               "Thành Công, Hữu Phước, Quang Vinh, Đăng Khoa, Trọng Nghĩa"),
        _split("Nguyễn, Trần, Lê, Phạm, Hoàng, Huỳnh, Phan, Vũ, Võ, Đặng, Bùi, Đỗ, Hồ, Ngô,"
               "Dương, Lý, Đinh, Trương, Lâm, Mai, Tô, Châu"),
        family_first=True,
    ),
    Culture(
        "spanish", "es", 16,
        _split("María, Sofía, Valentina, Ximena, Lucía, Camila, Inés, María José, Guadalupe,"
               "Begoña, Ana Belén, Renata, Zoé"),
        _split("José Ángel, Andrés, Joaquín, Matías, Sebastián, Julián, Santiago, Tomás, Iñaki,"
               "Rubén, Martín, Óscar, Juan Pablo"),
        _split("García, Martínez, Rodríguez, Hernández, López, González, Pérez, Sánchez, Ramírez,"
               "Torres, Flores, Rivera, Gómez, Díaz, Muñoz, Peña, Jiménez, Álvarez, Núñez, Ibáñez,"
               "Castañeda, Cruz, Morales, Ortiz"),
        two_family_names=0.4,
    ),
    Culture(
        "arabic", "ar", 6,
        _split("ليلى, فاطمة, مريم, نور, سارة, ريم, هدى, ياسمين, زينب, آمنة, سلمى, جنى"),
        _split("محمد, أحمد, عمر, يوسف, خالد, علي, حسن, إبراهيم, كريم, طارق, سامي, زياد"),
        _split("الحسيني, العلي, الخطيب, حداد, منصور, الشامي, الأحمد, عبد الله, النجار, الزين,"
               "صالح, السيد, البغدادي, القاسم, حمدان, عيسى, الحلبي, المصري, العمري, ناصر, خليل,"
               "الهاشمي"),
    ),
    Culture(
        "arabic-latin", "ar", 5,
        _split("Layla, Fatima, Mariam, Noor, Yasmin, Zainab, Amina, Salma, Rania, Hiba, Dalia,"
               "Lina"),
        _split("Mohammed, Ahmed, Omar, Youssef, Khaled, Ali, Hassan, Ibrahim, Karim, Tariq, Ziad,"
               "Samir"),
        _split("Al-Husseini, Haddad, Mansour, El-Khatib, Al-Shami, Abdallah, Nasser, Khalil,"
               "Hamdan, Saleh, El-Sayed, Al-Masri, Qasim, Aziz, Farouk, Al-Amin, Bakr, Suleiman,"
               "Darwish, Jaber, Rahman, Othman"),
    ),
    Culture(
        "chinese", "zh", 8,
        _split("静, 欣怡, 子涵, 雨桐, 婷, 嘉怡, 诗涵, 佳琪, 美琳, 晨曦, 若曦"),
        _split("伟, 思远, 浩然, 梓轩, 磊, 宇航, 晓明, 一鸣, 俊杰, 志强, 文博"),
        _split("王, 李, 张, 刘, 陈, 杨, 黄, 赵, 吴, 周, 徐, 孙, 马, 朱, 胡, 郭, 何, 林, 罗, 高,"
               "郑, 梁, 欧阳"),
        family_first=True,
    ),
    Culture(
        "nordic", "sv", 7,
        _split("Åsa, Märta, Ingrid, Sigrid, Astrid, Solveig, Liv, Freja, Maja, Ebba, Ylva,"
               "Kristín"),
        _split("Søren, Bjørn, Øyvind, Lars, Anders, Håkon, Mikael, Eirik, Jörgen, Ståle, Nils,"
               "Þór"),
        _split("Østergård, Ødegård, Lindqvist, Åberg, Bjørklund, Sandström, Johansson, Nyström,"
               "Hägglund, Løvås, Sæther, Kristiansen, Mørk, Engström, Haugen, Dahl, Grønlund,"
               "Söderberg, Wikström, Strøm, Fjeld, Ahlgren"),
    ),
    Culture(
        "english", "en", 14,
        _split("Emma, Olivia, Ava, Chloe, Grace, Hannah, Zoe, Madison, Abigail, Harper, Ella,"
               "Riley"),
        _split("Liam, Noah, Ethan, Mason, Caleb, Owen, Wyatt, Jackson, Henry, Logan, Dylan,"
               "Connor"),
        _split("Smith, Johnson, Williams, Brown, Miller, Davis, Wilson, Anderson, Taylor, Thomas,"
               "Moore, Jackson, Martin, Thompson, White, Harris, Clark, Lewis, Walker, Young,"
               "O'Brien, Fitzgerald-Hayes"),
    ),
    Culture(
        "korean", "ko", 6,
        _split("서연, 지우, 하은, 민서, 수아, 지민, 예은, 채원, 다은, 유나, 소윤"),
        _split("민준, 서준, 도윤, 예준, 시우, 하준, 주원, 지호, 지훈, 현우, 건우"),
        _split("김, 이, 박, 최, 정, 강, 조, 윤, 장, 임, 한, 오, 서, 신, 권, 황, 안, 송, 류, 홍,"
               "전, 고"),
        family_first=True,
    ),
    Culture(
        "hindi", "hi", 6,
        _split("आद्या, अनन्या, दिया, ईशा, कविता, मीरा, प्रिया, सान्वी, तारा, अदिति, नेहा"),
        _split("आरव, अर्जुन, विवान, रोहन, कबीर, आदित्य, ईशान, राहुल, सिद्धार्थ, विहान, अमित"),
        _split("शर्मा, वर्मा, गुप्ता, सिंह, पटेल, कुमार, मेहता, जोशी, अग्रवाल, चौधरी, मिश्रा, यादव,"
               "राव, नायर, त्रिपाठी, पांडे, सक्सेना, कपूर, मल्होत्रा, भट्ट, दुबे, रेड्डी"),
    ),
    Culture(
        "greek", "el", 5,
        _split("Μαρία, Ελένη, Αικατερίνη, Δήμητρα, Σοφία, Αναστασία, Ευαγγελία, Ιωάννα,"
               "Χριστίνα, Βασιλική, Αθηνά"),
        _split("Γιώργος, Δημήτρης, Κωνσταντίνος, Νίκος, Γιάννης, Παναγιώτης, Χρήστος,"
               "Αλέξανδρος, Θανάσης, Σπύρος, Άγγελος"),
        _split("Παπαδόπουλος/Παπαδοπούλου, Παπαγεωργίου, Οικονόμου, Γεωργίου, Νικολάου,"
               "Βασιλείου, Ιωάννου, Κωνσταντίνου, Δημητρίου, Αντωνίου, Καραγιάννης/Καραγιάννη,"
               "Παπαδάκης/Παπαδάκη, Μαυρίδης/Μαυρίδου, Αλεξίου, Χατζηδάκης/Χατζηδάκη,"
               "Λαμπράκης/Λαμπράκη, Σταυρόπουλος/Σταυροπούλου, Πετρόπουλος/Πετροπούλου,"
               "Μακρής/Μακρή, Κυριακίδης/Κυριακίδου, Θεοδωρίδης/Θεοδωρίδου, Ζαχαρίου"),
    ),
    Culture(
        "russian", "ru", 6,
        _split("Анастасия, Мария, Дарья, Екатерина, Анна, София, Полина, Виктория, Ксения,"
               "Алёна, Ульяна"),
        _split("Дмитрий, Александр, Максим, Иван, Артём, Никита, Михаил, Егор, Илья, Сергей,"
               "Фёдор"),
        _split("Иванов/Иванова, Смирнов/Смирнова, Кузнецов/Кузнецова, Попов/Попова,"
               "Васильев/Васильева, Петров/Петрова, Соколов/Соколова, Михайлов/Михайлова,"
               "Новиков/Новикова, Фёдоров/Фёдорова, Морозов/Морозова, Волков/Волкова,"
               "Алексеев/Алексеева, Лебедев/Лебедева, Семёнов/Семёнова, Егоров/Егорова,"
               "Павлов/Павлова, Козлов/Козлова, Степанов/Степанова, Николаев/Николаева,"
               "Орлов/Орлова, Белоусов/Белоусова"),
    ),
    Culture(
        "hebrew", "he", 5,
        _split("נועה, תמר, מאיה, יעל, שירה, אביגיל, רות, מיכל, הדס, ליה, טליה"),
        _split("דוד, יוסף, נועם, איתי, אריאל, משה, יונתן, עומר, אורי, דניאל, אליה"),
        _split("כהן, לוי, מזרחי, פרץ, ביטון, דהן, אברהם, פרידמן, אזולאי, מלכה, כץ, יוסף, עמר,"
               "אוחיון, חדד, גבאי, שפירא, רוזנברג, בן דוד, אשכנזי, גולן, ברק"),
    ),
)
_CULTURE_WEIGHTS = tuple(c.weight for c in CULTURES)
LATIN = dict(zip(  # the Chinese and Korean names in Latin letters (pinyin; as passports write)
    _split("静, 欣怡, 子涵, 雨桐, 婷, 嘉怡, 诗涵, 佳琪, 美琳, 晨曦, 若曦, 伟, 思远, 浩然, 梓轩, 磊,"
           "宇航, 晓明, 一鸣, 俊杰, 志强, 文博, 王, 李, 张, 刘, 陈, 杨, 黄, 赵, 吴, 周, 徐, 孙, 马,"
           "朱, 胡, 郭, 何, 林, 罗, 高, 郑, 梁, 欧阳, 서연, 지우, 하은, 민서, 수아, 지민, 예은, 채원,"
           "다은, 유나, 소윤, 민준, 서준, 도윤, 예준, 시우, 하준, 주원, 지호, 지훈, 현우, 건우, 김, 이,"
           "박, 최, 정, 강, 조, 윤, 장, 임, 한, 오, 서, 신, 권, 황, 안, 송, 류, 홍, 전, 고"),
    _split("Jing, Xinyi, Zihan, Yutong, Ting, Jiayi, Shihan, Jiaqi, Meilin, Chenxi, Ruoxi, Wei,"
           "Siyuan, Haoran, Zixuan, Lei, Yuhang, Xiaoming, Yiming, Junjie, Zhiqiang, Wenbo, Wang,"
           "Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, Guo, He, Lin,"
           "Luo, Gao, Zheng, Liang, Ouyang, Seoyeon, Jiwoo, Haeun, Minseo, Sua, Jimin, Yeeun,"
           "Chaewon, Daeun, Yuna, Soyun, Minjun, Seojun, Doyun, Yejun, Siwoo, Hajun, Juwon, Jiho,"
           "Jihoon, Hyunwoo, Gunwoo, Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han,"
           "Oh, Seo, Shin, Kwon, Hwang, Ahn, Song, Ryu, Hong, Jeon, Ko"),
    strict=True,
))


def _latin_name(given: str, family: str) -> str:
    """``GAO Yiming``: the family name in capitals, as a passport writes it; "" if unknown."""
    if given in LATIN and family in LATIN:
        return f"{LATIN[family].upper()} {LATIN[given]}"
    return ""


NICKNAMES = {  # preferred names students pick; by gender, and for anyone
    "female": _split("Mia, Rosie, Bea, Lulu, Kiki, Vicky, Lexi, Coco, Annie, Lily, Nina, Tess"),
    "male": _split("Max, Leo, Tommy, Benny, Andy, Mo, Danny, Ben, Nick, Tony, Zeke, Manny"),
    "any": _split("Alex, Sam, Kai, Jay, Sunny, Eli, Nico, Ari, Quinn, Jordan, Dani, Sky"),
}


def _given_name(rng: random.Random, culture: Culture, female: bool) -> str:
    return rng.choice(culture.female if female else culture.male)


def _family_name(rng: random.Random, culture: Culture, female: bool) -> str:
    forms = rng.choice(culture.family).split("/")
    name = forms[-1] if female else forms[0]
    if rng.random() < culture.two_family_names:
        name = f"{name} {rng.choice(culture.family)}"
    return name


def _preferred(rng: random.Random, culture: Culture, given: str, female: bool) -> str:
    """One part of a compound given name, or a nickname."""
    parts = given.split()
    if len(parts) > 1 and rng.random() < 0.6:
        return parts[-1] if culture.key == "vietnamese" else parts[0]
    names = NICKNAMES["any"] if rng.random() < 0.4 else NICKNAMES["female" if female else "male"]
    return rng.choice(names)


def _language(rng: random.Random, culture: Culture, languages: Sequence[str]) -> str:
    """The family's reading language: mostly the school's first, often their own if offered."""
    default = languages[0]
    if culture.language in languages[1:] and rng.random() < 0.65:
        return culture.language
    if len(languages) > 1 and rng.random() < 0.08:
        return rng.choice(languages[1:])
    return default


def student(i: int, seed: int, languages: Sequence[str]) -> dict[str, str]:
    """Roster row ``i`` (1-based); its own RNG, so a smaller roster is a prefix of a larger one."""
    rng = random.Random(f"roster:{seed}:{i}")
    culture = rng.choices(CULTURES, weights=_CULTURE_WEIGHTS)[0]
    female = rng.random() < 0.5
    given = _given_name(rng, culture, female)
    grad = rng.choice(GRADUATION_YEARS)
    shift = 0 if (r := rng.random()) < 0.92 else (-1 if r < 0.97 else 1)  # held back / skipped
    born = date(grad - 19 + shift, 9, 1) + timedelta(days=rng.randrange(365))
    family = _family_name(rng, culture, female)
    return {
        "student_id": f"S{i:06d}",
        "given_name": given,
        "family_name": family,
        "preferred_name": _preferred(rng, culture, given, female) if rng.random() < 0.15 else "",
        "graduation_year": str(grad),
        "birth_date": born.isoformat(),
        "language": _language(rng, culture, languages),
        "name_order": "family-given" if culture.family_first else "",
        "latin_name": _latin_name(given, family),
    }


def roster_rows(
    n: int, *, seed: int = 0, languages: Sequence[str] = ("en", "es", "vi"),
) -> Iterator[dict[str, str]]:
    """``n`` fictional students with names from many cultures and scripts."""
    languages = list(languages)
    for i in range(1, n + 1):
        yield student(i, seed, languages)


def write_roster(
    path: Path, n: int, *, seed: int = 0, languages: Sequence[str] = ("en", "es", "vi"),
) -> Path:
    """Write ``roster_rows`` as UTF-8 CSV (no BOM, ``\\n`` line ends)."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(ROSTER_HEADER)
        for row in roster_rows(n, seed=seed, languages=languages):
            writer.writerow([row[k] for k in ROSTER_HEADER])
    return path


# --------------------------------------------------------------------------------------------
# Evidence

TASKS = (
    ("Unit {u} quiz", "quiz"), ("Unit {u} test", "test"), ("Quick check: {t}", "quiz"),
    ("Exit ticket: {t}", "quiz"), ("Project: {t}", "project"),
    ("Performance task: {t}", "performance task"), ("Observation: {t}", "observation"),
    ("Conference: {t}", "conversation"), ("Portfolio entry: {t}", "portfolio"),
    ("Level {l} checkpoint", "test"), ("Presentation: {t}", "performance task"),
)
SCIENCE_TASKS = (("Lab report: {t}", "project"), ("Lab practical: {t}", "performance task"))
CTE_TASKS = (
    ("Shop demonstration: {t}", "performance task"), ("Safety check: {t}", "observation"),
    ("Work order: {t}", "project"),
)
REASSESSMENTS = (
    ("Reassessment: {t}", "test"), ("Portfolio conference", "portfolio"),
    ("Reassessment conversation", "conversation"), ("Revised project: {t}", "project"),
)
TEACHERS = _split(
    "Ana Gutiérrez, Marcus Bell, Thanh Lê, Ibrahim Haddad, Sofia Lindqvist, Grace Okafor,"
    "Daniel Kowalski, Mei Chen, Priya Raman, Jordan Whitaker, Lucía Fernández, Erik Solberg,"
    "Hannah Goldberg, Kenji Watanabe, Amara Diallo, Sean O'Connell, Yasmin Farouk, Minh Phạm,"
    "Rachel Torres, Nikolai Petrov, Chloé Martin, Samuel Adeyemi, Ji-woo Park, Elena Ruiz"
)
COMMENTS = (
    "Retake after small-group review.", "Clear reasoning in the conference.",
    "Needs to label units.", "Great growth since the last attempt.",
    "Used a graphic organizer.", "Worked with a peer tutor.", "Partial evidence; absent for part.",
    "Strong explanation, small calculation slip.", "Ready to try the next level.",
    'Said "I finally get it," then explained it to a classmate.',
    "Revised after feedback; much clearer.", "Extended time used.",
    "Explicó su razonamiento en español.", "Safety steps all followed.",
)
# Attempts per target: completed levels need fewer than the level in progress.
_ATTEMPTS_DONE = (1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4)
_ATTEMPTS_CURRENT = (1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 6)


def school_days(start: date, end: date, closed: Iterable[tuple[date, date]] = NO_SCHOOL) -> list[date]:
    """Weekdays from ``start`` to ``end`` outside holidays and breaks."""
    off = [(a, b) for a, b in closed]
    days = []
    d = start
    while d <= end:
        if d.weekday() < 5 and not any(a <= d <= b for a, b in off):
            days.append(d)
        d += timedelta(days=1)
    return days


@dataclass(frozen=True, slots=True)
class ScaleSteps:
    """A scale as the generator walks it: allowed scores lowest first, as text."""

    values: tuple[str, ...]
    threshold: int
    """Index of the lowest allowed score that is proficient."""
    unit: int
    """Allowed steps per whole point (2 on a half-point scale)."""
    proficient: tuple[int, ...]
    """20 final scores for a target that ends proficient (mostly half a point above threshold,
    so that averaging methods such as decaying_average also reach the threshold)."""
    short: tuple[int, ...]
    """20 final scores for a target that ends below the threshold (mostly just below)."""


def scale_steps(scale: Scale) -> ScaleSteps:
    """Precompute a scale's score texts and draw tables (never hard-code 0-4 or 3.0)."""
    allowed = sorted(scale.allowed)
    above = [i for i, v in enumerate(allowed) if v >= scale.threshold]
    t = above[0] if above else len(allowed) - 1
    span = allowed[-1] - allowed[0]
    unit = max(1, round((len(allowed) - 1) / span)) if span else 1
    top = len(allowed) - 1

    def table(counts: Sequence[tuple[int, int]]) -> tuple[int, ...]:
        return tuple(min(max(t + offset, 0), top) for offset, n in counts for _ in range(n))

    return ScaleSteps(
        tuple(score_text(v) for v in allowed), t, unit,
        table(((0, 5), (1, 11), (2, 4))), table(((-1, 12), (-2, 6), (-3, 2))),
    )


@dataclass(frozen=True, slots=True)
class TargetPlan:
    """What the generator needs of one target, looked up once instead of once per row."""

    code: str
    steps: ScaleSteps
    tasks: tuple[tuple[str, str], ...]
    """(assessment name, evidence type) that fit the target's topic."""
    retakes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class SubjectPlan:
    """A subject's targets level by level, and the teachers who score them."""

    levels: tuple[tuple[TargetPlan, ...], ...]
    teachers: tuple[str, ...]
    size: int
    """Number of targets in all levels."""


def _lower_first(title: str) -> str:
    return title[:1].lower() + title[1:] if title[1:2].islower() else title


def catalog(school: School, seed: int = 0) -> list[SubjectPlan]:
    """The school's targets grouped by subject and level, with the assessments that fit them."""
    rng = random.Random(f"catalog:{seed}")
    steps = {sid: scale_steps(scale) for sid, scale in school.scales.items()}
    lang = school.default_language
    grouped: dict[str, dict[int, list[TargetPlan]]] = {}
    units: dict[str, int] = {}
    last_topic: dict[str, str] = {}
    tasks: dict[str, tuple[tuple[str, str], ...]] = {}  # by topic: its targets share assessments
    for subject, level, topic, target in school.iter_targets():
        if target.scale_id not in steps:
            continue
        key = (subject.slug + " " + school.text(subject.title, lang)).lower()
        extra: tuple[tuple[str, str], ...] = SCIENCE_TASKS if "scien" in key else ()
        if any(w in key for w in ("weld", "engineer", "auto", "construct", "culinary", "cte")):
            extra = CTE_TASKS
        if last_topic.get(subject.code) != topic.code:
            units[subject.code] = units.get(subject.code, 0) + 1
            last_topic[subject.code] = topic.code
        fmt = {"u": units[subject.code], "l": level.number,
               "t": _lower_first(school.text(topic.title, lang))}
        if topic.code not in tasks:
            pool = rng.sample(TASKS, 5) + list(extra)
            tasks[topic.code] = tuple((name.format(**fmt), kind) for name, kind in pool)
        plan = TargetPlan(
            target.code, steps[target.scale_id], tasks[topic.code],
            tuple((name.format(**fmt), kind) for name, kind in REASSESSMENTS),
        )
        grouped.setdefault(subject.code, {}).setdefault(level.number, []).append(plan)
    plans = []
    for levels in grouped.values():
        teachers = tuple(rng.sample(TEACHERS, min(3, len(TEACHERS))))
        ordered = tuple(tuple(levels[n]) for n in sorted(levels))
        plans.append(SubjectPlan(ordered, teachers, sum(map(len, ordered))))
    return plans


def allocate(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` without exceeding ``caps`` (largest remainder)."""
    out = [0] * len(weights)
    left = min(total, sum(caps))
    while left > 0:
        open_ = [i for i in range(len(weights)) if out[i] < caps[i]]
        w = sum(weights[i] for i in open_)
        shares = {i: left * weights[i] / w for i in open_}
        given = 0
        for i in open_:
            add = min(int(shares[i]), caps[i] - out[i])
            out[i] += add
            given += add
        if given == 0:  # hand out the remainder one at a time, biggest share first
            for i in sorted(open_, key=lambda i: -shares[i])[:left]:
                out[i] += 1
                given += 1
        left -= given
    return out


def _budgets(
    rng: random.Random, plans: Sequence[SubjectPlan], grad_year: int, targets: int | None,
) -> list[int]:
    """How many targets the student has evidence on in each subject."""
    caps = [p.size for p in plans]
    if targets is not None:
        return allocate(targets, [rng.uniform(0.4, 1.6) for _ in plans], caps)
    seniority = max(0, min(4, 2031 - grad_year))  # older students have finished more levels
    out = []
    for plan in plans:
        progress = rng.uniform(0.7, 1.2) + 0.1 * seniority  # levels worked on this year
        n = 0
        for level in plan.levels:
            take = min(1.0, progress)
            n += round(take * len(level))
            progress -= take
            if progress <= 0:
                break
        out.append(max(1, n))
    return out


def _fit(rand: Callable[[], float], attempts: list[int], rows: int) -> None:
    """Add or remove attempts at random until they sum to ``rows`` (each target keeps one)."""
    diff = rows - sum(attempts)
    n = len(attempts)
    for _ in range(max(0, diff)):
        attempts[int(rand() * n)] += 1
    if diff < 0:
        more = [i for i, a in enumerate(attempts) if a > 1]
        for _ in range(-diff):
            if not more:
                break
            k = int(rand() * len(more))
            i = more[k]
            attempts[i] -= 1
            if attempts[i] == 1:
                more[k] = more[-1]
                more.pop()


def _pick(rand: Callable[[], float], size: int, k: int) -> list[int]:
    """``k`` distinct indexes below ``size``, in order (a partial shuffle; faster than sample)."""
    idx = list(range(size))
    for i in range(k):
        j = i + int(rand() * (size - i))
        idx[i], idx[j] = idx[j], idx[i]
    return sorted(idx[:k])


def _days(rand: Callable[[], float], lo: int, hi: int, n: int) -> list[int]:
    """``n`` distinct increasing day indexes in ``lo..hi`` (needs ``hi - lo + 1 >= n``)."""
    room = hi - lo + 2 - n
    if n == 1:
        return [lo + int(rand() * room)]
    picks = sorted([int(rand() * room) for _ in range(n)])
    return [lo + x + k for k, x in enumerate(picks)]


def _path(rand: Callable[[], float], steps: ScaleSteps, attempts: int, final: int) -> list[int]:
    """Indexes into ``steps.values``: a rising, slightly noisy path ending at ``final``."""
    top = len(steps.values) - 1
    start = final - 1 - int(rand() * 2 * steps.unit)  # half a point to two points below
    if start < 0:
        start = 0
    path = []
    for k in range(attempts - 1):
        i = start + (final - start) * k // (attempts - 1)
        r = rand()
        if r < 0.25:
            i += 1 if r < 0.125 else -1
        path.append(0 if i < 0 else top if i > top else i)
    if final >= steps.threshold and path and path[-1] < steps.threshold:
        path[-1] = steps.threshold  # mastery is shown twice, as averaging methods need
    path.append(final)
    return path


@dataclass(slots=True)
class Work:
    """What one student works on this year, as parallel lists (one entry per target)."""

    targets: list[TargetPlan]
    subjects: list[int]
    positions: list[int]
    """Order of the target in the student's path through its subject."""
    proficient: list[bool]
    """Whether the target ends the year proficient."""
    attempts: list[int]


def _work(rand: Callable[[], float], plans: Sequence[SubjectPlan], budgets: Sequence[int]) -> Work:
    """In each subject the student goes through the levels from the first.

    The levels finished this year are mostly proficient (now and then one target is still
    short), the last one is in progress on a part of its targets.
    """
    w = Work([], [], [], [], [])
    for si, (plan, budget) in enumerate(zip(plans, budgets, strict=True)):
        pos = 0
        for level in plan.levels:
            if budget <= 0:
                break
            size = len(level)
            if budget >= size:
                w.targets.extend(level)
                w.proficient.extend([True] * size)
                w.attempts.extend([_ATTEMPTS_DONE[int(rand() * 20)] for _ in level])
                if rand() >= 0.85:  # one target still short: the level is not complete
                    j = len(w.proficient) - size + int(rand() * size)
                    w.proficient[j] = False
                    w.attempts[j] += 1
                n = size
            else:
                w.targets.extend([level[j] for j in _pick(rand, size, budget)])
                w.proficient.extend([rand() < 0.45 for _ in range(budget)])
                w.attempts.extend([_ATTEMPTS_CURRENT[int(rand() * 20)] for _ in range(budget)])
                n = budget
            w.subjects.extend([si] * n)
            w.positions.extend(range(pos, pos + n))
            pos += n
            budget -= size
    return w


def student_evidence(
    rng: random.Random, student_id: str, grad_year: int, plans: Sequence[SubjectPlan],
    days: Sequence[str], *, rows: int | None = None, targets: int | None = None,
) -> list[tuple[str, ...]]:
    """One student's evidence rows for the year, in date order."""
    rand = rng.random
    if rows is not None:
        cap = max(1, math.ceil(rows / 1.5))  # keep several attempts per target
        targets = min(targets if targets is not None else round(rows / 2.2) or 1, cap)
    work = _work(rand, plans, _budgets(rng, plans, grad_year, targets))
    if rows is not None and work.targets:
        _fit(rand, work.attempts, rows)
    teachers = [plan.teachers[int(rand() * len(plan.teachers))] for plan in plans]
    in_subject = [0] * len(plans)
    for si in work.subjects:
        in_subject[si] += 1
    pace = [0.8 / n if n else 0.0 for n in in_subject]  # year fraction between two targets
    n_days = len(days)
    n_comments = len(COMMENTS)
    out: list[tuple[str, ...]] = []
    add = out.append
    for target, si, pos, proficient, n in zip(
        work.targets, work.subjects, work.positions, work.proficient, work.attempts, strict=True,
    ):
        if n > n_days:
            n = n_days
        steps = target.steps
        final = (steps.proficient if proficient else steps.short)[int(rand() * 20)]
        begin = pos * pace[si] + (rand() - 0.5) * 0.08
        lo = int(begin * n_days)
        if lo < 0:
            lo = 0
        elif lo > n_days - n:
            lo = n_days - n
        hi = int((begin + 0.05 + 0.07 * n) * n_days)
        if hi < lo + n - 1:
            hi = lo + n - 1
        elif hi >= n_days:
            hi = n_days - 1
        when: Sequence[int]
        scores: Sequence[int]
        if n == 1:
            when, scores = (lo + int(rand() * (hi - lo + 1)),), (final,)
        else:
            when, scores = _days(rand, lo, hi, n), _path(rand, steps, n, final)
        values, code, tasks, retakes = steps.values, target.code, target.tasks, target.retakes
        teacher = teachers[si] if rand() < 0.9 else plans[si].teachers[0]
        for k in range(n):
            task = retakes if k and rand() < 0.3 else tasks
            name, kind = task[int(rand() * len(task))]
            r = rand()
            add((
                student_id, code, values[scores[k]], days[when[k]], name, kind, teacher,
                COMMENTS[int(r * 14.3 * n_comments) % n_comments] if r < 0.07 else "",
            ))
    out.sort(key=itemgetter(3))  # ISO dates sort as text; ties keep subject order
    return out


def _roster_students(roster: Path | str | Iterable[Mapping[str, str]]) -> Iterator[tuple[str, int]]:
    """(student id, graduation year) from a roster file or rows, streamed."""
    if isinstance(roster, (str, Path)):
        with Path(roster).open(encoding="utf-8-sig", newline="") as f:
            yield from _roster_students(csv.DictReader(f))
        return
    for row in roster:
        year = str(row.get("graduation_year") or "").strip()
        yield row["student_id"], int(year) if year.isdigit() else 2029


def write_evidence(
    path: Path, school: School, roster: Path | str | Iterable[Mapping[str, str]], *,
    rows_per_student: int | None = None, targets_per_student: int | None = None, seed: int = 0,
    school_year: tuple[date, date] = SCHOOL_YEAR,
) -> int:
    """Write the evidence CSV for every roster student; return the number of rows.

    ``rows_per_student`` is the exact number of rows each student gets. ``targets_per_student``
    is how many distinct targets each student has scores on, about 2.2 rows each when rows are
    not fixed; with fixed rows it is capped at rows / 1.5 so targets keep several attempts.
    Without either, sizes follow each student's progress (about a level per subject, more for
    older students). Each student has an own RNG seeded by ``seed`` and the id, so adding
    students does not change the others' rows. Rows are streamed student by student.
    """
    plans = catalog(school, seed)
    days = [d.isoformat() for d in school_days(*school_year)]
    if not days:
        raise ValueError(f"no school days between {school_year[0]} and {school_year[1]}")
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(EVIDENCE_HEADER)
        if not plans:
            return 0
        for student_id, grad_year in _roster_students(roster):
            rng = random.Random(f"evidence:{seed}:{student_id}")
            rows = student_evidence(rng, student_id, grad_year, plans, days,
                                    rows=rows_per_student, targets=targets_per_student)
            writer.writerows(rows)
            count += len(rows)
    return count


# --------------------------------------------------------------------------------------------
# Command line


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def main() -> None:
    """Write seeded synthetic schools, rosters and evidence (fictional data, for tests and
    benchmarks). The same options and seed always write the same bytes."""


@main.command("school")
@click.option("--targets", type=click.IntRange(min=1), default=300, show_default=True,
              help="Number of learning targets.")
@click.option("--languages", default="en,es,vi", show_default=True,
              help="Comma-separated language codes; the first is the default.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="New or empty folder to write the content folder into.")
def school_command(targets: int, languages: str, seed: int, out: Path) -> None:
    """Write a complete, valid content folder."""
    langs = [lang.strip() for lang in languages.split(",") if lang.strip()]
    start = time.perf_counter()
    try:
        write_school(out, targets=targets, languages=langs, seed=seed)
    except (FileExistsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    files = sum(1 for p in out.rglob("*") if p.is_file())
    click.echo(f"wrote {out}: {targets} targets, {files} files, languages {', '.join(langs)} "
               f"({time.perf_counter() - start:.2f} s)")


@main.command("students")
@click.option("--content", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help="The school's content folder.")
@click.option("--students", "n", type=click.IntRange(min=1), default=40, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--rows", "rows", type=click.IntRange(min=1), default=None,
              help="Exact evidence rows per student (default: follows each student's progress).")
@click.option("--targets", "targets", type=click.IntRange(min=1), default=None,
              help="Distinct targets with evidence per student.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder for roster.csv and evidence.csv (never inside content/).")
def students_command(content: Path, n: int, seed: int, rows: int | None, targets: int | None,
                     out: Path) -> None:
    """Write roster.csv and evidence.csv for a school's content."""
    from ..content.loader import find_content, load

    if out.resolve().is_relative_to(find_content(content).resolve()):
        raise click.ClickException(f"{out} is inside the content folder, which is published; "
                                   "student data must stay outside it")
    result = load(content)
    school = result.school
    if school is None:
        raise click.ClickException(f"could not load {content}; run `proficio validate {content}`")
    if result.errors:
        click.echo(f"warning: {content} has {len(result.errors)} errors; using the targets that "
                   "loaded", err=True)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    roster = write_roster(out / "roster.csv", n, seed=seed, languages=school.languages)
    count = write_evidence(out / "evidence.csv", school, roster, rows_per_student=rows,
                           targets_per_student=targets, seed=seed)
    click.echo(f"wrote {roster}: {n} students")
    click.echo(f"wrote {out / 'evidence.csv'}: {count} evidence rows "
               f"({time.perf_counter() - start:.2f} s)")


if __name__ == "__main__":
    main()
