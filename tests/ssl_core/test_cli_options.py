"""The CLI's numeric options refuse values no command can use as a usage error naming the
option (exit 2, nothing run), and keep taking the values they took before."""

from __future__ import annotations

import pytest

from ssl_core.cli import build_parser

SOURCE = ["--dataset", "d", "--untrained"]


@pytest.mark.parametrize("args, option, wanted", [
    (["embed", *SOURCE, "--image-size", "0"], "--image-size", "an integer at least 1"),
    (["search", *SOURCE, "--query", "q.png", "-k", "0"], "-k", "an integer at least 1"),
    (["project", *SOURCE, "--neighbors", "1"], "--neighbors", "an integer at least 2"),
    (["project", *SOURCE, "--min-dist", "nan"], "--min-dist", "a number at least 0"),
    (["evaluate", *SOURCE, "-k", "-2"], "-k", "an integer at least 1"),
    (["evaluate", *SOURCE, "-k", "2.5"], "-k", "an integer at least 1"),
    (["train", "--epochs", "-1"], "--epochs", "a number above 0"),
    (["train", "--minutes", "0"], "--minutes", "a number above 0"),
    (["train", "--minutes", "inf"], "--minutes", "a number above 0"),
    (["train", "--batch-size", "1"], "--batch-size", "an integer at least 2"),
    (["train", "--lr", "0"], "--lr", "a number above 0"),
    (["train", "--seed", "-1"], "--seed", "an integer at least 0"),
    (["fill", "--run", "r", "--text", "t", "--top", "0"], "--top", "an integer at least 1"),
    (["import-encoder", "--name", "n", "--arch", "timm:a", "--image-size", "0"], "--image-size",
     "an integer at least 1"),
])
def test_a_value_out_of_range_is_a_usage_error_naming_the_option(capsys, args, option, wanted):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(args)
    assert exited.value.code == 2
    assert f"error: argument {option}: expected {wanted}, not '{args[-1]}'" in capsys.readouterr().err


def test_values_in_range_are_taken_as_numbers():
    train = build_parser().parse_args(["train", "--epochs", "0.5", "--batch-size", "2", "--lr", "1e-12",
                                       "--seed", "0"])
    assert (train.epochs, train.batch_size, train.lr, train.seed) == (0.5, 2, 1e-12, 0)
    project = build_parser().parse_args(["project", *SOURCE, "--neighbors", "2", "--min-dist", "0",
                                         "--image-size", "8"])
    assert (project.neighbors, project.min_dist, project.image_size) == (2, 0.0, 8)
    assert build_parser().parse_args(["search", *SOURCE, "--query", "q.png", "-k", "1"]).k == 1


def test_the_progress_line_says_its_speed_is_of_the_steps_only(capsys):
    """Walk 19 read '948 examples/s' on the last line beside the JSON's whole-run 92.8."""
    from ssl_core.cli import TrainProgress
    from ssl_core.engine import StepState

    TrainProgress("examples").on_step(StepState(89, 89, 1.0, 5.08, 948.0, 0.0, 1e-3, 64))
    assert "step 89/89 loss 5.0800 948 examples/s (steps only) ETA 0s" in capsys.readouterr().err
