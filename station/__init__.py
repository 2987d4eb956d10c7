"""The station report as the municipality types it: form order, Dutch labels, entry sessions (terminal and web)."""
