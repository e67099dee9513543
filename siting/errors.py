"""One exception family for everything a user can get wrong.

Every message names *where* (file, row, field) and *what was expected*, so the
CLI and the app can print it without a traceback.
"""

from __future__ import annotations


class SitingError(Exception):
    """Base class of every error the tool raises on bad input or data.

    Parameters
    ----------
    message
        What went wrong and what was expected.
    file, row, field
        Where it went wrong, when known. ``row`` is 1-based as a user counts
        rows in a spreadsheet (the header is row 0 for CSV input).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = None if file is None else str(file)
        self.row = row
        self.field = field
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file '{self.file}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return (", ".join(where) + ": " if where else "") + self.detail


class SiteInputError(SitingError):
    """A candidate-site file is unreadable or a site in it is invalid."""


class LayerError(SitingError):
    """A data layer is missing, corrupted or in an unexpected format."""


class ChecksumError(LayerError):
    """A data file's sha256 does not match the catalog."""


class ConfigError(SitingError):
    """A model, fleet, scenario or decision parameter is out of its allowed range."""


class OutputError(SitingError):
    """An output cannot be written where it was asked for."""
