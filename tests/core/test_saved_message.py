"""bot.message_ref: a saved message is one MessageRef over a table's own columns."""

from __future__ import annotations

import pytest
from sqlmodel import Field, Session, SQLModel, create_engine, select

from bot import MessageRef, message_ref

class Card(SQLModel, table=True):
    __tablename__ = "saved_card_example"

    id: int | None = Field(default=None, primary_key=True)
    platform: str | None = Field(default=None, max_length=16)
    server_id: str | None = Field(default=None, max_length=64)
    channel_id: str | None = Field(default=None, max_length=64)
    message_id: str | None = Field(default=None, max_length=64)
    thread_id: str | None = Field(default=None, max_length=64, index=True)
    reply_platform: str | None = Field(default=None, max_length=16)
    reply_server_id: str | None = Field(default=None, max_length=64)
    reply_channel_id: str | None = Field(default=None, max_length=64)
    reply_message_id: str | None = Field(default=None, max_length=64)
    message = message_ref()
    reply = message_ref("reply_")  # no reply_thread_id column: kept without a thread


SQLModel.metadata.remove(Card.__table__)  # an example table: not one the app creates or migrates


def test_a_saved_message_round_trips_through_the_database() -> None:
    engine = create_engine("sqlite://")
    Card.__table__.create(engine)
    posted = MessageRef("discord", "500", "501", "9001", "9002")
    with Session(engine) as session:
        card = Card()
        assert card.message is None and card.reply is None  # nothing posted yet
        card.message = posted
        card.reply = MessageRef("slack", "T1", "C1", "1700000000.0001")
        session.add(card)
        session.commit()
        card_id = card.id
    with Session(engine) as session:
        card = session.get(Card, card_id)
        assert card.message == posted
        assert card.reply == MessageRef("slack", "T1", "C1", "1700000000.0001", None)
        # each part is still a column of its own: found by thread like any other value
        assert session.exec(select(Card).where(Card.thread_id == "9002")).one().id == card_id
        card.message = None
        session.add(card)
        session.commit()
    with Session(engine) as session:
        card = session.get(Card, card_id)
        assert card.message is None
        assert (card.platform, card.server_id, card.channel_id, card.message_id, card.thread_id) == (None,) * 5
    engine.dispose()


def test_a_half_filled_row_is_no_message() -> None:
    # e.g. a prompt reserved before it is posted keeps "" in its columns
    assert Card(platform="discord", server_id="500", channel_id="501", message_id="").message is None
    assert Card(platform="", server_id="500", channel_id="501", message_id="9").message is None


def test_only_a_message_ref_fits_and_a_thread_needs_its_column() -> None:
    card = Card()
    with pytest.raises(TypeError, match="MessageRef or None"):
        card.message = ("discord", "500", "501", "9")  # type: ignore[assignment]
    with pytest.raises(ValueError, match="no reply_thread_id column"):
        card.reply = MessageRef("discord", "500", "501", "9", "77")
    assert card.reply is None, "nothing was written"
