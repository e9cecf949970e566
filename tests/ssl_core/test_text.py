"""Text core: BERT masking statistics on a fixed seed, the tokenizer's round trip, one step
of every text method in METHODS (by declared kind), fill-in-the-blank guesses that are the
model's own, and a tiny MLM run through the job queue with its tokenizer saved."""

from __future__ import annotations

import json

import pytest
import torch

from ssl_core import checkpoint, embed, jobs
from ssl_core.cli import main
from ssl_core.data.ingest import ingest_uploads
from ssl_core.engine import TrainConfig
from ssl_core.methods import METHODS, build_method
from ssl_core.methods.simcse import sentence_pair_loss
from ssl_core.models import ENCODERS
from ssl_core.text.fill import FillError, fill, frequent_pieces, masked_word_accuracy
from ssl_core.text.masking import mask_tokens
from ssl_core.text.tokenizer import (
    CLS, MASK, MAX_TOKENS, PAD, SEP, SPECIAL_TOKENS, TOKENIZER_FILE, decode, encode, load_tokenizer, save_tokenizer,
    train_tokenizer,
)
from ssl_core.text.views import text_recipe

SENTENCES = [f"the {animal} {verb} the {thing}" for animal in ("cat", "dog", "bird", "fish")
             for verb in ("sees", "likes", "eats") for thing in ("ball", "tree", "food")]
TEXT_METHODS = [m for m in METHODS if "text" in METHODS[m].kinds]


@pytest.fixture(scope="module")
def tokenizer():
    return train_tokenizer(SENTENCES, vocab_size=64)


def test_masking_is_bert_s_15_percent_split_80_10_10():
    ids = torch.randint(5, 1000, (400, 48), generator=torch.Generator().manual_seed(1))
    ids[:, 0], ids[:, 30], ids[:, 31:] = CLS, SEP, PAD
    inputs, chosen = mask_tokens(ids, torch.Generator().manual_seed(0), vocab_size=1000)
    real = (ids != PAD) & (ids != CLS) & (ids != SEP)
    assert not chosen[~real].any() and torch.equal(inputs[~real], ids[~real])
    assert chosen.sum() / real.sum() == pytest.approx(0.15, abs=0.01)
    masked = (inputs[chosen] == MASK).float().mean()
    kept = (inputs[chosen] == ids[chosen]).float().mean()
    assert masked == pytest.approx(0.8, abs=0.02) and kept == pytest.approx(0.1 + 0.1 / 995, abs=0.02)
    assert torch.equal(inputs[~chosen], ids[~chosen])
    again, _ = mask_tokens(ids, torch.Generator().manual_seed(0), vocab_size=1000)
    assert torch.equal(inputs, again)  # seeded


def test_tokenizer_round_trip_and_file(tokenizer, tmp_path):
    ids = encode(tokenizer, SENTENCES[:3], max_tokens=12)
    assert ids.shape == (3, 12) and (ids[:, 0] == CLS).all()
    assert [decode(tokenizer, row) for row in ids] == SENTENCES[:3]
    save_tokenizer(tokenizer, tmp_path)
    assert (encode(load_tokenizer(tmp_path), SENTENCES[:3], max_tokens=12) == ids).all()
    (tmp_path / TOKENIZER_FILE).write_text("{not json")
    with pytest.raises(ValueError, match="cannot be read as a tokenizer"):
        load_tokenizer(tmp_path)


@pytest.mark.parametrize("method_name", TEXT_METHODS)
def test_one_step_of_every_text_method(method_name, tokenizer):
    torch.manual_seed(0)
    encoders = [e for e in ENCODERS if ENCODERS[e].kind in METHODS[method_name].kinds]
    method = build_method(method_name, encoders[0], 32)
    recipe = text_recipe(None, METHODS[method_name].default_recipe, tokenizer.get_vocab_size())
    views = recipe(torch.from_numpy(encode(tokenizer, SENTENCES[:8], max_tokens=12)), torch.Generator().manual_seed(0))
    loss, metrics = method.training_step(views)
    assert loss.ndim == 0 and torch.isfinite(loss) and all(isinstance(v, float) for v in metrics.values())
    loss.backward()
    assert all(p.grad is not None for p in method.encoder.parameters())


