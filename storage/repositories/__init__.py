"""SQL implementations of the repository Protocols in `bot.ports.store`; none of them commits."""

from storage.repositories.assemblies import SqlAssemblyRepository
from storage.repositories.audit import SqlAuditRepository
from storage.repositories.coop import (
    SqlCentreRepository,
    SqlShiftRepository,
)
from storage.repositories.dialogs import SqlDialogRepository
from storage.repositories.inbox import SqlInboxRepository
from storage.repositories.invites import SqlInviteRepository
from storage.repositories.outbox import SqlOutboxRepository
from storage.repositories.people import SqlPeopleRepository

__all__ = [
    "SqlAssemblyRepository",
    "SqlAuditRepository",
    "SqlCentreRepository",
    "SqlDialogRepository",
    "SqlInboxRepository",
    "SqlInviteRepository",
    "SqlOutboxRepository",
    "SqlPeopleRepository",
    "SqlShiftRepository",
]
