"""docs/production.md tells ops how to register the search attributes on a real cluster: the
command there must name every attribute the workflows set, with its type."""

from __future__ import annotations

import re

from config import PROJECT_ROOT
from workflows.search_attributes import ALL_KEYS, CLI_TYPES


def test_the_cluster_command_registers_every_search_attribute() -> None:
    text = (PROJECT_ROOT / "docs" / "production.md").read_text()
    start = text.index("temporal operator search-attribute create")
    command = text[start : text.index("```", start)].replace("\\\n", " ")
    pairs = re.findall(r"--name (\w+) --type (\w+)", command)
    expected = [(key.name, CLI_TYPES[key._metadata_type]) for key in ALL_KEYS]
    assert sorted(pairs) == sorted(expected)