def test_an_image_method_refuses_the_text_encoder():
    with pytest.raises(ValueError, match="'simclr' trains on image datasets; encoder 'text_transformer' reads text"):
        build_method("simclr", "text_transformer", 32)


def test_a_model_trained_to_say_one_word_guesses_it(tokenizer):
    torch.manual_seed(0)
    method = build_method("mlm", "text_transformer", 32)
    target = tokenizer.token_to_id("tree")
    ids = torch.from_numpy(encode(tokenizer, SENTENCES[:6], max_tokens=8))
    optimizer = torch.optim.AdamW(method.parameters(), lr=1e-2)
    for _ in range(10):  # every position's answer is "tree"
        scores = method.token_scores(ids)
        loss = torch.nn.functional.cross_entropy(scores.flatten(0, 1), torch.full((ids.numel(),), target))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    method.eval()
    out = fill(method, tokenizer, "the [MASK] eats the [MASK]")
    assert [m["guesses"][0]["token"] for m in out["masks"]] == ["tree", "tree"]
    assert out["masks"][0]["guesses"][0]["probability"] > 0.5
    probabilities = [g["probability"] for g in out["masks"][0]["guesses"]]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1.0001
    with pytest.raises(FillError, match="no \\[MASK\\]"):
        fill(method, tokenizer, "no blank here")
    lower = fill(method, tokenizer, "the [mask] eats the [Mask]")  # walk 35: 'has no [MASK]', the tokenizer uncased
    assert lower["text"] == "the [MASK] eats the [MASK]" and lower["masks"] == out["masks"]
    ids = torch.from_numpy(encode(tokenizer, SENTENCES, max_tokens=8))  # held out = trained on, here
    _, chosen = mask_tokens(ids, torch.Generator().manual_seed(0), tokenizer.get_vocab_size())
    model, unigram, judged = masked_word_accuracy(method, tokenizer, SENTENCES, SENTENCES, max_tokens=8)
    assert judged == int(chosen.sum()) and model == pytest.approx(float((ids[chosen] == target).float().mean()))
    assert unigram == pytest.approx(float((ids[chosen] == tokenizer.token_to_id("the")).float().mean()))
    assert 0 < model < unigram  # "tree" is one thing in three, "the" two words in five


def test_the_frequent_pieces_are_what_a_frequency_only_model_guesses(tokenizer):
    """'the' is two words in five of every sentence: a model that learned only frequencies gives it 0.4 in
    every blank (walk 19 read such a guess as 100 times a random one's)."""
    (first, share), *rest = frequent_pieces(tokenizer, SENTENCES)
    assert (first, share) == ("the", pytest.approx(0.4)) and len(rest) == 2
    assert all(later <= share for _, later in rest) and all(piece not in SPECIAL_TOKENS for piece, _ in rest)


def test_a_text_checkpoint_keeps_its_encoder_shape_and_old_ones_load_with_the_defaults(tmp_path):
    small = build_method("mlm", "text_transformer", 32, width=32, layers=1, heads=2)
    optimizer = torch.optim.AdamW(small.parameters())
    meta = {"config": {"method": "mlm", "encoder": "text_transformer"}, "image_size": 32}
    checkpoint.save(tmp_path / "new", small, optimizer, torch.Generator(), {**meta,
                    "encoder_options": small.encoder.options()})
    loaded, _ = checkpoint.load_trained(tmp_path / "new")
    assert loaded.encoder.num_features == 32 and len(loaded.encoder.layers.layers) == 1
    assert torch.equal(loaded.encoder.tokens.weight, small.encoder.tokens.weight)
    with pytest.raises(ValueError, match="lacks"):  # without the options the defaults cannot hold it
        checkpoint.save(tmp_path / "old", small, optimizer, torch.Generator(), meta)
        checkpoint.load_trained(tmp_path / "old")
    default = build_method("mlm", "text_transformer", 32)
    checkpoint.save(tmp_path / "old", default, torch.optim.AdamW(default.parameters()), torch.Generator(), meta)
    assert checkpoint.load_trained(tmp_path / "old")[0].encoder.num_features == 128  # written before the key


