"""All 25 IFEval instruction types: one following and one violating response each."""

import pytest
from grader_testkit import grade, make_sample, score

from rft_graders.ifeval import INSTRUCTIONS, check_instruction, split_sentences

LONG = " ".join(["word"] * 120)
CASES = [
    ("keywords:existence", {"keywords": ["paris", "seine"]}, "Paris lies on the Seine.", "Paris is nice."),
    ("keywords:frequency", {"keyword": "cat", "frequency": 2, "relation": "at least"}, "cat and cat", "one cat"),
    ("keywords:frequency", {"keyword": "cat", "frequency": 2, "relation": "less than"}, "one cat", "cat cat"),
    ("keywords:forbidden_words", {"forbidden_words": ["war"]}, "peace and warmth", "war is bad"),
    ("keywords:letter_frequency", {"letter": "z", "let_frequency": 3, "let_relation": "at least"}, "zzz top", "zz top"),
    (
        "language:response_language",
        {"language": "fr"},
        "Bonjour, je suis très content de vous voir aujourd'hui.",
        "Hello, I am very happy to see you today.",
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 3, "relation": "less than"},
        "One. Two.",
        "One. Two. Three.",
    ),
    (
        "length_constraints:number_paragraphs",
        {"num_paragraphs": 2},
        "First.\n***\nSecond.",
        "First.\n***\n***\nSecond.",
    ),
    ("length_constraints:number_words", {"num_words": 100, "relation": "at least"}, LONG, "too short"),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "then"},
        "First part.\n\nThen, more.",
        "First part.\n\nAfter, more.",
    ),
    ("detectable_content:number_placeholders", {"num_placeholders": 2}, "Dear [name], at [address].", "Dear [name]."),
    ("detectable_content:postscript", {"postscript_marker": "P.S."}, "Hi.\nP.S. bye", "Hi. bye"),
    ("detectable_format:number_bullet_lists", {"num_bullets": 2}, "* one\n* two", "* one\n* two\n- three"),
    ("detectable_format:constrained_response", {}, "My answer is yes.", "Yes."),
    ("detectable_format:number_highlighted_sections", {"num_highlights": 2}, "*one* and **two**", "*one* only"),
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "Section", "num_sections": 2},
        "Section 1\na\nSection 2\nb",
        "Section 1\na",
    ),
    ("detectable_format:json_format", {}, '```json\n{"a": 1}\n```', "{a: 1}"),
    ("detectable_format:title", {}, "<<My Poem>>\nRoses", "My Poem\nRoses"),
    ("combination:two_responses", {}, "First answer.\n******\nSecond answer.", "Same.\n******\nSame."),
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "Write a poem."},
        "Write a poem. Roses are red.",
        "Roses are red.",
    ),
    (
        "startend:end_checker",
        {"end_phrase": "Any other questions?"},
        "Done. Any other questions?",
        "Any other questions? Done.",
    ),
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 2, "capital_relation": "at least"},
        "THIS is VERY good",
        "This is VERY good",
    ),
    ("change_case:english_capital", {}, "THIS IS ALL IN CAPITAL LETTERS AND ENGLISH.", "This is not all capitals."),
    ("change_case:english_lowercase", {}, "this is all lowercase english text for you.", "This has a Capital."),
    ("punctuation:no_comma", {}, "No commas here.", "Yes, a comma."),
    ("startend:quotation", {}, '"Quoted answer."', "Not quoted."),
]


def test_all_25_instruction_types_are_covered():
    assert len(INSTRUCTIONS) == 25
    assert {c[0] for c in CASES} == set(INSTRUCTIONS)


@pytest.mark.parametrize("instruction_id, kwargs, follows, violates", CASES, ids=[c[0] for c in CASES])
def test_instruction(instruction_id, kwargs, follows, violates):
    assert check_instruction(instruction_id, kwargs, follows) is True
    assert check_instruction(instruction_id, kwargs, violates) is False


IF = {"template": "instruction_following"}


def test_score_is_fraction_followed_in_both_reference_formats():
    ours = {"instructions": [{"id": "punctuation:no_comma"}, {"id": "startend:quotation"}]}
    ifeval = {
        "instruction_id_list": ["punctuation:no_comma", "startend:quotation"],
        "kwargs": [{"num_words": None}, {}],
    }
    for ref in (ours, ifeval):
        assert score(IF, '"No commas."', ref) == 1.0
        assert score(IF, "No commas.", ref) == 0.5
        assert score(IF, "Yes, commas.", ref) == 0.0


def test_empty_response_follows_nothing():
    assert score(IF, "", {"instructions": [{"id": "punctuation:no_comma"}]}) == 0.0


def test_loose_mode_forgives_markdown_and_a_preamble_line():
    ref = {"instructions": [{"id": "startend:quotation"}]}
    response = 'Sure, here it is:\n"Quoted."'
    assert score(IF, response, ref) == 0.0
    assert score({**IF, "mode": "loose"}, response, ref) == 1.0
    title_ref = {"instructions": [{"id": "detectable_format:json_format"}]}
    assert score({**IF, "mode": "loose"}, '**{"a": 1}**', title_ref) == 1.0


@pytest.mark.parametrize(
    "ref",
    [
        {"instructions": [{"id": "no:such_thing"}]},
        {"instructions": [{"id": "length_constraints:number_words", "num_words": 5}]},  # relation missing
        {"instructions": [{"id": "length_constraints:number_words", "num_words": "5", "relation": "at least"}]},
        {"instructions": [{"id": "punctuation:no_comma", "typo_arg": 1}]},
        {"instructions": [{"id": "keywords:frequency", "keyword": "a", "frequency": 1, "relation": "at most"}]},
        {"instructions": []},
        "not instructions",
    ],
)
def test_bad_instruction_data_is_a_grader_error(ref):
    result = grade(IF, [make_sample("Some answer.", ref)])[0]
    assert any(m["name"] == "grader_error" for m in result["metrics_list"])


def test_sentence_splitter():
    assert len(split_sentences("Dr. Smith arrived. He sat down! Did he stay? Yes.")) == 4
    assert split_sentences("") == []
