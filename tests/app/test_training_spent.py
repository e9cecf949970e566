"""Evaluate says what each judged run's minutes bought where the runs trained unequally (walk 21:
1.5 minutes each gave 175 to 1,180 steps, unsaid where the methods were compared)."""

from __future__ import annotations

from app.training_spent import spent_words


def row(step: int, seconds: float, busy: float | None) -> dict:
    return {"step": step, "training_s": seconds, "other_cores": busy}


def test_unequal_training_is_said_with_the_busy_machine():
    said = spent_words({"SimCLR · 1.5 min": row(175, 93.1, 0.87), "BYOL · 1.5 min": row(1180, 90.0, 0.10),
                        "MAE · 1.5 min": row(414, 91.3, None)})
    assert said == ("Trained: SimCLR · 1.5 min: 175 steps in 1.6 minutes, other work keeping 0.9 cores busy; BYOL · "
                    "1.5 min: 1,180 steps in 1.5 minutes; MAE · 1.5 min: 414 steps in 1.5 minutes. Equal minutes are "
                    "not equal training: a step costs each method its own time, and a run that shared the machine "
                    "took fewer, so these verdicts compare the methods at the training each got here.")


def test_like_training_or_one_run_says_nothing():
    assert spent_words({"a": row(700, 90, 0.1), "b": row(1000, 90, 0.1)}) is None  # under 1.5 times
    assert spent_words({"a": row(175, 90, 0.9)}) is None
    assert spent_words({"a": row(175, None, None), "b": row(700, 60, None)}).startswith(
        "Trained: a: 175 steps; b: 700 steps in 1.0 minutes.")  # a run kept before its training time was
