"""The words printed on transcripts and progress reports, in each language we have written.

A registrar or a parent reads these, so they are written as sentences, not field names. English
and Spanish are complete; Vietnamese covers what families read. A missing key falls back to
English, never to a blank.
"""

from __future__ import annotations

from datetime import date

from ..content.model import Calculation

UI: dict[str, dict[str, str]] = {
    "en": {
        "transcript": "Official transcript",
        "transcript_unofficial": "Unofficial transcript",
        "progress": "Progress report",
        "name": "Student",
        "preferred_name": "Preferred name",
        "student_id": "Student ID",
        "birth_date": "Date of birth",
        "graduation_year": "Graduation year",
        "issued": "Issued",
        "school_code": "School code",
        "summary": "Summary",
        "subject": "Subject",
        "levels_completed": "Levels completed",
        "current_level": "Current level",
        "all_complete": "All levels complete",
        "none_yet": "None yet",
        "completed_on": "completed {date}",
        "state_complete": "Completed {date}",
        "state_current": "Current level, in progress",
        "state_ahead": "Above the current level: work shown early",
        "col_code": "Code",
        "col_target": "Learning target",
        "col_score": "Score",
        "col_label": "Meaning",
        "col_descriptor": "What the work shows",
        "used_by": "Used in: {subjects}.",
        "col_evidence": "Scores",
        "col_scored": "Scores · last",
        "not_assessed": "Not yet assessed",
        "legend": "How to read this transcript",
        "proficient_means": "Proficient means a current score of {threshold} or higher on this scale: {descriptor}",
        "method_heading": "How a current score is calculated",
        "links_note": "Each target code links to that target and its rubric on the school's curriculum site, {site}.",
        "evidence_note": "Under “Scores · last”: how many dated scores are behind the current score, and the date of the latest one.",
        "certified": "Certified by",
        "seal": "School seal",
        "signature_alt": "Signature of {name}",
        "logo_alt": "Logo of {school}",
        "seal_alt": "Seal of {school}",
        "unofficial_watermark": "UNOFFICIAL",
        "unofficial_notice": "Unofficial copy. It is not valid as an official transcript: it carries no signature or seal.",
        "footer": "Page {page} of {pages} · Student ID {id} · Issued {date}",
        "progress_intro": "This report shows where {name} is in each subject, what is already proficient, and what to work on next. Every score can be checked by hand: the last section of each subject shows how it was reached.",
        "now_working_on": "Now working on",
        "completed_levels": "Levels already completed",
        "every_level_done": "Every level of this subject is complete. Congratulations!",
        "proficient_now": "Already proficient at this level",
        "none_proficient": "No target of this level is proficient yet. That is normal at the start of a level.",
        "next_targets": "Next targets: what to work on",
        "next_intro": "To be proficient on a target, the work needs to show what is described under it.",
        "no_next": "Nothing left at this level: every target is proficient.",
        "now": "Now",
        "how_heading": "How each current score was reached",
        "how_intro": "The scores behind each current score, oldest first, and the calculation that combines them.",
        "no_score_yet": "no score yet",
        "questions": "Questions? Contact {contact}.",
    },
    "es": {
        "transcript": "Certificado oficial de estudios",
        "transcript_unofficial": "Certificado de estudios no oficial",
        "progress": "Informe de progreso",
        "name": "Estudiante",
        "preferred_name": "Nombre preferido",
        "student_id": "N.º de estudiante",
        "birth_date": "Fecha de nacimiento",
        "graduation_year": "Año de graduación",
        "issued": "Emitido",
        "school_code": "Código de la escuela",
        "summary": "Resumen",
        "subject": "Materia",
        "levels_completed": "Niveles completados",
        "current_level": "Nivel actual",
        "all_complete": "Todos los niveles completados",
        "none_yet": "Ninguno todavía",
        "completed_on": "completado el {date}",
        "state_complete": "Completado el {date}",
        "state_current": "Nivel actual, en curso",
        "state_ahead": "Por encima del nivel actual: trabajo demostrado antes de tiempo",
        "col_code": "Código",
        "col_target": "Meta de aprendizaje",
        "col_score": "Puntaje",
        "col_label": "Significado",
        "col_descriptor": "Lo que muestra el trabajo",
        "used_by": "Se usa en: {subjects}.",
        "col_evidence": "Puntajes",
        "col_scored": "Puntajes · último",
        "not_assessed": "Aún sin evaluar",
        "legend": "Cómo leer este certificado",
        "proficient_means": "Tener dominio significa un puntaje actual de {threshold} o más en esta escala: {descriptor}",
        "method_heading": "Cómo se calcula un puntaje actual",
        "links_note": "Cada código de meta enlaza con esa meta y su rúbrica en el sitio del currículo de la escuela, {site}.",
        "evidence_note": "En «Puntajes · último»: cuántos puntajes con fecha hay detrás del puntaje actual, y la fecha del más reciente.",
        "certified": "Certificado por",
        "seal": "Sello de la escuela",
        "signature_alt": "Firma de {name}",
        "logo_alt": "Logotipo de {school}",
        "seal_alt": "Sello de {school}",
        "unofficial_watermark": "NO OFICIAL",
        "unofficial_notice": "Copia no oficial. No es válida como certificado oficial: no lleva firma ni sello.",
        "footer": "Página {page} de {pages} · N.º de estudiante {id} · Emitido el {date}",
        "progress_intro": "Este informe muestra dónde está {name} en cada materia, lo que ya domina y en qué trabajar ahora. Cada puntaje se puede comprobar a mano: la última sección de cada materia muestra cómo se obtuvo.",
        "now_working_on": "Trabajando ahora en",
        "completed_levels": "Niveles ya completados",
        "every_level_done": "Todos los niveles de esta materia están completados. ¡Felicitaciones!",
        "proficient_now": "Ya domina en este nivel",
        "none_proficient": "Todavía no domina ninguna meta de este nivel. Es normal al comenzar un nivel.",
        "next_targets": "Próximas metas: en qué trabajar",
        "next_intro": "Para tener dominio de una meta, el trabajo debe mostrar lo que se describe debajo de ella.",
        "no_next": "No queda nada en este nivel: domina todas las metas.",
        "now": "Ahora",
        "how_heading": "Cómo se obtuvo cada puntaje actual",
        "how_intro": "Los puntajes detrás de cada puntaje actual, del más antiguo al más reciente, y el cálculo que los combina.",
        "no_score_yet": "aún sin puntaje",
        "questions": "¿Preguntas? Comuníquese con {contact}.",
    },
    "vi": {
        "progress": "Báo cáo tiến bộ",
        "name": "Học sinh",
        "preferred_name": "Tên thường gọi",
        "student_id": "Mã học sinh",
        "birth_date": "Ngày sinh",
        "graduation_year": "Năm tốt nghiệp",
        "issued": "Ngày cấp",
        "subject": "Môn học",
        "current_level": "Cấp độ hiện tại",
        "all_complete": "Đã hoàn thành tất cả các cấp độ",
        "none_yet": "Chưa có",
        "completed_on": "hoàn thành ngày {date}",
        "col_code": "Mã",
        "col_target": "Mục tiêu học tập",
        "col_score": "Điểm",
        "col_label": "Ý nghĩa",
        "col_evidence": "Các điểm số",
        "col_scored": "Số điểm · lần gần nhất",
        "used_by": "Dùng cho: {subjects}.",
        "not_assessed": "Chưa được đánh giá",
        "footer": "Trang {page}/{pages} · Mã học sinh {id} · Ngày cấp {date}",
        "progress_intro": "Báo cáo này cho biết {name} đang ở đâu trong từng môn học, những gì em đã thành thạo và cần làm gì tiếp theo. Mỗi điểm số đều có thể tự kiểm tra: phần cuối của mỗi môn cho thấy điểm được tính như thế nào.",
        "now_working_on": "Đang học",
        "completed_levels": "Các cấp độ đã hoàn thành",
        "every_level_done": "Em đã hoàn thành tất cả các cấp độ của môn này. Chúc mừng em!",
        "proficient_now": "Đã thành thạo ở cấp độ này",
        "none_proficient": "Chưa có mục tiêu nào của cấp độ này được thành thạo. Điều này là bình thường khi mới bắt đầu một cấp độ.",
        "next_targets": "Mục tiêu tiếp theo: cần luyện tập gì",
        "next_intro": "Để thành thạo một mục tiêu, bài làm cần thể hiện được điều mô tả bên dưới.",
        "no_next": "Không còn mục tiêu nào ở cấp độ này: tất cả đều đã thành thạo.",
        "now": "Hiện tại",
        "how_heading": "Điểm hiện tại được tính như thế nào",
        "how_intro": "Các điểm số tạo nên điểm hiện tại, từ cũ nhất đến mới nhất, và phép tính kết hợp chúng.",
        "no_score_yet": "chưa có điểm",
        "questions": "Có câu hỏi? Xin liên hệ {contact}.",
        "proficient_means": "Thành thạo nghĩa là điểm hiện tại từ {threshold} trở lên trên thang đo này: {descriptor}",
        "method_heading": "Điểm hiện tại được tính như thế nào",
    },
}

