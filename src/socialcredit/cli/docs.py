"""The CLI reference, generated from the commands themselves: ``python -m socialcredit.cli.docs``.

Prints Markdown for every command and group, recursively, in name order. Nothing depends on the terminal
(width, colours) or the machine, so ``docs/cli-reference.md`` can be compared with it in a test.
``make docs`` writes the file.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

HIDDEN_OPTIONS = {"install_completion", "show_completion", "help"}
EXAMPLE = re.compile(r"^(?P<before>.*?)\bExamples?\b(?P<label>[^:\n]*):\s*(?P<command>.+)$", re.DOTALL)


@dataclass(frozen=True)
class Entry:
    """One command or group, with the context Typer's help machinery needs."""

    path: str
    command: Any
    context: Any

    @property
    def is_group(self) -> bool:
        return hasattr(self.command, "list_commands")


def walk(command: Any = None, context: Any = None, name: str = "socialcredit") -> Iterator[Entry]:
    """The root, then every visible subcommand depth first, each level in name order."""
    import typer.main
    from typer._click.core import Context

    if command is None:
        from socialcredit.cli.main import app

        command = typer.main.get_command(app)
    context = Context(command, info_name=name, parent=context)
    entry = Entry(context.command_path, command, context)
    yield entry
    if entry.is_group:
        for sub_name in sorted(command.list_commands(context)):
            sub = command.get_command(context, sub_name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, context, sub_name)


def reference() -> str:
    """The whole reference as Markdown."""
    entries = list(walk())
    out = [
        "# CLI reference\n",
        "Generated from the code by `make docs` (`python -m socialcredit.cli.docs`); do not edit by hand.",
        "Every command accepts `--help`. Errors in what you give a command print a message on stderr and",
        "exit with status 2.\n",
    ]
    out += [f"- [`{e.path}`](#{_anchor(e.path)})" for e in entries[1:]]
    out.append("")
    for entry in entries:
        out += section(entry)
    return "\n".join(out).rstrip() + "\n"


def section(entry: Entry) -> list[str]:
    """One command's heading, help text, usage, parameters and example."""
    depth = entry.path.count(" ")
    level = "#" * (2 if depth <= 1 else min(depth + 1, 4))
    lines = [f"{level} `{entry.path}`", ""]
    prose, examples = split_help(entry.command.help or "")
    lines += [*prose, ""] if prose else []
    lines += ["```", usage(entry), "```", ""]
    lines += parameters_table(entry)
    if entry.is_group:
        lines += commands_table(entry)
    for label, command in examples:
        lines += [f"{label}:", "", "```sh", command, "```", ""]
    return lines


def split_help(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Help text as Markdown paragraphs, and its examples as ``(label, command)``."""
    paragraphs = [_join(block) for block in _blocks(text)]
    prose: list[str] = []
    examples: list[tuple[str, str]] = []
    for paragraph in paragraphs:
        match = EXAMPLE.match(paragraph)
        if match is None:
            prose += [paragraph, ""]
            continue
        if match["before"].strip():
            prose += [match["before"].strip(), ""]
        examples.append((f"Example{match['label']}".rstrip(), match["command"].strip()))
    return prose[:-1], examples


def _join(block: str) -> str:
    """One paragraph on one line (``\\b``, click's no-rewrap marker, dropped)."""
    return " ".join(line.strip() for line in block.splitlines() if line.strip() and line.strip() != "\b")


def _blocks(text: str) -> list[str]:
    return [block for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]


def usage(entry: Entry) -> str:
    params = [p for p in entry.command.params if p.name not in HIDDEN_OPTIONS and not getattr(p, "hidden", False)]
    pieces = [entry.path]
    if any(p.param_type_name == "option" for p in params):
        pieces.append("[OPTIONS]")
    for p in params:
        if p.param_type_name == "argument":
            name = p.name.upper() + ("..." if p.nargs == -1 else "")
            pieces.append(name if p.required else f"[{name}]")
    if entry.is_group:
        pieces.append("COMMAND [ARGS]...")
    return " ".join(pieces)


def parameters_table(entry: Entry) -> list[str]:
    rows = []
    for param in entry.command.params:
        if param.name in HIDDEN_OPTIONS or getattr(param, "hidden", False):
            continue
        record = param.get_help_record(entry.context)
        if record is None:
            continue
        name, text = record
        if param.param_type_name == "argument":
            name = param.name.upper() + name[len(param.name) :]
        rows.append(f"| `{_cell(name)}` | {_cell(text)} |")
    if not rows:
        return []
    return ["| argument or option | description |", "|---|---|", *rows, ""]


def commands_table(entry: Entry) -> list[str]:
    rows = []
    for sub_name in sorted(entry.command.list_commands(entry.context)):
        sub = entry.command.get_command(entry.context, sub_name)
        if sub is None or sub.hidden:
            continue
        summary = split_help(sub.help or "")[0]
        first = summary[0] if summary else ""
        rows.append(f"| [`{sub_name}`](#{_anchor(entry.path + ' ' + sub_name)}) | {_cell(first)} |")
    return ["| command | what it does |", "|---|---|", *rows, ""] if rows else []


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _anchor(path: str) -> str:
    """The anchor GitHub gives the heading `` `socialcredit policy check` ``."""
    return re.sub(r"[^a-z0-9 -]", "", path.lower()).replace(" ", "-")


def main() -> None:
    sys.stdout.write(reference())


if __name__ == "__main__":
    main()
