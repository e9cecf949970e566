"""Augmentation Lab: see exactly what the trainer will see."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import streamlit as st

from app import current
from app.collapse_note import collapse_note
from app.partner_charts import partner_bars, similarity_heatmap, view_labels
from app.recipe_form import handed_words, recipe_form, recipe_picker
from app.section_jump import PAIRS_BATCH, section
from app.sources import imported_choices, in_offered_order, loaded_encoder
from app.state import ASSETS, workspace
from app.text_lab import INTRO as TEXT_LAB_INTRO
from app.text_lab import text_lab
from app.view_detail import detail_words, imported_side
from app.why_neighbour import why_pair
from app.widgets import escape_markdown, framed, png_uri
from ssl_core import embed, jobs
from ssl_core.augment.preview import (
    PAIR_TEMPERATURE,
    TONES,
    UP,
    is_grey,
    is_pair_recipe,
    mae_reconstruction,
    pair_batch,
    partners_found,
    sample_views,
    smallest_share,
    what_changes_touch,
)
from ssl_core.checkpoint import load_trained
from ssl_core.run_names import names_told_apart, run_name
from ssl_core.words import listed
from ssl_core.augment.recipes import MAE, Rotation
from ssl_core.data.decode import RejectedFile, as_stored

VIEW_WIDTH = 112
UNTRAINED = "untrained encoder"
SAMPLES = {path.stem: path for path in sorted((ASSETS / "samples").glob("*.jpg"))}  # the Lab's sample photos


@st.cache_resource(show_spinner="Loading the trained encoder...", max_entries=4)
def trained(run_folder: str, checkpoint_time: float):
    """A run's trained method, loaded once per checkpoint."""
    return load_trained(Path(run_folder))


def run_choices(methods: tuple[str, ...] | None = None) -> dict[str, dict]:
    """Runs of this dataset that have a checkpoint, by id (optionally of some methods)."""
    return {run["id"]: run for run in jobs.list_runs(ws)
            if run["dataset"] == dataset.name and run["checkpoint"] and run["status"] != "running"
            and (methods is None or run["method"] in methods)}


def run_labels(runs: dict[str, dict]) -> dict[str, str]:
    """{run id: its name (told apart from its namesakes) and status} of `runs` (run_choices)."""
    return {key: f"{name} ({runs[key]['status']})" for key, name in names_told_apart(list(runs.values())).items()}


NO_NEGATIVES = {  # recipe -> how its method pairs two views without contrasting them with the batch
    "byol": "BYOL (Grill et al. 2020) trains without negatives: a predictor maps one view onto a slowly moving "
            "copy of the network's view of the other",
    "dino": "DINO (Caron et al. 2021) trains without negatives: each view's output is matched to a slowly "
            "moving teacher's, centred and sharpened",
}

SAME = "two random changes of the same picture must be recognised as *the same*"  # every pair recipe's puzzle
CONTRASTIVE = f"{SAME}, and every other picture as *different*"  # ... with negatives
PUZZLES = {  # recipe -> the label it makes (the Lab's opening sentence); a contrastive recipe: CONTRASTIVE
    "mae": "most of a picture is hidden and the model must paint the hidden patches back",
    "rotation": "a picture is turned by 0, 90, 180 or 270 degrees and the model must say which way",
    **dict.fromkeys(NO_NEGATIVES, SAME),
}


def lab_intro(recipe_name: str) -> str:
    """The Lab's opening words for the recipe `recipe_name`: the puzzle its method sets."""
    changes = ("The changes (the augmentations) decide what the model learns to ignore." if recipe_name != "mae"
               else "What is hidden, and how much, decides what the model must learn to infer.")
    return f"Self-supervised learning makes its own labels: {PUZZLES.get(recipe_name, CONTRASTIVE)}. {changes}"


