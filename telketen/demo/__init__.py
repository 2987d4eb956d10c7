"""`telketen demo`: the whole chain on a generated election, through the real apps, deterministic for a seed.

`run.run_demo(out, spec=..., jobs=...)` is the entry point; `municipal`, `typists`, `paper` and `tiers` play
the people and the paper between the apps. The only place besides the command line that imports every tier.
"""
