"""`rft runs`: list and inspect the runs recorded in a team's run registry.

    rft runs list --team T [--customization C] [--limit N] [--json]
    rft runs show RUN --team T --customization C [--json]

The registry is the DynamoDB table ``rft-<team>-runs`` (key customization + run_id) that the
workflow writes (its item: rft_contracts/registry.py). ``list`` queries one partition per
customization (the given one, or every customization the team config declares), never a
Scan. Times are UTC. Errors print one line and exit 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from rft import operator_commands
from rft.aws_errors import CliError, guarded, load_customization, load_team
from rft_contracts.registry import FINISHED, RunRegistry, from_dynamo
from rft_contracts.run_ids import run_started_at

DEFAULT_LIMIT = 20
MODEL_WIDTH = 44


def _now() -> dt.datetime:  # tests replace it
    return dt.datetime.now(dt.UTC)


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "runs", help="list and inspect runs in the run registry", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="runs_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="table of runs, newest first")
    listing.add_argument("--team", required=True, help="team whose registry to read")
    listing.add_argument("--customization", help="only this customization (default: every declared one)")
    listing.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, metavar="N", help=f"show at most N runs (default {DEFAULT_LIMIT})"
    )
    listing.add_argument("--json", action="store_true", help="print the registry items as a JSON array")
    listing.set_defaults(func=run)

    show = commands.add_parser("show", help="lineage, checkpoint scores and error of one run")
    show.add_argument("run_id", metavar="RUN", help="run name (as printed by `rft run start`)")
    show.add_argument("--team", required=True, help="team whose registry to read")
    show.add_argument("--customization", required=True, help="customization the run belongs to")
    show.add_argument("--json", action="store_true", help="print the raw registry item as JSON")
    show.set_defaults(func=run)
    operator_commands.register_runs(commands)  # cancel/compare, promote/rollback (issue 12)
    return parser


def run(args: argparse.Namespace) -> int:
    if args.runs_command == "list":
        return guarded("rft runs", lambda: list_runs(args.team, args.customization, args.limit, args.json))
    return guarded("rft runs", lambda: show_run(args.team, args.customization, args.run_id, args.json))


# --------------------------------------------------------------------------- registry access
def _table(team):
    import boto3

    from rft_contracts import naming

    return boto3.resource("dynamodb", region_name=team.region).Table(naming.registry_table_name(team.team))


def _raise_if_missing_table(exc: Exception, team) -> None:
    """A missing registry table is a deployment problem: say so in one line."""
    from botocore.exceptions import ClientError

    from rft_contracts import naming

    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
        raise CliError(
            f"the run registry {naming.registry_table_name(team.team)} does not exist in "
            f"{team.region}; deploy the team's data stack Rft-{team.team}-Data first"
        ) from None


# --------------------------------------------------------------------------- formatting helpers
def parse_time(text: Any) -> dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def short_time(text: Any) -> str:
    parsed = parse_time(text)
    return parsed.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if parsed else "-"


def human_duration(seconds: float) -> str:
    """3h12m, 12m05s, 45s, 2d03h."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def started_at(item: dict) -> str | None:
    """When the run started: its id says (``rft_contracts.run_ids``), which is earlier than the
    registry's first write (a run may fail before anything is recorded)."""
    when = run_started_at(str(item.get("run_id") or ""))
    return when.isoformat() if when else item.get("created_at")


def duration(item: dict, now: dt.datetime | None = None) -> str:
    start = parse_time(started_at(item))
    if start is None:
        return "-"
    if item.get("status") in FINISHED:
        end = parse_time(item.get("updated_at")) or start
    else:
        end = now or _now()
    return human_duration((end - start).total_seconds())


def short_model(model_id: Any, width: int = MODEL_WIDTH) -> str:
    """A model id that fits a column: an ARN loses its arn:...:<account>: prefix, then the middle."""
    if not model_id:
        return "-"
    text = str(model_id)
    if text.startswith("arn:") and text.count(":") >= 5:
        text = text.split(":", 5)[5]
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[-(width - 1 - head) :]


def score(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "-"


def best_score(item: dict) -> Any:
    """The chosen checkpoint's reward_mean, from the lineage (None before promotion)."""
    lineage = item.get("lineage") or {}
    chosen = lineage.get("chosen") or {}
    if isinstance(chosen.get("reward_mean"), (int, float)):
        return chosen["reward_mean"]
    for entry in lineage.get("scores") or []:
        if chosen.get("model_id") and entry.get("model_id") == chosen.get("model_id"):
            return entry.get("reward_mean")
    return None


def table(headers: list[str], rows: list[list[str]], right: tuple[int, ...] = (), indent: str = "") -> str:
    """Columns two spaces apart, no borders (pipe- and grep-friendly), laid out by rich;
    columns in ``right`` are right-aligned. Cells are text, never markup."""
    from io import StringIO

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    grid = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 1), header_style="")
    for index, header in enumerate(headers):
        grid.add_column(Text(header), justify="right" if index in right else "left", no_wrap=True)
    for row in rows:
        grid.add_row(*(Text(str(cell)) for cell in row))
    buffer = StringIO()
    Console(file=buffer, width=10_000, color_system=None, highlight=False).print(grid)
    return "\n".join((indent + line).rstrip() for line in buffer.getvalue().splitlines())


