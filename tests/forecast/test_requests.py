"""Bad forecast requests: one message naming the row and column, and nothing written."""

from __future__ import annotations

from slothpipe.errors import DataError
from slothpipe.forecast.__main__ import main
from slothpipe.forecast.new_models import check_request, suite_benchmarks

import pandas as pd
import pytest

V1 = suite_benchmarks("v1")
SCORES = dict(zip(V1, [0.6, 0.5, 0.8, 0.7, 0.4, 0.3], strict=True))


def request(*rows) -> pd.DataFrame:
    base = [
        dict(model="new-1b", family="newfam", params_b=1.0, tokens_t=2.0, **SCORES),
        dict(model="new-9b", family="newfam", params_b=9.0, tokens_t=2.0),
    ]
    return pd.DataFrame(list(rows) or base)


def test_a_good_request_splits_known_and_targets():
    req = check_request(request(), "v1", "new.csv")
    assert req.known["model"].tolist() == ["new-1b"] and req.targets["model"].tolist() == ["new-9b"]
    assert req.benchmarks == V1
    assert suite_benchmarks("v1+v2")[:6] == V1 and len(suite_benchmarks("v1+v2")) == 12


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda df: df.drop(columns="tokens_t"), r"missing column\(s\) 'tokens_t'"),
        (
            lambda df: df.assign(params_b=[1e9, 9e9]),
            r"row 2 \(model 'new-1b'\), column 'params_b' .*billions",
        ),
        (
            lambda df: df.assign(tokens_t=[2.0, 2e12]),
            r"row 3 \(model 'new-9b'\), column 'tokens_t' .*trillions",
        ),
        (lambda df: df.assign(params_b=[1.0, None]), r"row 3 \(model 'new-9b'\), column 'params_b' is empty"),
        (
            lambda df: df.assign(params_b=[1.0, -3.0]),
            r"row 3 \(model 'new-9b'\), column 'params_b' .*positive",
        ),
        (
            lambda df: df.assign(MMLU=[62.0, None]),
            r"row 2 \(model 'new-1b'\), column 'MMLU' has 62.0.*\[0, 1\]",
        ),
        (
            lambda df: df.assign(GSM8K=[None, None]),
            r"row 2 \(model 'new-1b'\) has 5 of the 6 .*missing: GSM8K",
        ),
        (lambda df: df.assign(ARC=[0.5, 0.4]), r"row 3 \(model 'new-9b'\) has 1 of the 6"),
        (lambda df: df.assign(Mmlu=[0.5, None]), r"column 'Mmlu' is not a benchmark of the dataset"),
        (lambda df: df.iloc[:0], r"no model rows"),
        (lambda df: df.assign(model=["a", "a"]), r"model 'a' appears in more than one row"),
    ],
)
def test_bad_requests_name_the_row_and_column(edit, message):
    with pytest.raises(DataError, match=message):
        check_request(edit(request()), "v1", "new.csv")


def _cli(tmp_path, frame_or_text, *args):
    path = tmp_path / "new.csv"
    if isinstance(frame_or_text, str):
        path.write_text(frame_or_text, encoding="utf-8")
    else:
        frame_or_text.to_csv(path, index=False)
    out = tmp_path / "out.csv"
    code = main([str(path), "--out", str(out), *args])
    return code, out


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("", ("--leaderboard", "v1"), "the file is empty"),
        (request().assign(params_b=[1e9, 9e9]), ("--leaderboard", "v1"), "column 'params_b'"),
        (request(), (), "no leaderboard"),
        (request().assign(leaderboard="v2"), ("--leaderboard", "v1"), "--leaderboard v1 but"),
    ],
)
def test_the_command_stops_with_one_message_and_writes_nothing(tmp_path, capsys, content, args, message):
    code, out = _cli(tmp_path, content, *args)
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.startswith("slothpipe.forecast: error:") and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("edit", "extra", "message"),
    [
        (lambda df: df.drop(index=0), (), "family 'newfam' has no known model"),
        (lambda df: df, ("--exclude-family", "nosuch"), "--exclude-family 'nosuch': no original family"),
    ],
)
def test_requests_the_dataset_cannot_serve_are_refused(
    tmp_path, capsys, sim_dataset, calibration, edit, extra, message
):
    args = (
        "--leaderboard",
        "v1",
        "--method",
        "flops",
        "--dataset",
        sim_dataset,
        "--calibration",
        calibration,
    )
    code, out = _cli(tmp_path, edit(request()), *args, *extra)
    assert code == 2 and not out.exists()
    assert message in capsys.readouterr().err
