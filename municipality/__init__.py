"""The municipal app (gemeentelijk stembureau): double entry of station reports, totals, signed report Na 31-2."""
