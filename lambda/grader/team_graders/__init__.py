"""Team-written `python` graders that run in-process in the grader Lambda.

A module here defining `grade(sample, item) -> float` is bundled with every grader function and
referenced from a spec as `{type: python, name: ..., module: team_graders.<module>}`. Code here
is reviewed with the repository; code that is not (inline `source:`) runs in the sandbox.
"""
