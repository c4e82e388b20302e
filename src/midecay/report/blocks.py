"""Regenerated blocks of a Markdown document: the text between ``<!-- generated:NAME -->`` and
``<!-- /generated:NAME -->`` belongs to the program that writes NAME; the prose around it to people.

``scripts/make_report.py`` fills ``docs/report.md``'s blocks with the tables its experiments write,
so that the numbers a report shows are those of the run that made its figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import InputError

_MARKER = re.compile(r"<!-- (/?)generated:([A-Za-z0-9_.-]+) -->")


def block_names(text: str) -> list[str]:
    """The names of the generated blocks in ``text``, in order; a marker left unclosed is a one-line error.

    Examples
    --------
    >>> block_names("a\\n<!-- generated:x -->\\nold\\n<!-- /generated:x -->\\nb")
    ['x']
    """
    names: list[str] = []
    open_name: str | None = None
    for m in _MARKER.finditer(text):
        closing, name = m.group(1) == "/", m.group(2)
        if not closing:
            if open_name is not None:
                raise InputError(f"generated block {open_name!r} is not closed before {name!r} opens; "
                                 f"add <!-- /generated:{open_name} -->")
            if name in names:
                raise InputError(f"generated block {name!r} appears twice; give each block one name")
            open_name = name
        elif name != open_name:
            raise InputError(f"<!-- /generated:{name} --> closes a block that is not open; "
                             f"open it with <!-- generated:{name} -->")
        else:
            names.append(name)
            open_name = None
    if open_name is not None:
        raise InputError(f"generated block {open_name!r} is not closed; add <!-- /generated:{open_name} -->")
    return names


def fill_blocks(text: str, blocks: Mapping[str, str]) -> str:
    """``text`` with each named block's contents replaced by ``blocks[name]``; other text is kept byte for byte.

    Every name in ``blocks`` must have its markers in ``text`` (else a one-line error naming it),
    and blocks not named are left as they are.

    Examples
    --------
    >>> doc = "Results:\\n<!-- generated:t -->\\nold\\n<!-- /generated:t -->\\nEnd."
    >>> print(fill_blocks(doc, {"t": "| a | 1 |"}))
    Results:
    <!-- generated:t -->
    | a | 1 |
    <!-- /generated:t -->
    End.
    """
    present = set(block_names(text))
    missing = sorted(set(blocks) - present)
    if missing:
        raise InputError(f"the document has no generated block {missing[0]!r}; add "
                         f"<!-- generated:{missing[0]} --> and <!-- /generated:{missing[0]} --> where it belongs")
    for name, body in blocks.items():
        pattern = re.compile(rf"(<!-- generated:{re.escape(name)} -->\n?).*?(\n?<!-- /generated:{re.escape(name)} -->)",
                             re.DOTALL)
        body = body.strip("\n")
        text = pattern.sub(lambda m: f"{m.group(1).rstrip(chr(10))}\n{body}\n{m.group(2).lstrip(chr(10))}", text, count=1)
    return text
