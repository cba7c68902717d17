"""A run's report: one self-contained HTML page (``page.render``) from a run's bundle (``bundle``).

Shared by the `rft runs report` command (which gathers with the operator's credentials) and the
workflow's WriteRunReport function (``publish``, which writes the page to the artifacts bucket at
the end of every run). Imports only ``rft_contracts`` of the repository (ARCHITECTURE.md).
"""