def pair_caption(touched: list[str], recipe_name: str, grey: bool = False) -> str:
    """The views' caption: what these settings change (preview.what_changes_touch), so what a
    model trained to match two views learns to ignore, and SimCLR's finding on colour, which
    `grey` pictures (preview.is_grey) have none of."""
    model = "BYOL and DINO train a model" if recipe_name in NO_NEGATIVES else "A contrastive model is trained"
    lead = (f"Each view is the same picture changed at random. {model} to call "
            "any two views of one picture *the same*, so it learns to ignore what the changes touch")
    if not touched:
        return (f"{lead}; these settings change nothing, so the two views are the same picture and "
                f"the puzzle teaches nothing.")
    changes = listed(touched) + ("" if UP not in touched else
                                 ". Turned views teach it that up does not matter: meant for pictures with no up, "
                                 "such as cells or tiles seen from above; where up tells kinds apart it merges them "
                                 "(a 6 turned is a 9)")
    if grey:
        return (f"{lead}: here {changes}. These pictures are grey: colour jitter changes only their "
                f"{TONES}, and random grayscale changes nothing.")
    if "colour" in touched:
        return (f"{lead}: here {changes}. Beside crops, colour changes mattered most in SimCLR's study "
                f"(Chen et al. 2020): without them, matching colours alone tells two views of one "
                f"picture from all the others. Where a colour tells kinds apart in your pictures (a stain, a "
                f"ripe fruit), lower jitter and gray p here, or the model learns to ignore it.")  # walk 39: stains
    return (f"{lead}: here {changes}. These settings leave colour alone, so two views of one picture "
            f"share their colours, and matching colours alone may solve the puzzle (SimCLR's finding, "
            f"Chen et al. 2020).")


def run_temperature(method) -> float | None:
    """The temperature of a run's contrastive loss (SimCLR 0.1, MoCo 0.2), None for a method
    without one (BYOL, DINO, ...)."""
    return getattr(getattr(method, "loss", None), "temperature", None)


def checkpoint_time(run: dict) -> float:
    return (jobs.run_dir(ws, run["id"]) / "checkpoint.safetensors").stat().st_mtime


def load_run(run: dict):
    return trained(str(jobs.run_dir(ws, run["id"])), checkpoint_time(run))


@st.cache_resource(show_spinner=False, max_entries=16)
def grey_dataset(dataset_id: str, _images: np.ndarray) -> bool:
    """preview.is_grey of a dataset's stored images (its thumbnails are padded in colour), read
    once per dataset."""
    return is_grey(_images)


@st.cache_data(show_spinner=False, max_entries=32)
def imported_sides(dataset_id: str, _info) -> int | None:
    """The median side of dataset `_info`'s pictures as imported and trimmed that became its stored square (the short
    side cut to a centre square, the long one padded), read once per dataset id: its images never change after
    import."""
    side = max if _info.fit == "pad" else min
    return imported_side([side(shape) for shape in ws.kept_shapes(_info)])


def digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=32)
def drawn_views(dataset_id: str, recipe_key: str, image_key: str, draws: int, seed: int, _recipe,
                _image: np.ndarray) -> list[str]:
    """The framed image (1, S, S, 3) and its sample_views as PNG data URIs (original first),
    drawn and encoded once per dataset, recipe settings, image, draws and seed (the same
    seed gives the same views), not on every rerun."""
    return [png_uri(image) for image in framed([_image[0], *sample_views(_recipe, _image, draws, seed)[0]])]


@st.cache_resource(show_spinner=False, max_entries=32)
def drawn_batch(dataset_id: str, recipe_key: str, rows_key: str, seed: int, encoder_key: str, _recipe,
                _images: np.ndarray, _encoder=None, _size: int | None = None,
                temperature: float = PAIR_TEMPERATURE):
    """pair_batch of the images (N, S, S, 3) at rows `rows_key`, through the encoder named
    by `encoder_key` (a run and its checkpoint time, or the seeded untrained one), at
    `temperature`, and its framed views as PNG data URIs [(a, b)] * N; made once per key,
    not on every rerun."""
    batch = pair_batch(_recipe, _images, seed, _encoder, _size, temperature)
    return batch, [(png_uri(a), png_uri(b)) for a, b in zip(framed(batch.view_a), framed(batch.view_b))]

