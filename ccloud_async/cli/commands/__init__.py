"""Sub-commands: each module's ``register(subparsers)`` adds its own."""

from __future__ import annotations

from types import ModuleType

from . import api as api
from . import audit as audit
from . import billing as billing
from . import clusters as clusters
from . import completion as completion
from . import data as data
from . import emulator as emulator
from . import network as network
from . import org as org
from . import report as report
from . import sql_users as sql_users

__all__ = ["COMMAND_MODULES"]

COMMAND_MODULES: tuple[ModuleType, ...] = (
    clusters,
    sql_users,
    network,
    data,
    billing,
    audit,
    org,
    report,
    api,
    emulator,
    completion,
)
