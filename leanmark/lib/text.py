"""What text Leanmark stores: the rules every service's text cleaner applies.

Refused, wherever text comes in (web, API, CLI, imports):
- control characters (tab, newline and carriage return are allowed in texts of several lines);
- lone UTF-16 surrogates (U+D800-U+DFFF): JSON's ``"\\ud800"`` and a CLI argument with a byte
  that is not UTF-8 produce them; they are not characters, no database can store them, and they
  answered 500;
- bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069): they
  make a title display in another order than it is stored ("Trojan Source"), so a card can
  read as something it is not. The marks U+200E/U+200F/U+061C stay allowed: right-to-left text
  needs them and they reorder nothing outside themselves.

And a text that must be filled is blank when it holds nothing visible: spaces, zero-width
characters (U+200B-U+200D, U+2060, U+FEFF), other format characters and the Hangul fillers.
"""

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")  # render as nothing, are not Cf

CONTROL = "contains control characters; remove them"


def problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be stored, as the end of a sentence ("the title contains …"), or None."""
    if (_CONTROL_EXCEPT_LINES if multiline else _CONTROL).search(text):
        return CONTROL
    found = _SURROGATE.search(text)
    if found:
        return (
            f"contains a lone UTF-16 surrogate (U+{ord(found.group()):04X}), which is not a "
            "character; send valid Unicode text"
        )
    found = _BIDI.search(text)
    if found:
        return (
            f"contains a bidirectional control character (U+{ord(found.group()):04X}), which "
            "makes text display in another order than it is stored; remove it"
        )
    return None


def blank(text: str) -> bool:
    """True when ``text`` shows nothing: only spaces, zero-width and other invisible characters."""
    return all(
        ch.isspace() or ch in _FILLERS or unicodedata.category(ch) in ("Cf", "Cc", "Zs")
        for ch in text
    )


def has_surrogate(value: object) -> bool:
    """Whether a parsed JSON value (text, list, dict, nested) holds a lone surrogate."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, list | tuple):
        return any(has_surrogate(item) for item in value)
    if isinstance(value, dict):
        return any(has_surrogate(k) or has_surrogate(v) for k, v in value.items())
    return False
