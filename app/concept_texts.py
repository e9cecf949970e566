"""The Concepts page's ideas in plain words, per kind of dataset: pictures (the image
methods' puzzles) and sentences (masked language modelling and SimCSE), each with the page
where it happens live; and what the page's "surface" baseline is for each kind (raw pixels,
TF-IDF word weights), which PCA and k-means rearrange without learning anything."""

from __future__ import annotations

from dataclasses import dataclass

from app.recipe_form import LAB_RECIPE
from app.section_jump import FILL_IN, JUMP_TO, LABEL_EFFICIENCY, PAIRS_BATCH

# (title, explanation, button label, page, {session key: value} set before the jump)
IMAGE_CONCEPTS = [
    ("A pretext task: labels the data makes itself",
     "Nobody labels the pictures. Instead the computer invents a puzzle it can check by itself: "
     "take one picture, change it twice at random (crop, flip, recolour) and ask the network to "
     "recognise the two versions as the same picture. Solving that puzzle over and over forces it to "
     "notice what a picture shows, not how it was changed.",
     "See the random changes", "../pages/augment_lab.py", {}),
    ("Positive and negative pairs",
     "The two versions of one picture are a *positive pair*: their features should point the same way. "
     "Every other picture in the batch is a *negative*: its features should point elsewhere. The loss "
     "(NT-Xent) is a multiple-choice test: for each view, pick its partner among all the others.",
     "See a batch of pairs and its similarity heatmap", "../pages/augment_lab.py", {JUMP_TO: PAIRS_BATCH}),
    ("Masked prediction",
     "Another puzzle: hide three quarters of a picture in patches and ask the network to paint them "
     "back (MAE). To fill in a hidden wheel it has to know what cars look like.",
     "See pictures with hidden patches", "../pages/augment_lab.py", {LAB_RECIPE: {"name": "mae"}}),
    ("Training an encoder",
     "The network that turns a picture into a list of numbers (its *features*) is the *encoder*. "
     "Training runs the puzzle for minutes to hours; the loss falls as the puzzle gets easier for it.",
     "Train one", "../pages/train.py", {}),
    ("Why the encoder's features are reused",
     "Once trained, the puzzle is thrown away and the encoder is kept: pictures with similar content get "
     "similar features, so finding look-alikes, grouping or classifying become simple geometry on them.",
     "Find look-alikes with it", "../pages/retrieval.py", {}),
    ("A map of what it learned",
     "A hundred or more numbers per picture are squeezed onto a flat map (UMAP) that keeps neighbours "
     "together. An untrained network's map often sorts pictures by colour and brightness; training is "
     "meant to sort them by what they show. Whether it did on this dataset is measured, not assumed:",
     "Compare the maps before and after training", "../pages/explorer.py", {}),
    ("Label efficiency",
     "The payoff: with good features, a handful of labelled examples is enough to teach a classifier. "
     "The curve shows accuracy against the share of labels used, for the trained encoder, the untrained "
     "one, raw pixels and a network trained from scratch on the same labels.",
     "See the label-efficiency curve", "../pages/evaluate.py", {JUMP_TO: LABEL_EFFICIENCY}),
]

TEXT_CONCEPTS = [
    ("A pretext task: labels the data makes itself",
     "Nobody labels the sentences. Instead the computer invents puzzles it can check by itself from the text "
     "alone: recognise a sentence read twice among all the others, or hide some of its words and guess them "
     "back (the next two ideas). Solving them over and over forces it to learn which words go together and "
     "what a sentence is about.",
     "See words hidden and guessed", "../pages/augment_lab.py", {}),
    ("Positive and negative pairs",
     "Another puzzle reads every sentence twice through the network with different random dropout (SimCSE): "
     "the two readings are a *positive pair* whose features should point the same way, and every other "
     "sentence in the batch is a *negative* whose features should point elsewhere.",
     "See a batch of dropout pairs and its similarity heatmap", "../pages/augment_lab.py", {JUMP_TO: PAIRS_BATCH}),
    ("Masked prediction",
     "BERT hides 15% of the word pieces: most become [MASK], some a random piece, some stay as they were, "
     "and the network must say which piece stood there. To fill in \"the ___ barked\" it has to know "
     "what barks.",
     "Fill in a blank yourself", "../pages/augment_lab.py", {JUMP_TO: FILL_IN}),
    ("Training an encoder",
     "The network that turns a sentence into a list of numbers (its *features*) is the *encoder*. "
     "Training runs the puzzle for minutes to hours; the loss falls as the puzzle gets easier for it.",
     "Train one", "../pages/train.py", {}),
    ("Why the encoder's features are reused",
     "Once trained, the puzzle is thrown away and the encoder is kept: sentences about the same thing get "
     "similar features, even when they share few words, so search, grouping or classifying become simple "
     "geometry on them.",
     "Search the sentences with it", "../pages/retrieval.py", {}),
    ("A map of what it learned",
     "A hundred or more numbers per sentence are squeezed onto a flat map (UMAP) that keeps neighbours together. "
     "Counting words (TF-IDF) sorts sentences by the words they share; training is meant to sort them by "
     "what they are about. Whether it did on this dataset is measured, not assumed:",
     "Compare the maps before and after training", "../pages/explorer.py", {}),
    ("Label efficiency",
     "The payoff: with good features, a handful of labelled examples is enough to teach a classifier. "
     "The curve shows accuracy against the share of labels used, for the trained encoder, the untrained "
     "one and word counts (TF-IDF) on the same labels.",
     "See the label-efficiency curve", "../pages/evaluate.py", {JUMP_TO: LABEL_EFFICIENCY}),
]


@dataclass(frozen=True)
class Surface:
    """What PCA and k-means rearrange on a kind of dataset, in the page's words."""
    name: str  # the features: "raw pixels", "TF-IDF word weights"
    short: str  # in a map's title, a third of the page wide
    items: str  # what the dataset holds: "pictures", "sentences"
    alike: str  # what grouping by them finds alike
    puzzles: str  # what the puzzles train the encoder to do


SURFACES = {
    "image": Surface("raw pixels", "the raw pixels", "pictures",
                     "pictures that *look* alike (same colours, same brightness)",
                     "ignore the differences that do not matter"),
    # walk 35: 'to ignore which words were used, keeping what they say', beside k-means groups of TF-IDF at 0.97
    # against the encoder's 0.29: hidden words and dropout pairs teach neither
    "text": Surface("TF-IDF word weights", "TF-IDF", "sentences", "sentences that *share words*, whatever they mean",
                    "guess a hidden word from the words around it and tell each sentence from the others"),
}
CONCEPTS = {"image": IMAGE_CONCEPTS, "text": TEXT_CONCEPTS}
