"""The studio in a real browser: headless Chromium (Debian's) driven by Playwright against the
app launched in-process on the real sketchbook backend and a real session store.

One app launch for the module. The main page's tests run in file order and build on each
other's sessions (auto run -> step mode -> rewind -> sessions tab -> export/import); the
phone, reload and stress tests open their own pages. No test is retried: the page has one
ordered stream of screens per tab, so there is no race to lose."""

from __future__ import annotations

import os
import random
import re
import threading
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PROMPT = "a brown bear above a silver spoon"
TIMEOUT_MS = 20_000
BUTTON_IDS = {"accept": "ss-accept", "override": "ss-override", "resketch": "ss-resketch", "correct": "ss-correct",
              "skip": "ss-skip", "rewind": "ss-rewind", "run": "ss-run", "pause": "ss-pause", "stop": "ss-stop"}

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        # CI installs Debian's chromium (.ci/run): a missing browser there is a broken set-up, not a skip.
        raise RuntimeError(f"browser tests need Chromium at {CHROMIUM}; .ci/run installs it with apt-get")
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from stagestudio.ui import build_app, launch_options

    db = tmp_path_factory.mktemp("studio") / "studio.db"
    demo = build_app(db, "sketchbook")
    demo.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                **launch_options())
    assert demo.studio_ready.wait(60), "the sketchbook backend did not warm up"
    yield demo
    demo.close()
    demo.studio_workspaces.close()
    demo.studio_store.close()


@pytest.fixture(scope="module")
def browser(studio):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser, studio, url: str | None = None, **context_options):
    context = browser.new_context(**({"viewport": {"width": 1440, "height": 1000}, "accept_downloads": True}
                                     | context_options))
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    open_studio(page, url or studio.local_url)
    return page


@pytest.fixture(scope="module")
def page(browser, studio):
    page = new_page(browser, studio)
    yield page
    page.context.close()


