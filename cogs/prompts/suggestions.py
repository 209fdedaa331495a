"""/prompt bank ... and /prompt suggest: the question banks and members' suggestions.

A mixin of the Prompts cog (the core collects commands from every class in the MRO).
Suggestions go to the staff channel with Approve/Reject buttons only instructors can
use; the button ids carry the suggestion id, so they keep working after a restart.
"""

from __future__ import annotations

from typing import Annotated, Any

from bot import (Access, ActionContext, CommandContext, FileUpload, Help, Max, MaxLen, Min, NotFound, UserError, action,
                 command, escape_mentions, plural)


from .bankfile import BankFileError, parse_bank_file
from .config import BANK_NAME, MAX_QUESTION_LENGTH
from .render import bank_detail, bank_overview, config_file_name, decided_card, suggestion_card
from .runner import staff_channel
from .store_banks import (add_questions, bank_names, bank_questions, create_suggestion, decide_suggestion,
                          delete_suggestion, list_banks, remove_bank, remove_question, set_suggestion_message)

DEFAULT_SUGGESTION_BANK = "suggestions"


def _check_bank_name(name: str) -> str:
    name = name.strip()
    if not BANK_NAME.fullmatch(name):
        raise UserError(f'bank name "{name}": use letters, digits, "-" or "_" (at most 50, no spaces)')
    return name


