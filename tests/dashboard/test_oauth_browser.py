"""A real browser signs in with Discord through the fake provider: the dashboard's sign-in
button, the provider's consent screen, back to the Overview; then a declined consent."""

from __future__ import annotations

from typing import Any

from bot.testing.fake_oauth import FakeOAuth

from .oauth_support import GUILD, people, signin_bot
from .test_browser import browser, downloads, in_browser, press, pytestmark, text_of  # noqa: F401


async def follow(driver: Any, text: str) -> None:
    """Click a link by its text and wait until the page it leads to has replaced this one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    def click_and_wait() -> None:
        page = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.LINK_TEXT, text).click()
        WebDriverWait(driver, 120).until(expected_conditions.staleness_of(page))

    await in_browser(click_and_wait)


async def test_an_instructor_signs_in_with_discord_in_a_browser(make_bot: Any, browser: Any) -> None:  # noqa: F811
    async with FakeOAuth() as fake:
        people(fake)
        fake.signed_in["discord"], fake.consent = "1001", "ask"
        bot = await signin_bot(make_bot, fake)
        await bot.message("1001", server=GUILD)
        await in_browser(lambda: browser.get(f"{bot.url}/dashboard"))
        page = await text_of(browser)
        assert "not signed in" in page and "Sign in with Discord" in page and "Sign in with Slack" in page
        await follow(browser, "Sign in with Discord")
        assert "an application wants to sign you in" in (await text_of(browser))  # the provider's screen
        await press(browser, "Authorize")
        page = await text_of(browser)
        community = bot.member("1001").community_id
        assert await in_browser(lambda: browser.current_url) == f"{bot.url}/dashboard/c/{community}"
        assert "Overview" in page and "Discord course" in page and "Members" in page
        await press(browser, "Sign out")
        assert "You are signed out" in (await text_of(browser))
        # again, but this time the person presses Cancel on Discord's screen
        await in_browser(lambda: browser.get(f"{bot.url}/dashboard/signin"))
        await follow(browser, "Sign in with Discord")
        await press(browser, "Cancel")
        page = await text_of(browser)
        assert "You did not allow the sign-in on Discord" in page and "Sign out" not in page
