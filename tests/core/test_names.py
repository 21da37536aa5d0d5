"""Vietnamese personal names (docs/domain.md#names-and-matching)."""

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cccd.core import names
from cccd.core.names import InvalidName

INITIALS = ["", "b", "c", "ch", "d", "đ", "g", "gh", "h", "kh", "l", "m", "n", "ng", "nh", "ph"]
INITIALS += ["qu", "r", "s", "t", "th", "tr", "v", "x", "h'", "r'"]
VOWELS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "uy", "ươ", "iê"]
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
FINALS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
CASINGS: list[Callable[[str], str]] = [str.lower, str.upper, str.title, lambda s: s]
FORMS = ["NFC", "NFD"]


@st.composite
def name_words(draw: st.DrawFn) -> str:
    word = draw(st.sampled_from(INITIALS)) + draw(st.sampled_from(VOWELS))
    word += draw(st.sampled_from(TONES)) + draw(st.sampled_from(FINALS))
    return unicodedata.normalize("NFC", word)


@st.composite
def typed_names(draw: st.DrawFn) -> str:
    """A name as it might arrive: any case, NFC or NFD, with untidy whitespace."""
    words = draw(st.lists(name_words(), min_size=1, max_size=6))
    gaps = st.sampled_from([" ", "  ", "\t", "\u00a0", "\n"])
    text = draw(st.sampled_from([" ", ""]))
    for word in words:
        text += word + draw(gaps)
    text = draw(st.sampled_from(CASINGS))(text)
    return unicodedata.normalize(draw(st.sampled_from(FORMS)), text)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("nguyễn văn an", "Nguyễn Văn An"),
        ("ĐẶNG THỊ THU HƯƠNG", "Đặng Thị Thu Hương"),
        ("đỗ đức đạt", "Đỗ Đức Đạt"),
        ("  Lê \t Thị\n\u00a0Na  ", "Lê Thị Na"),
        ("h'hen niê", "H'Hen Niê"),
        ("H'HEN NIÊ", "H'Hen Niê"),
        ("ksor h’bia", "Ksor H'Bia"),
        ("nguyễn-phúc ánh", "Nguyễn-Phúc Ánh"),
        ("\u00d0ặng Văn Bình", "Đặng Văn Bình"),
    ],
)
def test_it_stores_names_in_title_case_and_single_spaces(typed: str, stored: str) -> None:
    assert names.normalize(typed) == stored


def test_it_stores_nfd_input_as_nfc() -> None:
    typed = unicodedata.normalize("NFD", "Nguyễn Thị Thuý")
    assert typed != "Nguyễn Thị Thuý"
    assert names.normalize(typed) == "Nguyễn Thị Thuý"
    assert unicodedata.is_normalized("NFC", names.normalize(typed))


def test_it_keeps_the_tone_placement_as_written() -> None:
    assert names.normalize("hoà") == "Hoà"
    assert names.normalize("hòa") == "Hòa"
    assert names.normalize("thuý") != names.normalize("thúy")


@pytest.mark.parametrize("text", ["", " ", "\t\n", "\u00a0\u3000"])
def test_it_rejects_a_blank_name(text: str) -> None:
    with pytest.raises(InvalidName, match="empty") as caught:
        names.normalize(text)
    assert caught.value.code == "EMPTY"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Nguyễn Văn 2", "BAD_CHARACTER"),
        ("Nguyễn Văn ２", "BAD_CHARACTER"),
        ("Nguyễn\x00Văn", "BAD_CHARACTER"),
        ("Nguyễn\x1cVăn", "BAD_CHARACTER"),
        ("Nguyễn\u200bVăn", "BAD_CHARACTER"),
        ("\ufeffNguyễn Văn", "BAD_CHARACTER"),
        ("Nguyễn Văn A.", "BAD_CHARACTER"),
        ("Nguyễn 😀", "BAD_CHARACTER"),
        ("Нгуен", "BAD_CHARACTER"),  # Cyrillic look-alikes
        ("\u0301Nguyễn", "BAD_CHARACTER"),
        ("Hà \u0301a", "BAD_CHARACTER"),
        ("'Hen", "BAD_PUNCTUATION"),
        ("Hen'", "BAD_PUNCTUATION"),
        ("H''Hen", "BAD_PUNCTUATION"),
        ("H-'Hen", "BAD_PUNCTUATION"),
        ("Nguyễn - Văn", "BAD_PUNCTUATION"),
        ("Ha\u0301\u0301\u0301", "TOO_MANY_MARKS"),
    ],
)
def test_it_rejects_text_that_is_not_a_name(text: str, code: str) -> None:
    with pytest.raises(InvalidName) as caught:
        names.normalize(text)
    assert caught.value.code == code
    assert str(caught.value)


def test_it_says_which_character_is_wrong() -> None:
    with pytest.raises(InvalidName, match=r"U\+0032 DIGIT TWO"):
        names.normalize("Văn 2")