def test_a_tiny_mlm_run_trains_saves_its_tokenizer_embeds_fills_and_searches(workspace, capsys):
    text = "\n".join(SENTENCES).encode()
    ingest_uploads(workspace, [("a.txt", text)], name="tiny")
    with pytest.raises(ValueError, match="trains on image datasets; 'tiny' holds texts"):
        jobs.create_run(workspace, TrainConfig(dataset="tiny", method="simclr", epochs=1))
    config = TrainConfig(dataset="tiny", method="mlm", encoder="text_transformer", epochs=1, batch_size=12,
                         monitor_every=100, checkpoint_every=100, snapshot_every=0)
    run_id = jobs.create_run(workspace, config)
    result = jobs.execute(workspace, run_id)
    assert result.status == "completed" and result.steps == 3
    assert (jobs.run_dir(workspace, run_id) / TOKENIZER_FILE).exists()
    assert checkpoint.read_meta(jobs.run_dir(workspace, run_id))["encoder_options"]["width"] == 128
    features = embed.embed(workspace, "tiny", embed.from_run(workspace, run_id)).features
    assert features.shape == (len(SENTENCES), 128)
    untrained = embed.embed(workspace, "tiny", embed.baseline_of(embed.from_run(workspace, run_id))).features
    assert untrained.shape == features.shape
    capsys.readouterr()
    assert main(["--workspace", str(workspace.root), "fill", "--run", run_id, "--text", "the [MASK] eats",
                 "--top", "3"]) == 0
    filled = json.loads(capsys.readouterr().out)
    assert filled["run"] == run_id and [len(m["guesses"]) for m in filled["masks"]] == [3]
    assert main(["--workspace", str(workspace.root), "search", "--dataset", "tiny", "--run", run_id,
                 "--query-text", "the dog likes zorblax food", "-k", "2"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert len(found["neighbours"]) == 2 and found["unseen_words"] == ["zorblax"]
    assert all(n["text"] == SENTENCES[n["index"]] and n["label"] is None for n in found["neighbours"])  # walk 19
    assert found["query_in_dataset"] is None
    assert main(["--workspace", str(workspace.root), "search", "--dataset", "tiny", "--run", run_id,
                 "--query-text", SENTENCES[1], "-k", "2"]) == 0  # one of its own: named, not among the 2
    found = json.loads(capsys.readouterr().out)
    assert found["query_in_dataset"]["index"] == 1 and [n["index"] != 1 for n in found["neighbours"]] == [True] * 2
    assert main(["--workspace", str(workspace.root), "fill", "--run", run_id, "--text", "no blank"]) == 1
    assert "no [MASK]" in capsys.readouterr().err


def test_mlm_simcse_adds_masked_words_to_pairs_of_a_masked_sentence_and_its_whole_self(tokenizer):
    torch.manual_seed(0)
    both = build_method("mlm_simcse", "text_transformer", 32).eval()  # no dropout: each part can be recomputed
    ids = torch.from_numpy(encode(tokenizer, SENTENCES[:8], max_tokens=12))
    views = text_recipe(None, "bert_mask", tokenizer.get_vocab_size())(ids, torch.Generator().manual_seed(0))
    loss, metrics = both.training_step(views)
    masked, states, _ = both.masked_word_loss(views)
    whole = ids[:, : states.shape[1]]
    pair, _ = sentence_pair_loss(both.encoder.forward_features(views.views[0]), both.encoder.forward_features(whole),
                                 both.temperature)
    assert float(loss) == pytest.approx(float(masked + pair), rel=1e-5)
    assert {"masked_accuracy", "positive_cosine"} <= set(metrics)
    assert metrics["positive_cosine"] < 0.999  # masked and whole differ: the pair is not one input twice


def test_a_mask_beyond_the_window_is_said_to_be_there_not_missing(tokenizer):
    """500 words then [MASK]: it said 'the text has no [MASK] to fill in'."""
    method = build_method("mlm", "text_transformer", 32).eval()
    with pytest.raises(FillError, match=r"^the \[MASK\] is beyond the 32-token window the model reads \(it is token "
                                        r"501, \[CLS\] being token 0\); shorten the text before it$"):
        fill(method, tokenizer, "cat " * 500 + "[MASK]")
    with pytest.raises(FillError, match=r"^1 of the 2 \[MASK\]s is beyond the 32-token window the model reads \(the "
                                        r"first at token 41, \[CLS\] being token 0\); shorten the text before it$"):
        fill(method, tokenizer, "[MASK] " + "cat " * 39 + "[MASK]")


def test_the_tokenizer_lower_cases_and_keeps_accents():
    """BERT's uncased normalisation also stripped accents: the Lab showed 'La Lune éclipse' as
    'la lune eclipse', 'pêche' and 'péché' were one word, and no accented word could be filled in."""
    french = train_tokenizer(["La Lune éclipse le Soleil", "la pêche et le péché"] * 20, vocab_size=80)
    ids = encode(french, ["La Lune ÉCLIPSE", "pêche", "péché"], max_tokens=8)
    assert decode(french, ids[0]) == "la lune éclipse"
    assert ids[1].tolist() != ids[2].tolist()


def test_a_text_longer_than_the_encoder_reads_is_counted_whole_and_the_tokenizer_still_cuts(tokenizer):
    """Walk 13: the Lab showed '4 of 30 pieces' of a 409-piece text, saying nothing of the rest."""
    from ssl_core.text.preview import masked_pieces, piece_count

    long = " ".join(["the cat sat on the mat"] * 20)
    whole = piece_count(tokenizer, long)
    assert whole >= 120 and len(masked_pieces(tokenizer, long, 0.15, 0)) == MAX_TOKENS - 2
    assert encode(tokenizer, [long, "the cat"]).shape == (2, MAX_TOKENS)  # the shared tokenizer still cuts and pads
    assert piece_count(tokenizer, "the cat") == 2


def test_runs_of_a_dataset_and_its_untrained_twin_read_with_one_tokenizer(workspace, tmp_path):
    """Walk 13: 7 runs of one corpus trained 7 vocabularies (the trainer breaks ties differently each
    time), so their untrained twins scored 53.6% to 62.9% kNN, and Evaluate's twin read with another."""
    from ssl_core.embed import untrained
    from ssl_core.text.kind import run_tokenizer, source_tokenizer

    text = "\n".join(f"{s} {n}" for s in SENTENCES for n in ("today", "again", "at noon", "slowly")).encode()
    ingest_uploads(workspace, [("a.txt", text)], name="corpus")
    info = workspace.dataset("corpus")
    first, second = (run_tokenizer(workspace, info, tmp_path / run).get_vocab() for run in ("one", "two"))
    twin = source_tokenizer(workspace, info, untrained("text_transformer", 0)).get_vocab()
    assert first == second == twin
    assert (tmp_path / "one" / TOKENIZER_FILE).exists()  # each run keeps its copy


def test_the_lab_hides_other_pieces_of_each_sentence_at_one_seed(tokenizer):
    """Walk 35: at seed 0 every sentence had its 2nd and 3rd pieces hidden (and the 12th where it had one), each as
    [MASK]: one seeded draw per position, the same for every sentence, read to students as BERT's random masking."""
    from ssl_core.text.preview import masked_pieces

    sentences = [f"the {animal} sat on the mat and looked at the {thing} for a while"
                 for animal in ("cat", "dog", "bird", "cow") for thing in ("door", "window", "garden")]
    hidden = {tuple(p["hidden"] for p in masked_pieces(tokenizer, text, 0.3, 0)) for text in sentences}
    assert len(hidden) > 3, hidden
    assert masked_pieces(tokenizer, sentences[0], 0.3, 0) == masked_pieces(tokenizer, sentences[0], 0.3, 0)
    assert masked_pieces(tokenizer, sentences[0], 0.3, 0) != masked_pieces(tokenizer, sentences[0], 0.3, 1)
