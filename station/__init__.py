"""The station report as the municipality types it: form order, Dutch labels, entry (terminal and web)."""
