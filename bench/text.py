"""Text: masked words and sentence neighbours on the built-in docstrings corpus.

1. Masked-word accuracy. The corpus is split by a seeded shuffle: 90% trains an `mlm` run
   through the job queue (the engine, its tokenizer trained on the training part only),
   10% is held out. On the held-out sentences 15% of the word pieces are replaced by
   [MASK] (seeded) and the run guesses them; the baseline always guesses the piece most
   frequent in the training part (the unigram-frequency guess; text/fill.py). The same for
   the `mlm_simcse` run, which guesses words too.
2. kNN (k=20, leave-one-out, cosine) on the hidden module-family labels of the training
   part, mean-pooled features of each trained run (mlm, simcse and mlm_simcse, the same budget)
   against the untrained text encoder read with the same tokenizer.
3. Training throughput, in real (non-padding) tokens per second, of the engine's MLM step
   against a plain Hugging Face `transformers` loop of the same size: BertForMaskedLM at
   the text encoder's width, layers and heads (FFN 4 x width), the same vocabulary, batch and sequence length,
   DataCollatorForLanguageModeling's 15% / 80-10-10 masking, AdamW. Steps alternate
   between the two and are timed in this process's CPU seconds.

Everything runs on one thread and each run's budget is CPU time, counted as bench/tune.py
counts it (one-thread CPU seconds scaled to a quiet 2-core machine's), so a busy machine
slows the bench down but does not shorten its runs.

    .venv/bin/python bench/text.py [--minutes 5] [--steps 8] [--batch 64] [--methods mlm,simcse,mlm_simcse]

The last line is `ratio: X.XX`, our tokens/s over the transformers loop's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tune import Quiet, cpu_clock  # noqa: E402

from ssl_core import embed, engine, jobs  # noqa: E402
from ssl_core.data.builtins.docstrings import make  # noqa: E402
from ssl_core.data.ingest import ingest_uploads  # noqa: E402
from ssl_core.engine import TrainConfig, Trainer  # noqa: E402
from ssl_core.evaluate import knn_accuracy  # noqa: E402
from ssl_core.store import Workspace  # noqa: E402
from ssl_core.text.fill import guesses_words, load_fill_model, masked_word_accuracy  # noqa: E402
from ssl_core.text.tokenizer import PAD, encode, load_tokenizer  # noqa: E402

HELD_OUT = 0.1


def split_corpus(ws: Workspace) -> tuple[list[str], list[str]]:
    """Ingest 90% of the docstrings as 'train' (JSONL, labels kept); return the held-out texts."""
    rows = list(make())
    order = np.random.default_rng(0).permutation(len(rows))
    cut = int(len(rows) * (1 - HELD_OUT))
    train = [rows[i] for i in order[:cut]]
    lines = "\n".join(json.dumps({"text": text, "label": label}) for _, text, label in train)
    ingest_uploads(ws, [("train.jsonl", lines.encode())], name="train")
    return [text for _, text, _ in train], [rows[i][1] for i in order[cut:]]


def train(ws: Workspace, method: str, minutes: float, batch: int) -> str:
    run_id = jobs.create_run(ws, TrainConfig(dataset="train", method=method, encoder="text_transformer",
                                             minutes=minutes, batch_size=batch, snapshot_every=0))
    result = jobs.execute(ws, run_id)
    print(f"  {method}: {result.steps} steps, final loss {result.final_loss:.3f}", file=sys.stderr)
    return run_id


def knn_of(ws: Workspace, source: embed.EncoderSource, codes: np.ndarray) -> float:
    return knn_accuracy(torch.from_numpy(np.array(embed.embed(ws, "train", source).features)), codes)


def untrained_with_tokenizer_of(ws: Workspace, run_id: str, codes: np.ndarray) -> float:
    """kNN of the untrained encoder reading the run's own tokenizer (the same ids)."""
    from ssl_core.data.text_ingest import load_texts

    encoder = embed.load_encoder(ws, embed.baseline_of(embed.from_run(ws, run_id)))
    ids = encode(load_tokenizer(jobs.run_dir(ws, run_id)), load_texts(ws, ws.dataset("train")))
    features = embed.compute_features(encoder, ids, 0, kind="text")
    return knn_accuracy(torch.from_numpy(features), codes)


