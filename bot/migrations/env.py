"""Alembic environment: one script location, version folders from the core and every loaded cog.

The connection (and the metadata) are handed in through ``config.attributes`` by
``bot.storage.Database.upgrade``; running ``alembic`` by hand is not needed.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=config.attributes.get("metadata", SQLModel.metadata),
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things in place
    compare_type=True,
    # autogenerate (``python -m bot db revision``) looks at one cog's tables only (bot/migrate.py)
    include_object=config.attributes.get("include_object"),
)
with context.begin_transaction():
    context.run_migrations()
