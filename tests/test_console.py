"""The console in a real browser (Debian's Chromium driven by Playwright) against a real
`taskforce serve` on a loopback port: sign in, upload, solve, see the roster and the map,
ask what if, commit, and see the conflict on a second commit.

Chromium comes from Debian's packages (`.ci/run` installs it); without it the test is
skipped, unless TASKFORCE_REQUIRE_BROWSER is set, as CI sets it, when it fails instead.
Screenshots go to test-output/ (or TASKFORCE_SCREENSHOTS)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("TASKFORCE_SCREENSHOTS", ROOT / "test-output"))
# The flags a closed network and a root user need (the machine notes list them).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TIMEOUT_MS = 60_000

if not Path(CHROMIUM).exists():
    if os.environ.get("TASKFORCE_REQUIRE_BROWSER"):
        raise RuntimeError(f"no Chromium at {CHROMIUM}: install Debian's chromium package")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

# A loaded CI machine may take a while to solve; assertions wait as long as actions do.
expect.set_options(timeout=TIMEOUT_MS)


@dataclass
class Service:
    url: str
    token: str
    scenario_file: Path
    env: dict[str, str]

    def key(self, unit: str, role: str) -> str:
        """A new key made with `taskforce keys create`, as an operator would."""
        made = subprocess.run([_command("taskforce"), "keys", "create", "--unit", unit,
                               "--role", role, "--scenario", str(self.scenario_file)],
                              env=self.env, capture_output=True, text=True, check=True)
        return made.stdout.strip().splitlines()[-1]


def _command(name: str) -> str:
    """A console script installed beside this Python (the venv's `taskforce`)."""
    return str(Path(sys.executable).parent / name)


def _tutorial_with_local_names(path: Path) -> Path:
    """The tutorial scenario, with names in Chinese and in Mongolian script."""
    data = json.loads((ROOT / "scenarios" / "tutorial.json").read_text(encoding="utf-8"))
    names = {"wang": "王磊 Wang Lei", "bayar": "ᠪᠠᠶᠠᠷ Bayar", "zhao": "赵敏 Zhao Min"}
    for person in data["prosecutors"]:
        person["name"] = names.get(person["id"], person["name"])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """`taskforce serve` on a free loopback port, and an admin key of the tutorial's city."""
    scenario_file = _tutorial_with_local_names(tmp_path / "tutorial.json")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}"}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([_command("taskforce"), "serve", "--port", str(port)], env=env,
                              stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    try:
        for line in server.stderr:  # blocks until uvicorn says it is up (or exits)
            if "Application startup complete" in line:
                break
        else:
            raise RuntimeError("taskforce serve exited before it started")
        # Keep reading what the server logs, so that a full pipe never blocks it.
        threading.Thread(target=lambda: sys.stderr.writelines(server.stderr or []),
                         daemon=True).start()
        operator = Service(f"http://127.0.0.1:{port}", "", scenario_file, env)
        operator.token = operator.key("hulunbuir", "admin")
        yield operator
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def page(service: Service) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        yield context.new_page()
        browser.close()


