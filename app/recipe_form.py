"""Widgets for any recipe, built from its dataclass fields and their metadata; and what the
Lab hands over to the Train page: only what was changed there.

The Lab opens on the default recipe of the method chosen on the Train page (SimCLR's:
`simclr_multicrop`). `LAB_RECIPE` holds `{"name": recipe, **changed parameters}` only while
the Lab's recipe or a parameter differs from that default; opening and leaving the Lab
changes nothing the Train page will use. The Diagnosis hands a recipe over the same way;
`RECIPE_FROM` names who did, for the Train page to say.
"""

from __future__ import annotations

from dataclasses import fields

import streamlit as st

from ssl_core.augment import RECIPES, Recipe, make_recipe
from ssl_core.methods import METHODS

LAB_RECIPE = "lab_recipe"  # session key: the recipe and the parameters changed in the Lab (a dict)
RECIPE_FROM = "lab_recipe_from"  # session key: who handed LAB_RECIPE over, as the Train page names it
LAB = "the Augmentation Lab"
METHOD_KEY = "train_method"  # the Train page's method picker, kept across pages (app.current.KEPT)


def method_default_recipe() -> str:
    """The default recipe of the method chosen on the Train page (SimCLR's before any choice)."""
    return METHODS[st.session_state.get(METHOD_KEY, next(iter(METHODS)))].default_recipe


def recipe_picker(container=st) -> str:
    """A select box over RECIPES with each recipe's one-line description, on the recipe
    handed over from the Lab before, else the chosen method's default."""
    names = list(RECIPES)
    saved = st.session_state.get(LAB_RECIPE, {}).get("name", method_default_recipe())
    index = names.index(saved) if saved in names else 0  # a text method's default (bert_mask) is no image recipe
    return container.selectbox("Recipe", names, index=index, key="lab_recipe_name",
                               format_func=lambda n: f"{n}: {RECIPES[n].description}")


def changed(recipe: Recipe) -> dict:
    """`{"name": ..., parameter: value}` of the parameters of `recipe` that differ from its defaults."""
    defaults = make_recipe(recipe.name).to_dict()
    return {key: value for key, value in recipe.to_dict().items() if key == "name" or value != defaults[key]}


def recipe_form(name: str, container=st) -> Recipe:
    """Sliders for every parameter of recipe `name`; returns the recipe they describe and
    hands over to the Train page what differs from the method's default recipe."""
    defaults = make_recipe(name)
    saved = st.session_state.get(LAB_RECIPE, {})
    values = {}
    for spec in fields(defaults):  # type: ignore[arg-type]
        meta = spec.metadata
        default = saved.get(spec.name, spec.default) if saved.get("name") == name else spec.default
        kind = int if isinstance(spec.default, int) and not isinstance(spec.default, bool) else float
        values[spec.name] = container.slider(
            spec.name.replace("_", " "), min_value=kind(meta["min"]), max_value=kind(meta["max"]),
            value=kind(default), step=kind(meta["step"]), help=meta["help"], key=f"lab_{name}_{spec.name}",
        )
    recipe = make_recipe(name, **values)
    handed = changed(recipe)
    if handed != saved and (len(handed) > 1 or name != method_default_recipe()):  # changed here: the Lab's now
        st.session_state[LAB_RECIPE] = handed
        st.session_state[RECIPE_FROM] = LAB
    elif handed != saved:  # the default, untouched: nothing to hand over (as handed over, who did stays named)
        st.session_state.pop(LAB_RECIPE, None)
    return recipe


def handed_words(recipe: Recipe) -> str:
    """What the Diagnosis (or another page, not the Lab) handed over of `recipe`'s values, for a
    caption above its sliders (walk 18: shown as the paper's defaults, unsaid); empty if none."""
    saved = st.session_state.get(LAB_RECIPE) or {}
    source = st.session_state.get(RECIPE_FROM, LAB)
    if source == LAB or saved.get("name") != recipe.name or len(saved) < 2:
        return ""
    moved = ", ".join(f"{key.replace('_', ' ')} {value:g}" for key, value in saved.items() if key != "name")
    return (f"Set by {source}: {moved}; the others are the recipe's defaults. The Train page will use them; move a "
            "slider to change them.")
