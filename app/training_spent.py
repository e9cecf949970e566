"""What each judged run's minutes bought: its steps, and the cores other work kept busy meanwhile,
said on Evaluate where the runs judged together trained unequally (walk 21: four runs of 1.5
minutes took 175 to 1,180 steps; the same SimCLR took 175 watched live on a busy machine, 725 from
the command line), so a comparison of methods is read at the training each got."""

from __future__ import annotations

from ssl_core.machine_load import BUSY_OTHERS

UNEQUAL = 1.5  # the most steps over the fewest from which runs judged together are said to have trained unequally


def spent_words(rows: dict[str, dict]) -> str | None:
    """{judged run's name: its jobs.run_summary} -> one sentence, or None for fewer than two runs
    or steps within UNEQUAL of each other."""
    steps = [row["step"] or 0 for row in rows.values()]
    if len(rows) < 2 or max(steps) < UNEQUAL * max(min(steps), 1):
        return None
    parts = []
    for label, row in rows.items():
        busy = row.get("other_cores")
        shared = f", other work keeping {busy:.1f} cores busy" if busy is not None and busy >= BUSY_OTHERS else ""
        seconds = row.get("training_s")  # None: a run kept before its training time was
        spent = f" in {seconds / 60:.1f} minutes" if seconds is not None else ""
        parts.append(f"{label}: {row['step'] or 0:,} steps{spent}{shared}")
    return ("Trained: " + "; ".join(parts) + ". Equal minutes are not equal training: a step costs each method its "
            "own time, and a run that shared the machine took fewer, so these verdicts compare the methods at the "
            "training each got here.")
