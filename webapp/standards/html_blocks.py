"""Turn the HTML fragments of a published standard's table cells into blocks of plain text.

Published documents write lists in many ways: proper ``<li>`` items, numbers typed into
the text ("1. …2. …"), bullets ("•"), letters in paragraphs ("a. … b. …"), and numbering
slips (1, 2, 3, 5, 13). Markers are dropped and every item is kept, in order.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

# A number marker: "2." at the start, or after a space or sentence punctuation, before a letter;
# or glued to the word before it ("diri2. Mengisi"), then only before a capital.
_NUMBER_MARKER = re.compile(r"(?:^|(?<=[\s.;,:]))\d{1,2}\.\s*(?=[A-Za-z(])|(?<=[a-z])\d{1,2}\.\s+(?=[A-Z])")
_LETTER_MARKER = re.compile(r"(?:^|(?<=\s))[a-z]\.(?:\d+\.)?\s+(?=\S)")
_BULLET = re.compile(r"\s*[•●▪◦]\s*")
_LEADING_MARKER = re.compile(r"^\s*(?:[a-z]\.\d+\.|[a-z]\.|\d{1,2}\.|[-–•●▪◦*](?=\s))\s*")
_BRANCH = re.compile(r"(?:apabila|jika|bila)\s+(tidak\s+\w+)\s+maka\s+(.+?)\.?$", re.IGNORECASE)
_LIST_TAGS = {"ol", "ul"}
_BLOCK_TAGS = {"p", "pre", "ol", "ul", "li", "div"}


@dataclass
class Node:
    """An element of the little tree parsed from a cell; text children are plain strings."""

    tag: str
    children: list[Any] = field(default_factory=list)

    def text(self, skip_lists: bool = False) -> str:
        """The text inside, optionally without nested lists."""
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not (skip_lists and child.tag in _LIST_TAGS):
                parts.append(child.text(skip_lists))
        return "".join(parts)


class _TreeBuilder(HTMLParser):
    """A forgiving parser: unknown tags are inline, unmatched end tags are ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "li":
            self._close("li", stop_at=_LIST_TAGS)
        if tag == "br":
            self.stack[-1].children.append(" ")
            return
        node = Node(tag if tag in _BLOCK_TAGS else "inline")
        self.stack[-1].children.append(node)
        self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        self._close(tag if tag in _BLOCK_TAGS else "inline")

    def _close(self, tag: str, stop_at: set[str] | None = None) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            current = self.stack[index].tag
            if current == tag:
                del self.stack[index:]
                return
            if stop_at and current in stop_at:
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def clean(text: str) -> str:
    """Fold whitespace and drop the separators a list item ends with."""
    text = " ".join(html.unescape(text).split())
    return text.rstrip(" ;,").strip()


def split_marked(text: str, letters: bool = False) -> list[tuple[str, str]]:
    """Split text with typed markers into (marker kind, text): kind is bullet, number or none."""
    pattern = _LETTER_MARKER if letters else _NUMBER_MARKER
    found: list[tuple[str, str]] = []
    for index, piece in enumerate(_BULLET.split(text)):
        for position, part in enumerate(pattern.split(piece)):
            kind = "number" if position else ("bullet" if index else "none")
            found.append((kind, part))
    return [(kind, c) for kind, c in ((k, clean(t)) for k, t in found) if c]


def split_inline(text: str, letters: bool = False) -> list[str]:
    """Split text with typed markers ("1. a 2. b", "• a • b", "a. x b. y") into items."""
    return [text for _, text in split_marked(text, letters)]


def _item(text: str, children: list[dict] | None = None, marker: str = "none") -> dict[str, Any]:
    text = clean(_LEADING_MARKER.sub("", text, count=1))
    return {"text": text, "items": children or [], "_marker": marker}


