"""Receiving a signed summary from the tier below: the receiving office's checks (`shared.office.receive`).

The tier below is the hoofdstembureaus, or for a single-district election (a municipal council) the
municipalities themselves. The central office's own part is in its `Office`: the receiver (this election, any
district, issued by that tier) and that a summary must fit the lists of the district its sender reports for.
"""

from __future__ import annotations

from shared.office.office import shape_problem as shape_problem
from shared.office.receive import ScanItem as ScanItem
from shared.office.receive import receive_message as receive_message
