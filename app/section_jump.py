"""A jump to a section lower down another page (walk 18: the Concepts page's "See a batch of
pairs" opened the Lab at its top, the batch two screens below). The button puts the
section's anchor in JUMP_TO; the page draws that section's heading with `section`, which
scrolls it into view once, in the visitor's browser, and forgets the jump."""

from __future__ import annotations

import streamlit as st

JUMP_TO = "jump_to_section"  # session key: the anchor of the heading to scroll to on the next page
PAIRS_BATCH, FILL_IN = "batch", "fill-in"  # the Lab's batch of pairs (pictures, sentences); its fill in the blank
LABEL_EFFICIENCY = "label-efficiency"  # Evaluate's curve

# the visitor's browser: find the heading (drawn after this script may run), bring it to the top, and once more a
# second later, after the pictures above it have loaded and pushed it down
_SCRIPT = """<script>(() => {{
  let tries = 0;
  const go = () => {{
    const heading = document.getElementById("{anchor}");
    if (heading) {{
      heading.scrollIntoView({{block: "start"}});
      if (tries >= 0) {{ tries = -1; setTimeout(go, 1000); }}
    }} else if (tries >= 0 && tries++ < 50) {{ setTimeout(go, 100); }}
  }};
  setTimeout(go, 100);
}})();</script>"""


def section(title: str, anchor: str, container=st) -> None:
    """`title` as a subheader with `anchor` (letters and hyphens), scrolled into view where a
    jump asked for it."""
    container.subheader(title, anchor=anchor)
    if st.session_state.get(JUMP_TO) == anchor:
        del st.session_state[JUMP_TO]
        container.html(_SCRIPT.format(anchor=anchor), unsafe_allow_javascript=True)
