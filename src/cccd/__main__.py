"""The `cccd` command: Django's manage, with the project's settings and commands."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cccd.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as refusal:
        # a setting refused at start (a bad variable, a field kit's missing or wrong passphrase):
        # its sentence says what to do; a traceback would only bury it
        sys.stderr.write(f"cccd: {refusal}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
