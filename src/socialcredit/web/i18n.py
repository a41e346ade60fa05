"""Messages in Simplified Chinese and English: one TOML catalogue per language under ``web/messages/``.

Keys are dotted (``nav.home``); a template says ``{{ _("nav.home") }}`` or ``{{ _("x.y", n=3) }}``
(``str.format`` fields). The language comes from the ``lang`` cookie, else the browser's
``Accept-Language``, else Chinese (English when the client sends no ``Accept-Language`` at all: a
script, not a browser). A missing key falls back to English, then to the key itself.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
COOKIE = "lang"
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The messages of ``lang`` (one of :data:`LANGUAGES`), flattened to dotted keys."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    text = resources.files("socialcredit.web").joinpath("messages", f"{lang}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(text))


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """The language to answer in: the cookie, else the best supported ``Accept-Language`` entry, else zh."""
    if cookie in LANGUAGES:
        return str(cookie)
    if accept_language is None:
        return "en"
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT


class Translator:
    """``_(key, **fields)`` for one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.messages = catalogue(lang)
        self.fallback = catalogue("en")

    def __call__(self, key: str, **fields: Any) -> str:
        text = self.messages.get(key) or self.fallback.get(key) or key
        return text.format(**fields) if fields else text