ws = workspace()
st.title("Augmentation Lab")
intro = st.empty()  # its words are the picked dataset's kind's

top = st.columns([2, 3, 1.3])  # "New draw" fits at 1024 px
dataset = current.pick_dataset(top[0], ws, "lab_dataset")
if dataset.kind == "text":  # a text dataset's Lab: its masking and fill in the blank (app/text_lab.py)
    intro.caption(TEXT_LAB_INTRO)
    text_lab(ws, dataset, int(st.session_state.get("lab_seed", 0)))
    st.stop()
name = recipe_picker(top[1])
intro.caption(lab_intro(name))
if "lab_seed" not in st.session_state:
    st.session_state["lab_seed"] = 0
top[2].number_input("Seed", min_value=0, step=1, key="lab_seed",
                    help="The same seed gives the same views: a preview can be reproduced.")
top[2].button("New draw", icon=":material/casino:",
              on_click=lambda: st.session_state.update(lab_seed=st.session_state["lab_seed"] + 1))
seed = int(st.session_state["lab_seed"])

controls, stage = st.columns([1, 3], gap="large")
with controls:
    st.markdown("**Parameters**")
    handed = st.empty()  # above the sliders: the values the Diagnosis set (walk 18: unsaid)
    recipe = recipe_form(name)
    recipe_key = json.dumps(recipe.to_dict(), sort_keys=True)
    if said := handed_words(recipe):
        handed.caption(said)
    st.caption(f"Defaults from {escape_markdown(recipe.paper)}.")

images = ws.images(dataset)
with stage:
    st.subheader("One image, many views")
    pick, upload, draws_col = st.columns([1, 2, 1])
    index = int(pick.number_input("Image #", 0, len(images) - 1, 0, key="lab_index"))
    sample = pick.selectbox("...or a sample photo", list(SAMPLES), index=None, key="lab_sample",
                            placeholder="none", help="Photographs that ship with scikit-image.")
    own = upload.file_uploader("...or your own image", type=["jpg", "jpeg", "png", "webp", "bmp",
                                                             "tif", "tiff", "gif"], key="lab_upload")
    draws = int(draws_col.slider("Draws", 1, 8, 4, help="How many random versions of each view"))
    chosen = images_row = np.array(images[index : index + 1])
    if own is not None or sample:  # an upload, else a sample photo, else the dataset's image
        data, shown = (own.getvalue(), own.name) if own is not None else (SAMPLES[sample].read_bytes(), sample)
        try:
            chosen = as_stored(data, dataset)[None]
        except RejectedFile as exc:
            st.error(f"{escape_markdown(shown)}: {escape_markdown(str(exc))}; the views below are of the dataset's "
                     f"image #{index}.")
    image_key = f"row {index}" if chosen is images_row else "upload " + digest(chosen)
    try:
        views = drawn_views(dataset.id, recipe_key, image_key, draws, seed, recipe, chosen)
    except ValueError as exc:
        st.error(escape_markdown(str(exc)))
        st.stop()
    st.image(views[0], caption="original", width=VIEW_WIDTH)
    names = recipe.view_names()
    per_view = [views[1 + v * draws : 1 + (v + 1) * draws] for v in range(len(names))]
    # views whose draws are all one picture, shown once (walk 37: rotation's four identical draws of each turn, a row
    # each); where every view is so, in one row
    fixed = [name for name, drawn in zip(names, per_view) if draws > 1 and len(set(drawn)) == 1]
    rows = [([drawn[0] for drawn in per_view], names)] if len(fixed) == len(names) else [
        (drawn[:1], [name]) if name in fixed else (drawn, [f"{name} · draw {d + 1}" if draws > 1 else name
                                                          for d in range(draws)])
        for name, drawn in zip(names, per_view)]
    for drawn, captions in rows:
        st.image(drawn, width=VIEW_WIDTH, caption=captions)
    if fixed:
        st.caption(f"The {draws} draws of {'each of ' if len(fixed) > 1 else ''}{listed(fixed)} were one picture, "
                   "shown once: these settings leave nothing random in " + ("it." if len(fixed) == 1 else "them."))
    if isinstance(recipe, MAE):
        st.caption("Masked prediction: grey squares are the hidden patches. The model sees only "
                   "the rest and must paint the hidden ones back, so it has to understand what "
                   "objects look like, not just match colours.")
        mae_runs = run_choices(("mae",))
        if mae_runs:
            chosen_run = st.selectbox("Reconstruct with the MAE run", list(mae_runs), key="lab_mae_run",
                                      format_func=run_labels(mae_runs).get)
            method, _ = load_run(mae_runs[chosen_run])
            original, masked, rebuilt = mae_reconstruction(method, recipe, chosen[0], seed)
            st.image(framed([original, masked, rebuilt]), width=VIEW_WIDTH * 2,
                     caption=["what the model should see", "what it is shown", "what it paints back"])
        else:
            st.caption("Train an MAE run on this dataset (Train page) to see it paint the patches back.")
    elif isinstance(recipe, Rotation):
        st.caption("Rotation prediction: the model is shown one of the four turns and must say "
                   "which (the label under each). To know which way is up it must recognise "
                   "the object, where it has an up: a round or symmetric one looks alike turned, and its "
                   "turns teach little.")  # walk 39: said of round nuclei
    else:
        grey = grey_dataset(dataset.id, ws.images(dataset))
        st.caption(pair_caption(what_changes_touch(recipe, grey), name, grey))
        st.caption(detail_words(imported_sides(dataset.id, dataset), dataset.size_px, smallest_share(recipe)))

