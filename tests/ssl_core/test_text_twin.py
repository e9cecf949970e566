"""A text run trained at another size than the encoder's defaults (TrainConfig.encoder_options):
its checkpoint keeps the size, its untrained twin is built at the same size (its own key,
label and tokenizer of as many pieces), and both embed the dataset."""

from __future__ import annotations

from ssl_core import embed, jobs
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig

SENTENCES = [f"the {animal} {verb} the {thing}" for animal in ("cat", "dog", "bird", "fish")
             for verb in ("sees", "likes", "eats") for thing in ("ball", "tree", "food")]
SMALL = {"width": 32, "layers": 1, "heads": 2, "vocab_size": 64}


def test_the_twin_of_a_small_text_run_is_built_at_its_size(workspace):
    ingest_uploads(workspace, [("a.txt", "\n".join(SENTENCES).encode())], name="tiny")
    config = TrainConfig(dataset="tiny", method="simcse", encoder="text_transformer", epochs=1, batch_size=12,
                         monitor_every=100, checkpoint_every=100, snapshot_every=0, encoder_options=SMALL)
    run_id = jobs.create_run(workspace, config)
    assert jobs.execute(workspace, run_id).status == "completed"
    run = embed.from_run(workspace, run_id)
    assert dict(run.shape) == SMALL
    twin = embed.baseline_of(run)
    default_twin = embed.untrained("text_transformer", run.image_size)
    assert twin.key != default_twin.key and twin.label.startswith("untrained text_transformer (")
    assert embed.load_encoder(workspace, twin).num_features == 32
    trained = embed.embed(workspace, "tiny", run).features
    untrained = embed.embed(workspace, "tiny", twin).features
    assert trained.shape == untrained.shape == (len(SENTENCES), 32)
    assert embed.embed(workspace, "tiny", default_twin).features.shape == (len(SENTENCES), 128)
