"""Example briefing-lint rules (XY codes)."""
