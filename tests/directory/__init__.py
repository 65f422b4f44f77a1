"""Tests of `hub/directory`; `FIXTURES` holds the feeds and pages the stub server serves."""

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
