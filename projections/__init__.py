"""The read side: projections of the event log into plain SQLite tables.

Nothing here imports Flask. Each module is one read model: its tables, one handler per
event type, and the read functions the views call.
"""

from __future__ import annotations

from projections import (
    admin_duties,
    audit_trail,
    census,
    claims,
    grid,
    ledger,
    organisations,
    oversight,
    quotas,
    roster,
    settings_history,
    users,
)
from projections.engine import Projection

ALL: tuple[Projection, ...] = (
    audit_trail.projection,
    settings_history.projection,
    users.projection,
    roster.projection,
    organisations.projection,
    grid.projection,
    census.projection,
    quotas.projection,
    ledger.projection,
    claims.projection,
    oversight.projection,
    admin_duties.projection,
)
