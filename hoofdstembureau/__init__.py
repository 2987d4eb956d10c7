"""The hoofdstembureau app: scan municipal sheets, add up the district, print O 3 with its signed summary."""
