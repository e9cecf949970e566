"""Text cells made safe to open in a spreadsheet (OWASP "CSV Injection").

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` as a
formula (tab and carriage return open the same door), so a file named
`=HYPERLINK("http://x")` or a label `+cmd|' /C calc'!A0` would be live in an exported
CSV. Every text cell that starts so gets a leading apostrophe, which spreadsheets show as
text; numbers are left as numbers.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> object:
    """`cell` with a leading `'` when it is text that a spreadsheet would run as a formula."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def neutralise_text_columns(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` whose non-numeric columns are `neutralise`d cell by cell."""
    text = [column for column in table.columns if not pd.api.types.is_numeric_dtype(table[column])]
    return table.assign(**{column: table[column].map(neutralise) for column in text})
