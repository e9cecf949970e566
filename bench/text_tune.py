"""Tuning the text default: every candidate setting, the same compute, two corpora.

For each corpus and each variant (method, vocabulary, sequence length, model shape,
learning rate, batch, mask ratio, SimCSE temperature, pooling), a tokenizer is trained on
90% of the sentences (seeded split), the engine trains for the same CPU budget as
bench/tune.py counts it (one-thread CPU seconds scaled to a quiet 2-core machine), and:
- the masked-word accuracy on the held-out 10% (text/fill.masked_word_accuracy) beside
  the unigram-frequency guess (mlm variants only);
- kNN (k=20, cosine, leave-one-out) on the hidden labels of the training part, learnt
  features beside the same network before its first step (same tokenizer, same pooling).
Corpora: `docstrings` (the built-in: standard-library docstrings by module family) and
`packages`, made here as a check that a setting is not tuned to one corpus: the first
docstring paragraphs of installed third-party packages, labelled by package.

    .venv/bin/python bench/text_tune.py [--minutes 2] [--corpora docstrings,packages] \
        [--variants default,vocab512]

One row per (corpus, variant): steps, masked-word accuracy, unigram, kNN, untrained, gain.
The last line is `ratio: X.XX`: the default's kNN gain over the untrained encoder divided
by the goal's 0.15 on the corpus where the gain is smallest.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tune import Quiet, cpu_clock  # noqa: E402

from ssl_core import engine  # noqa: E402
from ssl_core.data.builtins import docstrings  # noqa: E402
from ssl_core.embed import compute_features  # noqa: E402
from ssl_core.engine import TrainConfig, Trainer  # noqa: E402
from ssl_core.evaluate import knn_accuracy  # noqa: E402
from ssl_core.text.fill import masked_word_accuracy  # noqa: E402
from ssl_core.text.tokenizer import encode, save_tokenizer, train_tokenizer  # noqa: E402

HELD_OUT = 0.1
GOAL_GAIN = 0.15
PACKAGES = ("networkx", "sympy", "PIL", "aiohttp", "pandas", "sklearn")  # the `packages` corpus's labels
DEFAULT: dict[str, Any] = dict(method="mlm_simcse", vocab=2048, max_tokens=32, lr=None, warmup=0.05, batch=64,
                               mask_ratio=0.15, temperature=None, encoder={})  # None: the method's default
VARIANTS: dict[str, dict[str, Any]] = {  # rows before the defaults moved set temperature 0.05 and 4 layers
    "default": {},
    "previous": dict(method="mlm", encoder={"layers": 4}),  # mlm before this round
    "mlm": dict(method="mlm"),  # the text default until mlm_simcse (5 minutes: kNN +0.176 / +0.250)
    "previous_simcse": dict(method="simcse", temperature=0.05, lr=2e-3, encoder={"layers": 4}),
    "simcse": dict(method="simcse"),
    "vocab512": dict(vocab=512),
    "vocab1024": dict(vocab=1024),
    "mask30": dict(mask_ratio=0.3),
    "lr2e-3": dict(lr=2e-3),
    "lr1e-2": dict(lr=1e-2),
    "batch128": dict(batch=128),
    "small": dict(encoder={"layers": 2}),
    "wide": dict(encoder={"width": 256, "heads": 4, "layers": 2}),
    "simcse_cls": dict(method="simcse", encoder={"pooling": "cls"}),
    "simcse_t10": dict(method="simcse", temperature=0.1),
    "simcse_lr5e-4": dict(method="simcse", lr=5e-4),
    "simcse_b128": dict(method="simcse", batch=128),
    "simcse_small": dict(method="simcse", encoder={"layers": 2}),
    "simcse_vocab1024": dict(method="simcse", vocab=1024),
    "simcse_t20": dict(method="simcse", temperature=0.2),
    "simcse_t10_small": dict(method="simcse", temperature=0.1, encoder={"layers": 2}),
    "simcse_t10_lr5e-3": dict(method="simcse", temperature=0.1, lr=5e-3),
    "simcse_t10_cls": dict(method="simcse", temperature=0.1, encoder={"pooling": "cls"}),
    "lr2e-2": dict(lr=2e-2),
    "small_lr1e-2": dict(lr=1e-2, encoder={"layers": 2}),
    "mlm_small_mask30": dict(mask_ratio=0.3, encoder={"layers": 2}),
    "mlm_small_mask30_lr1e-2": dict(mask_ratio=0.3, lr=1e-2, encoder={"layers": 2}),
    "simcse_best": dict(method="simcse", temperature=0.1, lr=5e-3, encoder={"layers": 2}),
}


def site_corpus() -> list[tuple[str, str, str]]:
    """(name, sentence, package): up to PER_FAMILY first docstring paragraphs per package
    of PACKAGES, read as the built-in docstrings corpus reads the standard library."""
    root = Path(np.__file__).resolve().parents[1]
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for package in PACKAGES:
        found = ((f"{path.relative_to(root)}:{n}", sentence, package)
                 for path in sorted((root / package).rglob("*.py")) if "tests" not in path.parts
                 for n, sentence in enumerate(docstrings._first_paragraphs(path), start=1))
        fresh = (row for row in found if row[1] not in seen and not seen.add(row[1]))
        rows += itertools.islice(fresh, docstrings.PER_FAMILY)
    return rows


CORPORA: dict[str, Callable[[], list[tuple[str, str, str]]]] = {
    "docstrings": lambda: list(docstrings.make()), "packages": site_corpus}


def split(rows: list[tuple[str, str, str]]) -> tuple[list[str], np.ndarray, list[str]]:
    """(training texts, their label codes, held-out texts) by a seeded shuffle."""
    order = np.random.default_rng(0).permutation(len(rows))
    cut = int(len(rows) * (1 - HELD_OUT))
    classes = sorted({label for _, _, label in rows})
    return ([rows[i][1] for i in order[:cut]], np.array([classes.index(rows[i][2]) for i in order[:cut]]),
            [rows[i][1] for i in order[cut:]])


@torch.no_grad()
def knn_of(method: torch.nn.Module, ids: np.ndarray, codes: np.ndarray) -> float:
    method.eval()
    features = compute_features(method.encoder, ids, 0, kind="text")
    method.train()
    return knn_accuracy(torch.from_numpy(features), torch.from_numpy(codes))


def trial(corpus: tuple[list[str], np.ndarray, list[str]], name: str, minutes: float, run_dir: Path) -> dict:
    s = {**DEFAULT, **VARIANTS[name]}
    texts, codes, held = corpus
    tokenizer = train_tokenizer(texts, s["vocab"])
    run_dir.mkdir(parents=True, exist_ok=True)
    save_tokenizer(tokenizer, run_dir)
    ids = encode(tokenizer, texts, s["max_tokens"])
    recipe = {"name": "bert_mask", "mask_ratio": s["mask_ratio"]} if s["method"] in ("mlm", "mlm_simcse") else None
    config = TrainConfig(dataset="bench", method=s["method"], encoder="text_transformer", minutes=minutes,
                         batch_size=s["batch"], lr=s["lr"], warmup=s["warmup"], recipe=recipe, snapshot_every=0,
                         checkpoint_every=10**9, monitor_every=10**9,
                         encoder_options={"vocab_size": s["vocab"], "max_tokens": s["max_tokens"], **s["encoder"]})
    trainer = Trainer(config, ids, codes, run_dir, Quiet())
    if s["temperature"] is not None:
        trainer.method.temperature = s["temperature"]
    untrained = knn_of(trainer.method, ids, codes)
    result = trainer.run()
    out = {"steps": result.steps, "knn": knn_of(trainer.method, ids, codes), "untrained": untrained,
           "masked": float("nan"), "unigram": float("nan")}
    if hasattr(trainer.method, "token_scores"):
        trainer.method.eval()
        out["masked"], out["unigram"], _ = masked_word_accuracy(trainer.method, tokenizer, held, texts,
                                                                s["max_tokens"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="CPU budget of each trial (quiet 2-core minutes)")
    parser.add_argument("--corpora", default="docstrings,packages")
    parser.add_argument("--variants", default="default")
    args = parser.parse_args()
    unknown = set(args.variants.split(",")) - set(VARIANTS)
    if unknown:
        parser.error(f"no variant {', '.join(sorted(unknown))}; choose from {', '.join(VARIANTS)}")
    torch.set_num_threads(1)
    engine.time = types.SimpleNamespace(monotonic=cpu_clock)  # the budget is CPU time
    gains: dict[str, float] = {}
    print(f"{'corpus':12}{'variant':18}{'steps':>7}{'masked':>8}{'unigram':>8}{'kNN':>7}{'untr.':>7}{'gain':>7}",
          flush=True)
    with tempfile.TemporaryDirectory() as root:
        for corpus_name in args.corpora.split(","):
            corpus = split(CORPORA[corpus_name]())
            for variant in args.variants.split(","):
                r = trial(corpus, variant, args.minutes, Path(root) / corpus_name / variant)
                print(f"{corpus_name:12}{variant:18}{r['steps']:>7}{r['masked']:>8.3f}{r['unigram']:>8.3f}"
                      f"{r['knn']:>7.3f}{r['untrained']:>7.3f}{r['knn'] - r['untrained']:>+7.3f}", flush=True)
                if variant == "default":
                    gains[corpus_name] = r["knn"] - r["untrained"]
    if gains:
        print(f"ratio: {min(gains.values()) / GOAL_GAIN:.2f}")


if __name__ == "__main__":
    main()
