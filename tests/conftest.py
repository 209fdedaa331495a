import pytest

from bot.testing import payload_checks
from tests import platform_rules

pytest_plugins = ["bot.testing.plugin", "pytester"]

platform_rules.install()


@pytest.fixture(autouse=True)
def payloads_follow_platform_rules(request: pytest.FixtureRequest):
    """Every request a test's bot sends to a fake Discord or Slack is checked against the
    platform's own rules (tests/platform_rules); a test that made the bot break one fails,
    even when the bot survived the platform's refusal."""
    payload_checks.seen.clear()
    yield
    broken, payload_checks.seen[:] = list(payload_checks.seen), []
    if broken and request.node.get_closest_marker("breaks_platform_rules") is None:
        pytest.fail("payloads the platform would refuse:\n" + "\n".join(f"  {v}" for v in broken[:20]),
                    pytrace=False)
