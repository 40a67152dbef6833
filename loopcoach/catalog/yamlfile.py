"""YAML loading that remembers where every value came from.

Validation errors must name a line, so documents are composed into PyYAML's node tree first
and the plain Python values are constructed from those same nodes. A field path from a
validation error is then walked through the nodes to find its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from loopcoach.catalog.errors import ContentError

# libyaml's parser, where PyYAML was built with it, reads content several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class LocatedDocument:
    """A parsed YAML document with its node tree, for locating fields by path."""

    path: Path
    data: Any
    root: yaml.Node | None

    def line_of(self, location: tuple[int | str, ...]) -> int:
        """Return the 1-based line of the deepest node on `location` that exists."""
        node = self.root
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for step in location:
            node = _child(node, step)
            if node is None:
                break
            line = node.start_mark.line + 1
        return line


def _child(node: yaml.Node, step: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                found: yaml.Node = value
                return found
        return None
    in_range = isinstance(step, int) and 0 <= step < len(node.value)
    if isinstance(node, yaml.SequenceNode) and in_range:
        child: yaml.Node = node.value[step]
        return child
    return None


def load_yaml(path: Path) -> LocatedDocument:
    """Parse one YAML file.

    Raises:
        ContentError: the file cannot be read or is not valid YAML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(path, 1, "", f"cannot read file: {error}") from error

    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ContentError(path, line, "", f"invalid YAML: {error.problem}") from error
    except yaml.YAMLError as error:
        raise ContentError(path, 1, "", f"invalid YAML: {error}") from error
    finally:
        loader.dispose()
    duplicate = _first_duplicate_key(root)
    if duplicate is not None:
        name, line = duplicate
        raise ContentError(path, line, name, "appears twice in the same mapping")
    return LocatedDocument(path=path, data=data, root=root)


def _first_duplicate_key(root: yaml.Node | None) -> tuple[str, int] | None:
    # PyYAML keeps the last of two equal keys without a word; in content that is a
    # mistake worth a line number.
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        return str(key.value), key.start_mark.line + 1
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None
