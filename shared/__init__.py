"""Telketen's common code: the pure election domain, the formats, and the adapters every tier shares.

`shared.domain` is pure (standard library, msgspec and cryptography only): it computes and never touches
files, the clock, randomness or the network. `shared.formats` turns domain values into bytes and back (EML_NL,
summaries, framing). `shared.adapters` is where the outside world is touched: QR images, PDF, SQLite, key
files."""
