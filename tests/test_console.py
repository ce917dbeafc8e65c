"""The console in a real browser (Debian's Chromium driven by Playwright) against a real
`taskforce serve` on a loopback port: a board of views, each at its own URL. Sign in,
upload, solve, read the overview, the cases and the people, the map, ask what if and
adopt a variant, commit, see who committed first, release, read the audit trail; and a
generated province of 700 cases, timing the roster's render and the longest task.

Chromium comes from Debian's packages (`.ci/run` installs it); without it the test is
skipped, unless TASKFORCE_REQUIRE_BROWSER is set, as CI sets it, when it fails instead.
Screenshots go to test-output/ (or TASKFORCE_SCREENSHOTS)."""

import json
import os
import re
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

from playwright.sync_api import Page, Route, expect, sync_playwright  # noqa: E402

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
    # One CP-SAT worker, so the tutorial's roster repeats: it has optima that tie, and
    # with two workers a loaded machine found another, where the swap test's candidate
    # already served.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}",
           "SOLVE_WORKERS": "1"}
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


def _sign_in(page: Page, service: Service, token: str | None = None) -> None:
    page.goto(service.url)
    page.fill("#key", token or service.token)
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#app")).to_be_visible()


def _upload_and_solve(page: Page, service: Service) -> None:
    page.set_input_files("#upload", str(service.scenario_file))
    expect(page.locator("#scenario-status")).to_contain_text("4 offices, 8 people, 3 cases")
    page.fill("#seconds", "5")
    page.click("#solve button[type=submit]")
    expect(page.locator("#progress")).to_contain_text("optimal")


