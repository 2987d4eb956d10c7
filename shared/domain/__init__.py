"""The pure election domain: definitions, station reports, validation, aggregation and seats.

Nothing in here reads a file, the clock, a random source or the network; time, keys and lot outcomes are
passed in by the caller. A test enforces the import rule.
"""
