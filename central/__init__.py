"""The central polling office app: scan the lower tier, add up, seats and candidates, publish P 22, 510d, 520."""