def _watch(page: Page) -> list[str]:
    """Console errors and failed requests, as they happen; the two commits refused on
    purpose (409) are the only answers of 400 or more a session may get."""
    seen: list[str] = []
    # Chromium logs every answer of 400 or more as a console error too: those are judged
    # by their status and address below, not twice.
    page.on("console", lambda m: seen.append(f"console: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("requestfailed", lambda r: seen.append(f"failed: {r.url}"))
    page.on("response", lambda r: seen.append(f"{r.status}: {r.url}")
            if r.status >= 400 and not (r.status == 409 and r.url.endswith(("/commit", "/adopt")))
            else None)
    return seen


def _view(page: Page, name: str) -> None:
    """Open a view from the board's navigation, by keyboard-reachable link."""
    page.click(f"#views a[data-view={name}]")
    expect(page.locator(f"#view-{name}")).to_be_visible()
    # The address may carry the case shown, the scenario and the roster.
    assert re.search(rf"#/{name}(/[^?]+)?(\?|$)", page.url), page.url


def _wang_falls_ill(page: Page) -> str:
    """In the what-if view, try the variant where Wang Lei is unavailable throughout; his
    value in the person picker."""
    page.fill("#wi-person-search", "wang")
    wang = page.locator("#wi-person option", has_text="Wang Lei").get_attribute("value")
    assert wang is not None
    page.select_option("#wi-person", wang)
    page.fill("#wi-name", "Wang Lei falls ill")
    page.click("#whatif button[type=submit]")
    return wang


def test_console_solve_see_what_if_and_commit(service: Service, page: Page) -> None:
    """A planner's session on the tutorial, view by view: the overview's figures and
    worklist; the cases with Chinese and Mongolian names, one chosen and drawn on the map
    (its own URL); the people's load; what if Wang Lei falls ill, and the variant listed;
    commit, the conflict naming this same roster, who and when; a release with a reason,
    the variant then refused as another roster holds the case; the audit trail, verified.
    No console errors and no failed requests throughout."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = _watch(page)
    _sign_in(page, service)
    _upload_and_solve(page, service)
    expect(page.locator("#map circle")).to_have_count(4)

    overview = page.locator("#overview")
    expect(overview.locator(".figure", has_text="cases staffed")).to_contain_text("2 of 3")
    worklist = overview.locator(".worklist li")
    expect(worklist).to_have_count(1)
    expect(worklist).to_contain_text("herders")
    expect(worklist).to_contain_text("needs 2 Mongolian speakers")
    expect(overview).to_contain_text("Most loaded people")
    page.screenshot(path=str(SHOTS / "console-overview.png"))

    _view(page, "cases")
    roster = page.locator("#roster")
    expect(roster).to_contain_text("王磊 Wang Lei")
    expect(roster).to_contain_text("ᠪᠠᠶᠠᠷ Bayar")
    expect(roster).to_contain_text("Unstaffed: needs 2 Mongolian speakers")
    page.click("button.case-button:has-text('grassland')")
    assert re.search(r"#/cases/grassland\?scenario=\w+&roster=\w+$", page.url), page.url
    expect(page.locator("#map circle.chosen")).to_have_count(1)
    expect(page.locator("#case-detail")).to_contain_text("ᠪᠠᠶᠠᠷ Bayar")
    page.click("button.case-button:has-text('fraud')")
    expect(page.locator("#case-detail")).to_contain_text("Sun Ting")
    page.screenshot(path=str(SHOTS / "console-roster.png"))

    _view(page, "people")
    expect(page.locator("#people")).to_contain_text("Saruul")
    expect(page.locator("#utilisation rect").first).to_be_visible()

    _view(page, "timeline")
    timeline = page.locator("#timeline")
    expect(timeline.locator("rect.staffed")).to_have_count(2)
    expect(timeline.locator("rect.unstaffed-bar")).to_have_count(1)
    page.select_option("#tl-what", "people")
    page.fill("#tl-search", "wang")
    expect(timeline.locator("tbody tr")).to_have_count(1)
    expect(timeline.locator("rect.staffed title")).to_have_text(re.compile(r"^fraud .*leader"))

    _view(page, "whatif")
    wang = _wang_falls_ill(page)
    result = page.locator("#whatif-result")
    expect(result).to_contain_text("Wang Lei falls ill")
    expect(result.locator("tr.leaves", has_text="Wang Lei")).to_be_visible()
    expect(result.locator("tr.joins").first).to_be_visible()
    expect(page.locator("#variants tr", has_text="Wang Lei falls ill")).to_be_visible()
    # A second variant on the same roster: the two side by side against the base.
    page.select_option("#wi-person", "")
    page.select_option("#wi-prio-case", label="herders (1)")
    page.fill("#wi-prio-value", "9")
    page.fill("#wi-name", "herders first")
    page.click("#whatif button[type=submit]")
    compared = page.locator("#whatif-compare")
    expect(compared.locator("thead th")).to_have_count(4)
    expect(compared).to_contain_text("fraud: \u2212王磊 Wang Lei")
    page.screenshot(path=str(SHOTS / "console-compare.png"), full_page=True)
    page.fill("#wi-name", "Wang Lei falls ill")
    page.select_option("#wi-prio-case", "")
    page.select_option("#wi-person", wang)
    page.click("#whatif button[type=submit]")
    expect(result.locator("tr.leaves", has_text="Wang Lei")).to_be_visible()
    page.screenshot(path=str(SHOTS / "console-whatif.png"), full_page=True)
    # The variant is not a scenario: the stored list still has the tutorial alone.
    expect(page.locator("#scenario-pick option")).to_have_count(1)

    _view(page, "commitments")
    page.fill("#commit-reason", "request from the city")
    page.click("#commit button[type=submit]")
    expect(page.locator("#commit-result")).to_contain_text("Committed fraud, grassland")
    expect(page.locator("#commitments tbody tr")).to_have_count(5)
    page.click("#commit button[type=submit]")
    conflict = page.locator("#commit-result.conflict")
    expect(conflict).to_contain_text("this roster is committed already")
    expect(conflict).to_contain_text("fraud: committed already from this same roster (by key ")
    expect(conflict).to_contain_text("UTC)")
    expect(conflict.locator("a[href='#/commitments']")).to_be_visible()
    page.screenshot(path=str(SHOTS / "console-conflict.png"))

    wang_row = page.locator("#commitments tbody tr", has_text="Wang Lei")
    wang_row.locator("input").fill("Wang Lei fell ill")
    wang_row.locator("button").click()
    expect(page.locator("#commitments tbody tr")).to_have_count(4)
    page.check("#cm-all")
    page.click("#commitment-filters button[type=submit]")
    expect(page.locator("#commitments tbody tr", has_text="Wang Lei")).to_contain_text(
        "Wang Lei fell ill")

    _view(page, "whatif")
    page.locator("#variants button.adopt").first.click()
    refused = page.locator("#adopt-result.conflict")
    expect(refused).to_contain_text("fraud: committed already from another roster")

    _view(page, "audit")
    audit = page.locator("#audit")
    expect(audit.locator("tbody tr").first).to_contain_text("assignment released")
    expect(audit.locator("tbody tr").first).to_contain_text("Wang Lei fell ill")
    page.click("#audit-verify")
    expect(page.locator("#audit-verdict")).to_contain_text("The audit trail is intact")
    page.screenshot(path=str(SHOTS / "console-audit.png"))
    # A view's URL opens that view (a link can be sent).
    page.goto(f"{service.url}/#/cases/herders")
    expect(page.locator("#case-detail")).to_contain_text("needs 2 Mongolian speakers")
    assert problems == [], problems


def test_console_shows_a_grassroots_key_its_own_office_only(service: Service, page: Page) -> None:
    """Signed in with Ewenki's key, the console shows only Ewenki's case and people, as the
    API allows: the page has no data of its own. Signing in and opening work by keyboard."""
    _sign_in(page, service)
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


def test_console_board_reachable_by_keyboard_and_open_with_nothing_stored(
        service: Service, page: Page) -> None:
    """With nothing stored, Open says so at the top of the board (no TypeError); the
    favicon is served; every view is a link reached by Tab and opened by Enter, at its own
    URL; the board fits 1024x768 without sideways scrolling."""
    problems = _watch(page)
    page.set_viewport_size({"width": 1024, "height": 768})
    _sign_in(page, service)
    page.click("#open-scenario")
    error = page.locator("#error")
    expect(error).to_contain_text("No scenario is stored yet")
    box = error.bounding_box()
    assert box is not None and box["y"] < 120
    expect(error).not_to_contain_text("TypeError")
    page.click("#error-close")
    expect(error).to_be_hidden()
    icon = page.request.get(f"{service.url}/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    page.focus("#views a[data-view=overview]")
    for view in ("cases", "people", "map", "timeline", "whatif", "commitments", "audit"):
        page.keyboard.press("Tab")
        expect(page.locator(f"#views a[data-view={view}]")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator(f"#view-{view}")).to_be_visible()
        assert re.search(rf"#/{view}(\?|$)", page.url), page.url
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 1024, wide
    assert problems == [], problems


def test_console_in_chinese(service: Service, page: Page) -> None:
    """A browser set to Chinese gets the console in Chinese: the page says it is zh-CN,
    labels, table headers and reasons are Chinese, with the offices' and people's Chinese
    names; switching to English re-words the roster without solving again."""
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    zh = context.new_page()
    zh.goto(service.url)
    expect(zh.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(zh.locator("#scenarios-title")).to_have_text("方案")
    zh.fill("#key", service.token)
    zh.click("#sign-in button[type=submit]")
    expect(zh.locator("#app")).to_be_visible()
    expect(zh.locator("#views a[data-view=cases]")).to_have_text("案件")
    zh.set_input_files("#upload", str(service.scenario_file))
    zh.fill("#seconds", "5")
    zh.click("#solve button[type=submit]")
    expect(zh.locator("#progress")).to_contain_text("完成")
    expect(zh.locator("#overview")).to_contain_text("待处理的未组建案件（1件）")
    zh.click("#views a[data-view=cases]")
    roster = zh.locator("#roster")
    expect(roster).to_contain_text("未组建：需要2名通晓蒙古语的成员")
    expect(roster).to_contain_text("海拉尔区人民检察院")
    zh.click("button.case-button:has-text('fraud')")
    detail = zh.locator("#case-detail")
    expect(detail).to_contain_text("以检察长身份任组长")
    expect(detail.locator("th").first).to_have_text("职务")
    SHOTS.mkdir(parents=True, exist_ok=True)
    zh.screenshot(path=str(SHOTS / "console-roster-zh.png"))
    zh.click("#views a[data-view=people]")
    expect(zh.locator("#utilisation svg")).to_have_attribute("aria-label", "每人每日工作量")
    zh.click("#views a[data-view=cases]")
    zh.select_option("#lang", "en")
    expect(roster).to_contain_text("Unstaffed: needs 2 Mongolian speakers")
    expect(zh.locator("html")).to_have_attribute("lang", "en")
    expect(zh.locator("#progress")).to_contain_text("done")
    expect(detail).to_contain_text("leads as chief")
    context.close()


def test_console_sweep_ranks_and_drills_down(service: Service, page: Page) -> None:
    """After solving the tutorial, a sweep of every member shows a ranked table with Sun
    Ting's absence (the fraud case lost) first; clicking it shows the fraud team before
    and after, Sun Ting struck through."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    _sign_in(page, service)
    _upload_and_solve(page, service)
    _view(page, "whatif")
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


# Every long task (over 50 ms) of the page, from its first script on, with when it began.
LONG_TASKS = """
window.__tasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__tasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
"""
# The longest task that overlaps one of the windows (start, end) given, the longest of all.
LONGEST_IN = """(windows) => {
  const inside = window.__tasks.filter(([s, d]) => windows.some(([a, b]) => s < b && s + d > a));
  return [Math.max(0, ...inside.map(([, d]) => d)), Math.max(0, ...window.__tasks.map(([, d]) => d))];
}"""
# The console's own windows: the scenario opened and drawn, the roster drawn.
MARKED = """() => [["scenario-data", "scenario-shown"], ["roster-data", "roster-shown"]].map(
  ([a, b]) => [performance.getEntriesByName(a)[0].startTime, performance.getEntriesByName(b)[0].startTime])"""
# A task of the console's own over this fails the test; a second run decides (see below).
LONGEST_MS, RENDER_MS = 200, 1000


def _province_board(page: Page) -> tuple[float, float, float]:
    """The board of the province opened afresh from its address (the scenario and roster
    it names fetched and drawn), then the cases table searched, filtered, sorted and paged,
    the people and the map shown: the roster's render time, the longest task in the
    console's own windows (opening, rendering, answering the controls) and the longest of
    the whole page's life (for the record)."""
    page.reload()
    expect(page.locator("#overview .worklist li").first).to_be_visible()
    expect(page.locator("#scenario-status")).to_contain_text("2000 people, 700 cases")
    render = page.evaluate("performance.getEntriesByName('roster-render')[0].duration")
    started = page.evaluate("performance.now()")
    _view(page, "cases")
    rows = page.locator("#roster tbody tr")
    expect(rows).to_have_count(50)
    pager = page.locator("#roster .pager")
    expect(pager).to_contain_text("1\u201350 of 700")
    page.select_option("#cases-f-state", "unstaffed")
    expect(rows.first).to_contain_text("Unstaffed")
    unstaffed = int(pager.locator("span").inner_text().split(" of ")[1])
    assert 0 < unstaffed < 700
    page.check("#cases-f-mandatory")
    expect(pager).not_to_contain_text(f"of {unstaffed}")
    page.uncheck("#cases-f-mandatory")
    page.select_option("#cases-f-state", "")
    page.click("#roster th button:has-text('Priority')")
    first = rows.first.locator("td").nth(3).inner_text()
    page.click("#roster .pager button:has-text('Next')")
    expect(pager).to_contain_text("51\u2013100 of 700")
    assert int(rows.first.locator("td").nth(3).inner_text().split()[0]) <= int(first.split()[0])
    page.fill("#cases-f-q", "case0032")
    expect(rows).to_have_count(1)
    rows.first.locator("button.case-button").click()
    expect(page.locator("#case-detail")).to_contain_text("case0032")
    _view(page, "people")
    expect(page.locator("#people tbody tr")).to_have_count(50)
    page.click("#people th button:has-text('Busiest day')")
    expect(page.locator("#utilisation rect").first).to_be_visible()
    _view(page, "map")
    expect(page.locator("#map circle.chosen").first).to_be_visible()
    windows = [*page.evaluate(MARKED), [started, page.evaluate("performance.now()")]]
    own, whole = page.evaluate(LONGEST_IN, windows)
    return render, own, whole


def test_console_serves_a_province_of_700_cases(service: Service, page: Page,
                                                 tmp_path: Path) -> None:
    """A generated province of 2,000 people and 700 cases: once the roster's data has
    arrived the board shows it in under a second; no task of the console's own (opening
    the scenario, drawing the roster, answering the table's search, filters, sorting and
    pages, the people and the map) holds the page for 200 ms or more; and the cases table
    searches, filters, sorts and pages.

    Timed on the board opened afresh from its address after the solve, so that the solver
    (in the server, on the same cores) is idle, and counting only the console's own
    windows, not the upload or the solve. A slow CI machine can still stall one run (the
    test's own process, another job): a run over either limit is run once more, and the
    second decides; a real regression fails both. The runs' figures are written beside the
    screenshots (console-province-timing.json)."""
    scenario = tmp_path / "province.json"
    subprocess.run([_command("taskforce"), "generate", "province", "--prosecutors", "2000",
                    "--cases", "700", "--out", str(scenario)], env=service.env, check=True,
                   capture_output=True)
    operator = Service(service.url, "", scenario, service.env)
    page.add_init_script(LONG_TASKS)
    page.set_viewport_size({"width": 1440, "height": 900})
    _sign_in(page, service, operator.key("prov", "admin"))
    page.set_input_files("#upload", str(scenario))
    expect(page.locator("#scenario-status")).to_contain_text("2000 people, 700 cases")
    page.fill("#seconds", "2")
    page.click("#solve button[type=submit]")
    expect(page.locator("#progress")).to_contain_text("done")
    expect(page.locator("#overview .worklist li").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"roster="))  # set once the roster is drawn

    runs = [_province_board(page)]
    if runs[0][0] >= RENDER_MS or runs[0][1] >= LONGEST_MS:
        runs.append(_province_board(page))
    # The margin, for the record: beside the screenshots (and in the failure's message).
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "console-province-timing.json").write_text(json.dumps(
        [{"render_ms": r, "longest_own_task_ms": o, "longest_task_ms": w} for r, o, w in runs]))
    render, own, _ = runs[-1]
    assert render < RENDER_MS, runs
    assert own < LONGEST_MS, runs
    page.screenshot(path=str(SHOTS / "console-province.png"))


