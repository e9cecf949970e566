"""The csv module's field limit, set once on import for every reader here (labels.py,
text_read.py). The module refuses a field over 131,072 characters, process-wide, before our
own caps can say what is wrong (a label's 256 characters, a text example cut at 1,000), and
a reader that raised it only when it ran made every later reader in the process accept
what an earlier one refused. Raised to the largest file read here, the labels file's 64 MiB."""

from __future__ import annotations

import csv

FIELD_LIMIT = 64 * 1024**2  # characters: a field can be no longer than the file that holds it

csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
