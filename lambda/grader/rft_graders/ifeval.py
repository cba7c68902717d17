"""The 25 IFEval verifiable instructions (ids and kwarg names as in Google's IFEval).

Each checker is ``check(response, **kwargs) -> bool``, written from IFEval's published
definitions. Two deliberate differences, both because the Lambda must not download data:
sentences are split by a regex (IFEval uses NLTK's punkt model), and capital words are
found by a regex word tokenizer (IFEval uses NLTK's word_tokenize). Keywords are matched
literally (IFEval passes them to ``re`` unescaped). Language detection uses ``langdetect``
(its profiles ship in the wheel), seeded for determinism, imported lazily.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Callable

from .errors import SampleGradingError

RELATIONS = ("less than", "at least")
_WORD = re.compile(r"\w+")
_CAP_WORD = re.compile(r"\w+(?:[-']\w+)*")
_ABBREVIATIONS = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|vs|etc|e\.g|i\.e|Inc|Ltd|Co|No)\.$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n\s*\n")


def _compare(count: int, relation: str, threshold: int) -> bool:
    if relation not in RELATIONS:
        raise SampleGradingError(f"relation must be one of {', '.join(RELATIONS)}")
    return count < threshold if relation == "less than" else count >= threshold


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def split_sentences(text: str) -> list[str]:
    pieces, current = [], ""
    pos = 0
    for match in _SENTENCE_BREAK.finditer(text):
        current += text[pos : match.start()]
        pos = match.end()
        if _ABBREVIATIONS.search(current.strip()):
            current += " "
            continue
        if current.strip():
            pieces.append(current.strip())
        current = ""
    current += text[pos:]
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _detect_language(text: str) -> str | None:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    try:
        return detect(text)
    except LangDetectException:
        return None  # no letters to judge by: IFEval counts that as followed


# ---- checkers ----------------------------------------------------------------------------


def keywords_existence(r, *, keywords):
    return all(re.search(re.escape(k), r, re.IGNORECASE) for k in keywords)


def keywords_frequency(r, *, keyword, frequency, relation):
    return _compare(len(re.findall(re.escape(keyword.strip()), r, re.IGNORECASE)), relation, frequency)


def keywords_forbidden_words(r, *, forbidden_words):
    return not any(re.search(r"\b" + re.escape(w) + r"\b", r, re.IGNORECASE) for w in forbidden_words)


def keywords_letter_frequency(r, *, letter, let_frequency, let_relation):
    if not isinstance(letter, str) or len(letter.strip()) != 1:
        raise SampleGradingError("letter must be a single character")
    return _compare(Counter(r.lower())[letter.strip().lower()], let_relation, let_frequency)


def language_response_language(r, *, language):
    detected = _detect_language(r)
    return detected is None or detected == language


def length_number_sentences(r, *, num_sentences, relation):
    return _compare(len(split_sentences(r)), relation, num_sentences)


def length_number_paragraphs(r, *, num_paragraphs):
    paragraphs = re.split(r"\s?\*\*\*\s?", r)
    count = len(paragraphs)
    for index, paragraph in enumerate(paragraphs):
        if not paragraph.strip():
            if index in (0, len(paragraphs) - 1):
                count -= 1
            else:
                return False  # an empty paragraph between two dividers
    return count == num_paragraphs


def length_number_words(r, *, num_words, relation):
    return _compare(count_words(r), relation, num_words)


def length_nth_paragraph_first_word(r, *, num_paragraphs, nth_paragraph, first_word):
    paragraphs = [p for p in re.split(r"\n\n", r) if p.strip()]
    if len(paragraphs) != num_paragraphs or not 1 <= nth_paragraph <= len(paragraphs):
        return False
    word = paragraphs[nth_paragraph - 1].split()[0].lstrip("'\"")
    word = re.split(r"[.,?!'\"]", word, maxsplit=1)[0].lower()
    return word == first_word.lower()


def content_number_placeholders(r, *, num_placeholders):
    return len(re.findall(r"\[.*?\]", r)) >= num_placeholders


def content_postscript(r, *, postscript_marker="P.S."):
    marker = postscript_marker.strip()
    if marker == "P.P.S":
        pattern = r"\s*p\.\s?p\.\s?s.*$"
    elif marker == "P.S.":
        pattern = r"\s*p\.\s?s\..*$"
    else:
        pattern = r"\s*" + re.escape(marker.lower()) + r".*$"
    return re.search(pattern, r.lower(), re.MULTILINE) is not None


def format_number_bullet_lists(r, *, num_bullets):
    stars = re.findall(r"^\s*\*[^\*].*$", r, re.MULTILINE)
    dashes = re.findall(r"^\s*-.*$", r, re.MULTILINE)
    return len(stars) + len(dashes) == num_bullets


def format_constrained_response(r):
    r = r.strip()
    return any(option in r for option in ("My answer is yes.", "My answer is no.", "My answer is maybe."))


def format_number_highlighted_sections(r, *, num_highlights):
    single = [h for h in re.findall(r"\*[^\n\*]*\*", r) if h.strip("*").strip()]
    double = [h for h in re.findall(r"\*\*[^\n\*]*\*\*", r) if h[2:-2].strip()]
    return len(single) + len(double) >= num_highlights


def format_multiple_sections(r, *, section_spliter, num_sections):
    sections = re.split(r"\s?" + re.escape(section_spliter.strip()) + r"\s?\d+\s?", r)
    return len(sections) - 1 >= num_sections


def format_json_format(r):
    text = r.strip()
    for prefix in ("```json", "```Json", "```JSON", "```"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    text = text.removesuffix("```").strip()
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def format_title(r):
    return any(t.lstrip("<").rstrip(">").strip() for t in re.findall(r"<<[^\n]+>>", r))


def combination_two_responses(r):
    parts = r.split("******")
    valid = []
    for index, part in enumerate(parts):
        if not part.strip():
            if index not in (0, len(parts) - 1):
                return False
        else:
            valid.append(part.strip())
    return len(valid) == 2 and valid[0] != valid[1]


def combination_repeat_prompt(r, *, prompt_to_repeat):
    return r.strip().lower().startswith(prompt_to_repeat.strip().lower())


def startend_end_checker(r, *, end_phrase):
    return r.strip().strip('"').lower().endswith(end_phrase.strip().lower())


def case_capital_word_frequency(r, *, capital_frequency, capital_relation):
    count = sum(1 for w in _CAP_WORD.findall(r) if w.isupper())
    return _compare(count, capital_relation, capital_frequency)


def case_english_capital(r):
    if not r.isupper():
        return False
    detected = _detect_language(r)
    return detected is None or detected == "en"


def case_english_lowercase(r):
    if not r.islower():
        return False
    detected = _detect_language(r)
    return detected is None or detected == "en"


def punctuation_no_comma(r):
    return "," not in r


def startend_quotation(r):
    r = r.strip()
    return len(r) > 1 and r[0] == '"' and r[-1] == '"'


# id -> (checker, {kwarg: type}); every kwarg listed is required unless the checker has a default.
INSTRUCTIONS: dict[str, tuple[Callable[..., bool], dict[str, type]]] = {
    "keywords:existence": (keywords_existence, {"keywords": list}),
    "keywords:frequency": (keywords_frequency, {"keyword": str, "frequency": int, "relation": str}),
    "keywords:forbidden_words": (keywords_forbidden_words, {"forbidden_words": list}),
    "keywords:letter_frequency": (keywords_letter_frequency, {"letter": str, "let_frequency": int, "let_relation": str}),
    "language:response_language": (language_response_language, {"language": str}),
    "length_constraints:number_sentences": (length_number_sentences, {"num_sentences": int, "relation": str}),
    "length_constraints:number_paragraphs": (length_number_paragraphs, {"num_paragraphs": int}),
    "length_constraints:number_words": (length_number_words, {"num_words": int, "relation": str}),
    "length_constraints:nth_paragraph_first_word": (
        length_nth_paragraph_first_word,
        {"num_paragraphs": int, "nth_paragraph": int, "first_word": str},
    ),
    "detectable_content:number_placeholders": (content_number_placeholders, {"num_placeholders": int}),
    "detectable_content:postscript": (content_postscript, {"postscript_marker": str}),
    "detectable_format:number_bullet_lists": (format_number_bullet_lists, {"num_bullets": int}),
    "detectable_format:constrained_response": (format_constrained_response, {}),
    "detectable_format:number_highlighted_sections": (format_number_highlighted_sections, {"num_highlights": int}),
    "detectable_format:multiple_sections": (format_multiple_sections, {"section_spliter": str, "num_sections": int}),
    "detectable_format:json_format": (format_json_format, {}),
    "detectable_format:title": (format_title, {}),
    "combination:two_responses": (combination_two_responses, {}),
    "combination:repeat_prompt": (combination_repeat_prompt, {"prompt_to_repeat": str}),
    "startend:end_checker": (startend_end_checker, {"end_phrase": str}),
    "change_case:capital_word_frequency": (
        case_capital_word_frequency,
        {"capital_frequency": int, "capital_relation": str},
    ),
    "change_case:english_capital": (case_english_capital, {}),
    "change_case:english_lowercase": (case_english_lowercase, {}),
    "punctuation:no_comma": (punctuation_no_comma, {}),
    "startend:quotation": (startend_quotation, {}),
}
_OPTIONAL = {"detectable_content:postscript": {"postscript_marker"}}


def check_instruction(instruction_id: str, kwargs: dict, response: str) -> bool:
    """Whether ``response`` follows one instruction; bad instruction data raises SampleGradingError."""
    entry = INSTRUCTIONS.get(instruction_id)
    if entry is None:
        raise SampleGradingError(f"unknown instruction id {instruction_id!r}")
    checker, params = entry
    kwargs = {k: v for k, v in kwargs.items() if v is not None}  # IFEval rows carry nulls
    unknown = set(kwargs) - set(params)
    if unknown:
        raise SampleGradingError(f"{instruction_id}: unknown arguments {sorted(unknown)}")
    missing = set(params) - set(kwargs) - _OPTIONAL.get(instruction_id, set())
    if missing:
        raise SampleGradingError(f"{instruction_id}: missing arguments {sorted(missing)}")
    for name, value in kwargs.items():
        expected = params[name]
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is list:
            ok = ok and all(isinstance(v, str) for v in value)
        if not ok:
            raise SampleGradingError(f"{instruction_id}: {name} must be a {expected.__name__}")
    return bool(checker(response, **kwargs))


def loose_variants(response: str) -> list[str]:
    """IFEval's loose mode: the response, without its first and/or last line, with and
    without markdown asterisks."""
    lines = response.split("\n")
    bases = [response, "\n".join(lines[1:]).strip(), "\n".join(lines[:-1]).strip(), "\n".join(lines[1:-1]).strip()]
    variants = bases + [b.replace("*", "") for b in bases]
    return [v for v in variants if v.strip()]