if is_pair_recipe(recipe) and len(images) < 2:
    section("A batch: find the partner", PAIRS_BATCH)
    st.info(f"A batch needs at least two images: {escape_markdown(dataset.name)} has one, so there are no "
            "negatives to tell its two views from, and finding the partner proves nothing. Import more images "
            "on the Data page.", icon=":material/info:")
elif is_pair_recipe(recipe):
    section("A batch: find the partner", PAIRS_BATCH)
    st.caption((f"{NO_NEGATIVES[name]}. Below, the contrastive version of the puzzle (SimCLR, MoCo) on these "
                "views: " if name in NO_NEGATIVES else "")
               + "Each picture in the batch gives two views (a positive pair, linked by its number). "
               "For every view, the model must pick its partner out of the crowd: all other "
               "views in the batch are negatives.")
    n = int(st.slider("Images in the batch", 2, 12, 8, key="lab_batch"))
    if n > len(images):
        st.caption(f"{escape_markdown(dataset.name)} has {len(images):,} images, so the batch holds all "
                   f"{len(images):,}.")
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(images), size=min(n, len(images)), replace=False))
    runs = run_choices()
    imported = imported_choices(ws, dataset)  # {source key: (name, source)}
    offered = {UNTRAINED: UNTRAINED, **run_labels(runs), **{key: name for key, (name, _) in imported.items()}}
    if st.session_state.get("lab_encoder") not in offered:  # the current encoder, else the run the pickers offer
        first = current.first_choice([run["id"] for run in in_offered_order(list(runs.values()))]) if runs else None
        st.session_state["lab_encoder"] = (current.encoder_key() if current.encoder_key() in offered  # first: walk 27
                                           else first or UNTRAINED)  # saw the untrained one
    encoder_label = st.selectbox("Encoder for the similarities", list(offered), key="lab_encoder",
                                 format_func=offered.get,
                                 help="An untrained encoder, the encoder of a run trained on this dataset (its "
                                      "views are rendered at its training size) or an imported encoder (at its "
                                      "input side). It opens on the encoder picked on another page, else on the "
                                      "newest run.")
    run_t = None  # the temperature of the picked run's contrastive loss, if it has one
    if encoder_label == UNTRAINED:
        encoder_key = UNTRAINED
        batch, pair_uris = drawn_batch(dataset.id, recipe_key, digest(rows), seed, encoder_key, recipe,
                                       np.array(images[rows]))
    elif encoder_label in imported:
        shown_name, source = imported[encoder_label]
        if not source.has_network:
            st.info(f"{escape_markdown(shown_name)} is an embedding set: one vector per image of this dataset, "
                    "computed elsewhere, and no network, so it cannot see these new views. Pick a run or an "
                    "imported encoder to see their similarities.", icon=":material/info:")
            st.stop()
        encoder_key = f"{encoder_label} {embed.fingerprint(ws, dataset, source)}"
        batch, pair_uris = drawn_batch(dataset.id, recipe_key, digest(rows), seed, encoder_key, recipe,
                                       np.array(images[rows]),
                                       loaded_encoder(source.key, encoder_key, dataset.id, ws, source, dataset),
                                       source.image_size)
    else:
        collapse_note(ws, encoder_label, run_name(runs[encoder_label]), "the similarities below")
        method, meta = load_run(runs[encoder_label])
        encoder_key = f"{encoder_label} {checkpoint_time(runs[encoder_label])}"
        run_t = run_temperature(method)
        batch, pair_uris = drawn_batch(dataset.id, recipe_key, digest(rows), seed, encoder_key, recipe,
                                       np.array(images[rows]), method.encoder, meta["image_size"],
                                       run_t or PAIR_TEMPERATURE)
    n = len(rows)
    for start in range(0, n, 12):
        columns = st.columns(12)
        for i in range(start, min(start + 12, n)):
            columns[i - start].image(list(pair_uris[i]),
                                     caption=[f"pair {i} · a", f"pair {i} · b"], width="stretch")

    labels = view_labels(n)
    batch_key = f"{dataset.id} {recipe_key} {digest(rows)} {seed} {encoder_key}"
    heat, pick_col = st.columns([3, 2], gap="large")
    heat.plotly_chart(similarity_heatmap(batch_key=batch_key, _similarity=batch.similarity), key="lab_heatmap")
    found = partners_found(batch.similarity)
    this = "this untrained one" if encoder_label == UNTRAINED else "this one"
    heat.caption(f"Squares mark the positive pairs; the diagonal, each view with itself, is left blank. A trained "
                 f"encoder makes the squares the brightest cells of their row; {this} does so for "
                 f"{found} of the {2 * n} views (guessing would find about {2 * n / (2 * n - 1):.1f})."
                 + ("" if encoder_label not in runs else  # walk 33: 16 of 16 here, 'Nothing learned yet' on Train
                    f" Finding a view's partner is the task the run trained on; grouping pictures by what they show is "
                    f"another, which its verdict on the Train page reads: "
                    f"\"{escape_markdown(jobs.run_verdict(ws, encoder_label).headline)}\"."))

    at = (f"temperature {batch.temperature:g}, the run's" if run_t else
          f"temperature {batch.temperature:g}, the default run's (SimCLR)" +
          ("" if encoder_label == UNTRAINED or encoder_label in imported else "; this run's own loss has none"))
    pick_col.metric("NT-Xent loss of this batch", f"{batch.loss:.3f}",
                    help=f"At {at}, on the encoder's features: not the run's own loss, which compares its "
                         f"projection head's outputs. A random guess scores ln({2 * n - 1}) = "
                         f"{np.log(2 * n - 1):.3f}; lower is better.")
    row_label = pick_col.selectbox("Whose partner?", labels, key="lab_row")
    row = labels.index(row_label)
    pick_col.plotly_chart(partner_bars(batch_key=batch_key, row=row, _similarity=batch.similarity,
                                       _temperature=batch.temperature), key="lab_softmax")
    pick_col.caption(f"The softmax over the {2 * n - 1} candidates for {row_label}, at {at}, on the encoder's "
                     "features. Training raises the blue bar (the true partner) and lowers the rest.")
    pair = row % n
    st.markdown(f"**What the encoder finds alike in pair {pair}**")
    why_pair(batch.encoder, batch.view_a[pair], batch.view_b[pair], ("view a", "view b"),
             key=f"{batch_key} {pair}")
