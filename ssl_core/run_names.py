"""Readable default names of runs: "SimCLR · crop min 0.08 · batch 256 · 5 min".

A run's config (TrainConfig.to_json()) -> the method, then only what differs from what
that method does by default (its recipe, the recipe's parameters, the encoder, the weights it
started from, batch size, learning rate, view side), then the budget. Two runs that differ in any of these get
different names; a user may still rename a run (the `name` column of the runs table),
which is what `run_name` then returns.
"""

from __future__ import annotations

import json
from typing import Any

SEPARATOR = " · "


def _number(value: Any) -> str:
    """0.30000001 -> '0.3', 5.0 -> '5', 128 -> '128'."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _recipe_parts(method: Any, recipe: dict[str, Any] | None) -> list[str]:
    """The recipe (of images or of text) when it is not the method's default, then its
    changed parameters."""
    from .kinds import recipe_class

    if recipe is None:
        return []
    parts = [] if recipe["name"] == method.default_recipe else [f"{recipe['name']} recipe"]
    defaults = recipe_class(recipe["name"])().to_dict()
    for key, value in recipe.items():
        if key != "name" and key in defaults and _differs(value, defaults[key]):
            parts.append(f"{key.replace('_', ' ')} {_number(value)}")
    return parts


def _differs(value: Any, default: Any) -> bool:
    if isinstance(default, (int, float)) and isinstance(value, (int, float)):
        return abs(float(value) - float(default)) > 1e-9 * max(1.0, abs(float(default)))
    return json.dumps(value) != json.dumps(default)


def default_name(config: dict[str, Any]) -> str:
    """The name of a run of `config` (TrainConfig.to_json()): method, changes, budget."""
    from .engine import TrainConfig
    from .methods import get_method

    method = get_method(config["method"])
    defaults = TrainConfig(dataset=config["dataset"])
    parts = [method.title or method.__name__, *_recipe_parts(method, config.get("recipe"))]
    if config["encoder"] != (method.encoders[0] if method.encoders else defaults.encoder):
        parts.append(config["encoder"])
    if config.get("init"):  # walk 16: a run started from an import was named as one from random weights
        parts.append(f"from {config['init']}")
    for key, words in (("batch_size", "batch"), ("image_size", "views")):
        if config.get(key) != getattr(defaults, key):
            parts.append(f"{words} {config.get(key) or 'stored size'}")
    if config.get("lr") is not None and _differs(config["lr"], method.default_lr):
        parts.append(f"lr {_number(config['lr'])}")
    if config.get("epochs"):
        parts.append(f"{_number(float(config['epochs']))} epoch" + ("" if config["epochs"] == 1 else "s"))
    elif config.get("minutes"):
        parts.append(f"{_number(float(config['minutes']))} min")
    return SEPARATOR.join(parts)


def run_name(run: dict[str, Any]) -> str:
    """What every picker and table shows for a run (a row of jobs.list_runs): the name the
    user gave it, else its default name."""
    if run.get("name"):
        return str(run["name"])
    try:
        return default_name(json.loads(run["config"]))
    except (KeyError, ValueError, TypeError):  # a config this version cannot read: still a name
        return f"{run['method']} · {run['id']}"


def told_apart(runs: list[dict[str, Any]], names: list[str]) -> list[str]:
    """`names` of `runs` (rows, in the same order), each shared by two or more given the time
    its run was created, and its id's random end where two were created in one second. Two runs of one
    setting are both "SimCLR · 2 min", and Streamlit's select box finds the chosen option by
    its label: after a cancel, a room's teacher watching the new run was shown the old one."""
    timed = [name + (f"{SEPARATOR}{run['created'][11:19]}" if names.count(name) > 1 else "")
             for run, name in zip(runs, names)]
    # created in one second: its id's random end, which a picker's box shows where it cuts a long name (walk 26 saw
    # "... 05:27:17 · run-20261206-052717" twice, the date and time again before the part that differs)
    return [name + (f"{SEPARATOR}{run['id'].rsplit('-', 1)[-1]}" if timed.count(name) > 1 else "")
            for run, name in zip(runs, timed)]


def names_told_apart(runs: list[dict[str, Any]]) -> dict[str, str]:
    """{run id: run_name} of `runs`, those named alike told apart (`told_apart`): walk 13's Lab
    offered two 'MLM+SimCSE · 1.5 min' runs where the other pages told them apart."""
    return dict(zip([run["id"] for run in runs], told_apart(runs, [run_name(run) for run in runs])))


def where_trained(run: dict[str, Any], dataset: str) -> str:
    """What a run's name is followed by where it is offered on `dataset`: '' for a run of it,
    ' (its dataset X deleted)', or ' (trained on X)' (walk 27: a run judged on a labelled copy)."""
    if run["dataset_deleted"]:
        return f" (its dataset {run['dataset']} deleted)"
    return "" if run["dataset"] == dataset else f" (trained on {run['dataset']})"
