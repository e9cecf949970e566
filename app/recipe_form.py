"""Widgets for any recipe, built from its dataclass fields and their metadata."""

from __future__ import annotations

from dataclasses import fields

import streamlit as st

from ssl_core.augment import RECIPES, Recipe, make_recipe

LAB_RECIPE = "lab_recipe"  # session key: the recipe last edited in the Lab (a dict)


def recipe_picker(container=st) -> str:
    """A select box over RECIPES with each recipe's one-line description."""
    names = list(RECIPES)
    saved = st.session_state.get(LAB_RECIPE, {}).get("name", names[0])
    return container.selectbox("Recipe", names, index=names.index(saved), key="lab_recipe_name",
                               format_func=lambda n: f"{n}: {RECIPES[n].description}")


def recipe_form(name: str, container=st) -> Recipe:
    """Sliders for every parameter of recipe `name`; returns the recipe they describe and
    remembers it for the other pages."""
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
    st.session_state[LAB_RECIPE] = recipe.to_dict()
    return recipe
