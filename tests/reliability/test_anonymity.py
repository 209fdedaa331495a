"""Anonymous polls against a database reader and an observer: each test plays the attacker.

The threat model is docs/anonymity.md. Every attack below recovered who voted what before the
ballot box (cogs/polls/ballots.py); now each may learn only the sum of a batch of at least k
votes. The vote pattern is chosen so that no batch can be unanimous whichever ballots the box
picks (a unanimous batch, like a unanimous result, tells everyone what each of its voters
chose — that is inherent, and documented). A control run with k = 1 shows the same attacker
does link votes when batches are too small, so its failure at k = 3 means something.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import sqlite3
import struct
from pathlib import Path
from typing import Any, AsyncIterator, Iterator

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

from bot.logging_setup import configure
from bot.testing import Harness
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack import SlackBot
from cogs.polls.ballots import BallotSeal

COGS = ["cogs.polls"]
OPTIONS = ["Apple", "Banana", "Cherry"]
# 8 votes, k = 3: the box opens 3 of the first 6 (two of each option: never 3 alike), then the
# remaining 5 at close (the last two votes differ): no batch can be unanimous.
PATTERN = [OPTIONS[n % 3] for n in range(8)]
K = 3

State = tuple[frozenset[str], frozenset[int], tuple[int, ...]]  # guards (members), sealed ballot ids, counts


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    db_url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    bot = await Harness(cogs=COGS, db_url=db_url, tmpdir=tmp_path).start()
    bot.app.get_cog("poll").update_delay = 0
    yield bot
    await bot.stop()


def read_state(conn: Any, poll_id: int) -> State:
    guards = frozenset(str(r[0]) for r in conn.execute(text(
        "SELECT m.external_id FROM poll_voter v JOIN member m ON m.id = v.member_id WHERE v.poll_id = :p"),
        {"p": poll_id}))
    sealed = frozenset(int(r[0]) for r in conn.execute(text(
        "SELECT id FROM poll_sealed_ballot WHERE poll_id = :p"), {"p": poll_id}))
    counts = tuple(int(r[0]) for r in conn.execute(text(
        "SELECT votes FROM poll_option WHERE poll_id = :p ORDER BY position"), {"p": poll_id}))
    return guards, sealed, counts


class CommitByCommit:
    """Every committed state of the database, in order: what replaying the WAL (SQLite) or reading
    every row version with its xmin (PostgreSQL) gives a reader, recorded after each commit."""

    def __init__(self, bot: Harness, poll_id: int) -> None:
        self.bot, self.poll_id = bot, poll_id
        self.states: list[State] = []

    def __enter__(self) -> "CommitByCommit":
        event.listen(Session, "after_commit", self._record)
        return self

    def __exit__(self, *exc: Any) -> None:
        event.remove(Session, "after_commit", self._record)

    def _record(self, session: Session) -> None:
        with self.bot.db.read_engine.connect() as conn:
            state = read_state(conn, self.poll_id)
        if not self.states or self.states[-1] != state:
            self.states.append(state)


def link(states: list[State], options: int) -> dict[str, set[int]]:
    """The attacker: from consecutive states, every option each voter may have picked.

    A guard and a sealed ballot that appear in the same commit belong together; a commit that
    changes the counts gives the sum of the ballots it removed — or, with no ballot box, of the
    voters it added. A voter whose set has one option is linked."""
    owner: dict[int, str] = {}
    possible: dict[str, set[int]] = {}
    for (g0, s0, c0), (g1, s1, c1) in zip(states, states[1:]):
        added, new_ballots, opened = g1 - g0, s1 - s0, s0 - s1
        if len(added) == 1 and len(new_ballots) == 1:
            owner[next(iter(new_ballots))] = next(iter(added))
        delta = {n for n in range(options) if c1[n] != c0[n]} if c0 else set()
        if not delta:
            continue
        voters = {owner.get(b, "?") for b in opened} if opened else set(added)
        for voter in voters:
            possible[voter] = possible.get(voter, set(range(options))) & delta
    return possible


async def vote_all(bot: Harness, pattern: list[str]) -> Any:
    await bot.command(f'/poll create question:"Fruit?" options:"{"; ".join(OPTIONS)}" anonymous:true', as_="ana")
    poll = bot.last("general")
    for n, pick in enumerate(pattern):
        result = await bot.click(poll, pick, as_=f"voter{n}")
        assert "Vote recorded" in result.text and pick not in result.text
    return poll


async def test_replaying_every_commit_links_no_voter_to_a_choice(backend: Harness) -> None:
    backend.app.get_cog("poll").batch = K
    with CommitByCommit(backend, poll_id=1) as history:
        await vote_all(backend, PATTERN)
        await backend.command("/poll close 1", as_="ana")
    possible = link(history.states, len(OPTIONS))
    assert len(possible) == len(PATTERN)  # the attacker saw every voter's ballot counted...
    assert all(len(options) >= 2 for options in possible.values()), possible  # ...and can tie none to one option
    changes = [sum(b) - sum(a) for (_, _, a), (_, _, b) in zip(history.states, history.states[1:]) if a and a != b]
    assert changes and min(changes) >= K  # every change of the counts is a batch of at least k
    assert history.states[-1][2] == (3, 3, 2)  # and nothing was lost


async def test_the_same_attacker_links_votes_when_batches_are_too_small(backend: Harness) -> None:
    backend.app.get_cog("poll").batch = 1  # control: k = 1 opens single ballots
    with CommitByCommit(backend, poll_id=1) as history:
        await vote_all(backend, PATTERN)
    possible = link(history.states, len(OPTIONS))
    linked = {voter: options for voter, options in possible.items() if len(options) == 1}
    assert linked and all(OPTIONS[next(iter(o))] == PATTERN[int(v[5:])] for v, o in linked.items())


async def test_the_live_message_moves_only_in_batches_an_observer_cannot_zip(backend: Harness) -> None:
    """A channel member reads the counts after every vote and knows who voted when (the guard
    ids in order, or just watching who clicks): zipping the two links nobody."""
    backend.app.get_cog("poll").batch = K
    await backend.command(f'/poll create question:"Fruit?" options:"{"; ".join(OPTIONS)}" anonymous:true', as_="ana")
    poll = backend.last("general")
    shown = []
    for n, pick in enumerate(PATTERN):
        await backend.click(poll, pick, as_=f"voter{n}")
        await backend.app.get_cog("poll").flush_updates()
        shown.append((f"voter{n}", tuple(int(x) for x in re.findall(r"% \((\d+)\)", poll.text))))
    with backend.db.read_engine.connect() as conn:
        by_id = [str(r[0]) for r in conn.execute(text(
            "SELECT m.external_id FROM poll_voter v JOIN member m ON m.id = v.member_id ORDER BY v.id"))]
    # random ids: ordering the guards by id does not give the voting order (1 chance in 8! that it does)
    assert sorted(by_id) == sorted(v for v, _ in shown) and by_id != [v for v, _ in shown]
    possible: dict[str, set[int]] = {}
    since: list[str] = []
    before = (0, 0, 0)
    for voter, counts in shown:
        since.append(voter)
        delta = {n for n in range(3) if counts[n] != before[n]}
        if delta:
            assert sum(counts) - sum(before) >= K
            for v in since:
                possible[v] = delta
            since, before = [], counts
    assert possible and all(len(o) >= 2 for o in possible.values()), possible


async def test_no_guard_shares_a_transaction_or_row_version_with_a_count_on_postgres(
        pg_url: str, tmp_path: Path) -> None:
    bot = await Harness(cogs=COGS, db_url=pg_url, tmpdir=tmp_path).start()
    try:
        bot.app.get_cog("poll").batch = K
        await vote_all(bot, PATTERN)
        with bot.db.engine.connect() as conn:
            # 1. joining the guard and the counts on xmin (same transaction)
            same_txn = conn.execute(text(
                "SELECT v.member_id, o.position FROM poll_voter v JOIN poll_option o "
                "ON v.xmin::text = o.xmin::text")).all()
            assert same_txn == []
            # 2. every version of every poll_option row, dead ones included (pageinspect)
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
            versions = conn.execute(text(
                "SELECT t_xmin::text FROM heap_page_items(get_raw_page('poll_option', 0))"
                " WHERE t_xmin IS NOT NULL")).all()
            guard_txns = {r[0] for r in conn.execute(text("SELECT xmin::text FROM poll_voter"))}
            assert versions and not guard_txns & {r[0] for r in versions}
            # 3. what a guard does share a transaction with: a sealed ballot, unreadable without the key
            paired = conn.execute(text(
                "SELECT b.sealed FROM poll_voter v JOIN poll_sealed_ballot b ON v.xmin::text = b.xmin::text")).all()
            conn.commit()
        blobs = [bytes(r[0]) for r in paired]
        assert blobs and len(set(blobs)) == len(blobs) and len({len(b) for b in blobs}) == 1
        assert all(BallotSeal(b"a guessed key").open(1, b) is None for b in blobs)
    finally:
        await bot.stop()


def read_survey(conn: Any, poll_id: int) -> tuple[frozenset[str], frozenset[int], tuple[str, ...]]:
    guards, sealed, _ = read_state(conn, poll_id)
    answers = tuple(sorted(str(r[0]) for r in conn.execute(text(
        "SELECT value FROM poll_answer WHERE poll_id = :p"), {"p": poll_id})))
    return guards, sealed, answers


@pytest.mark.parametrize("sealed", [True, False], ids=["ballot-box", "control-without-box"])
async def test_an_anonymous_survey_links_no_respondent_to_their_answer(backend: Harness, sealed: bool) -> None:
    """The same attacker on a survey: a guard and a sealed response per answer, responses
    stored in batches of at least k, in random order, without member or time. The control
    stores each response with its guard (no seal), and the attacker then links every one."""
    backend.app.get_cog("poll").batch = K
    if not sealed:
        backend.app.get_cog("poll").seal = None
    await backend.command('/poll survey title:"Feedback" questions:"Anything else?" anonymous:true', as_="tess",
                          role="instructor")
    survey = backend.last("general")
    states: list[Any] = []

    def record(session: Session) -> None:
        with backend.db.read_engine.connect() as conn:
            state = read_survey(conn, 1)
        if not states or states[-1] != state:
            states.append(state)

    event.listen(Session, "after_commit", record)
    try:
        for n in range(8):
            opened = await backend.click(survey, "Answer", as_=f"voter{n}")
            done = await backend.click(opened.forms[-1].submit_action, as_=f"voter{n}",
                                       values={"q1": f"secret answer {n}"})
            assert "Thank you" in done.text
        await backend.command("/poll close 1", as_="tess", role="instructor")
    finally:
        event.remove(Session, "after_commit", record)
    owner: dict[int, str] = {}
    possible: dict[str, set[str]] = {}
    for (g0, s0, a0), (g1, s1, a1) in zip(states, states[1:]):
        if len(g1 - g0) == 1 and len(s1 - s0) == 1:
            owner[next(iter(s1 - s0))] = next(iter(g1 - g0))
        added = set(a1) - set(a0)
        if added:
            for ballot in s0 - s1:
                possible[owner.get(ballot, "?")] = added
            for voter in g1 - g0:  # without the box, the answer would arrive with its guard
                possible[voter] = added
    assert len(states[-1][2]) == 8 and len(possible) == 8  # every answer stored, and seen arriving
    if sealed:
        assert all(len(a) >= K for a in possible.values()), possible
    else:
        assert all(a == {f"secret answer {v[5:]}"} for v, a in possible.items()), possible


def wal_commits(db: Path) -> Iterator[Path]:
    """Replay a SQLite WAL commit by commit: after each commit frame, a copy of the database as it
    was then (the main file plus every frame up to that commit)."""
    wal = Path(str(db) + "-wal").read_bytes()
    magic, _, page_size, _, salt1, salt2 = struct.unpack(">IIIIII", wal[:24])
    assert magic in (0x377F0682, 0x377F0683)
    image = bytearray(db.read_bytes())
    offset, n = 32, 0
    while offset + 24 + page_size <= len(wal):
        page_no, commit_size, s1, s2 = struct.unpack(">IIII", wal[offset:offset + 16])
        if (s1, s2) != (salt1, salt2):
            break
        page = wal[offset + 24:offset + 24 + page_size]
        end = page_no * page_size
        if len(image) < end:
            image.extend(b"\0" * (end - len(image)))
        image[end - page_size:end] = page
        offset += 24 + page_size
        if commit_size:
            n += 1
            copy = db.with_name(f"replay-{n}.db")
            copy.write_bytes(bytes(image[:commit_size * page_size]))
            yield copy


async def test_replaying_the_sqlite_wal_commit_by_commit_links_no_voter(tmp_path: Path) -> None:
    bot = await Harness(cogs=COGS, tmpdir=tmp_path).start()
    try:
        bot.app.get_cog("poll").batch = K  # (a few votes stay far below SQLite's 1000-page auto-checkpoint)
        await vote_all(bot, PATTERN)
        await bot.command("/poll close 1", as_="ana")
        db = tmp_path / "bot.db"
        snapshot = tmp_path / "stolen"
        snapshot.mkdir()
        shutil.copy(db, snapshot / "bot.db")
        shutil.copy(Path(str(db) + "-wal"), snapshot / "bot.db-wal")
        states: list[State] = []
        for copy in wal_commits(snapshot / "bot.db"):
            with sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True) as conn:
                try:
                    state = read_state(_Sqlite(conn), 1)
                except sqlite3.DatabaseError:
                    continue  # a commit from before the poll tables held this poll
            if not states or states[-1] != state:
                states.append(state)
        assert len(states) > len(PATTERN)  # the attacker did see the votes arrive one by one
        possible = link(states, len(OPTIONS))
        assert len(possible) == len(PATTERN) and all(len(o) >= 2 for o in possible.values()), possible
        assert states[-1][2] == (3, 3, 2)
    finally:
        await bot.stop()


class _Sqlite:
    """read_state's ``conn.execute(text(...), params)`` over a plain sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, statement: Any, params: dict[str, Any]) -> Any:
        return self.conn.execute(str(statement).replace(":p", "?"), (params["p"],))


