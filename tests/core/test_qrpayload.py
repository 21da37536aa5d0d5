"""The QR code on the card (docs/domain.md#qr-payload)."""

import contextlib
import dataclasses
import datetime as dt
import random
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cccd.core import idnumber
from cccd.core.qrpayload import CardQR, InvalidCardQR, decode, encode

D = dt.date
CARD = CardQR(
    personal_id="001199012345",
    old_id_number="",
    full_name="Đặng Thị Thu Hương",
    birth_date=D(1999, 3, 15),
    sex="F",
    address="Số 1 phố Hàng Bài, phường Hàng Bài, quận Hoàn Kiếm, Hà Nội",
    issue_date=D(2021, 4, 10),
)
PAYLOAD = (
    "001199012345||Đặng Thị Thu Hương|15031999|Nữ|"
    "Số 1 phố Hàng Bài, phường Hàng Bài, quận Hoàn Kiếm, Hà Nội|10042021"
)

field_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")).filter(
        lambda char: char != "|"
    ),
    max_size=40,
)


@st.composite
def cards(draw: st.DrawFn) -> CardQR:
    born = draw(st.dates(min_value=D(1900, 1, 1), max_value=D(2399, 12, 31)))
    sex = draw(st.sampled_from(["M", "F"]))
    province = draw(st.sampled_from(sorted(idnumber.PROVINCE_CODES)))
    number = idnumber.generate(province, sex, born.year, random.Random(draw(st.integers(0, 99))))
    old = draw(st.sampled_from(["", "123456789", "001088001234"]))
    name = draw(field_text.filter(lambda text: text.strip()))
    issued = born + dt.timedelta(days=draw(st.integers(min_value=0, max_value=100 * 365)))
    return CardQR(number, old, name, born, sex, draw(field_text), issued)  # type: ignore[arg-type]


def test_it_writes_the_fields_in_order_separated_by_bars() -> None:
    assert encode(CARD) == PAYLOAD


def test_it_writes_the_old_number_and_male_sex() -> None:
    card = dataclasses.replace(CARD, personal_id="001099012345", sex="M", old_id_number="123456789")
    assert encode(card).split("|")[1::3] == ["123456789", "Nam"]


def test_it_reads_a_payload() -> None:
    assert decode(PAYLOAD) == CARD


def test_it_tolerates_the_four_trailing_fields_of_2024_cards() -> None:
    assert decode(PAYLOAD + "||||") == CARD
    assert decode(PAYLOAD + "|x|y|z|w|v") == CARD


def test_it_reads_nfd_text_and_sex_in_any_case() -> None:
    card = decode(unicodedata.normalize("NFD", PAYLOAD.replace("Nữ", "NỮ")))
    assert card == CARD
    assert unicodedata.is_normalized("NFC", card.full_name)


def test_it_ignores_whitespace_around_the_payload_and_its_fields() -> None:
    assert decode(f"  {PAYLOAD.replace('|', ' | ')}\r\n") == CARD


@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        ("", "TOO_FEW_FIELDS", "found 1"),
        ("001199012345", "TOO_FEW_FIELDS", "found 1"),
        ("|".join(PAYLOAD.split("|")[:6]), "TOO_FEW_FIELDS", "found 6"),
        (PAYLOAD.replace("15031999", "31021999"), "BAD_DATE", "not a calendar date"),
        (PAYLOAD.replace("15031999", "1503199"), "BAD_DATE", "8 digits"),
        (PAYLOAD.replace("15031999", "15/03/1999"), "BAD_DATE", "8 digits"),
        (PAYLOAD.replace("15031999", "１５031999"), "BAD_DATE", "8 digits"),
        (PAYLOAD.replace("10042021", "10041998"), "BAD_DATE", "before the birth date"),
        (PAYLOAD.replace("Nữ", "Female"), "BAD_SEX", "'Nam' or 'Nữ'"),
        (PAYLOAD.replace("Nữ", ""), "BAD_SEX", "'Nam' or 'Nữ'"),
        (PAYLOAD.replace("Nữ", "Nam"), "BAD_PERSONAL_ID", "sex"),
        (PAYLOAD.replace("15031999", "15031998"), "BAD_PERSONAL_ID", "birth year"),
        (PAYLOAD.replace("001199012345", "003199012345"), "BAD_PERSONAL_ID", "province"),
        (PAYLOAD.replace("001199012345", "٠٠١١٩٩٠١٢٣٤٥"), "BAD_PERSONAL_ID", "digits"),
        (PAYLOAD.replace("001199012345", ""), "BAD_PERSONAL_ID", "empty"),
        (PAYLOAD.replace("||", "|12345|"), "BAD_FIELD", "old ID number"),
        (PAYLOAD.replace("Đặng Thị Thu Hương", ""), "BAD_FIELD", "the name is empty"),
        (PAYLOAD.replace("Thu", "Th\x00u"), "BAD_FIELD", "cannot contain"),
    ],
)
def test_it_rejects_text_that_is_not_a_card_payload(payload: str, code: str, message: str) -> None:
    with pytest.raises(InvalidCardQR, match=message) as caught:
        decode(payload)
    assert caught.value.code == code


@pytest.mark.parametrize("value", [None, 1, b"001199012345||", ["a"] * 7])
def test_it_rejects_a_payload_that_is_not_text(value: object) -> None:
    with pytest.raises(InvalidCardQR, match="must be text") as caught:
        decode(value)  # type: ignore[arg-type]
    assert caught.value.code == "NOT_A_STRING"


@pytest.mark.parametrize("field", ["full_name", "address", "old_id_number"])
def test_it_refuses_a_bar_inside_a_field(field: str) -> None:
    with pytest.raises(InvalidCardQR, match="cannot contain"):
        encode(dataclasses.replace(CARD, **{field: "A|B"}))


@pytest.mark.parametrize(
    "changes",
    [
        {"personal_id": None},
        {"personal_id": 1199012345},
        {"full_name": None},
        {"full_name": b"Lan"},
        {"address": 5},
        {"old_id_number": None},
        {"birth_date": "1999-03-15"},
        {"issue_date": dt.datetime(2021, 4, 10, tzinfo=dt.UTC)},
        {"sex": "Nữ"},
        {"sex": ["F"]},
    ],
)
def test_a_card_cannot_be_built_from_wrongly_typed_fields(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidCardQR):
        dataclasses.replace(CARD, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, PAYLOAD, {"personal_id": "001199012345"}])
def test_it_encodes_only_a_card(value: object) -> None:
    with pytest.raises(InvalidCardQR, match="expected a CardQR"):
        encode(value)  # type: ignore[arg-type]


@given(cards())
def test_an_encoded_card_decodes_to_the_same_card(card: CardQR) -> None:
    payload = encode(card)
    assert payload.count("|") == 6
    assert decode(payload) == card
    assert decode(payload + "||||") == card


@given(st.text())
def test_only_a_value_error_can_escape_decode(text: str) -> None:
    with contextlib.suppress(InvalidCardQR):
        decode(text)


@given(st.lists(st.text(max_size=15), min_size=7, max_size=11))
def test_only_a_value_error_can_escape_decode_of_bar_separated_text(fields: list[str]) -> None:
    with contextlib.suppress(InvalidCardQR):
        decode("|".join(fields))
