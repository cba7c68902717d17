"""`rft runs report`, and the page the WriteRunReport step wrote for the same run: a recorded
run rendered to one offline HTML file, opened in headless Chromium (Debian's `chromium`;
.ci/run installs it). Without a browser the browser checks skip, unless RFT_REQUIRE_BROWSER=1
(CI) makes that a failure."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.e2e.local_world import RUN_ID, datasets, output

HOSTILE = "<script>window.pwned=1</script><img src=x onerror=alert(1)>"


def _browser() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and os.environ.get("RFT_REQUIRE_BROWSER") == "1":
        pytest.fail("RFT_REQUIRE_BROWSER=1 but no chromium on PATH")
    return found


def _chromium(browser: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=15000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def _png_pixels(path: Path) -> tuple[int, int, set[bytes]]:
    """Width, height and a sample of distinct pixel rows' bytes of a PNG (standard library)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = len(raw) // height
    return width, height, {raw[i * stride + 1 : (i + 1) * stride] for i in range(0, height, 7)}


def test_a_recorded_run_renders_offline_in_headless_chromium(local_platform, monkeypatch, tmp_path):
    from rft import operator_commands, report
    from rft.aws_errors import load_customization
    from tests.e2e.local_world import MOTO_ACCOUNT, ticket

    world = local_platform("example", "ticket-triage")
    rows = [ticket(i) for i in range(5000, 5030)]
    rows[0]["messages"][-1]["content"] += HOSTILE  # a dataset that tries to script the report
    run_input = {**datasets(world), "validation": world.put("validation.jsonl", rows)}
    described = world.wait(world.start(run_input))
    assert described["status"] == "SUCCEEDED"
    out = output(described)
    config, customization = load_customization("example", "ticket-triage")
    config = config.model_copy(update={"account": MOTO_ACCOUNT})
    bundle = report.collect(config, customization, RUN_ID)
    assert set(bundle["results"]) == {c["key"] for c in out["gate"]["candidates"]}
    page = report.render(bundle)
    (tmp_path / "bundle.json").write_text(json.dumps(bundle, default=str))

    # self-contained: the library inlined, and nothing else the page loads from anywhere
    from plotly.offline import get_plotlyjs

    assert get_plotlyjs() in page
    own = page.replace(get_plotlyjs(), "")
    assert "<script src" not in own and "<link" not in own and "http" not in own.replace("http://www.w3.org", "")
    assert HOSTILE not in page and html_escaped(HOSTILE) in page
    for text in (
        "Promotion gate",
        "Gate decision",
        "promote",
        "Held-out",
        "Reward distribution",
        "Training curves",
        "Sample prompts",
        "base answer",
        out["gate"]["chosen"]["model_id"],
    ):
        assert text in page, text
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")

    # the operator command writes the same page
    monkeypatch.setattr(operator_commands, "load_customization", lambda *_: (config, customization))
    monkeypatch.setattr("rft.aws_errors.load_customization", lambda *_: (config, customization))
    assert report.write_report("example", "ticket-triage", RUN_ID, str(tmp_path / "cli.html")) == 0
    assert (tmp_path / "cli.html").stat().st_size > 1_000_000  # plotly.js inlined

    browser = _browser()
    if browser is None:
        pytest.skip("no chromium on PATH (apt-get install chromium); page content was checked")
    dom = _chromium(browser, "--dump-dom", path.as_uri()).stdout
    # plotly.js ran offline and drew every chart (its SVG roots carry class main-svg)
    assert dom.count('class="main-svg"') >= 4
    assert "window.pwned" not in dom.replace(html_escaped(HOSTILE), "")
    shot = tmp_path / "report.png"
    _chromium(browser, f"--screenshot={shot}", "--window-size=1280,2400", path.as_uri())
    width, height, rows_seen = _png_pixels(shot)
    assert (width, height) == (1280, 2400)
    assert len(rows_seen) > 50  # not a blank page: many distinct pixel rows (charts, tables, text)

    # The page the workflow's WriteRunReport function wrote at the end of this run: the same
    # renderer, drawn offline too; no training curves (the function cannot read job events).
    from rft_contracts.naming import run_report_key

    written = world.s3.get_object(Bucket=world.config["artifacts_bucket"], Key=run_report_key("ticket-triage", RUN_ID))
    lambda_page = tmp_path / "lambda-report.html"
    lambda_page.write_bytes(written["Body"].read())
    dom = _chromium(browser, "--dump-dom", lambda_page.as_uri()).stdout
    assert dom.count('class="main-svg"') >= 3 and 'id="chart-training"' not in dom
    assert 'id="events-note"' in dom and out["gate"]["chosen"]["model_id"] in dom
    assert "window.pwned" not in dom.replace(html_escaped(HOSTILE), "")
    shot = tmp_path / "lambda-report.png"
    _chromium(browser, f"--screenshot={shot}", "--window-size=1280,2400", lambda_page.as_uri())
    assert len(_png_pixels(shot)[2]) > 50


def html_escaped(text: str) -> str:
    import html

    return html.escape(text)
