"""Question banks (add, list, remove, import from a file) and members' suggestions."""

from __future__ import annotations

from sqlmodel import select

from bot.options import FileUpload
from cogs.prompts.models import PromptQuestion, PromptSuggestion

from .helpers import PROMPTS, SUNDAY, community_yaml

BANKS = 'reflection: ["A?"]\nweekly: ["W?"]'


async def instructor(bot, text: str, **kwargs):  # type: ignore[no-untyped-def]
    return await bot.command(text, as_="ivy", role="instructor", **kwargs)


def questions(bot) -> list[str]:  # type: ignore[no-untyped-def]
    with bot.session() as s:
        return list(s.exec(select(PromptQuestion.text).order_by(PromptQuestion.id)).all())


async def test_add_list_and_remove(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    assert "No question banks yet" in (await instructor(bot, "/prompt bank list")).text
    r = await instructor(bot, "/prompt bank add bank:mine What would you teach a friend?")
    assert 'Added to bank "mine" (1 question)' in r.text
    await instructor(bot, '/prompt bank add bank:mine question:"Why?"')
    r = await instructor(bot, '/prompt bank add bank:mine question:"Why?"')
    assert r.error and "already in bank" in r.text
    assert "**mine** — 2 questions" in (await instructor(bot, "/prompt bank list")).text
    r = await instructor(bot, "/prompt bank list bank:mine")
    assert "1. What would you teach a friend?\n2. Why?" in r.text
    r = await instructor(bot, "/prompt bank remove bank:mine number:3")
    assert r.error and 'bank "mine" has 2 questions' in r.text
    await instructor(bot, "/prompt bank remove bank:mine number:1")
    assert questions(bot) == ["Why?"]
    r = await instructor(bot, "/prompt bank remove bank:mine")
    assert 'Removed bank "mine" and its 1 question' in r.text
    r = await instructor(bot, "/prompt bank list bank:mine")
    assert r.error and 'no question bank "mine"' in r.text


async def test_a_bank_in_use_or_from_yaml_cannot_be_removed(make_bot) -> None:
    yaml = community_yaml(banks=BANKS)
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    r = await instructor(bot, "/prompt bank remove bank:reflection")
    assert r.error and "defined in schedules.yaml" in r.text
    await instructor(bot, '/prompt bank add bank:mine question:"Q?"')
    await instructor(bot, '/prompt schedule id:x when:"mon 09:00" channel:#general bank:mine')
    r = await instructor(bot, "/prompt bank remove bank:mine")
    assert r.error and "used by x" in r.text


async def test_import_a_text_file_and_a_csv(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(banks=BANKS), cogs=PROMPTS, start=SUNDAY)
    text = FileUpload("questions.txt", "A?\nWhat next?\n\nWho helped you?\n".encode())
    r = await instructor(bot, "/prompt bank import bank:reflection", files={"file": text})
    assert 'Imported 2 questions into bank "reflection", 1 already there; it now has 3.' in r.text
    table = FileUpload("bank.csv", 'week,question\n1,"Hard, or easy?"\n'.encode(), "text/csv")
    r = await instructor(bot, "/prompt bank import bank:new", files={"file": table})
    assert 'Imported 1 question into bank "new"' in r.text
    assert "Hard, or easy?" in questions(bot)


async def test_a_bad_file_imports_nothing(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    cases = {
        "photo.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "looks like a binary file"),
        "big.txt": (b"Why?\n" * 20_000, "the limit is 64 KB"),
        "bank.csv": (b"id,text\n1,Why?\n", 'needs a "question" column'),
    }
    for name, (data, message) in cases.items():
        r = await instructor(bot, "/prompt bank import bank:mine", files={"file": FileUpload(name, data)})
        assert r.error and message in r.text and "nothing was imported" in r.text
    r = await instructor(bot, "/prompt bank import bank:mine")
    assert r.error and "attach a file" in r.text
    assert questions(bot) == []


async def test_a_suggestion_approved_by_an_instructor_joins_the_bank_with_credit(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(banks=BANKS), cogs=PROMPTS, start=SUNDAY)
    r = await bot.command('/prompt suggest question:"What would you do differently?" bank:weekly', as_="ben")
    assert r.ephemeral and "sent to the instructors" in r.text
    card = bot.last("instructors")
    assert "ben suggests for bank **weekly**" in card.text and [b.label for b in card.buttons] == ["Approve", "Reject"]
    reject_id = card.buttons[1].action_id
    r = await bot.click(card, "Approve", as_="ivy", role="instructor")
    assert 'Approved — added to bank "weekly"' in r.text
    assert "✅ Approved by ivy" in bot.last("instructors").text and bot.last("instructors").buttons == []
    assert "approved" in bot.dms("ben")[-1].text and "your name beside it" in bot.dms("ben")[-1].text
    listing = await instructor(bot, "/prompt bank list bank:weekly")
    assert "2. What would you do differently? — suggested by ben" in listing.text
    # a second instructor whose screen still shows the buttons clicks Reject
    r = await bot.click(reject_id, as_="ian", role="instructor")
    assert "already approved by ivy" in r.text
    assert "What would you do differently?" in questions(bot)


async def test_a_member_cannot_approve_and_is_told_so(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(banks=BANKS), cogs=PROMPTS, start=SUNDAY)
    await bot.command('/prompt suggest question:"Me?" bank:weekly', as_="ben")
    r = await bot.click(bot.last("instructors"), "Approve", as_="cai")
    assert r.error and "only instructors can use this button" in r.text
    with bot.session() as s:
        assert s.exec(select(PromptSuggestion.status)).one() == "pending"
    assert "Me?" not in questions(bot)


async def test_a_rejected_suggestion_is_not_added_and_the_member_is_told(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(banks=BANKS), cogs=PROMPTS, start=SUNDAY)
    await bot.command('/prompt suggest question:"Nope?" bank:weekly', as_="ben")
    await bot.restart()  # buttons work after a restart: their ids carry the suggestion
    r = await bot.click(bot.last("instructors"), "Reject", as_="ivy", role="instructor")
    assert "Rejected" in r.text and "❌ Rejected by ivy" in bot.last("instructors").text
    assert "decided not to add it" in bot.dms("ben")[-1].text
    assert "Nope?" not in questions(bot)


async def test_suggestion_needs_a_known_bank(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(banks=BANKS), cogs=PROMPTS, start=SUNDAY)
    r = await bot.command('/prompt suggest question:"Q?"', as_="ben")
    assert r.error and "which bank is it for? Add bank:<name> — one of: reflection, weekly" in r.text
    r = await bot.command('/prompt suggest question:"Q?" bank:nope', as_="ben")
    assert r.error and 'no question bank "nope"' in r.text
    assert bot.messages("instructors") == []


async def test_without_banks_suggestions_go_to_a_suggestions_bank_via_the_staff_alias(make_bot) -> None:
    yaml = community_yaml().replace("staff: instructors", "staff: teachers-room")
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await bot.command('/prompt suggest question:"Q?"', as_="ben")
    await bot.click(bot.last("teachers-room"), "Approve", as_="ivy", role="instructor")
    assert "1. Q? — suggested by ben" in (await instructor(bot, "/prompt bank list bank:suggestions")).text
