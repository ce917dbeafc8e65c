"""docs/scenario-format.md is generated from the models and kept current."""

from cli.batch import CSV_COLUMNS, CSV_MEANINGS
from models import Roster, Scenario
from tools.scenario_format import OUT, _models, render


def test_scenario_format_doc_is_current() -> None:
    """The committed reference is exactly what the generator writes now: a changed field or
    description without `python -m tools.scenario_format` fails here."""
    assert OUT.read_text(encoding="utf-8") == render(), "run: python -m tools.scenario_format"


def test_every_field_is_documented() -> None:
    """Every field of the scenario and the roster, at every depth, has a description, and
    appears in the reference."""
    text = render()
    for model in _models([Scenario, Roster]):
        assert f"### {model.__name__}" in text
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name}"
            assert f"| `{name}` |" in text


def test_batch_csv_columns_are_all_explained() -> None:
    """The reference explains exactly the CSV columns a batch request may have."""
    assert sorted(c for c, _ in CSV_MEANINGS) == sorted(CSV_COLUMNS)
