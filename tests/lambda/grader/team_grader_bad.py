"""A broken team grader: returns a string."""


def grade(sample, item):
    return "1.0"
