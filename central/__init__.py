"""The central polling office app: scan the tier below, add up, seats and candidates, publish P 22 and EML."""