async def test_debug_logs_never_pair_a_member_with_an_anonymous_choice(tmp_path: Path) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), {n: logging.getLogger(n).level for n in logging.root.manager.loggerDict})
    configure("DEBUG", stream=stream)
    assert logging.getLogger("cogs.poll").isEnabledFor(logging.DEBUG)  # the bot's own code logs at DEBUG
    try:
        async with FakeSlack() as fake:
            fake.add_channel("C0GENERAL", "general", members=[f"U{n}" for n in range(6)])
            for n in range(6):
                fake.add_user(f"U{n}", f"user{n}")
            bot = await SlackBot(fake, tmpdir=tmp_path, cogs=COGS).start()
            try:
                labels = ["Marmalade", "Vegemite", "Nutella"]
                await bot.command("/poll", f'create question:"Spread?" options:"{"; ".join(labels)}" anonymous:true',
                                  user="U0")
                await bot.idle()
                message = fake.messages["C0GENERAL"][-1]
                buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]][:3]
                for n in range(6):
                    button = buttons[n % 3]
                    await bot.click(button["action_id"], value=button["value"], user=f"U{n}", channel="C0GENERAL",
                                    message_ts=message["ts"])
                await bot.idle()
                answers = [r.get("text", "") for r in fake.responses]
                assert sum("Vote recorded" in a for a in answers) == 6
            finally:
                await bot.stop()
    finally:
        for handler in list(root.handlers):
            if getattr(handler, "_cohort", False):
                root.removeHandler(handler)
        root.setLevel(saved[0])
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
    log = stream.getvalue()
    for secret in ["poll:vote:1:", *labels]:
        assert secret not in log, [line for line in log.splitlines() if secret in line][:3]
    assert not any("Vote recorded" in a and any(label in a for label in labels) for a in answers)
