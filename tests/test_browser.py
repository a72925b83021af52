"""The studio in a real browser: headless Chromium (Debian's) driven by Playwright against the
app launched in-process on the real sketchbook backend and a real session store.

One app launch and one page for the module; tests run in file order and build on each
other's sessions (auto run -> step mode -> rewind -> sessions tab -> export/import)."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

# A browser test can lose a race with the page's own polling on a loaded 2-core machine (a redraw
# landing between typing and clicking); one rerun tells such a flake from a real failure.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.flaky(reruns=1, reruns_delay=1)]

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PROMPT = "a brown bear above a silver spoon"
TIMEOUT_MS = 20_000

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
    demo.studio_store.close()


@pytest.fixture(scope="module")
def page(studio):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(studio.local_url)
        page.wait_for_selector("#ss-prompt textarea")
        yield page
        context.close()
        browser.close()


# --- helpers ----------------------------------------------------------------------------
def shot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
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


def enabled(page, elem_id: str) -> bool:
    return page.locator(f"#{elem_id}").is_enabled()


def wait_enabled(page, elem_id: str) -> None:
    page.wait_for_function(f"() => {{ const b = document.querySelector('#{elem_id}'); return b && !b.disabled; }}")


def cards(page):
    return page.locator("#ss-timeline .ss-card[data-step]")


def set_mode(page, mode: str) -> None:
    page.locator("#ss-mode label", has_text="Step" if mode == "step" else "Auto").click()


# --- tests ------------------------------------------------------------------------------
def test_auto_run_shows_every_step_and_is_quick(page):
    assert "No steps yet" in page.locator("#ss-timeline").inner_text()  # the empty state
    shot(page, "studio_empty")
    page.fill("#ss-prompt textarea", PROMPT)
    page.fill("#ss-seed input", "7")
    started = time.perf_counter()
    page.click("#ss-run")
    page.wait_for_selector("#ss-timeline .ss-card[data-step='0'] img.ss-thumb")
    first_step_s = time.perf_counter() - started
    final = wait_done(page)
    total_s = time.perf_counter() - started
    assert "Completed" in final

    n = cards(page).count()
    assert n >= 2  # bear and spoon
    for i in range(n):
        card = cards(page).nth(i)
        assert card.locator("img.ss-thumb").count() == 1, f"step {i + 1} has no sketch"
        badge = card.locator(".ss-badge").inner_text().lower()
        assert badge in ("pass", "fail", "overridden"), badge
    assert page.locator("#ss-timeline .ss-card-final").count() == 1

    # The graph panel shows the parsed objects.
    names = page.locator("#ss-objects").inner_text()
    assert "bear" in names and "spoon" in names

    # Open a card: the detail follows it.
    cards(page).nth(0).click()
    page.wait_for_function("() => document.querySelector('#ss-detail').innerText.includes('Step 1')")
    assert page.locator("#ss-detail .ss-facts li").count() >= 1
    shot(page, "studio_auto")

    # Two more runs (other seeds) for a steadier number than a single click.
    timings = [first_step_s]
    for seed in ("8", "9"):
        previous = session_id_shown(page)
        page.fill("#ss-seed input", seed)
        t0 = time.perf_counter()
        page.click("#ss-run")
        page.wait_for_function(
            """(prev) => {
                const h = document.querySelector('#ss-header');
                const m = h && h.innerText.match(/session\\s+([0-9a-f]{12})/);
                const thumb = document.querySelector("#ss-timeline .ss-card[data-step='0'] img.ss-thumb");
                return m && m[1] !== prev && thumb; }""",
            arg=previous, polling="raf")
        timings.append(time.perf_counter() - t0)
        wait_done(page)
    median = sorted(timings)[1]
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    print(f"\nrun -> first step shown: {', '.join(f'{t * 1000:.0f}' for t in timings)} ms "
          f"(median {median * 1000:.0f} ms, load {load:.1f} on {cores} cores); first run to final {total_s:.2f} s")
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "ui.json").write_text(json.dumps({
        "benchmark": "studio: click Run -> first step card with its sketch visible (Playwright, headless Chromium)",
        "backend": "sketchbook",
        "prompt": PROMPT,
        "first_step_ms": [round(t * 1000, 1) for t in timings],
        "first_step_median_ms": round(median * 1000, 1),
        "run_to_final_s": round(total_s, 3),
        "steps": n,
        "target_ms": 1000,
        "machine": f"{cores} CPU cores, no GPU",
        "load_average_1min": round(load, 2),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }, indent=2) + "\n")
    # The target is 1 s; on a machine loaded far beyond its cores (shared CI) allow more,
    # and the recorded load says which bound applied.
    limit = 1.0 if load <= 2 * cores else 2.5
    assert median < limit, f"first step took {median:.2f} s (median of {len(timings)}, load {load:.1f})"


def stop_if_running(page) -> None:
    """Leave no run waiting for decisions (a rerun of a failed test starts clean)."""
    if enabled(page, "ss-stop"):
        page.click("#ss-stop")
        wait_done(page)


def type_then_click(page, box: str, text: str, button: str) -> None:
    """Type into an editor and press its button, making sure a redraw that arrived in between
    did not replace what was typed."""
    for _ in range(3):
        page.fill(box, text)
        page.wait_for_timeout(300)  # let an in-flight redraw land
        if page.locator(box).input_value() == text:
            break
    wait_enabled(page, button.lstrip("#"))
    page.click(button)


def test_step_mode_edit_override_correct(page):
    stop_if_running(page)
    previous = session_id_shown(page)
    set_mode(page, "step")
    page.click("#ss-run")
    wait_new_session(page, previous)

    # Plan review of step 1: edit the instruction before it is sketched.
    wait_enabled(page, "ss-accept")
    assert "review the plan" in page.locator("#ss-progress").inner_text()
    assert not enabled(page, "ss-override")  # no verdict yet
    edited = "Draw a small silver spoon at the bottom centre."
    type_then_click(page, "#ss-instruction textarea", edited, "#ss-resketch")

    # Verdict review of step 1: give our own correction.
    page.wait_for_function("() => document.querySelector('#ss-progress').innerText.includes('review the verdict')")
    assert "edited by you" in page.locator("#ss-detail").inner_text()
    type_then_click(page, "#ss-correction textarea", "Make the spoon larger and keep it at the bottom.", "#ss-correct")
    page.wait_for_selector("#ss-timeline .ss-card[data-step='0'] .ss-chip:has-text('refine 1')")

    # Now override whatever the inspector said about the refinement.
    page.wait_for_function("() => document.querySelector('#ss-progress').innerText.includes('review the verdict')")
    wait_enabled(page, "ss-override")
    page.click("#ss-override")
    shot(page, "studio_step_mode")

    # Accept everything else to the end (an override to fail asks for a refinement first).
    deadline = time.monotonic() + 30
    while "Completed" not in page.locator("#ss-progress").inner_text() and time.monotonic() < deadline:
        if enabled(page, "ss-accept"):
            try:
                page.click("#ss-accept", timeout=1000)
            except playwright_sync.TimeoutError:
                pass  # the run moved on between the check and the click
        time.sleep(0.15)
    assert "Completed" in wait_done(page)
    first = cards(page).nth(0)
    assert first.locator(".ss-chip", has_text="refine 1").count() == 1
    assert "Draw a small silver spoon" in first.inner_text()
    badge0 = first.locator(".ss-badge").inner_text().lower()
    overridden = page.locator("#ss-timeline .ss-chip-overridden").count() + (badge0 == "overridden")
    assert overridden >= 1
    set_mode(page, "auto")


def test_stop_in_step_mode_keeps_the_session(page, studio):
    previous = session_id_shown(page)
    set_mode(page, "step")
    page.click("#ss-run")
    sid = wait_new_session(page, previous)
    wait_enabled(page, "ss-stop")
    page.wait_for_function("() => document.querySelector('#ss-progress').innerText.includes('review the plan')")
    page.click("#ss-stop")
    assert "Stopped" in wait_done(page)
    assert cards(page).count() == 1  # the planned step stays on screen
    assert studio.studio_store.load_session(sid).status == "cancelled"
    set_mode(page, "auto")
    # Reopen the finished step-mode session so the rewind test below branches from it.
    parent = studio.studio_store.list_sessions()[1].id
    page.click("button[role='tab']:has-text('Sessions')")
    page.locator("#ss-selected-session textarea, #ss-selected-session input").first.fill(parent)
    page.click("#ss-open-studio")
    page.wait_for_function("(sid) => document.querySelector('#ss-header').innerText.includes(sid)", arg=parent)


def test_rewind_creates_a_fork(page):
    parent = session_id_shown(page)
    cards(page).nth(1).click()
    page.wait_for_function("() => document.querySelector('#ss-detail').innerText.includes('Step 2')")
    wait_enabled(page, "ss-rewind")
    page.click("#ss-rewind")
    fork = wait_new_session(page, parent)
    assert fork != parent
    assert wait_done(page)
    head = page.locator("#ss-header").inner_text()
    assert f"branched from {parent} at step 2" in head
    # The inherited first step is still on the timeline, with the parent's instruction.
    assert "Draw a small silver spoon" in cards(page).nth(0).inner_text()
    shot(page, "studio_fork")


def replay_position(page) -> tuple[int, int]:
    m = re.search(r"event (\d+) of (\d+)", page.locator("#ss-replay-head").inner_text())
    return (int(m.group(1)), int(m.group(2))) if m else (-1, 0)


def session_rows(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('#ss-sessions [role=row]')]"
        ".map(r => r.innerText.trim()).filter(t => /[0-9a-f]{12}/.test(t))"
    )


def test_sessions_tab_lists_searches_and_replays(page, studio):
    page.click("button[role='tab']:has-text('Sessions')")
    page.wait_for_function("() => document.querySelector('#ss-sessions').innerText.includes('bear')")
    assert len(session_rows(page)) >= 5  # 3 auto runs, the step-mode run and the fork
    search = page.locator("#ss-search textarea, #ss-search input").first
    search.fill("no such prompt")
    search.press("Enter")
    page.wait_for_function("() => !document.querySelector('#ss-sessions').innerText.includes('bear')")
    search.fill("bear")
    search.press("Enter")
    page.wait_for_function("() => document.querySelector('#ss-sessions').innerText.includes('bear')")

    # Open the newest session (the fork) and replay it.
    newest = studio.studio_store.list_sessions()[0].id
    page.locator("#ss-sessions [role=gridcell]", has_text=newest).first.click()
    selected = page.locator("#ss-selected-session textarea, #ss-selected-session input").first
    deadline = time.monotonic() + 10
    while selected.input_value() != newest and time.monotonic() < deadline:
        time.sleep(0.05)
    assert selected.input_value() == newest
    page.click("#ss-open")
    page.wait_for_selector("#ss-replay-timeline .ss-card-final")
    full = page.locator("#ss-replay-timeline .ss-card[data-step]").count()
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
    assert page.locator("#ss-replay-timeline .ss-card[data-step]").count() == full
    # Click the first card: the replay detail opens that step.
    page.locator("#ss-replay-timeline .ss-card[data-step='0']").click()
    page.wait_for_function("() => document.querySelector('#ss-replay-detail').innerText.includes('Step 1')")
    shot(page, "sessions_replay")


def test_export_then_import(page, studio, tmp_path):
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

    # Delete the copy again: it leaves the list and the store.
    page.click("#ss-delete")
    page.wait_for_function("() => document.querySelector('#ss-sessions-message').innerText.includes('Deleted')")
    assert imported not in page.locator("#ss-sessions").inner_text()
    assert not studio.studio_store.exists(imported)

    # A bad upload is refused with a clear message and nothing changes.
    bad = tmp_path / "not-an-archive.zip"
    bad.write_bytes(b"this is not a zip file")
    page.locator("#ss-tab-sessions input[type=file][accept='.zip']").set_input_files(str(bad))
    page.wait_for_function("() => document.querySelector('#ss-sessions-message').innerText.includes('Import failed')")
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


def test_bad_prompt_shows_a_clear_message(page):
    page.click("button[role='tab']:has-text('Studio')")
    page.fill("#ss-prompt textarea", "   ")
    page.click("#ss-run")
    page.wait_for_selector("#ss-message .ss-alert")
    assert "prompt is empty" in page.locator("#ss-message").inner_text()


def test_two_tabs_are_independent_sessions(page):
    page.click("button[role='tab']:has-text('Studio')")
    first_session = session_id_shown(page)
    other = page.context.new_page()
    try:
        other.set_default_timeout(TIMEOUT_MS)
        other.goto(page.url)
        other.wait_for_selector("#ss-prompt textarea")
        assert "No steps yet" in other.locator("#ss-timeline").inner_text()
        other.fill("#ss-prompt textarea", "two red apples to the left of a blue cup")
        other.click("#ss-run")
        second_session = wait_new_session(other, None)
        wait_done(other)
        assert "apple" in other.locator("#ss-objects").inner_text()
        assert second_session != first_session
        assert session_id_shown(page) == first_session  # the first tab did not move
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
    page.click("#ss-apply-graph")
    page.wait_for_function("() => !document.querySelector('#ss-objects').innerText.includes('brown')")
    previous = session_id_shown(page)
    page.click("#ss-run")
    sid = wait_new_session(page, previous)
    wait_done(page)
    graph = studio.studio_store.load_session(sid).graph
    assert graph.object("o1").attributes.color == "white"
    assert "white bear" in page.locator("#ss-timeline").inner_text().lower()


def open_backend_settings(page) -> None:
    if not page.locator("#ss-settings-sketchbook, #ss-settings-bagel").first.is_visible():
        page.locator("#ss-backend-settings").get_by_text("Backend settings").click()


def choose_backend(page, name: str) -> None:
    page.locator("#ss-backend input").click()
    page.locator("[role=option]", has_text=name).first.click()


def set_slider(page, elem_id: str, value: str) -> None:
    """Type a slider's value and make sure the component took it (its range input follows the
    number box only once the edit is committed, which a fast Enter can miss under load)."""
    box = page.locator(f"#{elem_id} input[type=number]")
    check = f"() => document.querySelector('#{elem_id} input[type=range]').value === '{value}'"
    for _ in range(5):
        box.fill(value)
        box.press("Enter")
        box.blur()
        try:
            page.wait_for_function(check, timeout=2000)
            return
        except playwright_sync.TimeoutError:
            continue
    page.wait_for_function(check)


def test_error_rate_zero_in_the_settings_runs_without_refinements(page, studio):
    page.click("button[role='tab']:has-text('Studio')")
    open_backend_settings(page)
    set_slider(page, "ss-sb-error-rate", "0")
    page.fill("#ss-prompt textarea", PROMPT)
    page.fill("#ss-seed input", "8")  # at the default rate, seed 8 refines its spoon (the auto runs above)
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
    page.wait_for_function("() => document.querySelector('#ss-message').innerText.includes('not available here')")
    assert "ema.safetensors" in page.locator("#ss-message").inner_text()

    choose_backend(page, "sketchbook")
    page.wait_for_selector("#ss-settings-sketchbook", state="visible")
    assert not page.locator("#ss-settings-bagel").is_visible()
