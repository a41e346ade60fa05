"""Docs that cannot drift: the CLI reference is the generator's output, and every command explains itself."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from socialcredit.cli.docs import reference, split_help, walk

ROOT = Path(__file__).resolve().parents[1]
CLI_REFERENCE = ROOT / "docs" / "cli-reference.md"


def generate(columns: str) -> str:
    env = {**os.environ, "COLUMNS": columns, "TERM": "xterm-256color", "FORCE_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "socialcredit.cli.docs"], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout


def test_cli_reference_is_up_to_date() -> None:
    assert CLI_REFERENCE.read_text(encoding="utf-8") == reference(), "docs/cli-reference.md is stale: run `make docs`"


def test_the_generator_ignores_the_terminal() -> None:
    narrow, wide = generate("40"), generate("250")
    assert narrow == wide == reference()
    assert "\x1b[" not in narrow


def test_every_command_has_help_and_every_leaf_an_example() -> None:
    problems = []
    for entry in walk():
        text = entry.command.help or ""
        if not text.strip():
            problems.append(f"{entry.path}: no help text")
        elif not entry.is_group and "Example" not in text:
            problems.append(f"{entry.path}: no example in its help")
    assert problems == []


def test_every_command_is_in_the_reference() -> None:
    text = reference()
    paths = [entry.path for entry in walk()]
    assert {"socialcredit evaluate", "socialcredit policy check", "socialcredit demo"} <= set(paths)
    for path in paths:
        assert f"`{path}`\n" in text, path


def test_examples_become_shell_blocks() -> None:
    prose, examples = split_help("Do a thing.\n\nMore words. Example: socialcredit x --a 1\n--b 2")
    assert prose == ["Do a thing.", "", "More words."]
    assert examples == [("Example", "socialcredit x --a 1 --b 2")]


def code_blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL)


def shell_commands(block: str) -> list[list[str]]:
    """The commands of a shell block: continuation lines joined, comments dropped."""
    return [shlex.split(line, comments=True) for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def test_readme_tour_commands_run() -> None:
    ran = 0
    for block in code_blocks(ROOT / "README.md", "sh"):
        for words in shell_commands(block):
            if not words or Path(words[0]).name != "socialcredit" or words[1] not in {"policy", "evaluate", "demo"}:
                continue
            done = subprocess.run(
                [sys.executable, "-m", "socialcredit", *words[1:]], capture_output=True, text=True, cwd=ROOT
            )
            assert done.returncode == 0, f"{' '.join(words)}: {done.stderr}"
            ran += 1
    assert ran >= 3


def test_readme_library_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (example,) = code_blocks(ROOT / "README.md", "python")
    monkeypatch.chdir(ROOT)
    exec(compile(example, "README.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == ["101500 A", "1015", "allow"]


def test_docs_index_links_resolve() -> None:
    index = ROOT / "docs" / "index.md"
    targets = re.findall(r"\]\(([^)#]+)", index.read_text(encoding="utf-8"))
    assert targets and [t for t in targets if not (index.parent / t).exists()] == []