METHODS: dict[str, dict[str, str]] = {
    "en": {
        "latest": "The current score on a target is the most recent score.",
        "highest": "The current score on a target is the highest score earned.",
        "mean": "The current score on a target is the average of all its scores.",
        "median": "The current score on a target is the middle value of all its scores.",
        "mode": "The current score on a target is the score earned most often (on a tie, the higher one).",
        "weighted_average": "The current score on a target is a weighted average: the most recent score counts {weight}%, and the average of all earlier scores counts {rest}%.",
        "decaying_average": "The current score on a target is a decaying average: each new score counts {weight}% and the running result before it {rest}%, so recent work matters most.",
        "n_mastery": "A target gets a current score once {n} scores reach the proficiency level; it is then the average of all scores at or above that level.",
        "power_law": "The current score on a target follows the trend of its scores over time (Marzano's power law), or their average when that fits the scores better.",
    },
    "es": {
        "latest": "El puntaje actual de una meta es el puntaje más reciente.",
        "highest": "El puntaje actual de una meta es el puntaje más alto obtenido.",
        "mean": "El puntaje actual de una meta es el promedio de todos sus puntajes.",
        "median": "El puntaje actual de una meta es el valor central de todos sus puntajes.",
        "mode": "El puntaje actual de una meta es el puntaje obtenido más veces (si hay empate, el más alto).",
        "weighted_average": "El puntaje actual de una meta es un promedio ponderado: el puntaje más reciente cuenta un {weight} % y el promedio de los anteriores un {rest} %.",
        "decaying_average": "El puntaje actual de una meta es un promedio decreciente: cada puntaje nuevo cuenta un {weight} % y el resultado anterior un {rest} %, así que el trabajo reciente pesa más.",
        "n_mastery": "Una meta recibe un puntaje actual cuando {n} puntajes alcanzan el nivel de dominio; entonces es el promedio de todos los puntajes en ese nivel o por encima.",
        "power_law": "El puntaje actual de una meta sigue la tendencia de sus puntajes en el tiempo (ley de potencia de Marzano), o su promedio cuando este se ajusta mejor.",
    },
    "vi": {
        "latest": "Điểm hiện tại của một mục tiêu là điểm gần đây nhất.",
        "highest": "Điểm hiện tại của một mục tiêu là điểm cao nhất đạt được.",
        "mean": "Điểm hiện tại của một mục tiêu là trung bình cộng của tất cả các điểm.",
        "decaying_average": "Điểm hiện tại của một mục tiêu là trung bình giảm dần: mỗi điểm mới chiếm {weight}% và kết quả trước đó chiếm {rest}%, nên bài làm gần đây quan trọng nhất.",
    },
}

MONTHS: dict[str, list[str]] = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
}


def ui(lang: str) -> dict[str, str]:
    """Every UI string in ``lang``, English where a translation is missing."""
    return {**UI["en"], **UI.get(lang, {})}


def method_sentence(calc: Calculation, lang: str) -> str:
    """The calculation method in one plain sentence a parent can follow."""
    template = METHODS.get(lang, {}).get(calc.method) or METHODS["en"].get(calc.method, calc.method)
    weight = calc.weight if calc.weight is not None else 65
    return template.format(weight=weight, rest=100 - weight, n=calc.n or "")


def long_date(d: date, lang: str) -> str:
    """A date written out the way a reader of ``lang`` writes it (unambiguous in every language)."""
    if lang == "es":
        return f"{d.day} de {MONTHS['es'][d.month - 1]} de {d.year}"
    if lang == "vi":
        return f"ngày {d.day} tháng {d.month} năm {d.year}"
    if lang == "en":
        return f"{MONTHS['en'][d.month - 1]} {d.day}, {d.year}"
    return d.isoformat()


def short_date(d: date, lang: str) -> str:
    """A compact date for table cells: ISO 8601 for transcripts read anywhere, day first for es/vi."""
    if lang in ("es", "vi"):
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return d.isoformat()
