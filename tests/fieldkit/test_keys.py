"""Keys, fingerprints and pairing codes (`cccd.fieldkit.keys`), with real keys throughout."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest
from cryptography.exceptions import InvalidSignature

from cccd.fieldkit import keys
from tests.fieldkit.refusals import refused

GROUPED = re.compile(
    r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4})*"
)


# --- key pairs -----------------------------------------------------------------------------------


def test_new_keys_are_written_as_production_writes_them_and_read_back() -> None:
    made = keys.new_party_keys()
    for pair in (made.signing, made.encryption):
        assert re.fullmatch(r"[0-9a-f]{64}", pair.public_hex)
        assert pair.private_pem.startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8
        assert pair.private_pem not in repr(pair)
    signer = keys.signing_private_key(made.signing.private_pem)
    keys.signing_public_key(made.signing.public_hex).verify(signer.sign(b"x"), b"x")
    with pytest.raises(InvalidSignature):
        keys.signing_public_key(made.signing.public_hex).verify(signer.sign(b"x"), b"y")
    receiver = keys.encryption_private_key(made.encryption.private_pem)
    assert keys.public_hex(receiver.public_key()) == made.encryption.public_hex
    assert made.public == keys.PublicKeys(made.signing.public_hex, made.encryption.public_hex)


def test_two_parties_never_share_a_key() -> None:
    one, two = keys.new_party_keys(), keys.new_party_keys()
    assert len({one.signing.public_hex, one.encryption.public_hex, two.signing.public_hex}) == 3


@pytest.mark.parametrize(
    "hex_text",
    ["", "ab" * 31, "ab" * 33, "zz" * 32, "ab" * 31 + " a", "+" + "a" * 63, "ａ" * 64],
    ids=["empty", "short", "long", "not-hex", "space", "sign", "fullwidth"],
)
def test_a_public_key_that_is_not_64_hex_characters_is_refused(hex_text: str) -> None:
    refused("KIT_KEY_UNREADABLE", lambda: keys.signing_public_key(hex_text))
    refused("KIT_KEY_UNREADABLE", lambda: keys.encryption_public_key(hex_text))


def test_a_private_key_of_the_other_kind_or_no_key_is_refused() -> None:
    made = keys.new_party_keys()
    refused("KIT_KEY_UNREADABLE", lambda: keys.signing_private_key(made.encryption.private_pem))
    refused("KIT_KEY_UNREADABLE", lambda: keys.encryption_private_key(made.signing.private_pem))
    refused("KIT_KEY_UNREADABLE", lambda: keys.signing_private_key("not a key"))
    refused("KIT_KEY_UNREADABLE", lambda: keys.signing_private_key("khóa"))


# --- fingerprints --------------------------------------------------------------------------------


def test_a_fingerprint_is_16_symbols_and_names_both_keys() -> None:
    made, other = keys.new_party_keys(), keys.new_party_keys()
    printed = keys.fingerprint(made.public)
    assert GROUPED.fullmatch(printed) and len(printed) == 19
    assert (
        keys.fingerprint(
            keys.PublicKeys(made.signing.public_hex.upper(), made.encryption.public_hex)
        )
        == printed
    )
    swapped_signing = keys.PublicKeys(other.signing.public_hex, made.encryption.public_hex)
    swapped_encryption = keys.PublicKeys(made.signing.public_hex, other.encryption.public_hex)
    assert keys.fingerprint(swapped_signing) != printed
    assert keys.fingerprint(swapped_encryption) != printed


# --- pairing codes -------------------------------------------------------------------------------


def test_a_pairing_code_has_at_least_80_random_bits_in_5_groups_of_4() -> None:
    assert keys.PAIRING_RANDOM_SYMBOLS * math.log2(len(keys.ALPHABET)) >= 80
    codes = {keys.new_pairing_code() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert GROUPED.fullmatch(code) and len(code) == 24
        assert keys.check_pairing_code(code) == code


def test_the_alphabet_has_no_look_alikes_and_a_prime_size() -> None:
    assert not set("01ILO") & set(keys.ALPHABET)
    assert len(set(keys.ALPHABET)) == len(keys.ALPHABET) == 31


def test_a_code_typed_loosely_reads_as_printed() -> None:
    code = keys.new_pairing_code()
    assert keys.check_pairing_code(f"  {code.lower().replace('-', ' ')} ") == code
    assert keys.check_pairing_code(code.replace("-", "")) == code


def test_every_single_typing_mistake_is_caught() -> None:
    code = keys.new_pairing_code()
    symbols = code.replace("-", "")
    for position, right in enumerate(symbols):
        for wrong in keys.ALPHABET.replace(right, ""):
            typed = symbols[:position] + wrong + symbols[position + 1 :]
            refused("PAIRING_CODE_MISTYPED", lambda typed=typed: keys.check_pairing_code(typed))


def test_every_swap_of_two_different_symbols_is_caught() -> None:
    code = keys.new_pairing_code()
    symbols = list(code.replace("-", ""))
    for first in range(len(symbols)):
        for second in range(first + 1, len(symbols)):
            if symbols[first] == symbols[second]:
                continue
            typed = symbols.copy()
            typed[first], typed[second] = typed[second], typed[first]
            text = "".join(typed)
            refused("PAIRING_CODE_MISTYPED", lambda text=text: keys.check_pairing_code(text))


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c[:-1],  # a symbol short
        lambda c: c + "2",  # one too many
        lambda c: "0" + c[1:],  # look-alikes are not symbols at all
        lambda c: "O" + c[1:],
        lambda c: "1" + c[1:],
        lambda c: "I" + c[1:],
        lambda c: "l" + c[1:],
        lambda c: "Đ" + c[1:],
        lambda c: "",
    ],
)
def test_a_code_of_the_wrong_length_or_symbols_is_malformed(change: Callable[[str], str]) -> None:
    typed = change(keys.new_pairing_code())
    refused("PAIRING_CODE_MALFORMED", lambda: keys.check_pairing_code(typed))


def test_the_district_keeps_a_digest_and_matches_the_code_against_it() -> None:
    code, other = keys.new_pairing_code(), keys.new_pairing_code()
    digest = keys.pairing_code_digest(code)
    assert code not in digest and re.fullmatch(r"[0-9a-f]{64}", digest)
    assert keys.pairing_code_matches(code.lower(), digest)
    assert not keys.pairing_code_matches(other, digest)
    typo = ("3" if code[0] == "2" else "2") + code[1:]
    refused("PAIRING_CODE_MISTYPED", lambda: keys.pairing_code_matches(typo, digest))
