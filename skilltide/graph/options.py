"""What a network build may be asked for: its source, element and weight, checked together.

One check for ``skilltide graph build`` (options named ``--from``, ``--element``,
``--weight``) and the config file's ``[graph]`` section, which ``skilltide run`` checks
before its first stage rather than after the ingest and the forecasts.

Example
-------
>>> check_options("ads", "skills", "rca")
>>> check_options("ads", "skills", "level", names=CONFIG_NAMES)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
skilltide.errors.UserError: [graph] weight level needs O*NET ratings; ads give counts (use ...)
"""

from __future__ import annotations

from skilltide.errors import UserError

__all__ = ["CLI_NAMES", "CONFIG_NAMES", "ELEMENTS", "SOURCES", "WEIGHTS", "check_options"]

SOURCES = ("onet", "ads")
ELEMENTS = ("skills", "knowledge", "abilities", "activities", "technology")
WEIGHTS = ("importance", "level", "rca", "presence", "count")

#: How an error names each setting: as the command's option, or as the config file's key.
CLI_NAMES = {"source": "--from", "element": "--element", "weight": "--weight"}
CONFIG_NAMES = {key: f"[graph] {key}" for key in CLI_NAMES}


def check_options(
    source: str = "ads",
    element: str = "skills",
    weight: str = "importance",
    names: dict[str, str] = CLI_NAMES,
) -> None:
    """Refuse a source, element or weight that is not one, or that the others rule out (a
    weight an O*NET domain or ads do not have); defaults as ``build_graph_warehouse``'s."""
    for key, value, allowed in (
        ("source", source, SOURCES),
        ("element", element, ELEMENTS),
        ("weight", weight, WEIGHTS),
    ):
        if value not in allowed:
            raise UserError(f"{names[key]} must be one of {', '.join(allowed)}, not {value!r}")
    element_, weight_ = names["element"], names["weight"]
    if source == "ads":
        if element != "skills":
            raise UserError(
                f"{element_} {element} is an O*NET domain: a network from ads links the "
                f"skills extracted from them (leave {element_} out)"
            )
        if weight == "level":
            raise UserError(
                f"{weight_} level needs O*NET ratings; ads give counts (use count or rca)"
            )
    elif element == "technology":
        if weight in ("level", "count"):
            raise UserError(
                f"O*NET technology skills have no ratings: use {weight_} presence or rca"
            )
    elif weight in ("presence", "count"):
        raise UserError(
            f"{weight_} {weight} is for technology or ads; use importance, level or rca"
        )
