"""The receiving office: what the hoofdstembureau and the central office have in common.

Both tiers run the same mechanics (ARCHITECTURE §1, docs/tiers.md): a state file with the imported election,
the key register and every summary received; `init` with the typed hash check and a key pair; key enrolment;
scanning and checking the tier below's signed summaries through `shared.domain.intake`; the dashboard; copying
what was received into the published folder; and the common CLI sub-commands. Tiers may not import each other,
so this lives here, an adapter package (it touches files and SQLite) that imports no tier. A tier subclasses
`Office` with what really differs: whom it adds up, how it names them, which district a summary must fit, and
what its `finalise` produces.
"""
