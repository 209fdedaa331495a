"""events: a waitlist promotion remembers its "a spot opened" DM until it is sent

event_rsvp.promoted_at is set in the transaction that moves a member from the waitlist to
going and cleared once the DM went out; one left set (the process stopped in between) is sent
by the events cog's minute sync.

Revision ID: events_0002
Revises: events_0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'events_0002'
down_revision = 'events_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_rsvp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promoted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('event_rsvp', schema=None) as batch_op:
        batch_op.drop_column('promoted_at')