def throughput(ws: Workspace, run_id: str, steps: int, batch: int) -> tuple[float, float]:
    """Real tokens/s of (the engine's MLM step, the transformers BERT loop), alternating steps."""
    from transformers import BertConfig, BertForMaskedLM, DataCollatorForLanguageModeling, PreTrainedTokenizerFast

    folder = jobs.run_dir(ws, run_id)
    tokenizer = load_tokenizer(folder)
    ids = jobs._dataset_arrays(ws, jobs.get_run(ws, run_id))[0]
    ours = Trainer(TrainConfig(dataset="train", method="mlm", encoder="text_transformer", epochs=100,
                               batch_size=batch, snapshot_every=0), ids, None, folder, Quiet())
    shape = ours.method.encoder.options()
    config = BertConfig(vocab_size=shape["vocab_size"], hidden_size=shape["width"], num_hidden_layers=shape["layers"],
                        num_attention_heads=shape["heads"], intermediate_size=4 * shape["width"],
                        max_position_embeddings=ids.shape[1], pad_token_id=PAD)
    bert = BertForMaskedLM(config).train()
    optimizer = torch.optim.AdamW(bert.parameters(), lr=1e-3)
    hf_tokenizer = PreTrainedTokenizerFast(tokenizer_object=tokenizer, mask_token="[MASK]", pad_token="[PAD]",
                                           cls_token="[CLS]", sep_token="[SEP]", unk_token="[UNK]")
    collator = DataCollatorForLanguageModeling(hf_tokenizer, mlm_probability=0.15)
    timed = {"ours": 0.0, "transformers": 0.0}
    tokens = 0
    for step in range(steps + 1):  # step 0 warms both up and is not counted
        rows = ids[(step * batch) % (len(ids) - batch):][:batch]
        real = int((rows != PAD).sum())
        start = time.process_time()
        ours.step = step
        ours.train_step(0.5)
        middle = time.process_time()
        collated = collator([{"input_ids": row[row != PAD].tolist()} for row in rows])
        loss = bert(input_ids=collated["input_ids"], attention_mask=collated["input_ids"] != PAD,
                    labels=collated["labels"]).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        end = time.process_time()
        if step:
            timed["ours"] += middle - start
            timed["transformers"] += end - middle
            tokens += real
    return tokens / timed["ours"], tokens / timed["transformers"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0,
                        help="CPU budget of each run, in quiet 2-core minutes (default 5)")
    parser.add_argument("--steps", type=int, default=8, help="timed steps per side for throughput (default 8)")
    parser.add_argument("--batch", type=int, default=64, help="batch of every run and of the throughput (default 64)")
    parser.add_argument("--methods", default="mlm,simcse,mlm_simcse",
                        help="the runs to train (default all three; the throughput needs mlm)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    engine.time = types.SimpleNamespace(monotonic=cpu_clock)  # the budget is CPU time
    with tempfile.TemporaryDirectory() as root:
        ws = Workspace(Path(root) / "ws")
        train_texts, held = split_corpus(ws)
        labels = ws.labels(ws.dataset("train"))
        classes = sorted(set(labels))
        codes = np.array([classes.index(label) for label in labels])
        print(f"docstrings: {len(train_texts)} training sentences, {len(held)} held out, "
              f"{len(classes)} families; {args.minutes:g} min per run at batch {args.batch}", file=sys.stderr)
        runs = {method: train(ws, method, args.minutes, args.batch) for method in args.methods.split(",")}
        guessed = {method: masked_word_accuracy(*load_fill_model(jobs.run_dir(ws, run)), held, train_texts)
                   for method, run in runs.items() if guesses_words(method)}
        knn = {method: knn_of(ws, embed.from_run(ws, run), codes) for method, run in runs.items()}
        knn_untrained = untrained_with_tokenizer_of(ws, next(iter(runs.values())), codes)
        print(f"{'measure':44} {'value':>10}")
        for method, (model, unigram, masked) in guessed.items():
            print(f"{f'masked-word accuracy, {method} (held out)':44} {model:10.3f}")
        if guessed:
            print(f"{'masked-word accuracy, unigram frequency':44} {unigram:10.3f}")
            print(f"{'masked pieces judged':44} {masked:10d}")
        for method, value in knn.items():
            print(f"{'kNN on families, ' + method:44} {value:10.3f}")
        print(f"{'kNN on families, untrained':44} {knn_untrained:10.3f}", flush=True)
        if "mlm" not in runs:
            return
        try:
            ours, theirs = throughput(ws, runs["mlm"], args.steps, args.batch)
        except ImportError:
            print("transformers is not installed: no throughput baseline (pip install transformers)")
            return
        print(f"{'tokens/s, ours (engine MLM step)':44} {ours:10.0f}")
        print(f"{'tokens/s, transformers BertForMaskedLM':44} {theirs:10.0f}")
        print(f"ratio: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
