"""The ground floor: facts every deployable of the platform must agree on.

The CDK app (synth), the workflow, grader, sandbox and job-events Lambdas, and the ``rft`` CLI
all import their shared facts from here, and this package imports nothing else of the repo
(ARCHITECTURE.md; ``tests/test_architecture.py`` enforces it). It is bundled into every Lambda.

- ``naming``: stack, function, table, topic, parameter and bucket names; the mantle endpoint.
- ``run_ids``: run ids and Bedrock job names (make, parse, split).
- ``runtime_config``: the workflow's runtime config, built at synth from the team config.
- ``registry``: the run registry item, its codec, and every write the project makes to it.
- ``metrics``: metric names and namespaces, as emitters write them and dashboards read them.
- ``operator``: the operator commands that messages written by Lambdas tell people to run.
- ``phases``: the phases of a run, as failures are recorded.
"""
