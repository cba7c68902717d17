"""The code sandbox: runs model-written code against tests in isolated processes.

``runner`` is the parent side (validation, zygote workers, limits, results); ``zygote`` is the
stdlib-only script the runner starts with a clean environment, which forks each run's
candidate and tests processes. The Lambda entry is ``handler.py`` beside this package; the
CLI runs the same ``runner.run_batch`` locally. Design and threat model: ``../README.md``.
"""
