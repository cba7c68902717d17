"""The 25 IFEval verifiable instructions (ids and kwarg names as in Google's IFEval).

Each checker is ``check(response, **kwargs) -> bool``, written from IFEval's published
definitions. Two deliberate differences, both because the Lambda must not download data:
sentences are split by a pattern (IFEval uses NLTK's punkt model), and capital words are
found by a word tokenizer (IFEval uses NLTK's word_tokenize). Keywords are matched
literally (IFEval passes them to ``re`` unescaped). Language detection uses ``langdetect``
(its profiles ship in the wheel), seeded for determinism, imported lazily.

Nothing here runs Python's backtracking ``re`` on a response: patterns run in RE2
(``linear``), the rest is ``str`` methods, and each checker is linear in the response. Where
IFEval's own regex was quadratic (``^\\s*\\*`` over blank lines, ``\\[.*?\\]`` over a line of
brackets, ``<<[^\\n]+>>``) the rewrite finds the same matches; tests compare both."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from . import linear
from .errors import SampleGradingError

RELATIONS = ("less than", "at least")
LANGUAGE_CHARS = 10_000  # langdetect itself reads no more than 10,000 characters

_ABBREVIATIONS = frozenset(
    ("mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "no")
)
# A sentence ends after [.!?] (plus closing quotes/brackets) and whitespace, or at a blank
# line. The punctuation is part of the match here (RE2 has no lookbehind); group 1 or 2 is
# the break itself.
_SENTENCE_BREAK = linear.compile(r"[.!?](" + r"[\"')\]]*" + linear.SPACE + r"+)|(\n" + linear.SPACE + r"*\n)")
# IFEval's ``^\s*\*[^\*].*$`` (multiline): the ``\s*`` may run over newlines, which makes
# Python re quadratic on blank lines; skipping only the line's own indentation finds the
# same matches (a blank line before a bullet cannot start a different one).
_STAR_BULLET = linear.compile("^" + linear.SPACE_NO_NEWLINE + r"*\*[^*].*$", multiline=True)
_DASH_BULLET = linear.compile("^" + linear.SPACE_NO_NEWLINE + r"*-.*$", multiline=True)
_PLACEHOLDER = linear.compile(r"\[[^\]\n]*\]")  # IFEval's \[.*?\]
_HIGHLIGHT = linear.compile(r"\*([^\n*]*)\*")
_BOLD = linear.compile(r"\*\*([^\n*]*)\*\*")
_PS = linear.compile(r"p\." + linear.SPACE + r"?s\.")
_PPS = linear.compile(r"p\." + linear.SPACE + r"?p\." + linear.SPACE + r"?s")


class _CharMap(dict):
    """A ``str.translate`` table that keeps the characters ``keep`` accepts and turns every
    other one into a space, so ``text.translate(map).split()`` tokenizes at C speed.
    Decisions are cached for the first 70,000 distinct characters (bounded memory)."""

    def __init__(self, keep: Callable[[str], bool]):
        super().__init__()
        self.keep = keep

    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = char if self.keep(char) else " "
        if len(self) < 70_000:
            self[code] = value
        return value


def _is_word_char(char: str) -> bool:  # Python's \w
    return char.isalnum() or char == "_"


_WORDS = _CharMap(_is_word_char)
_WORDS_AND_JOINERS = _CharMap(lambda char: _is_word_char(char) or char in "-'")


def _compare(count: int, relation: str, threshold: int) -> bool:
    if relation not in RELATIONS:
        raise SampleGradingError(f"relation must be one of {', '.join(RELATIONS)}")
    return count < threshold if relation == "less than" else count >= threshold


def count_words(text: str) -> int:
    """How many ``\\w+`` runs the text holds (IFEval's word count, as Python's re would count)."""
    return len(text.translate(_WORDS).split())


def capital_words(text: str) -> list[str]:
    """IFEval-style words (``\\w+(?:[-']\\w+)*``) of the text, without a regex: runs of word
    characters and joiners, cut where a joiner is doubled or at an edge."""
    out = []
    for run in text.translate(_WORDS_AND_JOINERS).split():
        normalized = run.replace("'", "-")
        if "-" not in normalized:
            out.append(run)
            continue
        chain: list[str] = []
        for piece in normalized.split("-") + [""]:
            if piece:
                chain.append(piece)
            elif chain:
                out.append("-".join(chain))  # joiners carry no case: "-" for "'" is fine
                chain = []
    return out


def _ends_with_abbreviation(segment: str) -> bool:
    """Whether ``segment`` (right-stripped) ends with one of the abbreviations plus "." as a
    whole word, e.g. "... Dr." (IFEval-like sentence splitting keeps those together)."""
    if not segment.endswith("."):
        return False
    head = segment[-6:-1]
    for size in (2, 3, 4):
        if len(head) >= size and head[-size:].lower() in _ABBREVIATIONS:
            before = segment[-size - 2 : -size - 1]  # the character before the abbreviation
            if not before or not _is_word_char(before):
                return True
    return False


def split_sentences(text: str) -> list[str]:
    """Sentences: breaks after [.!?] and whitespace or at blank lines, except after an
    abbreviation such as "Dr." (then the pieces are joined with a space)."""
    data = text.encode("utf-8")
    pieces: list[str] = []
    current: list[str] = []
    last_text = ""  # the last non-blank segment of the current sentence, right-stripped
    pos = 0
    for spans in _SENTENCE_BREAK.scan(data):
        start, end = spans[1] if spans[1][0] >= 0 else spans[2]
        segment = data[pos:start].decode("utf-8")
        pos = end
        current.append(segment)
        if segment and not segment.isspace():
            last_text = segment.rstrip()
        if last_text and _ends_with_abbreviation(last_text):
            current.append(" ")
            continue
        joined = "".join(current).strip()
        if joined:
            pieces.append(joined)
        current, last_text = [], ""
    current.append(data[pos:].decode("utf-8"))
    joined = "".join(current).strip()
    if joined:
        pieces.append(joined)
    return pieces


def _detect_language(text: str) -> str | None:
    return _detect_prefix(text[:LANGUAGE_CHARS])


@functools.lru_cache(maxsize=16)  # loose mode's variants mostly share their first 10,000 chars
def _detect_prefix(text: str) -> str | None:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    try:
        return detect(text)
    except LangDetectException:
        return None  # no letters to judge by: IFEval counts that as followed


LANGUAGE_INSTRUCTIONS = frozenset(
    ("language:response_language", "change_case:english_capital", "change_case:english_lowercase")
)
_language_loaded = False


def language_ready() -> bool:
    return _language_loaded


def warm_up() -> None:
    """Load langdetect's profiles (0.2-2 s, once per process) so no sample pays for it."""
    global _language_loaded
    _detect_language("warm up")
    _language_loaded = True


def _word_pattern(word: str) -> linear.Pattern:
    """``\bword\b`` (case-insensitive) with Python's Unicode word boundaries, which RE2's
    ASCII ``\b`` does not give: a boundary before a word character needs a non-word
    character or the start before it; before a non-word character it needs a word character."""
    if not word:
        return linear.compile(linear.WORD)  # \b\b: any boundary, i.e. any word character
    left = "(?:^|" + linear.NOT_WORD + ")" if _is_word_char(word[0]) else linear.WORD
    right = "(?:" + linear.NOT_WORD + "|$)" if _is_word_char(word[-1]) else linear.WORD
    return linear.compile(left + "(?i:" + linear.escape(word) + ")" + right)


# ---- checkers ----------------------------------------------------------------------------


def keywords_existence(r, *, keywords):
    return all(linear.literal(k, ignore_case=True).search(r) for k in keywords)


def keywords_frequency(r, *, keyword, frequency, relation):
    # IFEval counts re.findall(keyword, flags=IGNORECASE); lower() + str.count gives the same
    # non-overlapping count at C speed (the two differ only on rare case-folding pairs).
    return _compare(r.lower().count(keyword.strip().lower()), relation, frequency)


def keywords_forbidden_words(r, *, forbidden_words):
    return not any(_word_pattern(w).search(r) for w in forbidden_words)


def keywords_letter_frequency(r, *, letter, let_frequency, let_relation):
    if not isinstance(letter, str) or len(letter.strip()) != 1:
        raise SampleGradingError("letter must be a single character")
    return _compare(r.lower().count(letter.strip().lower()), let_relation, let_frequency)


def language_response_language(r, *, language):
    detected = _detect_language(r)
    return detected is None or detected == language


def length_number_sentences(r, *, num_sentences, relation):
    return _compare(len(split_sentences(r)), relation, num_sentences)


def length_number_paragraphs(r, *, num_paragraphs):
    # IFEval splits on \s?\*\*\*\s?; the optional spaces only matter to blank paragraphs,
    # which are stripped anyway.
    paragraphs = r.split("***")
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
    paragraphs = [p for p in r.split("\n\n") if p.strip()]
    if len(paragraphs) != num_paragraphs or not 1 <= nth_paragraph <= len(paragraphs):
        return False
    word = paragraphs[nth_paragraph - 1].split()[0].lstrip("'\"")
    cuts = [i for i in (word.find(c) for c in ".,?!'\"") if i >= 0]
    word = word[: min(cuts)] if cuts else word
    return word.lower() == first_word.lower()


def content_number_placeholders(r, *, num_placeholders):
    return _PLACEHOLDER.count(r, limit=max(num_placeholders, 0)) >= num_placeholders


def content_postscript(r, *, postscript_marker="P.S."):
    # IFEval searches \s*<marker>.*$ (multiline); the leading \s* and trailing .*$ can
    # always match empty, so the marker alone decides, and without Python's quadratic \s*.
    marker = postscript_marker.strip()
    lowered = r.lower()
    if marker == "P.P.S":
        return _PPS.search(lowered) is not None
    if marker == "P.S.":
        return _PS.search(lowered) is not None
    return marker.lower() in lowered


def format_number_bullet_lists(r, *, num_bullets):
    # Only "exactly num_bullets" matters: stop counting one past it.
    stars = _STAR_BULLET.count(r, limit=num_bullets + 1)
    if stars > num_bullets:
        return False
    return stars + _DASH_BULLET.count(r, limit=num_bullets + 1 - stars) == num_bullets


def format_constrained_response(r):
    r = r.strip()
    return any(option in r for option in ("My answer is yes.", "My answer is no.", "My answer is maybe."))


def _non_blank(pattern: linear.Pattern, text: str, needed: int) -> int:
    """Matches of ``pattern`` whose group 1 is not blank, counted up to ``needed``."""
    data = text.encode("utf-8")
    found = 0
    for spans in pattern.scan(data):
        start, end = spans[1]
        if data[start:end].decode("utf-8").strip():
            found += 1
            if found >= needed:
                break
    return found


def format_number_highlighted_sections(r, *, num_highlights):
    if num_highlights <= 0:
        return True
    single = _non_blank(_HIGHLIGHT, r, num_highlights)
    return single >= num_highlights or single + _non_blank(_BOLD, r, num_highlights - single) >= num_highlights


def format_multiple_sections(r, *, section_spliter, num_sections):
    divider = linear.compile(
        linear.SPACE + "?" + linear.escape(section_spliter.strip()) + linear.SPACE + r"?\p{Nd}+" + linear.SPACE + "?"
    )
    return divider.count(r, limit=max(num_sections, 0)) >= num_sections


def format_json_format(r):
    text = r.strip()
    for prefix in ("```json", "```Json", "```JSON", "```"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    text = text.removesuffix("```").strip()
    try:
        json.loads(text)
    except (ValueError, RecursionError):  # deeply nested input is not valid JSON here either
        return False
    return True


def format_title(r):
    # IFEval: any <<[^\n]+>> with a non-blank title. The greedy match runs from a line's first
    # "<<" to its last ">>"; finding those two directly avoids Python re's quadratic retries.
    pos = 0
    while (start := r.find("<<", pos)) >= 0:
        line_end = r.find("\n", start)
        line_end = len(r) if line_end < 0 else line_end
        end = r.rfind(">>", start, line_end)
        if end >= start + 3 and r[start : end + 2].lstrip("<").rstrip(">").strip():
            return True
        pos = line_end + 1
    return False


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
    count = sum(1 for w in capital_words(r) if w.isupper())
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
    "keywords:letter_frequency": (
        keywords_letter_frequency,
        {"letter": str, "let_frequency": int, "let_relation": str},
    ),
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
