import pytest

from cccd.accounts.models import AuditEvent
from cccd.errors import DomainError
from cccd.unitadmin.services import load_units
from cccd.units.models import Unit

pytestmark = pytest.mark.django_db


def test_it_loads_dak_mil_and_tay_son_with_their_communes() -> None:
    load_units("legacy", ["67", "52"], actor=None)
    dakmil = Unit.objects.get(category="admin", scheme="legacy", code="663")
    tayson = Unit.objects.get(category="admin", scheme="legacy", code="547")
    assert dakmil.name == "Huyện Đắk Mil"
    assert dakmil.parent.name == "Tỉnh Đắk Nông"
    assert dakmil.children.count() == 10
    assert tayson.children.count() == 15
    assert Unit.objects.get(category="admin", code="24667").name == "Xã Đắk Lao"


def test_each_division_gets_a_police_unit_on_the_mirrored_path() -> None:
    load_units("legacy", ["67"], actor=None)
    district = Unit.objects.get(category="admin", scheme="legacy", code="663")
    police = Unit.objects.get(category="police", scheme="legacy", code="663")
    assert police.name == "Công an huyện Đắk Mil"
    assert police.path == "/ca/L67/663/"
    assert district.path == "/hc/L67/663/"
    assert police.mirror_path == district.path
    assert police.parent.name == "Công an tỉnh Đắk Nông"
    assert police.parent.parent.name == "Bộ Công an"
    assert (
        Unit.objects.filter(category="police").count()
        == Unit.objects.filter(category="admin").count()
    )


def test_running_it_again_reuses_what_is_there() -> None:
    first = load_units("legacy", ["67"], actor=None)
    count = Unit.objects.count()
    second = load_units("legacy", ["67"], actor=None)
    assert first.created > 0
    assert second.created == 0
    assert second.updated == first.created
    assert Unit.objects.count() == count


def test_it_loads_the_2025_scheme_beside_the_legacy_one_without_mixing_codes() -> None:
    load_units("legacy", ["67"], actor=None)
    load_units("2025", ["68"], actor=None)
    new_province = Unit.objects.get(category="admin", scheme="2025", level="province")
    assert new_province.name == "Tỉnh Lâm Đồng"
    assert new_province.path == "/hc/N68/"
    communes = Unit.objects.filter(category="admin", scheme="2025", level="commune")
    assert communes.count() == 124
    assert all(c.parent_id == new_province.pk for c in communes)
    assert Unit.objects.get(category="admin", scheme="legacy", level="province").path == "/hc/L67/"


def test_it_refuses_an_unknown_province_and_writes_nothing() -> None:
    with pytest.raises(DomainError) as refused:
        load_units("legacy", ["67", "99"], actor=None)
    assert refused.value.code == "UNKNOWN_PROVINCE"
    assert not Unit.objects.exclude(level="nation").exists()


def test_it_accepts_three_digit_id_province_codes() -> None:
    load_units("legacy", ["067"], with_police=False, actor=None)
    assert Unit.objects.get(level="province").id_province_code == "067"
    assert not Unit.objects.filter(category="police").exclude(level="nation").exists()


def test_loading_is_audited_once_with_counts() -> None:
    result = load_units("legacy", ["52"], actor=None)
    event = AuditEvent.objects.get(action="units.load")
    assert event.after == {
        "scheme": "legacy",
        "provinces": ["52"],
        "created": result.created,
        "updated": 0,
    }
