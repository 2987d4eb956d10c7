"""Byte formats: EML_NL in and out, the signed summary, QR framing. Pure functions of bytes and values."""
