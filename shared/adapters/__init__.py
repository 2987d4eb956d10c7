"""Adapters at the edge: QR rendering and scanning, PDF, SQLite state, audit log, key files."""
