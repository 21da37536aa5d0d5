"""Refusals of the field kit's keys, pairing codes, packets and receipts (`cccd.fieldkit`).

A packet reaches the district from a laptop that spent the night in a school hall, and a receipt
reaches the kit from a network it does not control: both are read as hostile input. Each refusal
says what was wrong in words an administrator can act on; none of them changes anything.
"""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

# keys and pairing
KIT_KEY_UNREADABLE = ErrorCode(
    "KIT_KEY_UNREADABLE",
    _(
        "A field-kit key cannot be read: a public key is written as 64 hexadecimal characters, a "
        "private key as a PKCS#8 PEM block of the right kind (Ed25519 to sign, X25519 to encrypt)."
    ),
    400,
)
PAIRING_CODE_MALFORMED = ErrorCode(
    "PAIRING_CODE_MALFORMED",
    _(
        "A pairing code is 20 characters in 5 groups of 4, made of the digits 2 to 9 and the "
        "letters other than I, L and O. Type it again as it was printed."
    ),
    400,
)
PAIRING_CODE_MISTYPED = ErrorCode(
    "PAIRING_CODE_MISTYPED",
    _(
        "The pairing code has a typing mistake: its last character does not match the others. "
        "Type it again as it was printed."
    ),
    400,
)

# packets: the envelope, read before anything is decrypted
PACKET_TOO_LARGE = ErrorCode(
    "PACKET_TOO_LARGE",
    _("The packet takes %(size)s MB; at most %(limit)s MB is accepted. Nothing was read from it."),
    413,
)
PACKET_NOT_A_PACKET = ErrorCode(
    "PACKET_NOT_A_PACKET",
    _("This file is not a field-kit packet: it does not start with a packet's mark."),
    400,
)
PACKET_TRUNCATED = ErrorCode(
    "PACKET_TRUNCATED",
    _(
        "The packet is cut short (%(size)s bytes): it was not sent or saved whole. Send it again "
        "from the kit."
    ),
    400,
)
PACKET_VERSION_UNSUPPORTED = ErrorCode(
    "PACKET_VERSION_UNSUPPORTED",
    _(
        "The packet is written in format version %(version)s; this server reads version "
        "%(supported)s. Install the same version of cccd on the kit and on the server."
    ),
    400,
)
PACKET_UNDECRYPTABLE = ErrorCode(
    "PACKET_UNDECRYPTABLE",
    _(
        "The packet cannot be decrypted with this district's key: it was changed after the kit "
        "sealed it, or it was sealed for another district. Nothing was read from it."
    ),
    422,
)

# packets: the content, once decrypted
PACKET_DAMAGED = ErrorCode(
    "PACKET_DAMAGED",
    _(
        "The packet decrypts, but its content is not laid out as a packet's must be: the kit's "
        "software is faulty or the packet was forged. Nothing was read from it."
    ),
    422,
)
PACKET_MANIFEST_INVALID = ErrorCode(
    "PACKET_MANIFEST_INVALID",
    _(
        "The packet's manifest has no valid “%(field)s”: the kit's software is faulty or the "
        "packet was forged. Nothing was read from it."
    ),
    422,
)
PACKET_SCHEMA_UNSUPPORTED = ErrorCode(
    "PACKET_SCHEMA_UNSUPPORTED",
    _(
        "The packet's manifest is written in schema version %(version)s; this server reads "
        "version %(supported)s. Install the same version of cccd on the kit and on the server."
    ),
    422,
)
PACKET_KIT_UNKNOWN = ErrorCode(
    "PACKET_KIT_UNKNOWN",
    _(
        "The packet says it comes from kit “%(kit)s”, which is not paired with this district or "
        "was revoked: it is refused."
    ),
    403,
)
PACKET_SIGNATURE_INVALID = ErrorCode(
    "PACKET_SIGNATURE_INVALID",
    _(
        "The packet's signature does not match the key of kit “%(kit)s”: it was signed by another "
        "kit, or changed after the kit signed it. It is refused."
    ),
    422,
)
PACKET_TOO_MANY_MEMBERS = ErrorCode(
    "PACKET_TOO_MANY_MEMBERS",
    _("The packet holds %(count)s files; at most %(max)s are accepted in one packet."),
    413,
)
PACKET_MEMBER_TOO_LARGE = ErrorCode(
    "PACKET_MEMBER_TOO_LARGE",
    _(
        "File “%(name)s” of the packet takes %(size)s MB; at most %(limit)s MB is accepted for "
        "one file."
    ),
    413,
)
PACKET_MEMBER_NAME_UNSAFE = ErrorCode(
    "PACKET_MEMBER_NAME_UNSAFE",
    _(
        "The packet holds a file named “%(name)s”. A file's name must be a relative path of "
        "letters, digits, “.”, “_” and “-”, at most %(max)s characters, with no part starting "
        "with a dot and no name used twice: the packet is refused."
    ),
    400,
)
PACKET_MEMBER_UNLISTED = ErrorCode(
    "PACKET_MEMBER_UNLISTED",
    _(
        "The packet holds file “%(name)s”, which its signed manifest does not list (or holds it "
        "twice): the packet is refused."
    ),
    422,
)
PACKET_MEMBER_MISSING = ErrorCode(
    "PACKET_MEMBER_MISSING",
    _("File “%(name)s”, listed in the packet's signed manifest, is missing from the packet."),
    422,
)
PACKET_MEMBER_SIZE_MISMATCH = ErrorCode(
    "PACKET_MEMBER_SIZE_MISMATCH",
    _(
        "File “%(name)s” of the packet has %(size)s bytes where the kit signed %(expected)s: it "
        "was changed after the kit signed it. The packet is refused."
    ),
    422,
)
PACKET_MEMBER_HASH_MISMATCH = ErrorCode(
    "PACKET_MEMBER_HASH_MISMATCH",
    _(
        "File “%(name)s” of the packet is not the file the kit signed (its SHA-256 differs): it "
        "was changed after the kit signed it. The packet is refused."
    ),
    422,
)

