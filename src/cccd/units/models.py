"""The unit trees: administrative divisions and the police units that mirror them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

ADMIN_ROOT = "/hc/"
POLICE_ROOT = "/ca/"


class Unit(models.Model):
    """A node of a unit tree, with a materialised path for subtree queries.

    Two trees share this table: administrative divisions (`/hc/…`, hành chính) where people live, and
    police units (`/ca/…`, công an) where users work. A police unit's path equals the path of the
    division it serves with the root swapped, so a user's scope over both trees is two prefixes.
    Both schemes live under one root: the province segment carries the scheme (`L67` legacy Đắk
    Nông, `N68` the 2025 Lâm Đồng), because a legacy code must never be read as a current one.
    """

    class Category(models.TextChoices):
        ADMIN = "admin", _("Administrative division")
        POLICE = "police", _("Police unit")

    class Scheme(models.TextChoices):
        NATIONAL = "national", _("National (both schemes)")
        LEGACY = "legacy", _("Until 30/06/2025: 63 provinces, districts, communes")
        CURRENT = "2025", _("From 01/07/2025: 34 provinces, communes")

    class Level(models.TextChoices):
        NATION = "nation", _("Nation / ministry")
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")

    category = models.CharField(_("category"), max_length=8, choices=Category.choices)
    scheme = models.CharField(_("scheme"), max_length=8, choices=Scheme.choices)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    division_type = models.CharField(_("division type"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(_("path"), max_length=120, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_field = ""

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        permissions = [("manage_units", _("Can manage units of their subtree"))]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "scheme", "code"], name="unit_code_unique_in_scheme"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def mirror_path(self) -> str:
        """The path of the same place in the other tree (police ↔ administrative)."""
        if self.path.startswith(POLICE_ROOT):
            return ADMIN_ROOT + self.path[len(POLICE_ROOT) :]
        return POLICE_ROOT + self.path[len(ADMIN_ROOT) :]

    @property
    def id_province_code(self) -> str | None:
        """The 3-digit code used in personal ID numbers, for a legacy province.

        See docs/domain.md#id-number.
        """
        if self.level == self.Level.PROVINCE and self.scheme == self.Scheme.LEGACY:
            return self.code.zfill(3)
        return None

    @staticmethod
    def segment(scheme: str, level: str, code: str) -> str:
        if level == Unit.Level.PROVINCE:
            return ("L" if scheme == Unit.Scheme.LEGACY else "N") + code
        return code

    @classmethod
    def path_for(
        cls, parent: Unit | None, category: str, scheme: str, level: str, code: str
    ) -> str:
        if parent is None:
            return ADMIN_ROOT if category == cls.Category.ADMIN else POLICE_ROOT
        return f"{parent.path}{cls.segment(scheme, level, code)}/"
