"""diagnose.default_flat: a flat run of another setting is told what comes after the CPU
default where a run of the default on the same pictures learned nothing either (walk 21)."""

from __future__ import annotations

from ssl_core import jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.evaluate.diagnose import default_flat
from ssl_core.run_names import names_told_apart


def test_the_newest_flat_run_of_the_default_on_the_same_dataset_is_found(workspace, make):
    for name in ("noise", "other"):  # labelled noise: nothing there to learn
        ingest_uploads(workspace, [(f"{'ab'[i % 2]}/{i}.png", make.noise((16, 16), seed=i)) for i in range(32)],
                       name=name, size=16)
    tiny = dict(epochs=1, batch_size=16, image_size=16, monitor_every=1, snapshot_every=0)
    default = jobs.create_run(workspace, TrainConfig(dataset="noise", **tiny))
    elsewhere = jobs.create_run(workspace, TrainConfig(dataset="other", **tiny))
    byol = jobs.create_run(workspace, TrainConfig(dataset="noise", method="byol", **tiny))
    assert jobs.work(workspace, "cpu") == 3
    assert jobs.run_verdict(workspace, default).code != "learned"
    name, config, label_free = default_flat(workspace, jobs.get_run(workspace, byol))
    assert not label_free  # labelled noise: its kNN check judged it
    assert name == names_told_apart(jobs.list_runs(workspace))[default] and config.method == "simclr" and config.epochs == 1
    assert default_flat(workspace, jobs.get_run(workspace, default)) is None  # not itself; BYOL is no default
    assert default_flat(workspace, jobs.get_run(workspace, elsewhere)) is None  # another dataset's run only