# receipts, read by the kit
RECEIPT_INVALID = ErrorCode(
    "RECEIPT_INVALID",
    _(
        "The district's receipt cannot be read: it is not a receipt as cccd writes them. The "
        "packet is kept."
    ),
    422,
)
RECEIPT_SIGNATURE_INVALID = ErrorCode(
    "RECEIPT_SIGNATURE_INVALID",
    _(
        "The receipt's signature does not match the district's key: it does not come from the "
        "district, or it was changed on the way. The packet is kept."
    ),
    422,
)
RECEIPT_OTHER_PACKET = ErrorCode(
    "RECEIPT_OTHER_PACKET",
    _("The receipt is for packet %(received)s, not for packet %(expected)s. The packet is kept."),
    422,
)

# requests signed by a kit
KIT_REQUEST_UNSIGNED = ErrorCode(
    "KIT_REQUEST_UNSIGNED",
    _(
        "This address answers field kits only, and the request does not carry a kit's name, "
        "clock and signature. Use `cccd kit` on a paired kit."
    ),
    401,
)
KIT_REQUEST_SIGNATURE_INVALID = ErrorCode(
    "KIT_REQUEST_SIGNATURE_INVALID",
    _(
        "The request's signature is not that of the kit it names: it was changed on the way, or "
        "the kit's keys are not those the district paired. Pair the kit again if it persists."
    ),
    401,
)

# at rest: the kit's data folder, encrypted under the team leader's passphrase (`atrest`)
AT_REST_PASSPHRASE_MISSING = ErrorCode(
    "AT_REST_PASSPHRASE_MISSING",
    _(
        "Field mode keeps the kit's data encrypted, and no passphrase was given to unlock it: set "
        "CCCD_KIT_PASSPHRASE, or CCCD_KIT_PASSPHRASE_FILE to a file outside the data folder that "
        "holds it."
    ),
    400,
)
AT_REST_PASSPHRASE_TWICE = ErrorCode(
    "AT_REST_PASSPHRASE_TWICE",
    _(
        "Both CCCD_KIT_PASSPHRASE and CCCD_KIT_PASSPHRASE_FILE are set: set only one of them, so "
        "that it is clear which passphrase unlocks the kit."
    ),
    400,
)
AT_REST_PASSPHRASE_TOO_SHORT = ErrorCode(
    "AT_REST_PASSPHRASE_TOO_SHORT",
    _(
        "The kit's passphrase has %(length)s characters; at least %(minimum)s are needed, since "
        "anyone holding the stolen laptop can try passphrases as fast as their computers allow."
    ),
    400,
)
AT_REST_PASSPHRASE_FILE_INSIDE_DATA = ErrorCode(
    "AT_REST_PASSPHRASE_FILE_INSIDE_DATA",
    _(
        "The passphrase file named by CCCD_KIT_PASSPHRASE_FILE is inside the kit's data folder: "
        "whoever takes the folder would take the key with it. Keep the file somewhere else (a USB "
        "key the team leader carries, for instance)."
    ),
    400,
)
AT_REST_PASSPHRASE_FILE_UNREADABLE = ErrorCode(
    "AT_REST_PASSPHRASE_FILE_UNREADABLE",
    _(
        "The passphrase file named by CCCD_KIT_PASSPHRASE_FILE cannot be read: it is missing, not "
        "a file, not UTF-8 text, or larger than %(limit)s bytes."
    ),
    400,
)
AT_REST_PASSPHRASE_WRONG = ErrorCode(
    "AT_REST_PASSPHRASE_WRONG",
    _(
        "This passphrase does not unlock the kit's data folder: it is not the passphrase the "
        "folder was set up with. Nothing was opened; type it again, or ask the team leader."
    ),
    400,
)
AT_REST_STATE_MISSING = ErrorCode(
    "AT_REST_STATE_MISSING",
    _(
        "The kit's data folder holds encrypted data but not kit-at-rest.json, which holds the salt "
        "of its key: without it the data cannot be decrypted by any passphrase. If this is a new "
        "kit, start from an empty data folder and run “cccd migrate” first."
    ),
    400,
)
AT_REST_STATE_UNREADABLE = ErrorCode(
    "AT_REST_STATE_UNREADABLE",
    _(
        "The kit's kit-at-rest.json cannot be read: it is damaged, was changed by hand, or was "
        "written by another version of cccd. Nothing was opened."
    ),
    400,
)
AT_REST_DATABASE_NOT_ENCRYPTED = ErrorCode(
    "AT_REST_DATABASE_NOT_ENCRYPTED",
    _(
        "Field mode is on, but the database in the data folder is a plain, unencrypted SQLite "
        "file. A kit starts from an empty data folder; field mode does not encrypt an existing "
        "database."
    ),
    400,
)
AT_REST_FILE_DAMAGED = ErrorCode(
    "AT_REST_FILE_DAMAGED",
    _(
        "The stored file “%(name)s” cannot be decrypted: it was changed, cut short, or moved from "
        "another name on the kit's disk. Its content was not used."
    ),
    422,
)
AT_REST_FILE_TOO_LARGE = ErrorCode(
    "AT_REST_FILE_TOO_LARGE",
    _("The file takes %(size)s MB; the kit stores at most %(limit)s MB in one file."),
    413,
)
