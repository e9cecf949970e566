"""Batched, per-sample-random augmentation recipes (what the Lab shows is what trains)."""

from .recipes import RECIPES, Recipe, Views, make_recipe, recipe_from_dict

__all__ = ["RECIPES", "Recipe", "Views", "make_recipe", "recipe_from_dict"]
