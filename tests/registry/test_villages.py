import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cccd.registry.villages import MAX_LENGTH, village_of


@pytest.mark.parametrize(
    ("address", "village"),
    [
        ("Thôn 3, Xã Đức Minh, Huyện Đắk Mil", "Thôn 3"),
        ("Tổ dân phố 5, Thị trấn Đắk Mil", "Tổ dân phố 5"),
        ("Buôn Jun Yuh, Xã Ea Tiêu, Huyện Cư Kuin", "Buôn Jun Yuh"),
        ("Bon Bu Sir, Xã Quảng Tân", "Bon Bu Sir"),
        ("Xóm Đồng Tâm, Xã Nghĩa Đồng", "Xóm Đồng Tâm"),
        ("Ấp Bình Hòa, Xã Tân Phú", "Ấp Bình Hòa"),
        ("Bản Mường Lói, Xã Mường Lói", "Bản Mường Lói"),
        ("Khối 7, Phường Lê Lợi", "Khối 7"),
        ("Khu phố 2, Phường An Phú", "Khu phố 2"),
        ("Làng Chuông, Xã Phương Trung", "Làng Chuông"),
        ("Sóc Ven, Xã Hòa Đông", "Sóc Ven"),
        ("Plei Ơi, Phường Thống Nhất", "Plei Ơi"),
        ("Khóm 4, Thị trấn Cái Nước", "Khóm 4"),
        # as typed by hand: no diacritics, capitals, abbreviations, no commas, zeros
        ("thon 3, xa duc minh, huyen dak mil", "Thôn 3"),
        ("THÔN 3, XÃ ĐỨC MINH", "Thôn 3"),
        ("TDP 5, TT Đắk Mil", "Tổ dân phố 5"),
        ("tdp5 - tt dak mil", "Tổ dân phố 5"),
        ("Tổ DP 7, Phường 1", "Tổ dân phố 7"),
        ("KP 3, Phường 1", "Khu phố 3"),
        ("Tổ dân phố số 05, Thị trấn Đắk Mil", "Tổ dân phố 5"),
        ("Thôn 03", "Thôn 3"),
        ("thôn 5a", "Thôn 5A"),
        ("Thôn II, Xã Hòa Bình", "Thôn II"),
        ("Thôn X, Xã Hòa Bình", "Thôn X"),
        ("buon jun yuh", "Buôn Jun Yuh"),
        ("BUÔN JUN YUH", "Buôn Jun Yuh"),
        ("Thôn 3 Xã Đức Minh Huyện Đắk Mil", "Thôn 3"),
        ("thon tan lap xa duc minh", "Thôn Tan Lap"),
        ("  Thôn\t 3 ,  Xã Đức Minh", "Thôn 3"),
        # a number and a street come first
        ("Số 12, Tổ 4, Phường Tân Lợi", "Tổ 4"),
        # a group inside a village: the village wins
        ("Tổ 2, Thôn 5, Xã Đắk Lao", "Thôn 5"),
        ("Đội 3, Thôn Tân Lập", "Thôn Tân Lập"),
        ("Đội 3, Xã Đắk Lao", "Đội 3"),
    ],
)
def test_the_village_is_read_in_one_written_form(address: str, village: str) -> None:
    assert village_of(address) == village


def test_decomposed_unicode_gives_the_composed_form() -> None:
    decomposed = unicodedata.normalize("NFD", "Buôn Ea Pô, Xã Ea Tiêu")
    assert village_of(decomposed) == "Buôn Ea Pô"
    assert unicodedata.is_normalized("NFC", village_of(decomposed))


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        ",,,",
        "Xã Đức Minh, Huyện Đắk Mil, Tỉnh Đắk Nông",
        "Số 12 Lê Lợi, Phường 1",
        "Tô Hiến Thành, Phường 2",  # a street: "Tô", not "Tổ"
        "To Hien Thanh, Phuong 2",  # bare "tổ" needs a number
        "Khu công nghiệp Tâm Thắng",  # bare "khu" needs a number
        "Thôn",
        "Thôn, Xã Đức Minh",
        "Thôn Xã Đức Minh",
        "\x00\x01\x02",
        '=HYPERLINK("x")',
    ],
)
def test_no_village_gives_an_empty_text(address: str) -> None:
    assert village_of(address) == ""


def test_control_characters_and_huge_input_are_harmless() -> None:
    assert village_of("Thôn\x00 3\r\n, Xã Đức Minh") == "Thôn 3"
    assert village_of("Thôn " + "A" * 100_000) == "Thôn A" + "a" * (MAX_LENGTH - 6)
    assert village_of("x" * 1_000_000) == ""
    assert village_of(None) == ""  # type: ignore[arg-type]
    assert village_of(123) == ""  # type: ignore[arg-type]


def test_a_long_name_is_cut_to_the_fields_length() -> None:
    village = village_of("Buôn " + " ".join(["Dài"] * 200))
    assert village.startswith("Buôn Dài")
    assert len(village) <= MAX_LENGTH


@given(st.text(max_size=400))
def test_any_text_gives_a_short_composed_text(text: str) -> None:
    village = village_of(text)
    assert len(village) <= MAX_LENGTH
    assert village == village.strip()
    assert unicodedata.is_normalized("NFC", village)


@given(st.sampled_from(["Thôn", "thon", "THON", "Thon"]), st.integers(0, 999))
def test_any_numbered_thon_however_written(word: str, number: int) -> None:
    assert village_of(f"{word} {number:02d}, Xã Đức Minh") == f"Thôn {number}"
