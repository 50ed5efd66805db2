"""The one error type users see for bad input, shared by every stage."""
from __future__ import annotations


class InputError(ValueError):
    """Bad user input: the message names the file, the place (line, row, column) and what was expected.

    Stages raise it before writing anything, so the command line can report it and exit non-zero
    without leaving half-written output behind.
    """

    def __init__(self, message: str, *, path: object | None = None, where: str | None = None) -> None:
        self.path = None if path is None else str(path)
        self.where = where
        prefix = ""
        if self.path is not None:
            prefix = self.path + (f":{where}" if where else "") + ": "
        elif where:
            prefix = f"{where}: "
        super().__init__(prefix + message)
