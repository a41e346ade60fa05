"""Synthetic populations: people and organisations with valid identifiers and their records under a handbook.

``synthesize(SynthSpec(...), out)`` streams ``subjects.parquet`` and ``records/part-NNNNN.parquet`` with
bounded memory; the same seed gives the same content. See docs/synth.md.
"""

from socialcredit.synth.spec import SynthSpec
from socialcredit.synth.writer import Summary, synthesize

__all__ = ["Summary", "SynthSpec", "synthesize"]
