"""The municipal app (gemeentelijk stembureau): double entry of station reports, totals, signed Na 31-2."""
