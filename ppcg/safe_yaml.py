"""YAML for configuration files: ``yaml.safe_load`` (plain data, nothing executed), a repeated key an error.

PyYAML keeps the last of two equal keys without a word, so ``alpha: 0.01`` followed further down by
``alpha: 0.1`` silently means 0.1. Here the second one is an error at its line, a ``yaml.YAMLError`` like
any other syntax error (``problem_mark`` holds the line). Keys merged in from an anchor (``<<: *default``)
may still be overridden: that is what the merge is for.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["load"]


class _UniqueKeyLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:  # the mapping's own keys, before anchors are merged in
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:  # an unhashable key: the constructor below says so
                continue
            if first is not key_node:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key!r} is given twice (first at line {first.start_mark.line + 1})",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


def load(text: str) -> Any:
    """``yaml.safe_load(text)``, with a key given twice in one mapping an error.

    Raises:
        yaml.YAMLError: bad YAML or a repeated key (``problem_mark`` gives the line).
    """
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
