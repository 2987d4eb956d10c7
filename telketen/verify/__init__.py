"""`telketen verify`: anyone recomputes and checks a published result from the published files alone.

See docs/verify.md. `run.verify_dir(path)` is the entry point; the checks live in `counts`, `tree` and
`result`.
"""