# --- helpers ----------------------------------------------------------------------------
def open_studio(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#ss-prompt textarea")
    page.wait_for_selector("#ss-progress [data-version]")  # the tab's stream is attached


def shot(page, name: str, full_page: bool = True) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def session_id_shown(page) -> str | None:
    text = page.locator("#ss-header").inner_text()
    m = re.search(r"session\s+([0-9a-f]{12})", text)
    return m.group(1) if m else None


def wait_new_session(page, previous: str | None) -> str:
    page.wait_for_function(
        """(prev) => { const h = document.querySelector('#ss-header');
                        const m = h && h.innerText.match(/session\\s+([0-9a-f]{12})/);
                        return m && m[1] !== prev; }""",
        arg=previous,
    )
    return session_id_shown(page)


def wait_done(page) -> str:
    page.wait_for_function(
        "() => /Completed|Stopped|Failed/.test(document.querySelector('#ss-progress').innerText)"
    )
    return page.locator("#ss-progress").inner_text()


def wait_progress(page, text: str) -> None:
    page.wait_for_function("(t) => document.querySelector('#ss-progress').innerText.includes(t)", arg=text)


def enabled(page, elem_id: str) -> bool:
    return page.locator(f"#{elem_id}").is_enabled()


def wait_enabled(page, elem_id: str) -> None:
    page.wait_for_function(f"() => {{ const b = document.querySelector('#{elem_id}'); return b && !b.disabled; }}")


def cards(page):
    return page.locator("#ss-timeline .ss-card[data-step]:not(.ss-card-final)")


def set_mode(page, mode: str) -> None:
    page.locator("#ss-mode label", has_text="Step" if mode == "step" else "Auto").click()


def fill_seed(page, value: str) -> None:
    page.locator("#ss-seed input, #ss-seed textarea").first.fill(value)


def stop_if_running(page) -> None:
    """Leave no run waiting for decisions."""
    if enabled(page, "ss-stop"):
        page.click("#ss-stop")
        wait_done(page)


def workspace_of(studio, page):
    wid = page.locator("#ss-progress [data-workspace]").get_attribute("data-workspace")
    return next(w for w in studio.studio_workspaces if w.id == wid)


def page_state(page) -> dict:
    """What the page shows, in the shape of the server screen's summary."""
    return page.evaluate(
        """(ids) => {
            const stamp = document.querySelector('#ss-progress [data-version]');
            const buttons = {};
            for (const [name, id] of Object.entries(ids)) {
                const b = document.getElementById(id);
                buttons[name] = [!b.disabled, b.innerText.trim()];
            }
            const cards = [...document.querySelectorAll('#ss-timeline .ss-card')].map(c => {
                const badge = c.querySelector('.ss-badge');
                const kind = badge ? [...badge.classList].find(k => k.startsWith('ss-badge-')).slice(9) : '';
                return c.dataset.step === 'final' ? 'final:' + kind : kind;
            });
            const token = document.querySelector('#ss-review-token textarea, #ss-review-token input');
            return {workspace: stamp && stamp.dataset.workspace, version: stamp && parseInt(stamp.dataset.version),
                    cards, buttons, review_token: token ? token.value : null};
        }""",
        BUTTON_IDS,
    )


def server_state(studio, workspace) -> dict:
    summary = studio.studio_screen(workspace).summary
    return {"workspace": summary["workspace"], "version": summary["version"], "cards": summary["cards"],
            "buttons": {k: list(v) for k, v in summary["buttons"].items()}, "review_token": summary["review_token"]}


def assert_converges(page, studio, workspace, within_s: float = 1.0, settle_cap_s: float = 15.0) -> float:
    """The page shows exactly the server's screen no later than `within_s` after the server's
    last change (the engine may still be moving when this starts). Returns the lag seen."""
    started = time.monotonic()
    last_version, changed_at = None, started
    while True:
        server = server_state(studio, workspace)
        now = time.monotonic()
        if server["version"] != last_version:
            last_version, changed_at = server["version"], now
        shown = page_state(page)
        if shown == server:
            return now - changed_at
        if now - changed_at > within_s or now - started > settle_cap_s:
            raise AssertionError(f"the page did not converge within {within_s} s of the server's last change:\n"
                                 f"page   {shown}\nserver {server}")
        time.sleep(0.03)


def accept_to_the_end(page) -> None:
    """Press the primary decision at every review point until the run completes."""
    deadline = time.monotonic() + 30
    while "Completed" not in page.locator("#ss-progress").inner_text() and time.monotonic() < deadline:
        if enabled(page, "ss-accept"):
            page.locator("#ss-accept").evaluate("b => b.click()")
        time.sleep(0.15)
    assert "Completed" in wait_done(page)


def type_then_click(page, box: str, text: str, button: str) -> None:
    page.fill(box, text)
    wait_enabled(page, button.lstrip("#"))
    page.click(button)


# --- the main page's walk through the studio ----------------------------------------------
def test_auto_run_shows_every_step(page, studio):
    assert "No steps yet" in page.locator("#ss-timeline").inner_text()  # the empty state
    shot(page, "studio_empty")
    page.fill("#ss-prompt textarea", PROMPT)
    fill_seed(page, "7")
    page.click("#ss-run")
    page.wait_for_selector("#ss-timeline .ss-card[data-step='0'] img.ss-thumb")
    assert "Completed" in wait_done(page)
    assert f"session={session_id_shown(page)}" in page.url  # the address names the session

    n = cards(page).count()
    assert n >= 2  # bear and spoon
    for i in range(n):
        card = cards(page).nth(i)
        assert card.locator("img.ss-thumb").count() == 1, f"step {i + 1} has no sketch"
        badge = card.locator(".ss-badge").inner_text().lower()
        assert badge in ("pass", "fail", "overridden", "unsure"), badge
    assert page.locator("#ss-timeline .ss-card-final").count() == 1
    page.wait_for_selector("#ss-sketch img")  # the final picture, large
    page.wait_for_function("() => document.querySelector('#ss-sketch').innerText.includes('Final picture')")
    names = page.locator("#ss-objects").inner_text()
    assert "bear" in names and "spoon" in names
    page.wait_for_selector("#ss-history .ss-history-item img")  # the run joined the recent results

    # Open a card: the detail follows it.
    cards(page).nth(0).click()
    page.wait_for_function("() => document.querySelector('#ss-detail').innerText.includes('Step 1')")
    assert page.locator("#ss-detail .ss-facts li").count() >= 1
    assert_converges(page, studio, workspace_of(studio, page))
    shot(page, "studio_auto")


def test_step_mode_shows_the_graph_at_the_first_plan_stop_then_edit_correct_reject(page, studio):
    stop_if_running(page)
    previous = session_id_shown(page)
    set_mode(page, "step")
    page.click("#ss-run")
    wait_new_session(page, previous)

    # Plan review of step 1: the scene graph is drawn and tabled already.
    wait_progress(page, "review the plan")
    graph_text = page.locator("#ss-graph").inner_text()
    assert "bear" in graph_text and "spoon" in graph_text and "above" in graph_text
    assert "bear" in page.locator("#ss-objects").inner_text()
    assert page.locator("#ss-accept").inner_text().strip() == "✓ Sketch this step"
    assert not enabled(page, "ss-override")  # no verdict yet
    assert "your turn" in cards(page).nth(0).inner_text().lower()  # not "working…" while it waits
    edited = "Draw a small silver spoon at the bottom centre."
    type_then_click(page, "#ss-instruction textarea", edited, "#ss-resketch")

    # Verdict review of step 1: give our own correction.
    wait_progress(page, "review the verdict")
    assert "edited by you" in page.locator("#ss-detail").inner_text()
    type_then_click(page, "#ss-correction textarea", "Make the spoon larger and keep it at the bottom.", "#ss-correct")
    page.wait_for_selector("#ss-timeline .ss-card[data-step='0'] .ss-chip:has-text('refine 1')")

    # The buttons say what they do at this verdict: keep a failed sketch, or reject a passed one.
    wait_progress(page, "review the verdict")
    wait_enabled(page, "ss-override")
    workspace = workspace_of(studio, page)
    verdict = workspace.waiting[1].verdict
    label = page.locator("#ss-override").inner_text()
    assert ("Reject" in label) if verdict.passed else ("Keep this picture" in label), label
    page.click("#ss-override")
    shot(page, "studio_step_mode")

    # Accept everything else to the end.
    accept_to_the_end(page)
    first = cards(page).nth(0)
    assert first.locator(".ss-chip", has_text="refine 1").count() == 1
    assert "Draw a small silver spoon" in first.inner_text()
    assert page.locator("#ss-timeline .ss-chip-overridden").count() >= 1
    set_mode(page, "auto")


def test_stop_before_the_first_sketch_keeps_the_screen_and_no_row(page, studio):
    before = {s.id for s in studio.studio_store.list_sessions()}
    previous = session_id_shown(page)
    set_mode(page, "step")
    page.click("#ss-run")
    wait_new_session(page, previous)
    wait_progress(page, "review the plan")
    page.click("#ss-stop")
    assert "Stopped" in wait_done(page)
    assert cards(page).count() == 1  # the planned step stays on screen...
    assert "not finished" in cards(page).nth(0).inner_text().lower()  # ...and says it was not done
    assert {s.id for s in studio.studio_store.list_sessions()} == before  # but nothing empty is stored
    set_mode(page, "auto")
    # Reopen the finished step-mode session so the rewind test below branches from it.
    parent = studio.studio_store.list_sessions()[0].id
    page.click("button[role='tab']:has-text('Sessions')")
    page.locator("#ss-selected-session textarea, #ss-selected-session input").first.fill(parent)
    page.click("#ss-open-studio")
    page.wait_for_function("(sid) => document.querySelector('#ss-header').innerText.includes(sid)", arg=parent)


def test_rewind_creates_a_fork(page):
    parent = session_id_shown(page)
    cards(page).nth(1).click()
    page.wait_for_function("() => document.querySelector('#ss-detail').innerText.includes('Step 2')")
    wait_enabled(page, "ss-rewind")
    assert "step 2" in page.locator("#ss-rewind").inner_text()
    page.click("#ss-rewind")
    fork = wait_new_session(page, parent)
    assert fork != parent
    assert wait_done(page)
    head = page.locator("#ss-header").inner_text()
    assert f"branched from {parent} at step 2" in head
    # The inherited first step is still on the timeline, with the parent's instruction.
    assert "Draw a small silver spoon" in cards(page).nth(0).inner_text()
    shot(page, "studio_fork")


def test_final_card_opens_its_failed_facts_by_click_and_keyboard(page, studio):
    previous = session_id_shown(page)
    set_mode(page, "step")
    page.click("#ss-run")
    wait_new_session(page, previous)
    wait_progress(page, "review the plan")
    page.click("#ss-skip")  # the first object is never drawn: the final inspection fails
    accept_to_the_end(page)
    final = page.locator("#ss-timeline .ss-card-final")
    assert "fail" in final.locator(".ss-badge").inner_text().lower()
    final.click()
    page.wait_for_function("() => document.querySelector('#ss-detail').innerText.includes('Final inspection')")
    failed = page.locator("#ss-detail .ss-fact-fail")
    assert failed.count() >= 1
    assert "fails" in failed.first.inner_text()
    # Keyboard: focus step 1's card and press Enter; then the final card with Space.
    cards(page).nth(0).focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#ss-detail').innerText.includes('Step 1')")
    final.focus()
    page.keyboard.press(" ")
    page.wait_for_function("() => document.querySelector('#ss-detail').innerText.includes('Final inspection')")
    set_mode(page, "auto")


def test_seed_minus_one_is_random_shown_and_recorded(page, studio):
    page.fill("#ss-prompt textarea", PROMPT)
    fill_seed(page, "-1")
    previous = session_id_shown(page)
    page.click("#ss-run")
    sid = wait_new_session(page, previous)
    wait_done(page)
    header = page.locator("#ss-header").inner_text()
    drawn = int(re.search(r"seed (\d+)", header).group(1))
    assert "random" in header
    assert studio.studio_store.load_session(sid).seed == drawn
    assert page.locator("#ss-seed input, #ss-seed textarea").first.input_value() == "-1"  # the next run draws again
    page.click("#ss-seed-reuse")  # "Last seed" puts the drawn seed in the box
    page.wait_for_function("(s) => document.querySelector('#ss-seed input, #ss-seed textarea').value === s",
                           arg=str(drawn))
    # A seed beyond 64 bits runs on a seed in range, and the header says how it was obtained.
    fill_seed(page, "99999999999999999999")
    page.click("#ss-run")
    big = wait_new_session(page, sid)
    wait_done(page)
    assert "hashed to seed" in page.locator("#ss-header").inner_text()
    assert 0 <= studio.studio_store.load_session(big).seed < 2**63
    # Text that is not a number is refused next to Run, with nothing else disturbed.
    fill_seed(page, "seven")
    page.click("#ss-run")
    page.wait_for_function("() => document.querySelector('#ss-run-message').innerText.includes('Seed')")
    message = page.locator("#ss-run-message").inner_text()
    assert "Error" not in message and "\n" not in message.strip()
    assert session_id_shown(page) == big
    fill_seed(page, "0")


def table_rows(page, elem_id: str) -> int:
    """Data rows of a Dataframe (its header is a row too)."""
    return page.evaluate(f"() => document.querySelectorAll('#{elem_id} [role=row]').length") - 1


def wait_table_rows(page, elem_id: str, n: int) -> None:
    page.wait_for_function(f"(n) => document.querySelectorAll('#{elem_id} [role=row]').length - 1 === n", arg=n)


def edit_cell(page, elem_id: str, row: int, column: int, text: str) -> None:
    cell = page.locator(f"#{elem_id} [role=row]").nth(row + 1).locator("[role=gridcell]").nth(column)
    cell.dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_graph_rows_added_and_applied_after_a_finished_run(page, studio):
    parent = session_id_shown(page)
    objects_before = table_rows(page, "ss-objects")
    page.click("#ss-add-object")
    wait_table_rows(page, "ss-objects", objects_before + 1)
    edit_cell(page, "ss-objects", objects_before, 1, "apple")
    page.wait_for_function("() => document.querySelector('#ss-objects').innerText.includes('apple')")
    relations_before = table_rows(page, "ss-relations")
    page.click("#ss-add-relation")
    wait_table_rows(page, "ss-relations", relations_before + 1)
    # The new relation row starts as "o1 left of o2"; point it at the apple: "o3 left of o1".
    edit_cell(page, "ss-relations", relations_before, 0, f"o{objects_before + 1}")
    edit_cell(page, "ss-relations", relations_before, 2, "o1")
    page.wait_for_timeout(300)
    page.click("#ss-apply-graph")
    fork = wait_new_session(page, parent)
    wait_done(page)
    assert f"branched from {parent}" in page.locator("#ss-header").inner_text()
    stored = studio.studio_store.load_session(fork)
    assert any(o.name == "apple" for o in stored.graph.objects)
    assert stored.graph.source == "user"
    assert "apple" in page.locator("#ss-graph").inner_text()
    # Remove the row again: the table follows.
    page.click("#ss-remove-relation")
    wait_table_rows(page, "ss-relations", relations_before)


def replay_position(page) -> tuple[int, int]:
    m = re.search(r"event (\d+) of (\d+)", page.locator("#ss-replay-head").inner_text())
    return (int(m.group(1)), int(m.group(2))) if m else (-1, 0)


def pick_session(page, session_id: str) -> None:
    page.locator("#ss-sessions [role=gridcell]", has_text=session_id).first.click()
    selected = page.locator("#ss-selected-session textarea, #ss-selected-session input").first
    deadline = time.monotonic() + 10
    while selected.input_value() != session_id and time.monotonic() < deadline:
        time.sleep(0.05)
    assert selected.input_value() == session_id


def test_sessions_tab_lists_searches_and_replays(page, studio):
    page.click("button[role='tab']:has-text('Sessions')")
    # The table fills in as it renders: wait for the rows rather than reading them once.
    page.wait_for_function("() => [...document.querySelectorAll('#ss-sessions [role=row]')]"
                           ".filter(r => /[0-9a-f]{12}/.test(r.innerText)).length >= 5")
    assert "cancelled" not in page.locator("#ss-sessions").inner_text()  # no empty rows from the stop above
    search = page.locator("#ss-search textarea, #ss-search input").first
    search.fill("no such prompt")
    search.press("Enter")
    page.wait_for_function("() => !document.querySelector('#ss-sessions').innerText.includes('bear')")
    search.fill("bear")
    search.press("Enter")
    page.wait_for_function("() => document.querySelector('#ss-sessions').innerText.includes('bear')")

    # Open a forked session and replay it.
    fork = next(s.id for s in studio.studio_store.list_sessions() if s.parent_session_id and "bear" in s.prompt)
    pick_session(page, fork)
    page.click("#ss-open")
    page.wait_for_selector("#ss-replay-timeline .ss-card-final")
    full = page.locator("#ss-replay-timeline .ss-card[data-step]:not(.ss-card-final)").count()
    assert full >= 2
    # Play from the start: the position moves through the log and stops at its end.
    page.click("#ss-replay-play")
    seen = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        shown, total = replay_position(page)
        seen.add(shown)
        if shown == total and len(seen) > 2:
            break
        time.sleep(0.05)
    assert shown == total and len(seen) > 2, seen
    # The event number box and the arrow keys move the view; event 0 still names the prompt.
    box = page.locator("#ss-replay-slider input[type=number]")
    box.fill("0")
    box.press("Enter")
    page.wait_for_function("() => /event 0 of/.test(document.querySelector('#ss-replay-head').innerText)")
    assert "bear" in page.locator("#ss-replay-head").inner_text()
    slider = page.locator("#ss-replay-slider input[type=range]")
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => /event 3 of/.test(document.querySelector('#ss-replay-head').innerText)")
    box.fill(str(total))
    box.press("Enter")
    page.wait_for_function("(t) => document.querySelector('#ss-replay-head').innerText.includes('event ' + t)",
                           arg=str(total))
    # Click the first card: the replay detail opens that step.
    page.locator("#ss-replay-timeline .ss-card[data-step='0']").click()
    page.wait_for_function("() => document.querySelector('#ss-replay-detail').innerText.includes('Step 1')")
    page.wait_for_selector("#ss-replay-image img")  # its picture, decoded on demand
    shot(page, "sessions_replay")


def test_export_import_and_delete_with_confirmation(page, studio, tmp_path):
    selected = page.locator("#ss-selected-session textarea, #ss-selected-session input").input_value()
    page.click("#ss-export")
    link = page.locator("#ss-export-file a").first
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    archive = tmp_path / "exported.zip"
    info.value.save_as(archive)
    assert archive.stat().st_size > 1000
    before = len(studio.studio_store.list_sessions())

    page.locator("#ss-tab-sessions input[type=file][accept='.zip']").set_input_files(str(archive))
    page.wait_for_function("() => /Imported|failed/.test(document.querySelector('#ss-sessions-message').innerText)")
    assert "Imported" in page.locator("#ss-sessions-message").inner_text()
    assert len(studio.studio_store.list_sessions()) == before + 1
    imported = page.locator("#ss-selected-session textarea, #ss-selected-session input").input_value()
    assert imported and imported != selected  # same store: imported under a new id
    shot(page, "sessions_import")

    # Delete asks first; "Keep it" keeps it.
    page.click("#ss-delete")
    page.wait_for_selector("#ss-delete-yes", state="visible")
    assert imported in page.locator("#ss-delete-question").inner_text()
    page.click("#ss-delete-no")
    page.wait_for_selector("#ss-delete-yes", state="hidden")
    assert studio.studio_store.exists(imported)
    page.click("#ss-delete")
    page.click("#ss-delete-yes")
    page.wait_for_function("() => document.querySelector('#ss-sessions-message').innerText.includes('Deleted')")
    assert imported not in page.locator("#ss-sessions").inner_text()
    assert not studio.studio_store.exists(imported)

    # A session with forks is refused in the studio's words (no command-line flags).
    parent = next(s.parent_session_id for s in studio.studio_store.list_sessions() if s.parent_session_id)
    page.locator("#ss-selected-session textarea, #ss-selected-session input").first.fill(parent)
    page.click("#ss-delete")
    page.wait_for_function("() => document.querySelector('#ss-sessions-message').innerText.includes('fork')")
    refusal = page.locator("#ss-sessions-message").inner_text()
    assert "with its forks" in refusal and "--cascade" not in refusal
    assert studio.studio_store.exists(parent)

    # A bad upload is refused with a clear message naming the file, not a server path.
    bad = tmp_path / "not-an-archive.zip"
    bad.write_bytes(b"this is not a zip file")
    page.locator("#ss-tab-sessions input[type=file][accept='.zip']").set_input_files(str(bad))
    page.wait_for_function("() => document.querySelector('#ss-sessions-message').innerText.includes('Import failed')")
    message = page.locator("#ss-sessions-message").inner_text()
    assert "/tmp" not in message and "gradio" not in message.lower()
    assert len(studio.studio_store.list_sessions()) == before


def test_open_in_studio_and_fork_from_sessions(page, studio):
    chosen = studio.studio_store.list_sessions()[-1].id  # the first auto run
    page.click("button[role='tab']:has-text('Studio')")
    page.fill("#ss-prompt textarea", "something else entirely")
    page.click("button[role='tab']:has-text('Sessions')")
    box = page.locator("#ss-selected-session textarea, #ss-selected-session input").first
    box.fill(chosen)
    page.click("#ss-open-studio")
    page.wait_for_function("(sid) => document.querySelector('#ss-header').innerText.includes(sid)", arg=chosen)
    assert page.locator("#ss-tab-studio").is_visible()
    assert cards(page).count() >= 2
    assert page.locator("#ss-prompt textarea").input_value() == PROMPT  # the prompt came along

    page.click("button[role='tab']:has-text('Sessions')")
    box.fill(chosen)
    page.fill("#ss-fork-step input", "2")
    page.click("#ss-fork")
    fork = wait_new_session(page, chosen)
    wait_done(page)
    assert f"branched from {chosen} at step 2" in page.locator("#ss-header").inner_text()
    assert studio.studio_store.load_session(fork).parent_session_id == chosen


def test_bad_input_gets_a_clear_message(page):
    page.click("button[role='tab']:has-text('Studio')")
    shown = session_id_shown(page)
    page.fill("#ss-prompt textarea", "   ")
    page.click("#ss-run")
    page.wait_for_selector("#ss-run-message .ss-alert")
    assert "prompt is empty" in page.locator("#ss-run-message").inner_text()
    # A prompt the parser refuses: the message sits by Run, not over the results on screen.
    page.fill("#ss-prompt textarea", "hello there")
    page.click("#ss-run")
    page.wait_for_function("() => document.querySelector('#ss-run-message').innerText.includes('hello there')")
    assert page.locator("#ss-message .ss-alert").count() == 0 and session_id_shown(page) == shown
    # Markup never becomes part of the graph (and never runs).
    page.fill("#ss-prompt textarea", "<script>window.hacked = 1</script> a red cat")
    page.click("#ss-parse")
    page.wait_for_function("() => document.querySelector('#ss-objects').innerText.includes('cat')")
    assert "script" not in page.locator("#ss-objects").inner_text()
    assert page.evaluate("() => window.hacked === undefined")


def test_two_tabs_are_independent_sessions(page, studio, browser):
    page.click("button[role='tab']:has-text('Studio')")
    first_session = session_id_shown(page)
    other = page.context.new_page()
    try:
        other.set_default_timeout(TIMEOUT_MS)
        open_studio(other, studio.local_url)  # the bare address: a new workspace
        assert "No steps yet" in other.locator("#ss-timeline").inner_text()
        long_prompt = ("a cat, a dog, a red apple, a blue cup, a book and a lamp on a very long and winding "
                       "description that goes on " + "and on " * 30)
        other.fill("#ss-prompt textarea", long_prompt)
        other.keyboard.press("Control+Enter")  # runs, like the Run button
        second_session = wait_new_session(other, None)
        wait_done(other)
        assert "apple" in other.locator("#ss-objects").inner_text()
        assert second_session != first_session
        assert session_id_shown(page) == first_session  # the first tab did not move
        # Six cards and a long prompt: the timeline scrolls inside itself, the page never sideways.
        assert cards(other).count() >= 6
        assert other.evaluate("() => document.documentElement.scrollWidth") <= 1440
        other.click("button[role='tab']:has-text('Sessions')")
        other.wait_for_function("(sid) => document.querySelector('#ss-sessions').innerText.includes(sid)",
                                arg=second_session)
        assert other.evaluate("() => document.documentElement.scrollWidth") <= 1440
    finally:
        other.close()


def test_graph_table_edit_replans_the_run(page, studio):
    page.fill("#ss-prompt textarea", PROMPT)
    page.click("#ss-parse")
    page.wait_for_function("() => document.querySelector('#ss-objects').innerText.includes('brown')")
    page.locator("#ss-objects [role=gridcell]", has_text="brown").first.dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("white")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    previous = session_id_shown(page)
    page.click("#ss-run")
    sid = wait_new_session(page, previous)
    wait_done(page)
    graph = studio.studio_store.load_session(sid).graph
    assert graph.object("o1").attributes.color == "white" and graph.source == "user"
    assert "white bear" in page.locator("#ss-timeline").inner_text().lower()


def open_backend_settings(page) -> None:
    shown = "() => [...document.querySelectorAll('[id^=ss-settings-]')].some(e => e.offsetParent !== null)"
    if not page.evaluate(shown):
        page.locator("#ss-backend-settings").get_by_text("Backend settings").click()
        page.wait_for_function(shown)


def choose_backend(page, name: str) -> None:
    page.locator("#ss-backend input").click()
    page.locator("[role=option]", has_text=name).first.click()


def set_slider(page, elem_id: str, value: str) -> None:
    """Type a slider's value and make sure the component took it: Gradio's range input follows
    the number box only once the edit is committed, which an Enter pressed while the accordion
    is still opening can miss (a person would simply type it again)."""
    box = page.locator(f"#{elem_id} input[type=number]")
    check = f"() => document.querySelector('#{elem_id} input[type=range]').value === '{value}'"
    for _ in range(3):
        box.fill(value)
        box.press("Enter")
        box.blur()
        try:
            page.wait_for_function(check, timeout=3000)
            return
        except playwright_sync.TimeoutError:
            continue
    page.wait_for_function(check)


def test_error_rate_zero_in_the_settings_runs_without_refinements(page, studio):
    page.click("button[role='tab']:has-text('Studio')")
    open_backend_settings(page)
    set_slider(page, "ss-sb-error-rate", "0")
    page.fill("#ss-prompt textarea", PROMPT)
    fill_seed(page, "8")  # at the default rate, seed 8 refines its spoon
    previous = session_id_shown(page)
    page.click("#ss-run")
    sid = wait_new_session(page, previous)
    assert "Completed" in wait_done(page)
    assert studio.studio_store.load_session(sid).settings == {"error_rate": 0.0, "size": 512}
    assert cards(page).count() >= 2
    assert page.locator("#ss-timeline .ss-chip", has_text="refine").count() == 0
    assert "sketchbook (error_rate 0)" in page.locator("#ss-header").inner_text()
    shot(page, "studio_settings_sketchbook")

    # Opening the stored session brings its settings back into the form.
    set_slider(page, "ss-sb-error-rate", "0.3")
    page.click("button[role='tab']:has-text('Sessions')")
    page.locator("#ss-selected-session textarea, #ss-selected-session input").first.fill(sid)
    page.click("#ss-open-studio")
    page.wait_for_function("(sid) => document.querySelector('#ss-header').innerText.includes(sid)", arg=sid)
    page.wait_for_function("() => document.querySelector('#ss-sb-error-rate input[type=number]').value === '0'")


def test_bagel_settings_and_missing_weights_reason(page, tmp_path):
    open_backend_settings(page)
    choose_backend(page, "bagel")
    page.wait_for_selector("#ss-settings-bagel", state="visible")
    assert not page.locator("#ss-settings-sketchbook").is_visible()  # only the chosen backend's settings
    # Image size and step count sit on the main panel for a model backend.
    assert page.locator("#ss-bagel-resolution").is_visible() and page.locator("#ss-bagel-timesteps").is_visible()
    inspector = page.locator("#ss-bagel-inspector").inner_text()
    assert "VQA" in inspector and "Detector" in inspector and "Both" in inspector
    assert page.locator("#ss-bagel-precision").is_visible() and page.locator("#ss-bagel-offload").is_visible()
    page.wait_for_function("() => document.querySelector('#ss-backend-status').innerText.includes('missing weights')")

    # A folder typed in the settings drives the status line (no weights exist here).
    model = page.locator("#ss-bagel-model input, #ss-bagel-model textarea").first
    model.fill(str(tmp_path))
    model.press("Enter")
    page.wait_for_function("() => document.querySelector('#ss-backend-status').innerText.includes('ema.safetensors')")
    status = page.locator("#ss-backend-status").inner_text()
    assert "missing weights" in status and str(tmp_path) in status
    # A bad value is named in the status line.
    resolution = page.locator("#ss-bagel-resolution input")
    resolution.fill("1000")
    resolution.press("Enter")
    page.wait_for_function("() => document.querySelector('#ss-backend-status').innerText.includes('multiple of 16')")
    shot(page, "studio_settings_bagel")
    # Run is refused up front with the reason, not halfway through a run.
    resolution.fill("512")
    resolution.press("Enter")
    page.fill("#ss-prompt textarea", PROMPT)
    page.click("#ss-run")
    page.wait_for_function("() => document.querySelector('#ss-run-message').innerText.includes('not available here')")
    assert "ema.safetensors" in page.locator("#ss-run-message").inner_text()

    choose_backend(page, "sketchbook")
    page.wait_for_selector("#ss-settings-sketchbook", state="visible")
    assert not page.locator("#ss-settings-bagel").is_visible()
    assert not page.locator("#ss-bagel-resolution").is_visible()


# --- composed roles (pages of their own) ----------------------------------------------------
def choose_kind(page, role: str, kind: str) -> None:
    page.locator(f"#ss-role-{role}-kind input").click()
    page.locator("[role=option]").filter(has_text=f"{kind} —").first.click()
    page.wait_for_selector(f"#ss-role-{role}-{kind}", state="visible")


def type_field(page, elem_id: str, value: str) -> None:
    box = page.locator(f"#{elem_id} input, #{elem_id} textarea").first
    box.fill(value)
    box.press("Enter")
    box.blur()


def wait_text(page, elem_id: str, text: str) -> None:
    page.wait_for_function("([id, t]) => document.getElementById(id).innerText.includes(t)", arg=[elem_id, text])


def test_composed_offline_roles_run_end_to_end_and_reopen_into_the_form(browser, studio):
    page = new_page(browser, studio)
    try:
        choose_backend(page, "composed")
        open_backend_settings(page)
        page.wait_for_selector("#ss-settings-composed", state="visible")
        assert not page.locator("#ss-settings-sketchbook").is_visible()
        wait_text(page, "ss-run-verdict", "These roles can run here")  # offline, sketchbook, sketchbook
        for role in ("planner", "sketcher", "inspector"):
            wait_text(page, f"ss-role-{role}-readiness", "ready")
        # The sketcher's image size sits on the main panel; its error rate in the role's section.
        assert page.locator("#ss-composed-main #ss-opt-sketcher-sketchbook-size").is_visible()
        type_field(page, "ss-opt-sketcher-sketchbook-size", "256")
        type_field(page, "ss-opt-sketcher-sketchbook-error-rate", "0")
        page.fill("#ss-prompt textarea", PROMPT)
        fill_seed(page, "8")
        page.click("#ss-run")
        sid = wait_new_session(page, None)
        assert "Completed" in wait_done(page)
        settings = studio.studio_store.load_session(sid).settings
        assert settings == {"planner": {"kind": "offline"}, "sketcher": {"kind": "sketchbook", "error_rate": 0.0,
                                                                         "size": 256},
                            "inspector": {"kind": "sketchbook"}}
        assert ("composed (planner offline; sketcher sketchbook: error_rate 0, size 256; inspector sketchbook)"
                in page.locator("#ss-header").inner_text())
        # (the img element appears before its bytes arrive: wait for the load, then check the size)
        page.wait_for_function("() => { const img = document.querySelector('#ss-sketch img');"
                               " return img !== null && img.complete && img.naturalWidth > 0; }")
        assert page.evaluate("() => document.querySelector('#ss-sketch img').naturalWidth") == 256

        # Another backend in the form, then the stored session opened from the Sessions tab:
        # the form shows its roles again, exactly.
        choose_backend(page, "sketchbook")
        page.wait_for_selector("#ss-settings-composed", state="hidden")
        page.click("button[role='tab']:has-text('Sessions')")
        page.locator("#ss-selected-session textarea, #ss-selected-session input").first.fill(sid)
        page.click("#ss-open-studio")
        page.wait_for_selector("#ss-settings-composed", state="visible")
        page.wait_for_function(
            "() => document.querySelector('#ss-opt-sketcher-sketchbook-error-rate input').value === '0'")
        assert page.locator("#ss-opt-sketcher-sketchbook-size input").input_value() == "256"
        assert page.locator("#ss-backend input").input_value().startswith("composed")
        assert page.locator("#ss-role-inspector-kind input").input_value().startswith("sketchbook")
    finally:
        page.context.close()


def test_a_diffusers_sketcher_shows_its_missing_folder_and_run_refuses(browser, studio, tmp_path):
    page = new_page(browser, studio)
    try:
        choose_backend(page, "composed")
        open_backend_settings(page)
        choose_kind(page, "sketcher", "flux2-klein")
        assert not page.locator("#ss-role-sketcher-sketchbook").is_visible()
        assert page.locator("#ss-main-sketcher-flux2-klein").is_visible()  # its size and steps on the main panel
        # The sketchbook inspector cannot judge real pictures: said next to Run, before Run.
        wait_text(page, "ss-run-verdict", "only recognises the sketchbook's own sprites")
        missing = tmp_path / "no-klein-here"
        type_field(page, "ss-opt-sketcher-flux2-klein-model", str(missing))
        wait_text(page, "ss-role-sketcher-readiness", f"{missing} does not exist")
        readiness = page.locator("#ss-role-sketcher-readiness").inner_text()
        assert "missing weights" in readiness and "precision" in readiness
        choose_kind(page, "inspector", "detector")
        wait_text(page, "ss-run-verdict", "Run will refuse: missing weights")
        assert str(missing) in page.locator("#ss-run-verdict").inner_text()
        page.locator("#ss-options").screenshot(path=str(ARTIFACTS / "studio_settings_roles.png"))
        page.fill("#ss-prompt textarea", PROMPT)
        page.click("#ss-run")
        wait_text(page, "ss-run-message", "not available here (missing weights")
        assert session_id_shown(page) is None  # nothing ran
    finally:
        page.context.close()


# --- pages of their own -----------------------------------------------------------------
def start_step_run(page, prompt: str = PROMPT, seed: str = "0") -> str:
    page.fill("#ss-prompt textarea", prompt)
    fill_seed(page, seed)
    set_mode(page, "step")
    previous = session_id_shown(page)
    page.click("#ss-run")
    return wait_new_session(page, previous)


def visible_texts(page) -> dict:
    return page.evaluate(
        """() => ({
            timeline: document.querySelector('#ss-timeline').innerText,
            detail: document.querySelector('#ss-detail').innerText,
            steer: document.querySelector('#ss-decide').innerText,
            header: document.querySelector('#ss-header').innerText,
            progress: document.querySelector('#ss-progress').innerText,
            graph: document.querySelector('#ss-graph').innerText,
            objects: document.querySelector('#ss-objects').innerText,
            picture: document.querySelector('#ss-sketch img') ? 'image' : 'none',
            prompt: document.querySelector('#ss-prompt textarea').value,
            seed: document.querySelector('#ss-seed input, #ss-seed textarea').value,
            mode: document.querySelector('#ss-mode input:checked').value,
            instruction: document.querySelector('#ss-instruction textarea').value,
        })"""
    )


def test_reload_at_a_waiting_verdict_and_mid_run_keeps_everything(browser, studio):
    page = new_page(browser, studio)
    try:
        sid = start_step_run(page, "three red apples to the left of a blue vase")
        wait_progress(page, "review the plan")
        page.click("#ss-accept")
        wait_progress(page, "review the verdict")
        workspace = workspace_of(studio, page)
        assert_converges(page, studio, workspace)
        before_state, before_texts = page_state(page), visible_texts(page)
        page.reload()
        page.wait_for_selector("#ss-progress [data-version]")
        wait_progress(page, "review the verdict")
        assert_converges(page, studio, workspace)
        assert page_state(page) == before_state and visible_texts(page) == before_texts
        assert f"session={sid}" in page.url
        assert workspace.running and workspace.waiting[0] == "verdict"  # not cancelled

        # Mid-run: hold the next sketch in the backend, reload while it is held, then let it go.
        backend = studio.studio_pool.get("sketchbook", {"error_rate": 0.3}).inner
        gate, entered = threading.Event(), threading.Event()
        real_sketch = backend.sketch

        def held_sketch(request, hooks=None):
            entered.set()
            gate.wait(30)
            return real_sketch(request, hooks)

        backend.sketch = held_sketch
        try:
            page.click("#ss-skip")  # on to step 2: plan review, then a held sketch
            wait_progress(page, "review the plan")
            page.click("#ss-accept")
            assert entered.wait(10)
            wait_progress(page, "sketching")
            page.reload()
            page.wait_for_selector("#ss-progress [data-version]")
            wait_progress(page, "sketching")
            assert workspace.running and workspace.waiting is None
            gate.set()
        finally:
            backend.sketch = real_sketch
            gate.set()
        wait_progress(page, "review the verdict")
        assert_converges(page, studio, workspace)
        page.click("#ss-accept")
        assert "Completed" in wait_done(page)
        assert studio.studio_store.load_session(sid).status == "completed"
    finally:
        page.context.close()


def test_a_waiting_run_is_resumed_from_the_sessions_tab_of_another_tab(browser, studio):
    first = new_page(browser, studio)
    sid = start_step_run(first)
    wait_progress(first, "review the plan")
    first.context.close()  # the tab is gone; the run waits for someone
    workspace = studio.studio_workspaces.showing(sid)
    assert workspace is not None and workspace.running and workspace.waiting[0] == "plan"

    page = new_page(browser, studio)
    try:
        page.click("button[role='tab']:has-text('Sessions')")
        page.wait_for_function("(sid) => document.querySelector('#ss-sessions').innerText.includes(sid)", arg=sid)
        row = page.locator("#ss-sessions [role=row]", has_text=sid).first
        assert "waiting for you" in row.inner_text()
        pick_session(page, sid)
        page.click("#ss-open-studio")
        page.wait_for_function("(sid) => document.querySelector('#ss-header').innerText.includes(sid)", arg=sid)
        wait_progress(page, "review the plan")
        page.click("#ss-accept")  # the same run moves on
        wait_progress(page, "review the verdict")
        page.click("#ss-stop")
        wait_done(page)
    finally:
        page.context.close()


def test_phone_layout_one_column_results_first_no_overflow(browser, studio):
    page = new_page(browser, studio, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                    is_mobile=True, has_touch=True)
    try:
        start_step_run(page, "three red apples to the left of a blue vase")
        wait_progress(page, "review the plan")
        page.locator("#ss-accept").tap()
        wait_progress(page, "review the verdict")
        layout = page.evaluate(
            """() => {
                const r = (sel) => { const b = document.querySelector(sel).getBoundingClientRect();
                                     return {left: b.left, right: b.right, top: b.top + window.scrollY,
                                             bottom: b.bottom + window.scrollY, width: b.width}; };
                const buttons = [...document.querySelectorAll('#ss-tab-studio button')]
                    .filter(b => b.offsetParent !== null).map(b => b.getBoundingClientRect())
                    .map(b => ({left: b.left, right: b.right}));
                const accept = document.querySelector('#ss-accept').getBoundingClientRect();
                const hit = document.elementFromPoint(accept.left + accept.width / 2, accept.top + accept.height / 2);
                return {scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
                        controls: r('#ss-controls'), results: r('#ss-results'), options: r('#ss-options'),
                        graph: r('#ss-graph-panel'), accept: r('#ss-accept'), picture: r('#ss-picture'),
                        edit: r('#ss-edit'), buttons,
                        acceptOnTop: !!hit && !!hit.closest('#ss-accept')};
            }"""
        )
        assert layout["scrollWidth"] <= layout["viewport"] == 390, layout["scrollWidth"]
        for b in layout["buttons"]:
            assert b["left"] >= -0.5 and b["right"] <= 390.5, b  # no button cut off
        # One column: the panels share their left edge and stack results before options and graph.
        lefts = {round(layout[k]["left"]) for k in ("controls", "results", "options", "graph")}
        assert len(lefts) == 1, layout
        assert layout["controls"]["bottom"] <= layout["results"]["top"] < layout["options"]["top"] < layout["graph"]["top"]
        assert round(layout["picture"]["left"]) == round(layout["edit"]["left"])  # the step detail: one column too
        # Accept comes before the graph and sits on the first screen, not covered by anything.
        assert layout["accept"]["bottom"] < layout["graph"]["top"]
        assert layout["accept"]["bottom"] <= 844, layout["accept"]
        assert layout["acceptOnTop"]
        shot(page, "studio_phone", full_page=False)
        page.click("#ss-stop")
        wait_done(page)
    finally:
        page.context.close()


def test_thirty_object_graph_is_drawn_without_overlapping_nodes(browser, studio):
    from stagestudio.scene.graph import Relation, SceneGraph, SceneObject

    names = ["apple", "bear", "cat", "dog", "cup", "vase", "book", "lamp", "clock", "chair"]
    objects = [SceneObject(id=f"o{i + 1}", name=names[i % 10], count=1 + i % 3) for i in range(30)]
    relations = [Relation(subject=f"o{i + 1}", predicate="left of" if i % 2 else "above", object=f"o{i + 2}")
                 for i in range(0, 29, 3)]
    graph = SceneGraph(objects=objects, relations=relations)
    page = new_page(browser, studio)
    try:
        workspace_of(studio, page).set_graph(graph, "thirty things")
        page.wait_for_function("() => document.querySelectorAll('#ss-graph svg rect[fill=\"#eef2ff\"]').length >= 30")
        boxes = page.evaluate(
            "() => [...document.querySelectorAll('#ss-graph svg rect[fill=\"#eef2ff\"][stroke=\"#6366f1\"]')]"
            ".map(r => { const b = r.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })"
        )
        assert len(boxes) == 30
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                overlap = min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5
                assert not overlap, (a, b)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1440
    finally:
        page.context.close()


def test_stress_accept_edit_override_skip_with_random_delays_converges_every_time(browser, studio):
    """50 rounds of the four decisions, clicked with random delays whether or not the page has
    caught up (a disabled button ignores its click, as a person's click would be). After every
    round the page must show exactly the server's screen within a second."""
    rng = random.Random(20260311)
    page = new_page(browser, studio)
    lags = []
    try:
        page.fill("#ss-prompt textarea", "three red apples to the left of a blue vase and a cat")
        set_mode(page, "step")
        workspace = None
        for round_no in range(50):
            if not enabled(page, "ss-stop"):  # the run ended: start the next one
                fill_seed(page, str(round_no))
                page.locator("#ss-run").evaluate("b => b.click()")
            for action in ("accept", "edit", "override", "skip"):
                time.sleep(rng.uniform(0, 0.25))
                if action == "edit":
                    page.fill("#ss-instruction textarea", f"Draw it again, round {round_no}.")
                    page.locator("#ss-resketch").evaluate("b => b.click()")
                else:
                    page.locator(f"#{BUTTON_IDS[action]}").evaluate("b => b.click()")
            workspace = workspace_of(studio, page)
            lags.append(assert_converges(page, studio, workspace))
        (ARTIFACTS / "stress_lag.txt").write_text(
            f"rounds {len(lags)}; lag after the server's last change: max {max(lags) * 1000:.0f} ms, "
            f"median {sorted(lags)[len(lags) // 2] * 1000:.0f} ms\n")
        if workspace is not None and workspace.running:
            page.click("#ss-stop")
            wait_done(page)
    finally:
        page.context.close()
