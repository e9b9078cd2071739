"""Joined O*NET titles split into job titles, and task/description word evidence."""

from __future__ import annotations

import polars as pl
import pytest

from skilltide.onet.coder import context_texts, training_examples
from skilltide.onet.coder_model import TitleCoder
from skilltide.onet.coder_params import CoderParams
from skilltide.onet.coder_parts import title_parts


@pytest.mark.parametrize(
    ("title", "parts"),
    [
        ("General and Operations Managers", ["General Managers", "Operations Managers"]),
        ("Hoist and Winch Operators", ["Hoist Operators", "Winch Operators"]),
        (
            "Welders, Cutters, Solderers, and Brazers",
            ["Welders", "Cutters", "Solderers", "Brazers"],
        ),
        (
            "Automotive Service Technicians and Mechanics",
            ["Automotive Service Technicians", "Automotive Service Mechanics"],
        ),
        (
            "Ambulance Drivers and Attendants, Except Emergency Medical Technicians",
            ["Ambulance Drivers", "Ambulance Attendants"],
        ),
        # A comma that adds a qualifier, "of" phrases and single titles are left whole.
        ("Sales Representatives, Wholesale and Manufacturing", []),
        ("First-Line Supervisors of Retail Sales Workers", []),
        ("Dentists, General", []),
        ("Registered Nurses", []),
    ],
)
def test_title_parts(title, parts):
    assert title_parts(title) == parts


def test_training_examples_add_parts_of_joined_titles():
    occ = pl.DataFrame(
        {
            "onetsoc_code": ["11-1021.00", "29-1141.00"],
            "title": ["General and Operations Managers", "Registered Nurses"],
        }
    )
    out = training_examples(occ).filter(pl.col("kind") == "part")
    assert out.rows() == [
        ("11-1021.00", "General Managers", "part"),
        ("11-1021.00", "Operations Managers", "part"),
    ]


TRAIN = pl.DataFrame(
    {
        "onetsoc_code": ["11-9071.00", "11-9071.00", "39-3012.00", "39-3012.00", "11-9081.00"],
        "title": [
            "Gambling Managers",
            "Slot Manager",
            "Casino Hosts",
            "Casino Dealer",
            "Lodging Managers",
        ],
        "kind": ["occupation", "alternate", "occupation", "alternate", "occupation"],
    }
)
OCCUPATIONS = pl.DataFrame(
    {
        "onetsoc_code": ["11-9071.00", "39-3012.00", "11-9081.00"],
        "description": [
            "Plan, direct, or coordinate gambling operations in a casino.",
            "Greet casino guests at tables and host events.",
            "Plan the operations of hotels and motels; lodging managers hire staff.",
        ],
    }
)
TASKS = pl.DataFrame(
    {
        "onetsoc_code": ["11-9071.00", "11-9071.00", "39-3012.00"],
        "task": [
            "Work as the casino manager of the floor staff.",
            "Review casino revenue reports with each slot manager.",
            "Deal cards to casino guests.",
        ],
    }
)


def test_context_texts_joins_descriptions_and_tasks():
    out = context_texts(OCCUPATIONS, TASKS)
    assert out.columns == ["onetsoc_code", "text"]
    assert out.height == 6
    assert context_texts(OCCUPATIONS.drop("description")).height == 0


def test_task_words_pull_a_title_to_the_occupation_that_does_the_work():
    params = CoderParams(nearest_max_df=1.0, context=0.5)
    with_context = TitleCoder(params).fit(TRAIN, context_texts(OCCUPATIONS, TASKS))
    without = TitleCoder(CoderParams(nearest_max_df=1.0, context=0.5)).fit(TRAIN)
    gambling = list(with_context.codes).index("11-9071.00")
    p_with = with_context.predict_proba(["Casino Manager"])[0, gambling]
    p_without = without.predict_proba(["Casino Manager"])[0, gambling]
    assert p_with > p_without
    assert with_context.predict(["Casino Manager"], top=1)["onetsoc_code"][0] == "11-9071.00"
    # The context counts are part of the stored coder.
    loaded = TitleCoder.from_bytes(with_context.to_bytes())
    assert loaded.fingerprint() == with_context.fingerprint()
    assert loaded.fingerprint() != without.fingerprint()
    assert loaded.predict_proba(["Casino Manager"])[0, gambling] == pytest.approx(p_with)
