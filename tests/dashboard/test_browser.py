"""A real browser (Debian's chromium + chromedriver, driven by Selenium) signs in through a
/dashboard link from the console adapter and uses the pages as a person would."""

from __future__ import annotations

import asyncio
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, TypeVar

import pytest

from .helpers import EVIL, cohort, link_for

T = TypeVar("T")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# set to a folder (e.g. docs) to keep the screenshots the README shows
SCREENSHOTS = os.environ.get("DASHBOARD_SCREENSHOTS")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
                       reason="needs chromium and chromedriver (apt-get install chromium chromium-driver)"),
]


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(downloads: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1400"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(180)  # a loaded CI machine: slow is not wrong
    yield driver
    driver.quit()


async def in_browser(fn: Callable[[], T]) -> T:
    """Selenium blocks, and the bot serves on this event loop: every browser call runs on a
    thread, or the browser waits for a page the blocked loop can never send."""
    return await asyncio.to_thread(fn)


async def text_of(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return await in_browser(lambda: driver.find_element(By.TAG_NAME, "body").text)


async def press(driver: Any, label: str, *, named: bool = False) -> None:
    """Click a button (by its text, or by its accessible name when ``named``) and wait until the
    page it submits to has replaced this one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    def click_and_wait() -> None:
        page = driver.find_element(By.TAG_NAME, "html")
        where = f"@aria-label='{label}'" if named else f"normalize-space()='{label}'"
        driver.find_element(By.XPATH, f"//button[{where}]").click()
        WebDriverWait(driver, 120).until(expected_conditions.staleness_of(page))

    await in_browser(click_and_wait)


async def test_an_instructor_signs_in_and_sees_who_is_at_risk(make_bot: Any, browser: Any) -> None:
    bot = await cohort(make_bot)
    link = await link_for(bot, "tess", "instructor")
    await in_browser(lambda: browser.get(link))
    page = await text_of(browser)
    assert "Overview" in page and "At risk (2)" in page
    assert "ben" in page and EVIL in page  # the member named like HTML shows as its text...
    from selenium.webdriver.common.by import By

    assert not await in_browser(lambda: browser.find_elements(By.CSS_SELECTOR, "main img[src='x']"))  # ...not as an element
    chart = await in_browser(lambda: browser.find_element(By.CSS_SELECTOR, "img.chart"))
    assert await in_browser(lambda: browser.execute_script("return arguments[0].naturalWidth", chart)) > 0  # the SVG loaded
    # the same link again, in the same browser: refused
    await in_browser(lambda: browser.get(link))
    assert "already used or has expired" in (await text_of(browser))
    # sign out from the page: the next visit asks for a new link
    community = bot.member("tess").community_id
    await in_browser(lambda: browser.get(f"{bot.url}/dashboard/c/{community}"))
    await press(browser, "Sign out")
    assert "You are signed out" in (await text_of(browser))
    await in_browser(lambda: browser.get(f"{bot.url}/dashboard/c/{community}"))
    assert "not signed in" in (await text_of(browser))


async def test_a_member_opts_out_and_erases_their_data_from_the_page(make_bot: Any, browser: Any) -> None:
    bot = await cohort(make_bot)
    link = await link_for(bot, "ana")
    await in_browser(lambda: browser.get(link))
    assert "My activity" in (await text_of(browser)) and "Opt out of tracking" in (await text_of(browser))
    community = bot.member("ana").community_id
    await in_browser(lambda: browser.get(f"{bot.url}/dashboard/c/{community}"))
    assert "Only instructors can see this page" in (await text_of(browser))
    await in_browser(lambda: browser.get(f"{bot.url}/dashboard/c/{community}/me"))
    await press(browser, "Opt out of tracking")
    assert "opted out" in (await text_of(browser)).lower() and bot.member("ana").opted_out
    await press(browser, "Erase my data…")
    assert "Erase all your data?" in (await text_of(browser)) and bot.member("ana") is not None
    await press(browser, "Erase everything")
    assert bot.member("ana") is None
    await in_browser(lambda: browser.get(f"{bot.url}/dashboard/c/{community}/me"))
    assert "not signed in" in (await text_of(browser))


async def test_an_instructor_pauses_a_schedule_in_the_browser_and_it_stops_posting(make_bot: Any, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    from .helpers import course, prompt_posts

    bot = await course(make_bot)
    link = await link_for(bot, "tess", "instructor")
    await in_browser(lambda: browser.get(link))
    await in_browser(lambda: browser.find_element(By.LINK_TEXT, "Schedules").click())
    page = await text_of(browser)
    assert "The next four weeks" in page and "daily-check" in page
    await press(browser, "Pause daily-check", named=True)
    page = await text_of(browser)
    assert "Cancelled daily-check" in page and "paused" in page
    assert await in_browser(lambda: browser.find_elements(By.CSS_SELECTOR, "button[aria-label='Resume daily-check']"))
    await bot.advance(timedelta(days=3))
    assert prompt_posts(bot) == []  # the bot no longer posts it
    # on a phone the page reflows: nothing wider than the screen but the tables' own scrollers
    await in_browser(lambda: browser.set_window_size(390, 844))
    link = await link_for(bot, "tess", "instructor")  # a new session: the last one is 3 days old
    await in_browser(lambda: browser.get(link))
    for page_name in ("Schedules", "Members"):
        await in_browser(lambda: browser.find_element(By.LINK_TEXT, page_name).click())
        overflow = await in_browser(lambda: browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"))
        assert overflow <= 0, page_name


async def test_an_instructor_downloads_a_poll_as_csv(make_bot: Any, browser: Any, downloads: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from .helpers import course

    bot = await course(make_bot)
    await bot.command('/poll create question:"Secret?" options:"Yes; No" anonymous:true', as_="tess", role="instructor")
    poll = bot.last("general")
    for who, pick in (("ana", "Yes"), ("ben", "No")):
        await bot.click(poll, pick, as_=who)
    await bot.command("/poll close 1", as_="tess", role="instructor")
    link = await link_for(bot, "tess", "instructor")
    await in_browser(lambda: browser.get(link))
    await in_browser(lambda: browser.find_element(By.LINK_TEXT, "Polls & surveys").click())
    assert "Secret?" in (await text_of(browser))
    chart = await in_browser(lambda: browser.find_element(By.CSS_SELECTOR, "img.chart"))
    assert await in_browser(lambda: browser.execute_script("return arguments[0].naturalWidth", chart)) > 0
    await in_browser(lambda: browser.find_element(By.CSS_SELECTOR,
                                                  "button[aria-label='Download poll #1 as CSV']").click())
    target = downloads / "poll-1.csv"
    await in_browser(lambda: WebDriverWait(browser, 120).until(lambda _: target.exists()))
    data = target.read_text(encoding="utf-8")
    assert "Yes" in data and "No" in data and "ana" not in data and "ben" not in data  # anonymous stays anonymous


async def test_an_instructor_confirms_a_mentoring_round_and_the_intros_are_posted(make_bot: Any, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    from .helpers import course, intro_posts

    bot = await course(make_bot)
    for who in ("ana", "ben"):
        await bot.command('/mentor join role:peer topics:"python, sql" timezone:UTC', as_=who)
    link = await link_for(bot, "tess", "instructor")
    await in_browser(lambda: browser.get(link))
    await in_browser(lambda: browser.find_element(By.LINK_TEXT, "Mentoring").click())
    assert "No rounds yet" in (await text_of(browser))
    await press(browser, "Preview a round")
    page = await text_of(browser)
    assert "ana" in page and "ben" in page and not intro_posts(bot)  # a preview posts nothing
    await press(browser, "Confirm")
    page = await text_of(browser)
    assert "Confirmed by" in page and "Round #1 — confirmed" in page
    assert len(intro_posts(bot)) == 1  # the intro is posted in ana and ben's group


async def test_the_readme_screenshots_come_from_the_demos_database(make_bot: Any, browser: Any, tmp_path: Path) -> None:
    """``DASHBOARD_SCREENSHOTS=docs`` keeps them (the full 40-member demo); otherwise a smaller
    demo checks the pages render from a database the demo wrote."""
    from selenium.webdriver.common.by import By

    from demo.cohort import DEMO_WEEK, DEMO_YAML, INSTRUCTOR, local
    from demo.week import run_demo

    folder = tmp_path / "demo"
    assert await run_demo(members=40 if SCREENSHOTS else 12, out=folder) == 0
    bot = await make_bot(yaml=DEMO_YAML, db_url=f"sqlite:///{folder / 'demo.db'}", web=True,
                         start=local(DEMO_WEEK + timedelta(days=4), "17:30"))
    shots = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    link = await link_for(bot, INSTRUCTOR, "instructor")
    await in_browser(lambda: browser.get(link))
    assert "At risk" in (await text_of(browser))
    await in_browser(lambda: browser.save_screenshot(str(shots / "dashboard-overview.png")))
    await in_browser(lambda: browser.find_element(By.LINK_TEXT, "Schedules").click())
    page = await text_of(browser)
    assert "monday-warmup" in page and "midweek-practice" in page and "confidence" in page
    await in_browser(lambda: browser.save_screenshot(str(shots / "dashboard-schedules.png")))
    for name in ("dashboard-overview.png", "dashboard-schedules.png"):
        assert (shots / name).read_bytes()[:4] == b"\x89PNG"


async def test_the_members_page_works_from_the_keyboard(make_bot: Any, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from .helpers import course

    bot = await course(make_bot)
    link = await link_for(bot, "tess", "instructor")
    community = bot.member("tess").community_id
    await in_browser(lambda: browser.get(link))
    await in_browser(lambda: browser.get(f"{bot.url}/dashboard/c/{community}/members"))

    def tab_to(predicate: Callable[[Any], bool]) -> Any:
        for _ in range(60):  # every link and control of the page is reachable with Tab
            browser.switch_to.active_element.send_keys(Keys.TAB)
            element = browser.switch_to.active_element
            if predicate(element):
                return element
        raise AssertionError("not reachable with Tab")

    def search() -> None:
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        box = tab_to(lambda e: e.get_attribute("type") == "search")
        label = browser.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']")
        assert label.text == "Search members"
        page = browser.find_element(By.TAG_NAME, "html")
        box.send_keys("ben", Keys.ENTER)
        WebDriverWait(browser, 120).until(expected_conditions.staleness_of(page))

    await in_browser(search)
    names = await in_browser(lambda: [e.text for e in browser.find_elements(By.CSS_SELECTOR, "tbody th a")])
    assert names == ["ben"]

    def sort_by_points() -> None:
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        link = tab_to(lambda e: e.tag_name == "a" and e.text.startswith("Points"))
        page = browser.find_element(By.TAG_NAME, "html")
        link.send_keys(Keys.ENTER)
        WebDriverWait(browser, 120).until(expected_conditions.staleness_of(page))

    await in_browser(sort_by_points)
    header = await in_browser(lambda: browser.find_element(By.CSS_SELECTOR, "th[aria-sort]").text)
    assert header.startswith("Points")