def test_console_swaps_a_member_by_hand(service: Service, page: Page) -> None:
    """In a case's detail, a member is swapped for one of the people the solver holds
    eligible: a swap that leaves grassland one Mongolian speaker short is refused, naming
    the rule; Liu for Zhao on fraud is made, and the roster shown is the new one."""
    _sign_in(page, service)
    _upload_and_solve(page, service)
    page.goto(f"{service.url}/#/cases/grassland")
    detail = page.locator("#case-detail")
    page.select_option("#swap-out", "saruul")
    expect(page.locator("#swap-into option", has_text="Liu Yang")).to_have_count(1)
    page.select_option("#swap-into", "liu")
    page.click("#case-detail form.swap button[type=submit]")
    expect(page.locator("#swap-result.conflict")).to_contain_text(
        "case grassland: 1 speak Mongolian, needs 2")
    page.click("button.case-button:has-text('fraud')")
    page.select_option("#swap-out", "zhao")
    expect(page.locator("#swap-into option", has_text="Liu Yang")).to_have_count(1)
    page.select_option("#swap-into", "liu")
    page.click("#case-detail form.swap button[type=submit]")
    expect(page.locator("#swap-result.ok")).to_contain_text("Swapped")
    expect(detail.locator("tbody tr").nth(1)).to_contain_text("Liu Yang")
    expect(page.locator("#roster tr", has_text="fraud")).to_contain_text("Liu Yang")
    # Solved again around the swapped team: Liu stays on fraud, pinned.
    page.click("#solve-keeping")
    # (Zhao, the junior, would cost 100 less: 1,060; kept, Liu's team costs 1,160.)
    expect(page.locator("#progress")).to_contain_text("1160.0")
    expect(page.locator("#roster tr", has_text="fraud")).to_contain_text("Liu Yang")
    # The board with a roster fits a 1024x768 screen: no view scrolls sideways.
    page.set_viewport_size({"width": 1024, "height": 768})
    for view in ("overview", "cases", "people", "map", "timeline", "whatif", "commitments",
                 "audit"):
        _view(page, view)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 1024, (view, wide)


