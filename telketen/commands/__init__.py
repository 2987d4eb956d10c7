"""Cross-cutting sub-commands: eml, seats, paper, keys, verify, demo."""