@pytest.mark.parametrize("value", [None, 1, b"Nguyen", ["Nguyễn"]])
@pytest.mark.parametrize("function", [names.normalize, names.fold, names.split])
def test_it_rejects_values_that_are_not_text(
    function: Callable[[str], object], value: object
) -> None:
    with pytest.raises(InvalidName, match="must be text") as caught:
        function(value)  # type: ignore[arg-type]
    assert caught.value.code == "NOT_A_STRING"


def test_old_and_new_tone_placement_and_missing_diacritics_fold_equal() -> None:
    keys = {names.fold(n) for n in ["Nguyễn Thị Thuý", "NGUYEN THI THUY", "nguyễn thị thúy"]}
    assert keys == {"nguyen thi thuy"}
    assert names.fold("Hoà") == names.fold("Hòa") == "hoa"
    assert names.fold("khoẻ") == names.fold("khỏe")


def test_it_folds_d_with_stroke_and_its_look_alike_to_d() -> None:
    assert names.fold("Đặng đức") == "dang duc"
    assert names.fold("\u00d0ặng \u00f0ức") == "dang duc"


def test_it_keeps_i_and_y_apart() -> None:
    assert names.fold("Vi") != names.fold("Vy")


def test_it_folds_whitespace_and_typographic_apostrophes() -> None:
    assert names.fold("  H’Hen \t Niê ") == "h'hen nie"
    assert names.fold("") == ""
    assert names.fold(" \n ") == ""


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Đặng Thị Thu Hương", ("Đặng", "Thị Thu", "Hương")),
        ("nguyễn văn an", ("Nguyễn", "Văn", "An")),
        ("Lê Na", ("Lê", "", "Na")),
        ("Ánh", ("", "", "Ánh")),
        ("Tôn Nữ Thị Ngọc Lan Anh", ("Tôn", "Nữ Thị Ngọc Lan", "Anh")),
    ],
)
def test_it_splits_family_middle_and_given_names(name: str, parts: tuple[str, str, str]) -> None:
    assert names.split(name) == parts


def test_it_refuses_to_split_a_blank_or_invalid_name() -> None:
    with pytest.raises(InvalidName):
        names.split("  ")
    with pytest.raises(InvalidName):
        names.split("Nguyễn 1")


@given(typed_names())
def test_normalize_is_idempotent(name: str) -> None:
    stored = names.normalize(name)
    assert names.normalize(stored) == stored
    assert unicodedata.is_normalized("NFC", stored)
    assert stored == stored.strip()
    assert "  " not in stored


@given(typed_names())
def test_normalize_does_not_depend_on_the_unicode_form_or_case(name: str) -> None:
    stored = names.normalize(name)
    for form in FORMS:
        assert names.normalize(unicodedata.normalize(form, name)) == stored
    assert names.normalize(name.upper()) == stored
    assert names.normalize(name.lower()) == stored


@given(typed_names())
def test_normalize_keeps_the_letters(name: str) -> None:
    assert names.fold(names.normalize(name)) == names.fold(name)


@given(st.text())
def test_fold_is_idempotent_and_ignores_the_unicode_form(text: str) -> None:
    key = names.fold(text)
    assert names.fold(key) == key
    assert names.fold(unicodedata.normalize("NFC", text)) == key
    assert names.fold(unicodedata.normalize("NFD", text)) == key


@given(typed_names())
def test_a_folded_name_is_plain_ascii(name: str) -> None:
    key = names.fold(name)
    assert key.isascii()
    assert key == key.lower()


@given(typed_names())
def test_split_joins_back_into_the_stored_name(name: str) -> None:
    family, middle, given_name = names.split(name)
    assert " ".join(part for part in (family, middle, given_name) if part) == names.normalize(name)
    assert given_name
    assert " " not in given_name
    assert " " not in family
    assert bool(family) or not middle


@given(st.text())
def test_only_a_value_error_can_escape_normalize_and_split(text: str) -> None:
    try:
        stored = names.normalize(text)
    except InvalidName:
        return
    assert names.normalize(stored) == stored
    assert names.split(stored)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Lê Thị Thuý", "LÊ THỊ THÚY"),  # old and new tone placement, capitals
        ("Hoà", "Hòa"),
        (unicodedata.normalize("NFD", "Đặng Thị Thu Hương"), "Đặng  Thị Thu Hương"),
        ("\u00d0ặng", "Đặng"),  # the look-alike eth
    ],
)
def test_written_key_is_the_same_for_the_same_written_name(a: str, b: str) -> None:
    assert names.written_key(a) == names.written_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Vũ Văn Nhân", "Vũ Văn Nhẫn"),  # a tone mark more
        ("Hoà", "Hoá"),  # another tone
        ("Nguyen Van An", "Nguyễn Văn An"),  # what fold forgives, a card does not
        ("Đặng", "Dặng"),
        ("Vi", "Vy"),
        ("Thu Hương", "Thu Hương Lan"),
    ],
)
def test_written_key_tells_apart_what_a_card_prints_differently(a: str, b: str) -> None:
    assert names.written_key(a) != names.written_key(b)


def test_written_key_refuses_what_is_not_text() -> None:
    with pytest.raises(InvalidName):
        names.written_key(None)  # type: ignore[arg-type]