class BankCommands:
    """Commands and buttons for banks and suggestions (mixed into the Prompts cog)."""

    app: Any
    db: Any
    runner: Any
    log: Any
    action_id: Any

    @command("bank add", access=Access.INSTRUCTOR, ephemeral=True)
    async def bank_add(self, ctx: CommandContext, bank: Annotated[str, Help("The bank's name"), MaxLen(50)],
                       question: Annotated[str, Help("The question"), MaxLen(MAX_QUESTION_LENGTH)]) -> None:
        """Add a question to a bank (created if new)."""
        await self.runner.ensure_synced(ctx.community)
        name = _check_bank_name(bank)
        result = await self.db.run(add_questions, ctx.community.id, name, [question.strip()], "command")
        if not result.added:
            raise UserError(f'that question is already in bank "{name}"')
        await ctx.reply(f'Added to bank "{name}" ({plural(result.total, "question")}).', ephemeral=True)

    @command("bank list", access=Access.INSTRUCTOR, ephemeral=True)
    async def bank_list(self, ctx: CommandContext,
                        bank: Annotated[str | None, Help("Show this bank's questions")] = None) -> None:
        """List the question banks, or the questions of one bank."""
        await self.runner.ensure_synced(ctx.community)
        if bank is None:
            banks = await self.db.read(list_banks, ctx.community.id)
            await ctx.reply(bank_overview(banks, config_file_name(self.app)), ephemeral=True)
        else:
            questions = await self.db.read(bank_questions, ctx.community.id, bank.strip())
            for page in bank_detail(bank.strip(), questions):
                await ctx.reply(page, ephemeral=True)

    @command("bank remove", access=Access.INSTRUCTOR, ephemeral=True)
    async def bank_remove(self, ctx: CommandContext, bank: Annotated[str, Help("The bank's name")],
                          number: Annotated[int | None, Help("A question's number (from /prompt bank list); "
                                                             "omit to remove the whole bank"),
                                            Min(1), Max(10000)] = None) -> None:
        """Remove a question from a bank, or a whole bank."""
        await self.runner.ensure_synced(ctx.community)
        if number is None:
            removed = await self.db.run(remove_bank, ctx.community.id, bank.strip())
            await ctx.reply(f'Removed bank "{bank.strip()}" and its {plural(removed, "question")}.', ephemeral=True)
        else:
            text = await self.db.run(remove_question, ctx.community.id, bank.strip(), number)
            await ctx.reply(f'Removed question {number} from "{bank.strip()}": {text}', ephemeral=True)

    @command("bank import", access=Access.INSTRUCTOR, ephemeral=True)
    async def bank_import(self, ctx: CommandContext, bank: Annotated[str, Help("The bank's name"), MaxLen(50)],
                          file: Annotated[FileUpload | None, Help("UTF-8 text, one question per line, or a CSV "
                                                                  'with a "question" column (max 64 KB)')] = None,
                          ) -> None:
        """Import questions into a bank from an attached text or CSV file."""
        await self.runner.ensure_synced(ctx.community)
        name = _check_bank_name(bank)
        if file is None:
            raise UserError("attach a file: UTF-8 text with one question per line, or a CSV with a "
                            '"question" column (on the console: file:@path/to/questions.txt)')
        try:
            questions = parse_bank_file(file.filename, file.data, file.content_type)
        except BankFileError as error:
            raise UserError(f"{error} — nothing was imported") from None
        result = await self.db.run(add_questions, ctx.community.id, name, questions, "import")
        skipped = f", {result.skipped} already there" if result.skipped else ""
        await ctx.reply(f'Imported {plural(result.added, "question")} into bank "{name}"{skipped}; it now has '
                        f"{result.total}.", ephemeral=True)

    # -- suggestions ----------------------------------------------------------------------
    @command("suggest", ephemeral=True)
    async def suggest(self, ctx: CommandContext,
                      question: Annotated[str, Help("Your question for the group"), MaxLen(300)],
                      bank: Annotated[str | None, Help("Which bank it is for (needed when there are several)")
                                      ] = None) -> None:
        """Suggest a discussion question; an instructor reviews it."""
        await self.runner.ensure_synced(ctx.community)
        target_bank = await self._suggestion_bank(ctx, bank)
        suggestion = await self.db.run(create_suggestion, ctx.community.id, ctx.member.id, target_bank,
                                       question.strip(), ctx.now())
        card = suggestion_card(suggestion, ctx.member.display_name, self.action_id("approve", suggestion.id),
                               self.action_id("reject", suggestion.id))
        try:
            ref = await self.app.post(ctx.community, staff_channel(ctx.config), card)
        except Exception:
            self.log.exception("could not post suggestion %s to staff", suggestion.id)
            await self.db.run(delete_suggestion, suggestion.id)
            raise UserError("I could not reach the instructors' channel — please tell an instructor "
                            "(they should set channels: {staff: ...} in schedules.yaml)") from None
        await self.db.run(set_suggestion_message, suggestion.id, ref)
        await ctx.reply(f'Thanks! Your question was sent to the instructors for bank "{target_bank}". '
                        "You'll hear back when they have looked at it.", ephemeral=True)

    async def _suggestion_bank(self, ctx: CommandContext, bank: str | None) -> str:
        names = await self.db.read(bank_names, ctx.community.id)
        if bank is None:
            if len(names) > 1:
                raise UserError(f"which bank is it for? Add bank:<name> — one of: {', '.join(names)}")
            return names[0] if names else DEFAULT_SUGGESTION_BANK
        if bank.strip() not in names:
            raise NotFound(f'no question bank "{bank.strip()}" (banks: {", ".join(names) or "none yet"})')
        return bank.strip()

    @action("approve", access=Access.INSTRUCTOR)
    async def approve(self, ctx: ActionContext, suggestion_id: int) -> None:
        await self._decide(ctx, suggestion_id, "approved")

    @action("reject", access=Access.INSTRUCTOR)
    async def reject(self, ctx: ActionContext, suggestion_id: int) -> None:
        await self._decide(ctx, suggestion_id, "rejected")

    async def _decide(self, ctx: ActionContext, suggestion_id: int, status: str) -> None:
        decision = await self.db.run(decide_suggestion, ctx.community.id, suggestion_id, status, ctx.member.id,
                                     ctx.now())
        suggestion = decision.suggestion
        if not decision.decided:
            await ctx.reply(f"This suggestion was already {suggestion.status} by {decision.handled_by or 'an instructor'}"
                            " — nothing changed.", ephemeral=True)
            return
        suggester = decision.suggester
        name = suggester.display_name if suggester else "A former member"
        await ctx.update(decided_card(suggestion, name, ctx.member.display_name))
        if status == "approved":
            added = decision.added
            note = (f'added to bank "{suggestion.bank}"' if added and added.added
                    else f'already in bank "{suggestion.bank}"')
            if suggester is not None:
                await self.app.dm(ctx.community, suggester,
                                  f'🎉 Your suggested question was approved and {note} — thanks! '
                                  "It will come up in a future prompt, with your name beside it in the bank."
                                  f"\n> {escape_mentions(suggestion.text)}")
            await ctx.reply(f"Approved — {note}.", ephemeral=True)
        else:
            if suggester is not None:
                await self.app.dm(ctx.community, suggester,
                                  "Thanks for your suggested question — the instructors decided not to add it "
                                  f"this time.\n> {escape_mentions(suggestion.text)}")
            await ctx.reply("Rejected — the suggester has been told.", ephemeral=True)
