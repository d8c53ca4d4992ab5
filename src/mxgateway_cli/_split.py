"""Split one ``batch`` line into words like a POSIX shell, in time linear in the line.

The rules are those of ``shlex.split`` (POSIX mode, no comments): words are
separated by space, tab, CR or LF; ``'...'`` is literal; inside ``"..."`` a
backslash escapes only ``"`` and ``\\``; outside quotes a backslash escapes
any character; quoted and bare parts that touch form one word. ``shlex``
itself builds each word one character at a time by string concatenation on
an attribute, which CPython cannot do in place: a word of n characters costs
O(n^2) (a 1 MB word took seconds, 5 MB minutes). Here each piece is one
regular-expression match and a word is joined once.
"""

from __future__ import annotations

import re

_PIECE = re.compile(
    r"""
      (?P<space>[ \t\r\n]+)
    | (?P<bare>[^ \t\r\n'"\\]+)
    | '(?P<single>[^']*)'
    | "(?P<double>[^"\\]*(?:\\.[^"\\]*)*)"   # unrolled: no backtracking point per character
    | \\(?P<escaped>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE_IN_DOUBLE_QUOTES = re.compile(r"\\(.)", re.DOTALL)


def _unescape_double(text: str) -> str:
    # A backslash in double quotes escapes only " and \; before anything
    # else it stays, as in a POSIX shell.
    return _ESCAPE_IN_DOUBLE_QUOTES.sub(
        lambda match: match[1] if match[1] in '"\\' else match[0],
        text,
    )


def split_words(line: str) -> list[str]:
    """The words of ``line``; ValueError for an unclosed quote or a trailing backslash."""
    words: list[str] = []
    parts: list[str] = []
    in_word = False
    position = 0
    end = len(line)
    while position < end:
        match = _PIECE.match(line, position)
        if match is None:
            opening = line[position]
            raise ValueError("No escaped character" if opening == "\\" else "No closing quotation")
        position = match.end()
        kind = match.lastgroup
        if kind == "space":
            if in_word:
                words.append("".join(parts))
                parts.clear()
                in_word = False
            continue
        in_word = True
        if kind == "double":
            parts.append(_unescape_double(match["double"]))
        else:
            parts.append(match[kind or "bare"])
    if in_word:
        words.append("".join(parts))
    return words