def test_console_swap_offers_the_chosen_members_candidates(service: Service,
                                                           page: Page) -> None:
    """The swap form asks for its first member's candidates as it is drawn (grassland's
    leader) and for the chosen member's (saruul, a prosecutor) right after; the leader's
    answer, held back until the prosecutor's has been shown, does not replace it."""
    _sign_in(page, service)
    _upload_and_solve(page, service)
    held: list[Route] = []
    page.route("**/candidates?slot=leader", lambda route: held.append(route))
    page.goto(f"{service.url}/#/cases/grassland")
    page.select_option("#swap-out", "saruul")
    expect(page.locator("#swap-into option", has_text="Liu Yang")).to_have_count(1)
    assert len(held) == 1
    with page.expect_response("**/candidates?slot=leader"):
        held[0].continue_()
    # Two turns of the page's event loop: the late answer has been read and handled.
    page.evaluate("async () => { for (let i = 0; i < 2; i++) await new Promise((r) => setTimeout(r)); }")
    expect(page.locator("#swap-into option", has_text="Liu Yang")).to_have_count(1)


def test_console_link_reopens_the_view_after_sign_in(service: Service, page: Page) -> None:
    """A view's address carries the scenario, the roster and the chosen case: sent to a
    colleague (a fresh browser, another key of the same city), it opens the same case of the
    same roster once they sign in, and a timeline link its bars. A stale link (a roster that
    does not exist) says so and still opens the scenario; a made-up one naming other
    addresses of the API fetches nothing else; a grassroots key following a link to another
    office's case is told the case is not there, and sees none of its team."""
    _sign_in(page, service)
    _upload_and_solve(page, service)
    _view(page, "cases")
    page.click("button.case-button:has-text('fraud')")
    expect(page.locator("#case-detail")).to_contain_text("Sun Ting")
    link = page.url
    assert re.search(r"#/cases/fraud\?scenario=\w+&roster=\w+$", link), link
    # The board's own links carry the scenario and roster too.
    timeline = page.locator("#views a[data-view=timeline]").get_attribute("href")
    assert timeline is not None and "roster=" in timeline, timeline

    browser = page.context.browser
    assert browser is not None

    def colleague(url: str, key: str) -> Page:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        other = context.new_page()
        other.goto(url)
        other.fill("#key", key)
        other.click("#sign-in button[type=submit]")
        expect(other.locator("#app")).to_be_visible()
        return other

    viewer = colleague(link, service.key("hulunbuir", "viewer"))
    problems = _watch(viewer)
    expect(viewer.locator("#scenario-status")).to_contain_text("4 offices, 8 people, 3 cases")
    expect(viewer.locator("#view-cases")).to_be_visible()
    expect(viewer.locator("#case-detail")).to_contain_text("Sun Ting")
    expect(viewer.locator("#roster tr.selected")).to_contain_text("fraud")
    expect(viewer.locator("#map circle.chosen")).to_have_count(1)
    assert viewer.url == link
    viewer.goto(service.url + "/" + timeline)
    expect(viewer.locator("#timeline rect.staffed")).to_have_count(2)
    assert problems == [], problems

    stale = colleague(re.sub(r"roster=\w+", "roster=0123456789abcdef0123456789abcdef", link),
                      service.key("hulunbuir", "viewer"))
    expect(stale.locator("#error")).to_contain_text("0123456789abcdef0123456789abcdef")
    expect(stale.locator("#scenario-status")).to_contain_text("3 cases")
    expect(stale.locator("#case-detail")).not_to_contain_text("Sun Ting")

    # A made-up link cannot steer the console to another address of the API.
    hostile = colleague(f"{service.url}/#/cases?scenario=..%2Fjobs&roster=..%2F..%2Faudit",
                        service.key("hulunbuir", "viewer"))
    expect(hostile.locator("#error")).to_contain_text("Not Found")
    expect(hostile.locator("#error")).not_to_contain_text("TypeError")
    expect(hostile.locator("#scenario-status")).to_be_empty()

    outsider = colleague(link, service.key("ewenki", "planner"))
    expect(outsider.locator("#error")).to_contain_text("fraud")
    expect(outsider.locator("#scenario-status")).to_contain_text("1 cases")
    expect(outsider.locator("#case-detail")).not_to_contain_text("Sun Ting")
    expect(outsider.locator("#roster")).not_to_contain_text("Sun Ting")


