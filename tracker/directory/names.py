"""Organization names compared as people read them: look-alikes are the same name.

Two names are the same when their keys are equal: Unicode NFKC (compatibility forms such as
full-width letters or the no-break space become their plain form), invisible characters
removed (zero-width spaces and joiners, soft hyphens, direction marks, byte-order marks),
white space collapsed, letters that look like Latin ones in Cyrillic and Greek mapped to the
Latin letter, and case folded.
"""

import re
import unicodedata

# Characters with no visible form (format characters and a few others).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_SPACES = re.compile(r"\s+")
# Cyrillic and Greek letters drawn like Latin ones (lower case; the key is case folded first).
_LOOK_ALIKES = str.maketrans(
    "\u0430\u0432\u0435\u0451\u043a\u043c\u043d\u043e\u0440\u0441\u0442\u0443\u0445\u0455"
    "\u0456\u0457\u0458\u0501\u051b\u051d\u04bb\u04cf\u03b1\u03b2\u03b5\u03b7\u03b9\u03ba"
    "\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7\u03b3\u03b6\u03bc",
    "abeekmhopctyxsiijdqwhlabenikvoptuxyzu",
)


def strip_invisible(text: str) -> str:
    """The name without characters that show nothing (kept when stored)."""
    return _INVISIBLE.sub("", text)


def name_key(name: str) -> str:
    """What two organization names must differ in to be told apart."""
    text = unicodedata.normalize("NFKC", name or "")
    text = strip_invisible(text)
    text = _SPACES.sub(" ", text).strip()
    return text.casefold().translate(_LOOK_ALIKES)
