"""`make diff` / `make deploy` first compare the team's account and region with the credentials."""

from __future__ import annotations

import boto3
import pytest
import yaml
from moto import mock_aws

from rft import deploy_check
from rft.config.loader import TEAMS_DIR_ENV

ACCOUNT = "246813579024"


def _team(tmp_path, monkeypatch, account=ACCOUNT, **extra):
    config = {"team": "search-quality", "account": account, "region": "us-west-2", **extra}
    (tmp_path / "search-quality.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.setenv(TEAMS_DIR_ENV, str(tmp_path))


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-west-2",
        "MOTO_ACCOUNT_ID": ACCOUNT,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def _bootstrap(region="us-west-2"):
    boto3.client("ssm", region_name=region).put_parameter(
        Name=deploy_check.BOOTSTRAP_PARAMETER, Value="27", Type="String"
    )


def test_matching_account_and_bootstrapped_region_pass_and_print_the_approval_flag(tmp_path, monkeypatch, aws, capsys):
    _team(tmp_path, monkeypatch)
    _bootstrap()
    assert deploy_check.main(["--team", "search-quality", "--approval"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "--require-approval broadening"
    assert f"credentials are for account {ACCOUNT}" in err


def test_team_may_opt_out_of_approval_for_iam_changes(tmp_path, monkeypatch, aws, capsys):
    _team(tmp_path, monkeypatch, deploy={"require_approval": "never"})
    _bootstrap()
    assert deploy_check.main(["--team", "search-quality", "--approval"]) == 0
    assert capsys.readouterr().out.strip() == "--require-approval never"


def test_credentials_of_another_account_are_refused(tmp_path, monkeypatch, aws, capsys):
    _team(tmp_path, monkeypatch, account="135792468013")
    assert deploy_check.main(["--team", "search-quality"]) == 2
    err = capsys.readouterr().err
    assert "deploys to account 135792468013" in err and f"are for account {ACCOUNT}" in err


def test_region_without_bootstrap_is_refused(tmp_path, monkeypatch, aws, capsys):
    _team(tmp_path, monkeypatch)
    _bootstrap("us-east-1")  # another region
    assert deploy_check.main(["--team", "search-quality"]) == 2
    assert f"cdk bootstrap aws://{ACCOUNT}/us-west-2" in capsys.readouterr().err


@pytest.mark.parametrize("account", ["111111111111", "123456789012", "000000000000"])
def test_placeholder_accounts_fail_before_any_aws_call(tmp_path, monkeypatch, capsys, account):
    _team(tmp_path, monkeypatch, account=account)
    monkeypatch.setattr(boto3, "Session", lambda: pytest.fail("called AWS for a placeholder account"))
    assert deploy_check.main(["--team", "search-quality"]) == 2
    assert f"account {account} is a placeholder" in capsys.readouterr().err


def test_no_credentials_is_one_line(tmp_path, monkeypatch, capsys):
    _team(tmp_path, monkeypatch)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert deploy_check.main(["--team", "search-quality"]) == 2
    assert "no AWS credentials found" in capsys.readouterr().err
