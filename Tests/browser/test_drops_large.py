"""A 2 GiB encrypted drop in Debian's Chromium against the real binary: made on /drops in one
Chromium, opened through its link in another (each with a persistent profile, so the origin
private file system is on disk, not in the browser's memory), saved, SHA-256 equal; both
renderers' resident memory sampled twice a second throughout stays within a bound of its
baseline and shows no upward trend. FERRY_TEST_DROP_LARGE_MIB sets the size (default 2048).
Every wait is bounded; nothing asserts on timing (the figures are printed)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from transfer_smoke.measure_memory import renderer_rss
from large_files import MIB, RENDERER_GROWTH_BOUND, RendererSampler, memory_mark, persistent_chromium, \
    random_file_hashed, sha256_file, trend
from test_drops import PASSWORD, World, world  # noqa: F401 (the fixture)

SIZE_MIB = int(os.environ.get("FERRY_TEST_DROP_LARGE_MIB", "2048"))
# Room for the file at a few MiB/s each way on a loaded machine; a stuck pipeline fails well
# before the suite's own limits.
PHASE_MS = 60_000 + SIZE_MIB * 250
# The least-squares growth over a phase: a client that kept the file would show its size.
TREND_BOUND = 128 * MIB


def signed_in(world: World, context: BrowserContext) -> Page:
    answer = context.request.post(world.url + "/api/v1/session", data={"email": "ann@example.org", "password": PASSWORD},
                                  headers={"Origin": world.url})
    assert answer.ok, answer.text()
    page = world.watch(context.pages[0] if context.pages else context.new_page())
    page.goto(world.url + "/drops")
    expect(page.locator("#drops")).to_have_attribute("data-state", "ready")
    return page


def test_a_2_gib_drop_up_and_down_keeps_the_renderers_flat(world: World, browser: Browser, tmp_path: Path) -> None:
    source = tmp_path / "huge.bin"
    expected = random_file_hashed(source, SIZE_MIB)
    marks = {"sender": memory_mark("sender"), "receiver": memory_mark("receiver")}
    contexts: list[BrowserContext] = []
    try:
        sender_context = persistent_chromium(browser, tmp_path / "profile-sender", marks["sender"])
        contexts.append(sender_context)
        receiver_context = persistent_chromium(browser, tmp_path / "profile-receiver", marks["receiver"])
        contexts.append(receiver_context)
        owner = signed_in(world, sender_context)
        reader = world.watch(receiver_context.pages[0] if receiver_context.pages else receiver_context.new_page())
        owner.get_by_test_id("drop-file-input").set_input_files(str(source))
        expect(owner.get_by_test_id("drop-picked").locator("li")).to_have_count(1)
        time.sleep(1)
        baseline = {"sender": renderer_rss(marks["sender"])}
        assert baseline["sender"], "no renderer found"
        with RendererSampler(marks) as sampler:
            up_start = sampler.now()
            owner.get_by_test_id("drop-create").click()
            expect(owner.get_by_test_id("drop-result")).to_be_visible(timeout=PHASE_MS)
            up_end = sampler.now()
            link = owner.get_by_test_id("drop-link").input_value()
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+/d/[^#]+#[A-Za-z0-9_-]{22}", link), link
            reader.goto(link)
            expect(reader.get_by_test_id("drop-open")).to_have_attribute("data-state", "files")
            time.sleep(1)
            baseline["receiver"] = renderer_rss(marks["receiver"])
            assert baseline["receiver"], "no renderer found"
            down_start = sampler.now()
            with reader.expect_download(timeout=PHASE_MS) as download:
                reader.get_by_test_id("drop-download-all").click()
            # The page offers the written OPFS file once the worker has verified every record.
            down_end = sampler.now()
            path = download.value.path()
        expect(reader.get_by_test_id("drop-open")).to_have_attribute("data-state", "done")
        assert download.value.suggested_filename == source.name
        assert sha256_file(path) == expected

        up_s, down_s = up_end - up_start, down_end - down_start
        print(f"\n{SIZE_MIB} MiB drop: encrypt+upload {up_s:.1f} s ({SIZE_MIB / up_s:.0f} MiB/s), "
              f"download+decrypt+write {down_s:.1f} s ({SIZE_MIB / down_s:.0f} MiB/s)")
        phases = {"sender": (up_start, up_end), "receiver": (down_start, down_end)}
        for who, (start, end) in phases.items():
            series = sampler.between(who, start, end)
            assert len(series) >= 5, f"too few samples of the {who} to say anything"  # 45–60 for 2 GiB here
            values = [v for _, v in series]
            growth = max(values) - baseline[who]
            slope = trend(series)
            print(f"{who}'s renderer: baseline {baseline[who] / MIB:.0f} MiB, peak {max(values) / MIB:.0f} MiB "
                  f"(+{growth / MIB:.0f} MiB), trend {slope / MIB:+.0f} MiB over {end - start:.0f} s, "
                  f"{len(series)} samples; every ~10 s, MiB: {[round(v / MIB) for v in values[::20]]}")
            assert growth < RENDERER_GROWTH_BOUND, f"the {who}'s renderer grew by {growth / MIB:.0f} MiB"
            assert slope < TREND_BOUND, f"the {who}'s renderer trends up by {slope / MIB:.0f} MiB"
        # The sender's tab stayed flat too while the receiver downloaded.
        values = [v for _, v in sampler.between("sender", down_start, down_end)]
        assert max(values) - baseline["sender"] < RENDERER_GROWTH_BOUND
    finally:
        for context in contexts:
            context.close()
