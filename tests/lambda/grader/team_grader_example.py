"""A team-written python grader module, loaded in-process by `python` specs with `module:`."""


def grade(sample, item):
    text = sample["output_text"].strip().lower()
    if text == str(item["reference_answer"]).lower():
        return 1.0
    return 0.25 if item["reference_answer"].lower() in text else 0.0


def not_a_number(sample, item):  # pragma: no cover - referenced by name only
    return "high"