def test_console_solve_see_what_if_and_commit(service: Service, page: Page) -> None:
    """A person signs in, uploads the tutorial, solves it, sees the roster with Chinese and
    Mongolian names, the map and the utilisation chart, asks what if Wang Lei falls ill,
    commits, and sees the conflict message when committing the same cases again."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(service.url)
    page.fill("#key", service.token)
    page.click("text=Sign in")
    expect(page.locator("#app")).to_be_visible()

    page.set_input_files("#upload", str(service.scenario_file))
    expect(page.locator("#scenario-status")).to_contain_text("4 offices, 8 people, 3 cases")
    expect(page.locator("#map circle")).to_have_count(4)

    page.fill("#seconds", "5")
    page.click("#solve button[type=submit]")
    roster = page.locator("#roster")
    expect(roster).to_contain_text("王磊 Wang Lei")
    expect(roster).to_contain_text("ᠪᠠᠶᠠᠷ Bayar")
    expect(roster).to_contain_text("Unstaffed: needs 2 Mongolian speakers")
    expect(page.locator("#progress")).to_contain_text("optimal")
    expect(page.locator("#utilisation rect").first).to_be_visible()

    page.click("button.case-button:has-text('grassland')")
    expect(page.locator("#map circle.chosen")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "console-roster.png"), full_page=True)

    wang = page.locator("#wi-person option", has_text="Wang Lei").get_attribute("value")
    assert wang is not None
    page.select_option("#wi-person", wang)
    page.fill("#wi-name", "Wang Lei falls ill")
    page.click("#whatif button[type=submit]")
    result = page.locator("#whatif-result")
    expect(result).to_contain_text("Wang Lei falls ill")
    expect(result.locator("tr.leaves", has_text="Wang Lei")).to_be_visible()
    expect(result.locator("tr.joins").first).to_be_visible()
    result.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "console-whatif.png"), full_page=True)

    page.fill("#commit-reason", "request from the city")
    page.click("#commit button[type=submit]")
    expect(page.locator("#commit-result")).to_contain_text("Committed fraud, grassland")
    page.click("#commit button[type=submit]")
    conflict = page.locator("#commit-result.conflict")
    expect(conflict).to_contain_text("Not committed: someone committed first.")
    expect(conflict).to_contain_text("fraud: committed already")


def test_console_shows_a_grassroots_key_its_own_office_only(service: Service, page: Page) -> None:
    """Signed in with Ewenki's key, the console shows only Ewenki's case and people, as the
    API allows: the page has no data of its own. Signing in and opening work by keyboard."""
    page.goto(service.url)
    page.fill("#key", service.token)
    page.click("text=Sign in")
    page.set_input_files("#upload", str(service.scenario_file))
    expect(page.locator("#scenario-status")).to_contain_text("3 cases")
    page.click("#sign-out")
    # From here on with the keyboard alone: type the key, Enter; Tab to Open, Enter.
    page.focus("#key")
    page.keyboard.type(service.key("ewenki", "planner"))
    page.keyboard.press("Enter")
    expect(page.locator("#app")).to_be_visible()
    page.focus("#scenario-pick")
    page.keyboard.press("Tab")
    expect(page.locator("#open-scenario")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#scenario-status")).to_contain_text("4 offices, 2 people, 1 cases")
    expect(page.locator("#map circle")).to_have_count(4)


def test_console_in_chinese(service: Service, page: Page) -> None:
    """A browser set to Chinese gets the console in Chinese: the page says it is zh-CN,
    labels, table headers and reasons are Chinese, with the offices' and people's Chinese
    names; switching to English re-words the roster without solving again."""
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    zh = context.new_page()
    zh.goto(service.url)
    expect(zh.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(zh.locator("#scenarios-title")).to_have_text("方案")
    zh.fill("#key", service.token)
    zh.click("#sign-in button[type=submit]")
    expect(zh.locator("#app")).to_be_visible()
    zh.set_input_files("#upload", str(service.scenario_file))
    zh.fill("#seconds", "5")
    zh.click("#solve button[type=submit]")
    roster = zh.locator("#roster")
    expect(roster).to_contain_text("未组建：需要2名通晓蒙古语的成员")
    expect(roster).to_contain_text("以检察长身份任组长")
    expect(roster).to_contain_text("海拉尔区人民检察院")
    expect(roster.locator("th").first).to_have_text("职务")
    # Progress and the chart are worded too: the job's state, the chart's label.
    expect(zh.locator("#progress")).to_contain_text("完成")
    expect(zh.locator("#utilisation svg")).to_have_attribute("aria-label", "每人每日工作量")
    SHOTS.mkdir(parents=True, exist_ok=True)
    zh.screenshot(path=str(SHOTS / "console-roster-zh.png"), full_page=True)
    zh.select_option("#lang", "en")
    expect(roster).to_contain_text("Unstaffed: needs 2 Mongolian speakers")
    expect(zh.locator("html")).to_have_attribute("lang", "en")
    expect(zh.locator("#progress")).to_contain_text("done")
    context.close()


def test_console_sweep_ranks_and_drills_down(service: Service, page: Page) -> None:
    """After solving the tutorial, a sweep of every member shows a ranked table with Sun
    Ting's absence (the fraud case lost) first; clicking it shows the fraud team before
    and after, Sun Ting struck through."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(service.url)
    page.fill("#key", service.token)
    page.click("text=Sign in")
    page.set_input_files("#upload", str(service.scenario_file))
    page.fill("#seconds", "5")
    page.click("#solve button[type=submit]")
    expect(page.locator("#roster")).to_contain_text("王磊 Wang Lei")

    page.select_option("#sweep-absent", "each-member")
    page.click("#sweep button[type=submit]")
    first = page.locator("#sweep-table tbody tr").first
    expect(first).to_contain_text("Sun Ting")
    expect(first).to_contain_text("fraud")
    first.click()
    detail = page.locator("#sweep-detail")
    expect(detail.locator("tr.leaves", has_text="Sun Ting")).to_be_visible()
    expect(page.locator("#sweep-csv")).to_be_visible()
    detail.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "console-sweep.png"), full_page=True)
