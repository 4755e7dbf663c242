"""Every CLI command has help text and is documented in docs/cli.md."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main

from eligo.cli.main import app

DOCS = Path(__file__).resolve().parents[3] / "docs" / "cli.md"


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    # Typer vendors its own click; groups are the commands with sub-commands.
    if getattr(command, "commands", None):
        for name, child in command.commands.items():
            yield from walk(child, (*path, name))
    else:
        yield " ".join(("eligo", *path)), command


def test_every_command_has_help_and_docs() -> None:
    root = typer.main.get_command(app)
    commands = dict(walk(root))
    assert "eligo serve" in commands
    text = DOCS.read_text(encoding="utf-8")
    undocumented = [name for name in commands if f"`{name}" not in text]
    assert not undocumented, f"document these in docs/cli.md: {undocumented}"
    helpless = [name for name, command in commands.items() if not (command.help or "").strip()]
    assert not helpless, f"give these commands a docstring: {helpless}"