# --------------------------------------------------------------------------- list
LIST_HEADERS = ["CUSTOMIZATION", "RUN", "STATE", "STARTED (UTC)", "DURATION", "CHOSEN MODEL", "BEST SCORE"]


def list_rows(items: list[dict], now: dt.datetime | None = None) -> list[list[str]]:
    return [
        [
            item.get("customization", "-"),
            item.get("run_id", "-"),
            item.get("status", "-"),
            short_time(started_at(item)),
            duration(item, now),
            short_model(item.get("model_id")),
            score(best_score(item)),
        ]
        for item in items
    ]


def newest_first(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda i: (str(started_at(i) or ""), str(i.get("run_id") or "")), reverse=True)


def list_runs(team_name: str, customization: str | None, limit: int, as_json: bool = False) -> int:
    if limit < 1:
        raise CliError("--limit must be at least 1")
    if customization:
        team, _ = load_customization(team_name, customization)
        names = [customization]
    else:
        team = load_team(team_name)
        names = [c.name for c in team.customizations]
        if not names:
            raise CliError(f"team {team.team!r} declares no customizations")
    registry = _table(team)
    items: list[dict] = []
    for name in names:
        try:
            items.extend(RunRegistry(registry).newest(name, limit))
        except Exception as exc:
            _raise_if_missing_table(exc, team)
            raise
    items = newest_first(items)[:limit]
    if as_json:
        print(json.dumps(items, indent=2, sort_keys=True, default=str))
        return 0
    if not items:
        print(f"no runs recorded for {', '.join(names)} (team {team.team})")
        return 0
    print(table(LIST_HEADERS, list_rows(items), right=(4, 6)))
    return 0


# --------------------------------------------------------------------------- show
def _get(team, customization: str, run_id: str) -> dict:
    from rft_contracts import naming

    try:
        item = (
            _table(team)
            .get_item(Key={"customization": customization, "run_id": run_id}, ConsistentRead=True)
            .get("Item")
        )
    except Exception as exc:
        _raise_if_missing_table(exc, team)
        raise
    if item is None:
        raise CliError(f"no run {run_id} of {customization} in the registry {naming.registry_table_name(team.team)}")
    return from_dynamo(item)


def show_run(team_name: str, customization: str, run_id: str, as_json: bool) -> int:
    team, _ = load_customization(team_name, customization)
    item = _get(team, customization, run_id)
    if as_json:
        print(json.dumps(item, indent=2, sort_keys=True, default=str))
    else:
        print(render(item))
    return 0


