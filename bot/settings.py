"""Settings from the environment (and a ``.env`` file). Secrets stay ``SecretStr``: never logged."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from pydantic import SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/cohort.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# Adapters by platform, as dotted paths: the core imports none of them by name.
ADAPTER_PATHS = {
    "discord": "bot.adapters.discord:DiscordAdapter",
    "slack": "bot.adapters.slack:SlackAdapter",
    "console": "bot.adapters.console:ConsoleAdapter",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    bot_config: str = "schedules.yaml"
    log_level: str = "INFO"

    discord_token: SecretStr | None = None
    discord_application_id: str | None = None  # for `python -m bot invite` (the adapter learns it at login)
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    discord_guild_ids: str = ""  # comma-separated: sync commands to these servers only (instant)
    shard_count: int | None = None
    shard_ids: str = ""  # e.g. "0,1" — this process's shards

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    ballot_key: SecretStr | None = None  # seals anonymous votes until counted (cogs/polls/ballots.py)

    port: int = 3000
    host: str = "0.0.0.0"  # where the HTTP server (Slack events, /healthz, calendar feeds) listens
    public_url: str | None = None  # how members reach that server, for links (e.g. https://bot.example.org)
    dashboard_url: str | None = None  # base of /dashboard links (default: PUBLIC_URL, else where we listen)
    dashboard_secret: SecretStr | None = None  # signs sign-in links (default: a secret kept in the database)
    # "Sign in with Discord / Slack" on the dashboard (bot/dashboard/oauth.py), each when both are set
    discord_client_id: str | None = None
    discord_client_secret: SecretStr | None = None
    discord_oauth_url: str | None = None  # default https://discord.com (tests point it at a fake)
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_oauth_url: str | None = None  # default https://slack.com (tests point it at a fake)
    bot_adapters: str = ""  # force a list, e.g. "console" or "discord,slack"

    @field_validator("discord_token", "slack_bot_token", "slack_signing_secret", "slack_app_token", "ballot_key",
                     "dashboard_secret",
                     "discord_client_secret", "slack_client_secret", "discord_client_id", "slack_client_id",
                     mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.strip().upper() not in LOG_LEVELS:
            raise ValueError(f'use one of {", ".join(LOG_LEVELS)} (got "{value}")')
        return value.strip().upper()

    @field_validator("bot_adapters")
    @classmethod
    def _known_adapters(cls, value: str) -> str:
        unknown = [p.strip() for p in value.split(",") if p.strip() and p.strip() not in ADAPTER_PATHS]
        if unknown:
            raise ValueError(f'unknown platform "{unknown[0]}" — use {", ".join(ADAPTER_PATHS)} '
                             '(several separated by ",")')
        if value.strip() and not any(p.strip() for p in value.split(",")):  # "," would start nothing at all
            raise ValueError(f'no platform named (got "{value}") — use {", ".join(ADAPTER_PATHS)}, or leave it unset')
        return value

    @field_validator("public_url", "dashboard_url", "discord_api_base", "slack_api_url", "discord_oauth_url",
                     "slack_oauth_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f'expected an http(s) address, like https://example.org (got "{value.strip()[:60]}")')
        return value.strip()

    @field_validator("port")
    @classmethod
    def _port_range(cls, value: int) -> int:
        if not 0 <= value <= 65535:
            raise ValueError(f"a port is a number from 1 to 65535 (got {value})")
        return value

    @field_validator("shard_count")
    @classmethod
    def _shard_count(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError(f"the number of shards is 1 or more (got {value})")
        return value

    @field_validator("discord_guild_ids", "shard_ids")
    @classmethod
    def _id_list(cls, value: str, info: ValidationInfo) -> str:
        bad = [x for x in value.replace(" ", "").split(",") if x and not x.isdigit()]
        if bad:
            raise ValueError(f'expected ids separated by ",", like 123456789012345678 (got "{bad[0]}")')
        if info.field_name == "shard_ids" and value.strip() and "shard_count" in info.data:  # (not if it was bad)
            count = info.data.get("shard_count")
            if count is None:
                raise ValueError("set SHARD_COUNT too (this process's shards are counted out of it)")
            outside = [x for x in value.replace(" ", "").split(",") if x and int(x) >= count]
            if outside:
                raise ValueError(f"shard {outside[0]} does not exist with SHARD_COUNT={count} "
                                 f"(shards are numbered 0 to {count - 1})")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_kind(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        from .storage import normalise_url

        try:
            kind = make_url(normalise_url(value.strip())).get_backend_name()
        except ArgumentError:
            kind = None
        if kind not in ("sqlite", "postgresql"):
            shown = value.split("://")[0] + "://..." if "://" in value else value[:40]  # never the password
            raise ValueError(f'use sqlite:///path/to/file.db or postgresql://user:password@host/database (got "{shown}")')
        return value.strip()

    def adapters(self) -> list[str]:
        """Platforms to start: forced list, else those with a token, else the console."""
        if self.bot_adapters.strip():
            return [p.strip() for p in self.bot_adapters.split(",") if p.strip()]
        chosen = []
        if self.discord_token:
            chosen.append("discord")
        if self.slack_bot_token:
            chosen.append("slack")
        return chosen or ["console"]

    @classmethod
    def from_environment(cls) -> "Settings":
        """The settings, or SettingsError naming each bad variable in plain words."""
        from pydantic import ValidationError

        from .errors import ConfigError
        from .plain_errors import describe, group_by_location

        try:
            return cls()
        except ValidationError as error:
            grouped = group_by_location(error.errors(include_url=False), lambda loc: loc[:1])
            raise ConfigError([f"error: {str(loc[0]).upper() if loc else 'settings'}: {describe(items)}"
                               for loc, items in grouped.items()]) from None

    def secrets(self) -> list[str]:
        values = [s.get_secret_value() for s in (self.discord_token, self.slack_bot_token,
                                                 self.slack_signing_secret, self.slack_app_token,
                                                 self.ballot_key, self.dashboard_secret) if s]
        # DATABASE_URL is a plain string (people paste it whole); its password is a secret too.
        password = urlsplit(self.database_url).password
        if password:
            values += [password, unquote(password)]
        return values

    @property
    def guild_ids(self) -> list[int]:
        return [int(x) for x in self.discord_guild_ids.replace(" ", "").split(",") if x]