# Every label's and minute's box against every other and against every office's marker,
# as Chromium lays them out (its own font metrics, Chinese included).
OVERLAPS = """() => {
  const boxes = (sel) => [...document.querySelectorAll(sel)].map((n) => {
    const b = n.getBBox();
    return { x: b.x, y: b.y, w: b.width, h: b.height, what: n.textContent || n.dataset.units };
  });
  const labels = boxes("#map text.label, #map text.minutes"), dots = boxes("#map circle.unit");
  const hit = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  const out = [];
  labels.forEach((a, i) => {
    for (const b of labels.slice(i + 1)) if (hit(a, b)) out.push(`${a.what} / ${b.what}`);
    for (const d of dots) if (hit(a, d)) out.push(`${a.what} over ${d.what}`);
  });
  return { overlaps: out, labels: labels.length };
}"""


def test_console_map_labels_clear_and_case_chosen_both_ways(service: Service, page: Page) -> None:
    """On Hulunbuir in Chinese, the map's office names and a chosen team's minutes never
    cover each other or any office's marker, at the first view, zoomed in and out; most
    offices keep a label. Choosing a case from an office's list under the map chooses it in
    the cases table (its row marked, its address); choosing one in the table marks it in
    the map's list and draws its team."""
    hulunbuir = Service(service.url, "", ROOT / "scenarios" / "hulunbuir.json", service.env)
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    zh = context.new_page()
    problems = _watch(zh)
    _sign_in(zh, service, hulunbuir.key("inner_mongolia", "admin"))
    zh.set_input_files("#upload", str(hulunbuir.scenario_file))
    expect(zh.locator("#scenario-status")).to_contain_text("326")
    zh.fill("#seconds", "5")
    zh.click("#solve button[type=submit]")
    expect(zh.locator("#progress")).to_contain_text("完成")
    zh.click("#views a[data-view=cases]")
    zh.click("button.case-button:has-text('gang-110')")
    expect(zh.locator("#map-case")).to_contain_text("gang-110")
    # Each office the team comes from has its line, its minutes at least in the tooltip.
    expect(zh.locator("#map line.travel title").first).to_contain_text("分钟")
    for step in ("first", "in", "in", "out", "out", "out"):
        if step != "first":
            zh.click(f"#zoom-{step}")
        if step == "in":
            expect(zh.locator("#map text.minutes").first).to_contain_text("分钟")
        found = zh.evaluate(OVERLAPS)
        assert found["overlaps"] == [], (step, found)
    zh.click("#zoom-reset")
    found = zh.evaluate(OVERLAPS)
    assert found["overlaps"] == [] and found["labels"] >= 8, found

    # The map chooses, the table follows: Manzhouli's cases listed, one chosen.
    zh.locator("#map circle[data-units~=manzhouli]").click()
    listed = zh.locator("#map-office button.map-case")
    expect(listed.filter(has_text="border-smuggling")).to_have_count(1)
    listed.filter(has_text="border-smuggling").click()
    expect(zh.locator("#roster tr.selected")).to_contain_text("border-smuggling")
    expect(zh.locator("#case-detail h3")).to_contain_text("border-smuggling")
    assert re.search(r"#/cases/border-smuggling\?", zh.url), zh.url
    expect(listed.filter(has_text="border-smuggling")).to_have_attribute("aria-pressed", "true")
    expect(zh.locator("#map circle.chosen[data-units~=manzhouli]")).to_have_count(1)
    # The table chooses, the map follows.
    zh.locator("#roster button.case-button", has_text="xinkai-fishing").click()
    expect(listed.filter(has_text="xinkai-fishing")).to_have_attribute("aria-pressed", "true")
    expect(listed.filter(has_text="border-smuggling")).to_have_attribute("aria-pressed", "false")
    expect(zh.locator("#map-case")).to_contain_text("xinkai-fishing")
    assert zh.evaluate(OVERLAPS)["overlaps"] == []
    assert problems == [], problems
    context.close()


