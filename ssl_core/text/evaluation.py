"""What evaluating an encoder on text needs beyond its features (N, D): the text kind's
evaluation hooks (TextKind.evaluation), read by evaluate/report.py as the image ones are.

Items are token ids (N, MAX_TOKENS) by the source's tokenizer. The baseline every text
encoder has to beat, where images use raw pixels, is a bag of words: TF-IDF (scikit-learn's
TfidfVectorizer) over the dataset's BASELINE_WORDS most frequent words. Positive pairs
for alignment and neighbour stability are two independent BERT maskings (15% of the
pieces, masking.py) of each sentence: how much an embedding moves when a few words are
hidden. There is no shortcut check (its cues are colour, brightness, layout: pixels), no
network trained from scratch, and no label-free verdict (its rule is calibrated on
images' pixel neighbours): without labels a text encoder is not judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer

from ..augment import Views
from ..kind_words import JUDGED_WITHOUT_LABELS, UNITS
from ..store import DatasetInfo, Workspace
from .masking import mask_tokens

if TYPE_CHECKING:
    from ..embed import EncoderSource, Progress
    from ..evaluate.report import EvaluateConfig

BASELINE_WORDS = 2048  # columns of the TF-IDF baseline: the most frequent words
HIDDEN_SHARE = 0.15  # of the pieces hidden in each view of the label-free metrics (BERT's)


def tfidf(texts: list[str], words: int = BASELINE_WORDS) -> np.ndarray:
    """float32 (N, <= words): TF-IDF rows (sublinear counts, L2-normalised) of `texts` over
    their `words` most frequent words, English stop words kept (a docstring's 'return' or
    'file' says what it is about)."""
    vectorizer = TfidfVectorizer(max_features=words, sublinear_tf=True, dtype=np.float32)
    return vectorizer.fit_transform(texts).toarray()


class TwoMaskings:
    """A pair of views of token ids (N, L): each sentence with HIDDEN_SHARE of its pieces
    hidden by BERT's masking, twice, independently (row i of both is sentence i)."""

    name = "two_maskings"

    def __init__(self, vocab_size: int) -> None:
        self.vocab_size = vocab_size

    def __call__(self, batch: torch.Tensor, gen: torch.Generator, size: int | None = None) -> Views:
        return Views([mask_tokens(batch, gen, self.vocab_size, HIDDEN_SHARE)[0] for _ in range(2)])


class TextEvaluation:
    baseline_name = "TF-IDF"  # the curve and the verdict's words when there is no twin
    unit = UNITS["text"]  # what the verdict's sentence counts
    views = "maskings (copies with some word pieces hidden at random)"  # TwoMaskings, in explanations
    cheap_name = "TF-IDF word weights"  # what the cheap neighbours (`cheap_neighbours`) are found from
    from_scratch = False  # no network trained from scratch on the labels
    advised = False  # no advice rule is calibrated on text runs (they read image recipes and pixels)
    judged_without_labels = JUDGED_WITHOUT_LABELS["text"]  # the label-free rule: calibrated on images' pixels

    def items(self, ws: Workspace, info: DatasetInfo, source: EncoderSource) -> np.ndarray:
        """Token ids int64 (N, MAX_TOKENS) by `source`'s tokenizer."""
        from .kind import TextKind

        return TextKind().embedding_items(ws, info, source)

    def baseline(self, ws: Workspace, info: DatasetInfo, items: np.ndarray, config: EvaluateConfig) -> np.ndarray:
        """TF-IDF rows (N, <= BASELINE_WORDS) of the dataset's texts."""
        from ..data.text_ingest import load_texts

        return tfidf(load_texts(ws, info))

    def view_pairs(self, encoder: torch.nn.Module, items: np.ndarray, source: EncoderSource, config: EvaluateConfig,
                   device: str, progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Features (M, D) of two maskings of each of `items` (M, L); random replacements
        come from the pieces the items use."""
        from ..evaluate.views import view_features

        return view_features(encoder, items, TwoMaskings(int(items.max()) + 1), 0, config.seed, device=device,
                             progress=progress)

    def shortcut(self, features: np.ndarray, items: np.ndarray, labels: object, config: EvaluateConfig,
                 made_by: str) -> None:
        return None  # the cues are pixel statistics

    def cheap_neighbours(self, items: np.ndarray, k: int, queries: np.ndarray) -> None:
        return None  # no calibrated label-free rule for text
