"""``completion bash|zsh|fish``: the shell script that completes ``ccloud-async``.

The scripts are argcomplete's: the shell asks ``ccloud-async`` itself (with
``_ARGCOMPLETE`` set) for the words that fit, so commands, options and choices are
always those of the installed version; cluster names come from the API when
credentials are configured.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_command

__all__ = ["register"]


def register(sub: Any) -> None:
    completion = add_command(
        sub,
        "completion",
        "print the shell completion script",
        epilog=(
            'bash: eval "$(ccloud-async completion bash)" (e.g. in ~/.bashrc); '
            'zsh: eval "$(ccloud-async completion zsh)"; '
            "fish: ccloud-async completion fish | source"
        ),
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))
    completion.set_defaults(run_sync=_print)


def _print(args: argparse.Namespace) -> int:
    from argcomplete.shell_integration import shellcode

    from ..app import PROG

    print(shellcode([PROG], shell=args.shell), end="")
    return 0