def _value(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _fields(pairs: list[tuple[str, Any]], indent: str = "  ") -> list[str]:
    width = max(len(label) for label, _ in pairs)
    return [f"{indent}{label.ljust(width)}  {_value(value)}" for label, value in pairs]


def _approval(approval: Any, cost: Any) -> str:
    if isinstance(approval, dict) and "approved" in approval:
        verdict = "approved" if approval.get("approved") else "rejected"
        text = f"{verdict} by {approval.get('by', 'unknown')}"
        if approval.get("reason"):
            text += f": {approval['reason']}"
        if approval.get("at"):
            text += f" ({approval['at']})"
        return text
    if isinstance(cost, dict) and cost.get("decision") == "proceed":
        return "not required (estimate under the approval threshold)"
    return "-"


def _cost(cost: Any, fallback: Any) -> str:
    if isinstance(cost, dict) and isinstance(cost.get("estimate_usd"), (int, float)):
        text = f"${cost['estimate_usd']:,.2f}"
        return text + (f" ({cost['decision']})" if cost.get("decision") else "")
    if isinstance(fallback, (int, float)):
        return f"${fallback:,.2f}"
    return "-"


def _dataset(name: str, ref: Any) -> list[str]:
    if not isinstance(ref, dict):
        return [f"    {name}: none"]
    rows = ref.get("rows")
    return [
        f"    {name}: {ref.get('key', '-')}",
        f"      version {_value(ref.get('version_id'))}  sha256 {_value(ref.get('sha256'))}  rows {_value(rows)}",
    ]


SCORE_HEADERS = ["", "MODEL", "STEP", "REWARD MEAN", "STD", "SAMPLES", "ERRORS"]


def score_rows(lineage: dict) -> list[list[str]]:
    chosen = (lineage.get("chosen") or {}).get("model_id")
    rows = []
    for entry in lineage.get("scores") or []:
        step = entry.get("step")
        step_text = "final" if entry.get("final") and step is None else _value(step)
        if entry.get("final") and step is not None:
            step_text += " (final)"
        rows.append(
            [
                "*" if chosen and entry.get("model_id") == chosen else "",
                _value(entry.get("model_id")),
                step_text,
                score(entry.get("reward_mean")),
                score(entry.get("reward_std")),
                _value(entry.get("samples")),
                _value(entry.get("errors")),
            ]
        )
    return rows


def render(item: dict, now: dt.datetime | None = None) -> str:
    lineage = item.get("lineage") or {}
    job = lineage.get("job") or {}
    out = [f"run {item.get('run_id')} of {item.get('customization')} (team {item.get('team', '-')})"]
    summary = [
        ("state", item.get("status")),
        ("started", started_at(item)),
        ("updated", item.get("updated_at")),
        ("duration", duration(item, now) + ("" if item.get("status") in FINISHED else " (still going)")),
        (
            "job",
            " ".join(
                filter(
                    None,
                    [
                        str(job.get("job_id") or item.get("job_id") or "-"),
                        f"({item.get('plane') or job.get('plane')})" if (item.get("plane") or job.get("plane")) else "",
                    ],
                )
            ),
        ),
    ]
    if item.get("model_id"):
        promoted = f"{item['model_id']}"
        if item.get("promoted_at"):
            promoted += f" (promoted {item['promoted_at']}"
            if item.get("model_parameter"):
                promoted += f" to {item['model_parameter']}"
                if item.get("parameter_version") is not None:
                    promoted += f" v{item['parameter_version']}"
            promoted += ")"
        summary.append(("model", promoted))
    deployment = item.get("evaluation_deployment") or {}
    if deployment:
        state = deployment.get("action") or deployment.get("status") or "-"
        summary.append(("evaluation deployment", f"{deployment.get('arn') or deployment.get('name')} ({state})"))
    if item.get("report_key"):
        summary.append(("report", f"{item['report_key']} (artifacts bucket; rft runs report RUN -o FILE draws it too)"))
    out += _fields(summary)

    if item.get("error") or item.get("failed_step"):
        error = item.get("error") or {}
        out += [
            "",
            f"error (failed at {item.get('failed_step', '-')}"
            f"{', ' + str(item['failed_at']) if item.get('failed_at') else ''})",
            f"  {error.get('Error', 'Unknown')}: {error.get('Cause') or '-'}",
        ]
        if item.get("job_cancelled"):
            out.append(f"  training job {item.get('job_id', '-')} was cancelled")

    out += ["", "lineage"]
    if not lineage:
        out.append("  (no lineage: the run was not promoted)")
        known = [
            (label, value)
            for label, value in [
                ("base model", item.get("base_model")),
                ("cost estimate", _cost(None, item.get("cost_estimate_usd"))),
                ("approval", _approval(item.get("approval"), None)),
            ]
            if value not in (None, "", "-")
        ]
        if known:
            out += _fields(known)
        return "\n".join(out)
    hyper = lineage.get("hyperparameters") or {}
    plane = lineage.get("control_plane")
    out += _fields(
        [
            ("base model", f"{lineage.get('base_model', '-')}" + (f" ({plane})" if plane else "")),
            ("grader spec hash", lineage.get("grader_spec_hash")),
            ("hyperparameters", " ".join(f"{k}={v}" for k, v in sorted(hyper.items())) or "(Bedrock defaults)"),
            ("job id", job.get("job_id")),
            ("cost estimate", _cost(lineage.get("cost_estimate"), item.get("cost_estimate_usd"))),
            ("approval", _approval(lineage.get("approval") or item.get("approval"), lineage.get("cost_estimate"))),
            ("selection rule", lineage.get("selection_rule")),
        ]
    )
    datasets = lineage.get("datasets") or {}
    bucket = lineage.get("datasets_bucket")
    out.append("  datasets" + (f" (s3://{bucket})" if bucket else ""))
    for name in ("train", "validation"):
        out += _dataset(name, datasets.get(name))

    out += ["", "checkpoint scores"]
    rows = score_rows(lineage)
    if rows:
        out.append(table(SCORE_HEADERS, rows, right=(3, 4, 5, 6), indent="  "))
    else:
        out.append("  (no checkpoint was evaluated)")
    chosen = lineage.get("chosen") or {}
    if chosen.get("model_id"):
        out.append(f"  * chosen: {chosen['model_id']}" + (f" ({chosen['reason']})" if chosen.get("reason") else ""))
    return "\n".join(out)
