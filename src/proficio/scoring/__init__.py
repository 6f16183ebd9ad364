"""Scoring: a student's dated evidence reduced to current scores, target by target, then to
levels completed and the current level of every subject.

``methods`` holds the calculation methods (pure functions of the scores, exact arithmetic in
``exact``), ``explain`` them in words (a sentence and the arithmetic), ``standing`` a whole student (targets, levels,
subjects), ``results`` the records it produces, ``parallel`` a large roster on both cores, and
``score_files`` the CSV and JSON Lines ``proficio score`` writes.
"""

from .explain import Explanation, explain, explain_target, explanation, explanation_of_target
from .methods import METHODS, Rule, calculate, current_score, round_score, score_series, to_decimal
from .results import LevelResult, StudentResult, SubjectResult, TargetResult
from .standing import Scorer, score_student, score_students

__all__ = [
    "METHODS",
    "Explanation",
    "LevelResult",
    "Rule",
    "Scorer",
    "StudentResult",
    "SubjectResult",
    "TargetResult",
    "calculate",
    "current_score",
    "explain",
    "explain_target",
    "explanation",
    "explanation_of_target",
    "round_score",
    "score_series",
    "score_student",
    "score_students",
    "to_decimal",
]
