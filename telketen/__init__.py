"""The `telketen` command: one entry point that dispatches to the tiers and the cross-cutting commands.

This package is the only place allowed to import more than one tier (the CLI and the demo orchestrate them);
the tiers themselves never import each other.
"""
