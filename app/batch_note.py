"""The Train page's word on its batch size: what one pass over the dataset makes of it, where
that matters (the whole set in each batch, a batch fitted to a small set, too few steps)."""

from __future__ import annotations

from ssl_core.engine import TrainConfig
from ssl_core.evaluate.advice import MIN_STEPS_PER_PASS
from ssl_core.words import counted


def batch_note(count: int, batch: int, fitting: int, unit: str) -> str | None:
    """What batch `batch` makes of `count` examples where it matters: the whole set in each batch,
    the `fitting` batch (advice.batch_for) in place of the default, or fewer steps per pass
    than MIN_STEPS_PER_PASS where `fitting` makes more (walk 19: 512 on 301 sentences said only
    that each batch takes all of them; '2 steps at 16 ...; fewer than 4 learned less' left 16
    unexplained on 40)."""
    steps = {size: count // min(size, count) for size in (batch, fitting, TrainConfig.batch_size)}
    tuned = f"fewer than {MIN_STEPS_PER_PASS} steps per pass learned less in tuning"
    better = f"; batch {fitting} makes {steps[fitting]}" if steps[fitting] > steps[batch] else ""
    if batch > count:  # the engine takes the whole set (engine.py)
        return (f"This dataset holds {counted(count, unit)}: each batch takes all of them, 1 step per pass"
                + (f" ({tuned}{better})" if better else "") + f", and the learning rate is scaled by {count:,} / 256.")
    if batch == fitting != TrainConfig.batch_size:
        smallest = steps[fitting] < MIN_STEPS_PER_PASS
        return (f"Batch {fitting}{', the smallest here' if smallest else ''}, not {TrainConfig.batch_size}: "
                f"{counted(count, unit)} make {counted(steps[fitting], 'steps')} per pass at {fitting}, "
                f"{steps[TrainConfig.batch_size]} at {TrainConfig.batch_size}; {tuned}"
                + (", more than a set this small can give." if smallest else "."))
    if steps[batch] < MIN_STEPS_PER_PASS and better:
        return (f"Batch {batch} makes {counted(steps[batch], 'steps')} per pass over {counted(count, unit)}: "
                f"{tuned}{better}.")
    return None
