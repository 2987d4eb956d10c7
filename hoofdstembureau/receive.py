"""Receiving a municipality's signed summary: the receiving office's checks (`shared.office.receive`).

The hoofdstembureau's own part is in its `Office`: the receiver (this election and kieskring, issued by a
municipality) and the lists every summary must fit (this kieskring's 230b).
"""

from __future__ import annotations

from shared.office.office import shape_problem as shape_problem
from shared.office.receive import ScanItem as ScanItem
from shared.office.receive import receive_message as receive_message
