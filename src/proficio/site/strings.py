"""The site's own words (headings, notes, explanations) in the languages Proficio ships.

Content text comes from the school's YAML; these are the few sentences the site adds around it.
A language missing here falls back to English, marked with ``lang="en"`` like any other fallback.
Numbers, percentages (``{p}``, ``{w}``: "65%", "65 %") and plural forms are the language's own,
from CLDR through :mod:`proficio.support.locale`, so no sentence writes its own "%".
"""

from __future__ import annotations

from ..support import locale

LANGUAGE_NAMES: dict[str, str] = {
    "ar": "العربية",
    "de": "Deutsch",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ht": "Kreyòl ayisyen",
    "hmn": "Hmoob",
    "ko": "한국어",
    "pt": "Português",
    "ru": "Русский",
    "so": "Soomaali",
    "tl": "Tagalog",
    "uk": "Українська",
    "vi": "Tiếng Việt",
    "zh": "中文",
}
"""Each language's name in itself, as a reader looks for it in the language menu."""

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "not_translated": "not yet translated",
        "generic": "generic",
        "generic_title": "The scale's general description: this target has no description of its own for this score.",
        "no_descriptor": "No description for this score.",
        "subjects": "Subjects",
        "levels": "Levels",
        "level_n": "Level {n}",
        "scales": "Proficiency scales",
        "score": "Score",
        "meaning": "What it means",
        "rubric_caption": "Rubric for {code}",
        "proficient": "proficient",
        "targets_n.one": "1 learning target",
        "targets_n.other": "{n} learning targets",
        "topics_n.one": "1 measurement topic",
        "topics_n.other": "{n} measurement topics",
        "levels_n.one": "1 level",
        "levels_n.other": "{n} levels",
        "levels_at_glance": "Levels at a glance",
        "scale_used": "Scores in this subject use the {scale}.",
        "how_progress": "How progress works here",
        "progress_1": "Each subject is divided into levels. Students move to the next level when they have shown that they are proficient at the current one, not when a school year ends. Two students of the same age can be on different levels, and one student can be on different levels in different subjects.",
        "progress_2": "Each level lists its learning targets: the things a student can know or do, grouped into measurement topics. Students get several chances, and several ways, to show what they have learned: tests, projects, observations, conversations.",
        "how_scale": "How to read a proficiency scale",
        "scale_1": "Teachers score each learning target on a proficiency scale. Every score point has a meaning, and each target's rubric says what that score means for that target.",
        "scale_threshold": "On the {scale}, a score of {score} ({label}) or higher means proficient.",
        "scale_generic": "Where a target has no description of its own for a score, the page shows the scale's general description, marked “generic”.",
        "threshold": "A score of {score} ({label}) or higher means the student is proficient.",
        "recorded": "Scores teachers record: {points}.",
        "all_points": "Score points",
        "completion.all": "A student completes this level when every learning target in it is proficient.",
        "completion.percent": "A student completes this level when at least {p} of its learning targets are proficient.",
        "completion.all_topics": "A student completes this level when, in every measurement topic, at least {p} of the learning targets are proficient.",
        "calc.latest": "A target's current score is the student's most recent score.",
        "calc.highest": "A target's current score is the student's highest score.",
        "calc.mean": "A target's current score is the average of the student's scores.",
        "calc.median": "A target's current score is the middle value of the student's scores.",
        "calc.mode": "A target's current score is the score the student earned most often.",
        "calc.weighted_average": "A target's current score weights the most recent score at {w} and the earlier scores at {rest}.",
        "calc.decaying_average": "A target's current score counts the most recent score for {w} and the earlier scores for {rest}, so recent work counts most.",
        "calc.n_mastery": "A target is proficient once the student has reached the proficient score {n} times.",
        "calc.power_law": "A target's current score follows the trend of the student's scores over time, so growth counts.",
        "contact": "Contact",
        "home": "Home",
        "level_of": "{subject}, {level}",
    },
    "es": {
        "not_translated": "aún sin traducir",
        "generic": "general",
        "generic_title": "La descripción general de la escala: esta meta no tiene una descripción propia para este puntaje.",
        "no_descriptor": "No hay descripción para este puntaje.",
        "subjects": "Materias",
        "levels": "Niveles",
        "level_n": "Nivel {n}",
        "scales": "Escalas de dominio",
        "score": "Puntaje",
        "meaning": "Qué significa",
        "rubric_caption": "Rúbrica de {code}",
        "proficient": "dominio",
        "targets_n.one": "1 meta de aprendizaje",
        "targets_n.other": "{n} metas de aprendizaje",
        "topics_n.one": "1 tema de medición",
        "topics_n.other": "{n} temas de medición",
        "levels_n.one": "1 nivel",
        "levels_n.other": "{n} niveles",
        "levels_at_glance": "Los niveles de un vistazo",
        "scale_used": "Los puntajes de esta materia usan la {scale}.",
        "how_progress": "Cómo se avanza aquí",
        "progress_1": "Cada materia se divide en niveles. Los estudiantes pasan al siguiente nivel cuando han demostrado dominio del nivel actual, no cuando termina un año escolar. Dos estudiantes de la misma edad pueden estar en niveles distintos, y un estudiante puede estar en niveles distintos en distintas materias.",
        "progress_2": "Cada nivel enumera sus metas de aprendizaje: lo que un estudiante puede saber o hacer, agrupado en temas de medición. Los estudiantes tienen varias oportunidades, y varias maneras, de mostrar lo que han aprendido: pruebas, proyectos, observaciones, conversaciones.",
        "how_scale": "Cómo leer una escala de dominio",
        "scale_1": "Los docentes califican cada meta de aprendizaje en una escala de dominio. Cada puntaje tiene un significado, y la rúbrica de cada meta dice qué significa ese puntaje para esa meta.",
        "scale_threshold": "En la {scale}, un puntaje de {score} ({label}) o más significa dominio.",
        "scale_generic": "Cuando una meta no tiene una descripción propia para un puntaje, la página muestra la descripción general de la escala, marcada como “general”.",
        "threshold": "Un puntaje de {score} ({label}) o más significa que el estudiante tiene dominio.",
        "recorded": "Puntajes que registran los docentes: {points}.",
        "all_points": "Puntajes de la escala",
        "completion.all": "Un estudiante termina este nivel cuando tiene dominio de todas sus metas de aprendizaje.",
        "completion.percent": "Un estudiante termina este nivel cuando tiene dominio de al menos el {p} de sus metas de aprendizaje.",
        "completion.all_topics": "Un estudiante termina este nivel cuando, en cada tema de medición, tiene dominio de al menos el {p} de las metas de aprendizaje.",
        "calc.latest": "El puntaje actual de una meta es el puntaje más reciente del estudiante.",
        "calc.highest": "El puntaje actual de una meta es el puntaje más alto del estudiante.",
        "calc.mean": "El puntaje actual de una meta es el promedio de los puntajes del estudiante.",
        "calc.median": "El puntaje actual de una meta es el valor central de los puntajes del estudiante.",
        "calc.mode": "El puntaje actual de una meta es el puntaje que el estudiante obtuvo más veces.",
        "calc.weighted_average": "El puntaje actual de una meta pondera el puntaje más reciente con un {w} y los anteriores con un {rest}.",
        "calc.decaying_average": "El puntaje actual de una meta cuenta el puntaje más reciente en un {w} y los anteriores en un {rest}, así que el trabajo reciente pesa más.",
        "calc.n_mastery": "Una meta se domina cuando el estudiante ha alcanzado el puntaje de dominio {n} veces.",
        "calc.power_law": "El puntaje actual de una meta sigue la tendencia de los puntajes del estudiante a lo largo del tiempo, así que el progreso cuenta.",
        "contact": "Contacto",
        "home": "Inicio",
        "level_of": "{subject}, {level}",
    },
    "vi": {
        "not_translated": "chưa được dịch",
        "generic": "chung",
        "generic_title": "Mô tả chung của thang đo: mục tiêu này chưa có mô tả riêng cho mức điểm này.",
        "no_descriptor": "Không có mô tả cho mức điểm này.",
        "subjects": "Các môn học",
        "levels": "Các cấp độ",
        "level_n": "Cấp độ {n}",
        "scales": "Thang đo thành thạo",
        "score": "Điểm",
        "meaning": "Ý nghĩa",
        "rubric_caption": "Tiêu chí chấm điểm của {code}",
        "proficient": "thành thạo",
        "targets_n.one": "1 mục tiêu học tập",
        "targets_n.other": "{n} mục tiêu học tập",
        "topics_n.one": "1 chủ đề đánh giá",
        "topics_n.other": "{n} chủ đề đánh giá",
        "levels_n.one": "1 cấp độ",
        "levels_n.other": "{n} cấp độ",
        "levels_at_glance": "Tổng quan các cấp độ",
        "scale_used": "Điểm của môn này dùng {scale}.",
        "how_progress": "Cách học sinh tiến bộ ở đây",
        "progress_1": "Mỗi môn học được chia thành các cấp độ. Học sinh lên cấp độ tiếp theo khi đã chứng tỏ thành thạo cấp độ hiện tại, không phải khi hết năm học. Hai học sinh cùng tuổi có thể ở hai cấp độ khác nhau, và một học sinh có thể ở các cấp độ khác nhau trong các môn khác nhau.",
        "progress_2": "Mỗi cấp độ liệt kê các mục tiêu học tập: những điều học sinh cần biết hoặc làm được, được nhóm theo chủ đề đánh giá. Học sinh có nhiều cơ hội và nhiều cách để thể hiện những gì đã học: bài kiểm tra, dự án, quan sát, trao đổi.",
        "how_scale": "Cách đọc thang đo thành thạo",
        "scale_1": "Giáo viên chấm điểm từng mục tiêu học tập trên một thang đo thành thạo. Mỗi mức điểm có một ý nghĩa, và tiêu chí của từng mục tiêu cho biết mức điểm đó nghĩa là gì đối với mục tiêu ấy.",
        "scale_threshold": "Trên {scale}, điểm {score} ({label}) trở lên nghĩa là thành thạo.",
        "scale_generic": "Khi một mục tiêu chưa có mô tả riêng cho một mức điểm, trang sẽ hiển thị mô tả chung của thang đo, được đánh dấu là “chung”.",
        "threshold": "Điểm {score} ({label}) trở lên nghĩa là học sinh đã thành thạo.",
        "recorded": "Các mức điểm giáo viên ghi nhận: {points}.",
        "all_points": "Các mức điểm",
        "completion.all": "Học sinh hoàn thành cấp độ này khi thành thạo tất cả các mục tiêu học tập của cấp độ.",
        "completion.percent": "Học sinh hoàn thành cấp độ này khi thành thạo ít nhất {p} các mục tiêu học tập của cấp độ.",
        "completion.all_topics": "Học sinh hoàn thành cấp độ này khi, trong mỗi chủ đề đánh giá, thành thạo ít nhất {p} các mục tiêu học tập.",
        "calc.latest": "Điểm hiện tại của một mục tiêu là điểm gần đây nhất của học sinh.",
        "calc.highest": "Điểm hiện tại của một mục tiêu là điểm cao nhất của học sinh.",
        "calc.mean": "Điểm hiện tại của một mục tiêu là điểm trung bình của học sinh.",
        "calc.median": "Điểm hiện tại của một mục tiêu là giá trị giữa của các điểm của học sinh.",
        "calc.mode": "Điểm hiện tại của một mục tiêu là điểm học sinh đạt được nhiều lần nhất.",
        "calc.weighted_average": "Điểm hiện tại của một mục tiêu tính điểm gần nhất {w} và các điểm trước đó {rest}.",
        "calc.decaying_average": "Điểm hiện tại của một mục tiêu tính điểm gần nhất {w} và các điểm trước đó {rest}, nên bài làm gần đây được tính nhiều nhất.",
        "calc.n_mastery": "Một mục tiêu được coi là thành thạo khi học sinh đạt điểm thành thạo {n} lần.",
        "calc.power_law": "Điểm hiện tại của một mục tiêu theo xu hướng các điểm của học sinh theo thời gian, nên sự tiến bộ được tính.",
        "contact": "Liên hệ",
        "home": "Trang chủ",
        "level_of": "{subject}, {level}",
    },
}


def ui(lang: str, key: str) -> tuple[str, str]:
    """``(sentence, language it is in)``: English when Proficio has no text in ``lang``."""
    table = STRINGS.get(lang)
    if table is not None and key in table:
        return table[key], lang
    return STRINGS["en"][key], "en"


def counted(lang: str, key: str, n: int) -> str:
    """The key of the form of ``key`` for ``n`` things (``targets_n.one``, ``targets_n.other``),
    by CLDR's plural rules for the language whose words are shown: a language with more forms
    (``few``, ``many``) adds them to its table, no code needed."""
    table = STRINGS.get(lang)
    if table is None or f"{key}.other" not in table:
        lang, table = "en", STRINGS["en"]
    form = f"{key}.{locale.plural(n, lang)}"
    return form if form in table else f"{key}.other"


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES.get(lang.split("-")[0], lang))
