"""Finding the commune a register row lives in: by its code, or by parsing its address.

Addresses are parsed offline with `vietnamadminunits` (legacy 63-province scheme, as registers of
2021 are written), and the result is cached by the address's last three parts (commune, district,
province), so a million rows from a few hundred communes parse a few hundred addresses.
"""

from __future__ import annotations

from vietnamadminunits import ParseMode, parse_address

from cccd.units.models import Unit


class ResidenceResolver:
    def __init__(self, scope_prefixes: list[str]) -> None:
        communes = Unit.objects.filter(
            category=Unit.Category.ADMIN, level=Unit.Level.COMMUNE, is_active=True
        )
        self._by_code: dict[str, int] = {}
        for scheme, code, path, pk in communes.values_list("scheme", "code", "path", "pk").order_by(
            "-scheme"
        ):
            # legacy rows come last and win: a register of 2021 uses legacy codes
            if any(path.startswith(prefix) for prefix in scope_prefixes):
                self._by_code[code] = pk
            elif code in self._by_code and scheme == Unit.Scheme.LEGACY:
                del self._by_code[code]
        self._by_address: dict[str, str | None] = {}

    def commune_id(self, commune_code: str, address: str) -> int | None:
        """The commune's unit id, or None when it is unknown or outside the importer's units."""
        if commune_code:
            return self._by_code.get(commune_code.strip().zfill(5))
        code = self._code_for_address(address)
        return self._by_code.get(code) if code else None

    def _code_for_address(self, address: str) -> str | None:
        parts = [p.strip() for p in address.split(",") if p.strip()]
        if len(parts) < 3:
            return None
        key = ", ".join(parts[-3:])
        if key not in self._by_address:
            unit = parse_address(key, mode=ParseMode.LEGACY, level=3)
            self._by_address[key] = getattr(unit, "ward_code", None) or None
        return self._by_address[key]
