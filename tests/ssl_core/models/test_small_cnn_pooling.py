"""The small CNN pools by GeM; a checkpoint from before pooling was an option (mean pooling,
no `pooling` in its encoder_options) loads, resumes and gets its untrained twin as it was."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ssl_core import checkpoint, distributed, embed, jobs
from ssl_core.engine import TrainConfig, Trainer
from ssl_core.models import build_encoder, checkpoint_options
from ssl_core.models.small_cnn import generalised_mean


@pytest.mark.parametrize("pooling", ["gem", "mean"])
def test_the_feature_map_averages_to_the_features(pooling):
    encoder = build_encoder("small_cnn", 16, pooling=pooling).eval()
    x = torch.rand(3, 3, 16, 16)
    with torch.no_grad():
        standard = (x - encoder.mean) / encoder.std
        assert torch.allclose(encoder.feature_map(standard).mean(dim=(2, 3)), encoder.features(standard), atol=1e-5)
        body = encoder.body(standard)
    expected = generalised_mean(body) if pooling == "gem" else body.mean(dim=(2, 3))
    assert torch.allclose(encoder.features(standard), expected)


def test_gem_is_the_default_and_an_unknown_pooling_is_refused():
    assert build_encoder("small_cnn", 16).options() == {"width": 16, "pooling": "gem"}
    with pytest.raises(ValueError, match="no pooling 'max'"):
        build_encoder("small_cnn", 16, pooling="max")


def test_options_saved_win_over_what_came_before_them():
    assert checkpoint_options("small_cnn", {}) == {"pooling": "mean"}  # saved none: mean, as then
    assert checkpoint_options("small_cnn", {"encoder_options": {}}) == {"pooling": "mean"}
    assert checkpoint_options("small_cnn", {"encoder_options": {"pooling": "gem"}}) == {"pooling": "gem"}
    assert checkpoint_options("vit_tiny", {"encoder_options": {"layers": 2}}) == {"layers": 2}


def forget_pooling(run_dir):
    """Make the run's checkpoint look like one written before pooling was saved."""
    path = run_dir / checkpoint.META
    meta = json.loads(path.read_text())
    assert meta["encoder_options"] == {"width": 16, "pooling": "gem"}  # what today's runs save
    meta["encoder_options"] = {}
    path.write_text(json.dumps(meta))


def test_an_old_checkpoint_loads_mean_pooled_and_its_twin_too(trained):
    run_dir = jobs.run_dir(trained.ws, trained.run)
    forget_pooling(run_dir)
    method, _ = checkpoint.load_trained(run_dir)
    assert method.encoder.pooling == "mean"
    source = embed.from_run(trained.ws, trained.run)
    twin = embed.baseline_of(source)
    assert twin.shape == (("pooling", "mean"),)
    assert embed.load_encoder(trained.ws, twin, trained.ws.dataset(trained.dataset)).pooling == "mean"


@pytest.mark.parametrize("which", ["run", "twin"])
def test_an_old_runs_embeddings_are_made_once_not_on_every_look(trained, which):
    """Their sources carry a shape ((pooling, mean)); META stores it as JSON lists, and the
    cache compared those with tuples, so every page visit embedded the dataset again."""
    forget_pooling(jobs.run_dir(trained.ws, trained.run))
    source = embed.from_run(trained.ws, trained.run)
    source = source if which == "run" else embed.baseline_of(source)
    made = embed.embed(trained.ws, trained.dataset, source)
    hit = embed.cached(trained.ws, trained.ws.dataset(trained.dataset), source)
    assert hit is not None and hit.made == made.made


def test_an_old_run_resumes_mean_pooled(trained):
    run_dir = jobs.run_dir(trained.ws, trained.run)
    forget_pooling(run_dir)
    images = np.array(trained.ws.images(trained.ws.dataset(trained.dataset)))
    config = TrainConfig(dataset=trained.dataset, epochs=4, batch_size=8, image_size=16)  # as the fixture's, longer
    trainer = Trainer(config, images, None, run_dir, distributed.SilentReporter())
    assert trainer.method.encoder.pooling == "mean"


def test_an_untrained_embedding_cached_before_gem_is_made_again(trained):
    dataset = trained.ws.dataset(trained.dataset)
    today = embed.untrained("small_cnn", 16)
    first = embed.embed(trained.ws, trained.dataset, today)
    meta_path = first.folder / embed.META
    meta = json.loads(meta_path.read_text())
    assert meta["fingerprint"]["options"] == {"width": 16, "pooling": "gem"}
    del meta["fingerprint"]["options"]  # as written when the default pooled by mean
    meta_path.write_text(json.dumps(meta))
    assert embed.cached(trained.ws, dataset, today) is None


def test_a_narrower_small_cnn_is_saved_and_loaded_at_its_width(tmp_path):
    """encoder_options is open to scripts: a width other than 16 must come back as trained."""
    images = np.random.default_rng(0).integers(0, 256, (16, 16, 16, 3), dtype=np.uint8)
    config = TrainConfig(dataset="noise", epochs=1, batch_size=8, image_size=16, encoder_options={"width": 8})
    Trainer(config, images, None, tmp_path, distributed.SilentReporter()).run()
    method, _ = checkpoint.load_trained(tmp_path)
    assert (method.encoder.width, method.encoder.num_features) == (8, 64)
