from django.apps import AppConfig
from django.core import checks


class DemoConfig(AppConfig):
    name = "cccd.demo"
    verbose_name = "Demo and test tools"

    def ready(self) -> None:
        checks.register(demo_tools_installed, checks.Tags.security, deploy=True)


def demo_tools_installed(**_kwargs: object) -> list[checks.CheckMessage]:
    """`cccd check --deploy` warns when the demo tools are installed: `seed_demo` makes users whose
    password is printed in README.md, and the simulated card centre signs production results."""
    return [
        checks.Warning(
            "CCCD_DEMO_TOOLS is on: the demo and synthetic-data commands are installed.",
            hint="Unset CCCD_DEMO_TOOLS on a server that holds real people.",
            id="demo.W001",
        )
    ]
