"""`cccd.core` is pure: it imports and works with Django absent (docs/design.md#pure-core)."""

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import cccd.core

CORE = Path(cccd.core.__file__).parent
MODULES = sorted(f"cccd.core.{path.stem}" for path in CORE.glob("*.py") if path.stem != "__init__")

USE_EVERY_MODULE = textwrap.dedent(
    """
    import sys
    sys.modules["django"] = None  # any `import django...` now raises ImportError
    import datetime as dt, importlib, random
    for name in sys.argv[1:]:
        importlib.import_module(name)
    from cccd.core import idnumber, mrz, names, qrpayload, validity

    number = idnumber.generate("067", "F", 1999, random.Random(1))
    assert idnumber.check(number, birth_year=1999, sex="F").province_code == "067"
    assert idnumber.province_name("052") == "Bình Định"
    assert names.split("đặng thị thu hương") == ("Đặng", "Thị Thu", "Hương")
    assert names.fold("Nguyễn Thị Thuý") == "nguyen thi thuy"
    born = dt.date(1999, 3, 15)
    expiry = validity.card_expiry(born, dt.date(2021, 4, 1), law="2014")
    assert validity.status(expiry, dt.date(2022, 1, 1)) == "valid"
    lines = mrz.td1(number, "Đặng Thị Thu Hương", born, "F", expiry)
    assert mrz.parse_td1(lines).personal_id == number
    card = qrpayload.CardQR(number, "", "Đặng Thị Thu Hương", born, "F", "Đắk Mil", dt.date(2021, 4, 1))
    assert qrpayload.decode(qrpayload.encode(card)) == card
    assert sys.modules["django"] is None
    assert not [m for m in sys.modules if m.startswith("django.")]
    print("pure")
    """
)


def test_the_core_modules_are_all_listed() -> None:
    assert {"cccd.core.idnumber", "cccd.core.names", "cccd.core.validity"} <= set(MODULES)
    assert {"cccd.core.mrz", "cccd.core.qrpayload"} <= set(MODULES)


def test_the_core_imports_and_works_without_django() -> None:
    env = {**os.environ, "PYTHONPATH": str(CORE.parent.parent)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", USE_EVERY_MODULE, *MODULES],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pure"


def test_no_core_source_file_mentions_a_django_import() -> None:
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                imported = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "django" for name in imported), path