def _strip_markers(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for item in items:
        item.pop("_marker", None)
        _strip_markers(item["items"])
    return items


def _list_items(node: Node) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for child in node.children:
        if isinstance(child, str) or child.tag in ("inline", "p"):
            text = child if isinstance(child, str) else child.text()
            items += [_item(t, marker=kind) for kind, t in split_marked(text)]
        elif child.tag == "li":
            nested = [i for sub in child.children if isinstance(sub, Node) and sub.tag in _LIST_TAGS
                      for i in _list_items(sub)]  # fmt: skip
            text = clean(child.text(skip_lists=True))
            if text:
                items.append(_item(text, nested))
            else:
                items += nested
        elif child.tag in _LIST_TAGS:
            nested = _list_items(child)
            # A bullet list typed inside a numbered list, left open: a numbered marker in it
            # ("• a • b 2. c") goes back to the outer list.
            back = next((i for i, item in enumerate(nested) if item["_marker"] == "number"), len(nested))
            if nested and nested[0]["_marker"] == "bullet" and items:
                items[-1]["items"] += nested[:back]
                items += nested[back:]
            elif items:
                items[-1]["items"] += nested  # a list typed inside a list belongs to the item before it
            else:
                items += nested
    return [i for i in items if i["text"]]


def parse_mermaid(source: str) -> list[dict[str, Any]]:
    """The boxes of a mermaid ``graph`` in reading order, with branches for edges that go back."""
    labels: dict[str, str] = {}

    def remember(match: re.Match) -> str:
        labels.setdefault(match.group(1), clean(match.group(2)))
        return match.group(1)

    bare = re.sub(r"\b([A-Za-z]\w*)\s*[\[(]{1,2}([^\])]+)[\])]{1,2}", remember, source)
    edges = re.findall(r"\b(\w+)\s*--(?:\s*\"([^\"]*)\"\s*--)?>\s*(?=(\w+))", bare)
    if not labels:
        return []
    order: list[str] = [next(iter(labels))]
    branches: dict[str, dict[str, str]] = {}
    for _ in range(len(labels)):
        for source_id, label, target in edges:
            if source_id != order[-1]:
                continue
            if target in order:
                branches[source_id] = {
                    "when": clean(label) or "Kembali",
                    "then": f"kembali ke {labels.get(target, target)}",
                }
            elif len(order) < len(labels):
                order.append(target)
                break
    nodes = []
    for node_id in order:
        node: dict[str, Any] = {"label": labels.get(node_id, node_id)}
        if node_id in branches:
            node["branch"] = branches[node_id]
        nodes.append(node)
    return nodes


def _add_nodes(block: dict[str, Any], nodes: list[Any]) -> None:
    """Append the paragraphs, lists and flow chart of one row to the block."""
    pending_heading: dict[str, Any] | None = None  # "a. Pejabat Struktural" waiting for its list
    for child in nodes:
        if isinstance(child, str) or child.tag in ("inline", "div"):
            text = clean(child if isinstance(child, str) else child.text())
            if text:
                (block["notes"] if block["items"] else block["paragraphs"]).append(text)
            continue
        if child.tag == "pre":
            block["flow"] = parse_mermaid(child.text())
            continue
        if child.tag == "p":
            text = child.text()
            if _LETTER_MARKER.match(text.strip()) or _NUMBER_MARKER.match(text.strip()):
                letters = bool(_LETTER_MARKER.match(text.strip()))
                new_items = [_item(t) for t in split_inline(text, letters=letters)]
                block["items"] += new_items
                pending_heading = new_items[-1] if len(new_items) == 1 else None
                continue
            text = clean(text)
            if text:
                (block["notes"] if block["items"] else block["paragraphs"]).append(text)
            pending_heading = None
            continue
        if child.tag in _LIST_TAGS or child.tag == "li":
            items = _list_items(child if child.tag in _LIST_TAGS else Node("ul", [child]))
            if pending_heading is not None and not pending_heading["items"]:
                pending_heading["items"] = items
            else:
                block["items"] += items
            pending_heading = None


def fragments_to_block(fragments: list[str], code: str) -> dict[str, Any]:
    """Build a block from the HTML of one component's cell and its continuation rows.

    Each row is parsed on its own: a list left open at the end of a row ends there, as
    it does in the published table.
    """
    block: dict[str, Any] = {"paragraphs": [], "items": [], "notes": [], "partial": False}
    for fragment in fragments:
        builder = _TreeBuilder()
        builder.feed(fragment)
        builder.close()
        _add_nodes(block, builder.root.children)
    _strip_markers(block["items"])
    if code == "prosedur":
        for item in block["items"]:
            match = _BRANCH.search(item["text"])
            if match:
                item["branch"] = {"when": match.group(1).lower(), "then": clean(match.group(2))}
    return block
