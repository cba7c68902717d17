"""Reward-function ("grader") runtime for Bedrock reinforcement fine-tuning.

Pure logic, no AWS calls at import. Public entry points:

- ``rft_graders.spec``: ``parse_grader_spec``, ``GraderSpec``, ``GraderSpecError``, ``spec_hash``
- ``rft_graders.build``: ``build_grader`` (spec -> runnable grader)
- ``rft_graders.batch``: ``grade_batch`` (Bedrock event -> Bedrock results), used by the
  Lambda handler and by ``rft grade`` alike
- ``rft_graders.stats``: ``summarize`` (reward distribution of a graded batch)
- ``rft_graders.sandbox_client``: how code is sent to the code sandbox
"""
