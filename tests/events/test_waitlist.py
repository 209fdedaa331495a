"""RSVPs in the database against a plain list model of a capacity with a first-come waitlist,
on many generated click sequences: same statuses, same waitlist order, never over capacity."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.models import Community, Member
from bot.storage import Database
from bot.testing.harness import migrated_sqlite
from cogs.events import store
from cogs.events.models import Event, EventRsvp

NOW = datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc)
PEOPLE = 6


class Model:
    """The rules as a person would state them, with lists."""

    def __init__(self, capacity: int | None) -> None:
        self.capacity = capacity
        self.status: dict[int, str] = {}
        self.going: list[int] = []
        self.waitlist: list[int] = []

    def click(self, member: int, choice: str) -> None:
        before = self.status.get(member)
        if choice == "going":
            if before in ("going", "waitlist"):
                return
            full = self.capacity is not None and len(self.going) >= self.capacity
            (self.waitlist if full else self.going).append(member)
            self.status[member] = "waitlist" if full else "going"
            return
        for line in (self.going, self.waitlist):
            if member in line:
                line.remove(member)
        self.status[member] = choice
        while self.waitlist and (self.capacity is None or len(self.going) < self.capacity):
            lucky = self.waitlist.pop(0)
            self.going.append(lucky)
            self.status[lucky] = "going"


@pytest.fixture(scope="module")
def db(tmp_path_factory: Any) -> Iterator[tuple[Database, int, list[int]]]:
    path: Path = tmp_path_factory.mktemp("waitlist") / "w.db"
    database = Database(migrated_sqlite(path, ["cogs.events"]))

    def setup(session: Any) -> tuple[int, list[int]]:
        community = Community(platform="console", external_id="console")
        session.add(community)
        session.flush()
        members = [Member(community_id=community.id, external_id=f"m{i}") for i in range(PEOPLE)]
        session.add_all(members)
        session.flush()
        return community.id, [m.id for m in members]

    with database.session() as session:
        community_id, member_ids = setup(session)
        session.commit()
    yield database, community_id, member_ids
    database.dispose()


clicks = st.lists(st.tuples(st.integers(0, PEOPLE - 1), st.sampled_from(["going", "maybe", "no"])), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(capacity=st.one_of(st.none(), st.integers(1, 4)), sequence=clicks)
def test_the_database_follows_the_model(db: tuple[Database, int, list[int]], capacity: int | None,
                                        sequence: list[tuple[int, str]]) -> None:
    database, community_id, members = db
    with database.session() as session:
        event = Event(community_id=community_id, title="t", starts_at=NOW + timedelta(days=1),
                      ends_at=NOW + timedelta(days=1, hours=1), capacity=capacity)
        session.add(event)
        session.commit()
        event_id = event.id
    model = Model(capacity)
    for step, (person, choice) in enumerate(sequence):
        when = NOW + timedelta(seconds=step)
        with database.session() as session:
            change = store.rsvp(session, community_id, event_id, members[person], choice, when)
            session.commit()
        before_going = list(model.going)
        model.click(members[person], choice)
        assert list(change.promoted) == [m for m in model.going if m not in before_going and m != members[person]]
        with database.session() as session:
            rows = session.exec(select(EventRsvp).where(EventRsvp.event_id == event_id)).all()
            assert {r.member_id: r.status for r in rows} == model.status
            waiting = sorted((r for r in rows if r.status == "waitlist"), key=lambda r: (r.waitlisted_at, r.id))
            assert [r.member_id for r in waiting] == model.waitlist
            going = sum(r.status == "going" for r in rows)
            assert capacity is None or going <= capacity
