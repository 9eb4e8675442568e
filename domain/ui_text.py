"""Text that reaches ops in the Temporal UI.

The UI renders a workflow's summary, details and current details, and activity and timer
summaries, as Markdown. A client or member names itself: a name with ``[verify your bank
details](https://…)`` would put a link in front of ops, ``<img …>`` HTML, and a right-to-left
override (U+202E) would make "€10.00" read "00.01€". Every string that goes there passes
through ``literal`` once, at the boundary, so it shows exactly what was typed.
"""

from __future__ import annotations

import re
import unicodedata

from domain.bounds import BIDI_CONTROLS

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and then it is
# literal: no emphasis, link, image, HTML, heading, list, table or entity can start.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")


def _visible(char: str) -> str:
    """Control and bidi characters become a visible ``<U+202E>``; line breaks a space."""
    if char in "\r\n\t\u2028\u2029":
        return " "
    if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
        return f"<U+{ord(char):04X}>"
    return char


def literal(text: str) -> str:
    """``text`` as Markdown that renders as exactly these characters, on one line."""
    shown = "".join(_visible(c) for c in unicodedata.normalize("NFC", text))
    # Leading spaces would indent a code block, trailing ones a line break: neither is text.
    return _PUNCTUATION.sub(r"\\\1", shown.strip(" "))
