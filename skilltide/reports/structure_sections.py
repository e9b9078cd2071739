"""The report's occupation and network sections (:mod:`skilltide.reports.report` builds the
page): data from :mod:`~skilltide.reports.occupation_data` and
:mod:`~skilltide.reports.network_data`, charts from :mod:`~skilltide.reports.structure_charts`.

Example
-------
>>> from skilltide.reports.network_data import how_to
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     network_section(wh, how_to("ads", "market")).section_id
'network'
"""

from __future__ import annotations

import polars as pl

from skilltide.reports import captions, charts, structure_charts
from skilltide.reports.html import Figure, Notice, Section, Table
from skilltide.reports.network_data import EXPOSURE_TITLES, load_network
from skilltide.reports.occupation_data import CLOSEST, MIN_SIMILARITY, ZONES, load_occupations
from skilltide.store import Warehouse


def occupations_section(wh: Warehouse, panel: str, how: dict) -> Section:
    """Skill profiles and closest occupations; WORKBank's automation zones and agency."""
    sec = Section("occupations", "Occupations")
    occ = load_occupations(wh, panel=panel)
    if occ.profile is None:
        sec.blocks.append(
            Notice(f"No occupation data: {how['occupation_demand']}, or {how['graph']}.")
        )
    else:
        labels = occ.profile["occupation"].unique(maintain_order=True).to_list()
        value_title = (
            "Share of the occupation's ads mentioning the skill (%)"
            if occ.profile_source == "demand"
            else "Skill weight in the graph"
        )
        sec.blocks.append(
            Figure(
                "occupation-profile",
                charts.finish(
                    structure_charts.profile_chart(
                        occ.profile, occ.closest, value_title, sorted(labels), labels[0]
                    )
                ),
                captions.profile(
                    occ.profile, occ.profile_source, occ.closest, MIN_SIMILARITY, CLOSEST
                ),
                "Skill profile and closest occupations of the chosen occupation",
            )
        )
        if occ.closest is None:
            sec.blocks.append(
                Notice(f"Closest occupations need the skill network: {how['graph']}.")
            )
    if occ.workbank is None:
        sec.blocks.append(
            Notice(
                f"WORKBank is not loaded, so automation zones and the "
                f"human-agency profile are not shown: {how['workbank']}."
            )
        )
    else:
        wb = occ.workbank
        sec.blocks += [
            Figure(
                "workbank-zones",
                charts.finish(structure_charts.zones_chart(wb, ZONES)),
                captions.zones(wb),
                "WORKBank automation zones per occupation",
            ),
            Figure(
                "workbank-agency",
                charts.finish(structure_charts.agency_chart(wb)),
                "Each dot is an occupation: how much its workers want AI agents to automate "
                "their tasks against how capable experts judge agents to be (means over its "
                "tasks, 1–5 scales; dashed lines at 3 split the four zones). Colour: the "
                "level of human agency most workers prefer.",
                "Worker desire against agent capability per occupation",
            ),
        ]
    return sec


def network_section(wh: Warehouse, how: dict) -> Section:
    """The skill network by community and by automation exposure, and its communities."""
    sec = Section("network", "Skill network")
    net = load_network(wh)
    if net is None:
        sec.blocks.append(Notice(f"No skill network in the warehouse: {how['graph']}."))
        return sec
    shown = net.nodes.height
    sec.blocks.append(
        Figure(
            "network-communities",
            charts.finish(structure_charts.network_chart(net.nodes, net.edges, "community")),
            captions.network(net.communities, shown, net.n_skills_total, net.summary),
            "Network of complementary skills coloured by community",
        )
    )
    if net.exposure_column is None or net.nodes["exposure"].null_count() == shown:
        sec.blocks.append(Notice(f"No automation overlay: {how['exposure']}."))
    else:
        title = EXPOSURE_TITLES.get(
            net.exposure_column, f"Automation exposure ({net.exposure_column})"
        )
        sec.blocks.append(
            Figure(
                "network-exposure",
                charts.finish(
                    structure_charts.network_chart(net.nodes, net.edges, "exposure", title)
                ),
                captions.exposure(net.communities, net.exposure_column),
                "Network of skills coloured by automation exposure",
            )
        )
    sec.blocks.append(
        Table(
            "communities",
            "Skill communities",
            net.communities.with_columns(pl.col("mean_exposure").round(3))
            if net.exposure_column
            else net.communities.drop("mean_exposure", "skills_with_exposure"),
            captions.communities(net.source, net.graph_id, net.run_id, net.element),
            headers={"community_label": "Community", "n_skills": "Skills in it"},
        )
    )
    return sec
