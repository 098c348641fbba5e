"""Text safe for XML 1.0: characters it cannot carry are replaced, so a bad byte never breaks CI output."""

from __future__ import annotations

import re

_INVALID_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)
