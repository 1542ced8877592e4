"""Typed errors. Library code raises them; only the CLI prints and picks exit codes.

Each class carries the exit code of its class of fault, so a script can tell a
bad input from a missing model from a full disk without parsing messages.
"""

from __future__ import annotations


class AlignError(Exception):
    """Base class. ``str(err)`` is a one-line message a person can act on."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None):
        self.path = path
        self.hint = hint
        self.message = message
        super().__init__(self._line())

    def _line(self) -> str:
        line = f"{self.path}: {self.message}" if self.path else self.message
        if self.hint:
            line += f" ({self.hint})"
        return " ".join(line.split())


class UsageError(AlignError):
    """Bad command line: options that contradict each other, wrong arguments."""

    exit_code = 2


class InputError(AlignError):
    """An input file is missing, unreadable, empty, binary, undecodable or not what it claims."""

    exit_code = 3


class ModelError(AlignError):
    """The embedding model cannot be found or loaded."""

    exit_code = 4


class OutputError(AlignError):
    """An output file cannot be written (missing directory, read-only place, disk full)."""

    exit_code = 5