def test_console_swaps_a_member_from_the_timeline(service: Service, page: Page) -> None:
    """On the timeline, a staffed case's row offers its team for a swap, and a person's
    booking, chosen by keyboard, opens it with that person ready to swap out: the people
    eligible for the place are offered, a swap that breaks a rule is refused naming it, a
    valid one is made, the timeline then shows the new roster, and it can be solved again
    keeping that team."""
    problems = _watch(page)
    _sign_in(page, service)
    _upload_and_solve(page, service)
    _view(page, "timeline")
    page.click("#timeline button.tl-swap[data-case=grassland]")
    panel = page.locator("#timeline-swap")
    expect(panel.locator("h3")).to_contain_text("grassland")
    page.select_option("#tl-swap-out", "saruul")
    expect(page.locator("#tl-swap-into option", has_text="Liu Yang")).to_have_count(1)
    page.select_option("#tl-swap-into", "liu")
    panel.locator("form.swap button[type=submit]").click()
    expect(page.locator("#tl-swap-result.conflict")).to_contain_text(
        "case grassland: 1 speak Mongolian, needs 2")
    # From a person's booking, by keyboard: Zhao Min's fraud bar, Enter.
    page.select_option("#tl-what", "people")
    page.fill("#tl-search", "zhao")
    bar = page.locator("#timeline rect.staffed[data-case=fraud]")
    bar.focus()
    page.keyboard.press("Enter")
    expect(panel.locator("h3")).to_contain_text("fraud")
    expect(page.locator("#tl-swap-out")).to_have_value("zhao")
    expect(page.locator("#tl-swap-into option", has_text="Liu Yang")).to_have_count(1)
    page.select_option("#tl-swap-into", "liu")
    panel.locator("form.swap button[type=submit]").click()
    expect(page.locator("#tl-swap-result.ok")).to_contain_text("Swapped")
    expect(panel.locator("tbody tr", has_text="Liu Yang")).to_have_count(1)
    expect(page.locator("#tl-swap-out")).to_have_value("liu")
    # The timeline shows the new roster: Zhao has no booking left, Liu has fraud.
    expect(page.locator("#timeline rect.staffed")).to_have_count(0)
    page.fill("#tl-search", "liu")
    expect(page.locator("#timeline rect.staffed[data-case=fraud]")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"roster="))  # set once the roster is drawn
    page.click("#tl-swap-solve-keeping")
    expect(page.locator("#progress")).to_contain_text("1160.0")
    # The one answer of 400 or more: the swap refused on purpose.
    assert [p for p in problems if not re.match(r"422: .*/swaps$", p)] == [], problems


