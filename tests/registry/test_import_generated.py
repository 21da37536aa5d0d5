"""The generator's file goes through the import whole: every row taken, the card, the death, the
village and the residences as the generator meant them, and a second import changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from cccd.demo.generator import communes_for_districts, generate_people, write_csv
from cccd.registry.importing import run_import
from cccd.registry.models import Person, ResidenceRecord
from cccd.registry.services import import_file
from tests.builders import Tree, make_unit

pytestmark = pytest.mark.django_db


def test_a_generated_register_imports_without_a_rejected_row(tree: Tree, tmp_path: Path) -> None:
    communes = communes_for_districts(["663"])
    for commune in communes:
        if commune.code != tree.daklao.code:
            make_unit(tree.dakmil, commune.code, commune.name, "commune")
    rows = list(generate_people(seed=7, communes=communes, people=3_000))
    path = tmp_path / "register.csv"
    write_csv(rows, path, bom=True)

    imp = run_import(import_file(path, actor=None, unit_path="/ca/"))
    assert (imp.created, imp.rejected) == (3_000, 0)
    people = {p.personal_id: p for p in Person.objects.all()}
    for row in rows:
        person = people[row.personal_id]
        assert (person.card_kind, person.card_number) == (row.card_kind, row.card_number)
        assert person.village == row.permanent_address.split(", ")[0]
        assert (person.died_on is not None) == bool(row.died_on)
    movers = sum(1 for r in rows if r.previous_commune_code)
    staying = sum(1 for r in rows if r.temporary_commune_code)
    assert movers and staying
    assert ResidenceRecord.objects.filter(kind="permanent").count() == movers
    assert ResidenceRecord.objects.filter(kind="temporary").count() == staying

    again = run_import(import_file(path, actor=None, unit_path="/ca/"))
    assert (again.unchanged, again.updated, again.rejected) == (3_000, 0, 0)
    assert ResidenceRecord.objects.count() == movers + staying
