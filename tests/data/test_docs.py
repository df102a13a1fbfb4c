from __future__ import annotations

from pathlib import Path

from custintel.data.docs import contract_document, contract_markdown
from custintel.data.schema import TABLES

ROOT = Path(__file__).resolve().parents[2]


def test_data_contract_document_is_up_to_date():
    doc = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert doc == contract_document(), "docs/data-contract.md is stale: run `make docs`"


def test_every_column_and_pii_flag_is_documented():
    md = contract_markdown()
    for spec in TABLES.values():
        assert f"### {spec.name} (" in md
        for col in spec.columns:
            line = next(
                x
                for x in md.splitlines()
                if x.startswith(f"| `{col.name}` |") and col.description in x
            )
            assert ("**PII**" in line) == col.pii