def test_console_compares_stored_variants(service: Service, page: Page) -> None:
    """Variants tried earlier (here, before the page was opened again from its link) are
    listed with a box to tick; the ticked ones are compared side by side with the roster
    shown, as fresh ones are; with none ticked, the console says to tick some."""
    problems = _watch(page)
    _sign_in(page, service)
    _upload_and_solve(page, service)
    _view(page, "whatif")
    _wang_falls_ill(page)
    expect(page.locator("#variants tr", has_text="Wang Lei falls ill")).to_be_visible()
    page.select_option("#wi-person", "")
    page.select_option("#wi-prio-case", label="herders (1)")
    page.fill("#wi-prio-value", "9")
    page.fill("#wi-name", "herders first")
    page.click("#whatif button[type=submit]")
    expect(page.locator("#variants tbody tr")).to_have_count(2)

    # Opened again from its address: nothing compared yet, the stored variants listed.
    page.reload()
    compared = page.locator("#whatif-compare")
    expect(page.locator("#variants tbody tr")).to_have_count(2)
    expect(compared).to_be_empty()
    page.click("#compare-chosen")
    expect(page.locator("#error")).to_contain_text("Tick the variants")
    for name in ("Wang Lei falls ill", "herders first"):
        page.locator("#variants tr", has_text=name).locator("input.compare-pick").check()
    page.click("#compare-chosen")
    expect(compared.locator("thead th")).to_have_count(4)
    expect(compared).to_contain_text("2 variants")
    expect(compared).to_contain_text("fraud: \u2212王磊 Wang Lei")
    # One only: the other column goes.
    page.locator("#variants tr", has_text="herders first").locator("input.compare-pick").uncheck()
    page.click("#compare-chosen")
    expect(compared.locator("thead th")).to_have_count(3)
    assert problems == [], problems
