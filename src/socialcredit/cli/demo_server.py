"""``socialcredit demo`` (served): build the county in a fresh folder, print the logins, start the server."""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from socialcredit.errors import UserError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from typing import Any

    from fastapi import FastAPI

    from socialcredit.cli.demo_county import County
    from socialcredit.settings import Settings

MARKER = ".socialcredit-demo"


def fresh_folder(folder: Path) -> None:
    """Empty ``folder`` if an earlier demo made it; refuse a non-empty folder the demo did not make."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise UserError(f"--dir {folder}: not empty and not made by the demo; choose another folder")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by socialcredit demo; deleted and rebuilt by the next run\n", encoding="utf-8")


def demo_settings(folder: Path) -> Settings:
    from socialcredit.settings import Settings

    return Settings(
        database_url=f"sqlite:///{(folder / 'demo.db').resolve()}",
        evidence_dir=(folder / "evidence").resolve(),
        keys_dir=(folder / "keys").resolve(),
        secret_key=secrets.token_urlsafe(32),
    )


def run_county(
    handbook: Path, folder: Path, *, people: int, orgs: int, months: int, seed: int, host: str, port: int, serve: bool
) -> None:
    """Build (printing each step on stderr), print the URL and logins, then serve until interrupted."""
    from socialcredit.cli.demo_county import build
    from socialcredit.cli.output import stderr_console
    from socialcredit.reports.signing import init_key

    began = time.perf_counter()
    console = stderr_console()
    fresh_folder(folder)
    settings = demo_settings(folder)

    def step(text: str) -> None:
        console.print(f"[dim]{time.perf_counter() - began:5.1f} s[/dim]  {text}", highlight=False)

    county = build(
        settings, policy_path=handbook, work=folder / "work", people=people, orgs=orgs, months=months, seed=seed,
        step=step,
    )  # fmt: skip
    init_key(settings.keys_dir)
    shutil.rmtree(folder / "work", ignore_errors=True)
    url = f"http://{host}:{port}/"
    if not serve:
        step("loaded")
        print_summary(county, url, time.perf_counter() - began, serving=False)
        return
    step("starting the server")

    def announce() -> None:
        step("ready")
        print_summary(county, url, time.perf_counter() - began, serving=True)

    _serve(settings, host, port, announce)


def print_summary(county: County, url: str, seconds: float, *, serving: bool) -> None:
    from socialcredit.cli.demo_county import PASSWORD

    figures = county.figures
    state = "ready" if serving else "loaded"
    print(
        f"Demo county {state} in {seconds:.1f} s: {figures.get('subjects', 0):,} subjects, "
        f"{figures.get('records', 0):,} records, {figures.get('objections', 0)} open objections."
    )
    print(f"\nOpen {url}\n\nLogins (password for all: {PASSWORD}):")
    for login in county.logins:
        note = f"  ({login.note})" if login.note else ""
        print(f"  {login.role:<14} {login.name}{note}")
    print(f"\nAPI key of the relying party 'airline' (checks, bulk screening): {county.party_key}")
    print(f"API key of the source 'court' (decides objections to its records): {county.source_keys.get('court', '')}")
    if serving:
        print("\nPress Ctrl+C to stop.", flush=True)


def _serve(settings: Settings, host: str, port: int, announce: Callable[[], None]) -> None:
    """Serve the app; ``announce`` runs once it has started (its check snapshot loaded)."""
    from contextlib import asynccontextmanager

    import uvicorn

    from socialcredit.api.app import create_app

    app = create_app(settings)
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with previous(app) as state:
            announce()
            yield state

    app.router.lifespan_context = lifespan
    uvicorn.run(app, host=host, port=port, log_level="warning")
