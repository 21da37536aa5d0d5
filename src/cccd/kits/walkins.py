"""A walk-in who is not in the kit's slice of the register, entered at the desk with the
population-data form (DC01, tờ khai thay đổi thông tin cư trú / phiếu thu thập thông tin dân cư).

Only on a kit (field mode): at the district the register comes from the population database and
nobody types a person into it. The form's fields go through the register import's own row parser
(`cccd.registry.rows.parse_row`: the name normalised, the date read, the personal ID number checked
against birth year and sex by `cccd.core.idnumber`) and its own builder of a Person's values
(`cccd.registry.importing.person_values`: the folded names the search needs), so a walk-in is
stored exactly as an imported person would be. The person is marked `NewPerson`, to be checked
against the population database once the packet reaches the district.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import require_any
from cccd.accounts.roles import INTAKE, ISSUE
from cccd.accounts.scoping import visible_to
from cccd.kits import errors
from cccd.kits.mode import field_mode
from cccd.kits.models import NewPerson
from cccd.registry.importing import person_values
from cccd.registry.models import Person
from cccd.registry.rows import RowRejected, parse_row
from cccd.registry.tables import Cell
from cccd.units.models import Unit


@dataclass(frozen=True)
class PopulationForm:
    """The DC01 form's fields as typed at the desk (text, as in a register file's row)."""

    full_name: str
    birth_date: str  # dd/mm/yyyy, yyyy-mm-dd, or the year alone
    sex: str  # Nam / Nữ / M / F
    personal_id: str
    hometown: str = ""
    permanent_address: str = ""
    ethnicity: str = ""
    religion: str = ""
    father_name: str = ""
    mother_name: str = ""
    old_id_number: str = ""


def _commune(actor: User, unit_id: int) -> Unit:
    """The residence: an active administrative commune of the actor's area (the kit's session's)."""
    communes = Unit.objects.filter(
        category=Unit.Category.ADMIN, level=Unit.Level.COMMUNE, is_active=True
    )
    commune = visible_to(actor, communes).filter(pk=unit_id).first()
    if commune is None:
        raise errors.WALK_IN_NOT_A_COMMUNE()
    return commune


def _description(actor: User, person: Person) -> str:
    """The existing record in words the desk can check, without its number or name; another
    unit's record is not described at all."""
    if not visible_to(actor, Person.objects.filter(pk=person.pk)).exists():
        return _("another unit's record")
    sex = _("a man") if person.sex == Person.Sex.MALE else _("a woman")
    return _("%(sex)s born in %(year)s, living in %(commune)s, record #%(id)s") % {
        "sex": sex,
        "year": person.birth_year,
        "commune": person.residence_unit.name,
        "id": person.pk,
    }


def _refuse_known(actor: User, personal_id: str) -> None:
    known = Person.objects.select_related("residence_unit").filter(personal_id=personal_id).first()
    if known is not None:
        raise errors.WALK_IN_KNOWN(person=_description(actor, known))


@transaction.atomic
def create_walk_in_person(form: PopulationForm, *, residence_unit_id: int, actor: User) -> Person:
    """Enter a walk-in not in the register, from the population-data form (kit only)."""
    require_any(actor, (INTAKE, ISSUE))
    if not field_mode():
        raise errors.WALK_IN_FIELD_ONLY()
    commune = _commune(actor, residence_unit_id)
    columns = [f.name for f in fields(PopulationForm)]
    cells: list[Cell] = [getattr(form, name) for name in columns]
    now = timezone.now()
    try:
        row = parse_row(
            0,
            cells,  # text cells, as a CSV row gives them
            {name: index for index, name in enumerate(columns)},
            today=timezone.localdate(now),
        )
    except RowRejected as exc:
        raise errors.WALK_IN_INVALID(reason=exc.message) from None
    _refuse_known(actor, row.personal_id)
    row.residence_unit_id = commune.pk  # type: ignore[attr-defined]  # as the import sets it
    person = Person(**person_values(row, household_id=None, import_id=None, now=now))
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # another desk entered the same number a moment ago
        _refuse_known(actor, row.personal_id)
        raise
    new = NewPerson.objects.create(person=person, created_by=actor, created_at=now)
    record(
        "person.create_walk_in",
        actor=actor,
        unit=commune,
        obj=person,
        after={"person": person.pk, "new_person": new.pk, "residence_unit": commune.pk},
        object_repr=f"#{person.pk}",
    )
    return person
