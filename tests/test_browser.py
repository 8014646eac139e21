"""The app in a real browser (Debian's Chromium through Playwright): each tab's main action, as a learner does it.

Asserts on visible text, saves a screenshot per tab under ``test-output/screenshots/``, and fails on browser
console errors. Skipped (with the reason) when /usr/bin/chromium is missing, unless GPT_DEMO_REQUIRE_BROWSER=1
(CI), then it fails. Never runs ``playwright install``: it drives the system Chromium.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tests.app_fixtures import ADAPTER_NAME, launched_app, tiny_checkpoints, tiny_checkpoints_folder  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
TIMEOUT_MS = 30_000

if not os.path.exists(CHROMIUM):
    if os.environ.get("GPT_DEMO_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"GPT_DEMO_REQUIRE_BROWSER=1 but {CHROMIUM} is missing "
                           "(apt-get install chromium fonts-nanum)")
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


class Page:
    """A page with console-error collection; ``expected`` errors (our own error toasts) are allowed."""

    def __init__(self, browser, url: str, locale: str):
        self.context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.errors: list[str] = []
        self.expected: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # Not "networkidle": the app holds gr.State, so gradio keeps a heartbeat stream open for the whole visit.
        self.page.goto(url, wait_until="load")
        self.page.locator("#session-label").get_by_text("gpt-demo").wait_for(state="visible")  # page-load event done

    def tab(self, name: str):
        self.page.get_by_role("tab", name=name).click()

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def see(self, text: str, within: str = "body"):
        self.page.locator(within).get_by_text(text).first.wait_for(state="visible")

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(x in e for x in self.expected)]

    def close(self):
        self.context.close()


def slow_generation(monkeypatch, seconds_per_token: float = 0.05) -> None:
    """The tiny model writes 100 tokens before a click lands; slow it down so that Stop has something to stop."""
    from gpt_demo.ui import tab_generate

    fast = tab_generate.generate_trace

    def slow(*args, **kwargs):
        for rec in fast(*args, **kwargs):
            time.sleep(seconds_per_token)
            yield rec

    monkeypatch.setattr(tab_generate, "generate_trace", slow)


def test_every_tab_in_korean(browser, launched_app, monkeypatch):  # noqa: F811 (the fixture imported above)
    _, url = launched_app
    p = Page(browser, url, "ko-KR")
    page = p.page
    try:
        p.see("GPT 속을 직접 들여다보기")

        # 1. tokenizer: chips with ids, counts, the round trip
        p.tab("토큰화 · Tokenizer")
        page.locator("#tok-run").click()
        page.locator("#tok-chips .tok-chip").first.wait_for(state="visible")
        p.see("토큰 (글자당", "#tok-stats")
        assert "decode(encode(text)) == text ✓" in page.locator("#tok-stats").inner_text()
        page.locator("#tok-train").click()
        p.see("토크나이저 학습 완료", "#tok-train-summary")
        p.shot("1-tokenizer")

        # 2. padding and masks: tables, heatmaps, the proof, torch.where
        p.tab("패딩 · 마스크 · Padding & masks")
        page.locator("#pad-run").click()
        p.see("최대 절대 차이", "#pad-proof")
        page.locator("#pad-tokens").get_by_text("<pad>").filter(visible=True).first.wait_for(state="visible")
        assert len(page.locator("img[src^='data:image']").all()) >= 2
        page.locator("#where-run").click()
        p.see("[1, 20, 3, 40]", "#where-out")
        p.shot("2-padding-masks")

        # 3. generation: streamed text, coloured tokens, the nucleus chart; the stop button is there
        p.tab("생성 · Generation (top-p)")
        page.locator("#gen-run").click()
        p.see("개 토큰 생성", "#gen-status")
        page.locator("#gen-chart img[src^='data:image']").wait_for(state="visible")
        p.see("nucleus", "#gen-caption")
        assert page.locator("#gen-tokens .gen-tok").count() > 0
        # the stop button ends a long generation early: wait until this run is past the previous 40 tokens
        slow_generation(monkeypatch)
        max_new = page.locator("#gen-max-new input[type='number']")
        max_new.fill("100")  # the tiny test model's context is 128 tokens
        max_new.press("Enter")
        page.locator("#gen-run").click()
        page.locator("#gen-status").get_by_text(re.compile(r"^(4[1-9]|[5-8]\d)개 토큰 생성")).wait_for()
        page.locator("#gen-stop").click()
        page.wait_for_timeout(1000)
        stopped_at = int(re.search(r"(\d+)개", page.locator("#gen-status").inner_text()).group(1))
        page.wait_for_timeout(1000)
        assert stopped_at == int(re.search(r"(\d+)개", page.locator("#gen-status").inner_text()).group(1)) < 100
        page.locator("#gen-compare").click()
        page.locator("#gen-compare-table").get_by_text("0.95").filter(visible=True).first.wait_for(state="visible")
        p.shot("3-generation")

        # 4. checkpoints and LoRA: load, a refused name (a message, no stack trace), apply, merge
        p.tab("체크포인트 · LoRA")
        page.locator("#ckpt-load").click()
        p.see("불러옴", "#ckpt-summary")
        p.expected.append("../../etc")
        box = page.locator("#ckpt-choice input")
        box.fill("../../etc")
        box.press("Enter")
        page.locator("#ckpt-load").click()
        p.see("받을 수 없습니다")
        assert "Traceback" not in page.content()
        adapter = page.locator("#adapter-choice input")
        adapter.fill(ADAPTER_NAME)
        adapter.press("Enter")
        page.locator("#adapter-apply").click()
        p.see("학습 가능(LoRA)", "#adapter-params")
        page.locator("#adapter-merge").click()
        p.see("병합 완료", "#adapter-merge-result")
        p.shot("4-checkpoints-lora")

        # 5. precision and device
        p.tab("정밀도 · 장치 · Precision & device")
        page.locator("#prec-run").click()
        page.locator("#prec-table").get_by_text("bf16").filter(visible=True).first.wait_for(state="visible")
        p.see("torch", "#prec-facts")
        p.shot("5-precision-device")

        assert "Traceback" not in page.content()
        assert p.unexpected_errors() == []
    except Exception:
        p.shot("failure-korean")
        raise
    finally:
        p.close()


def test_english_ui_and_a_bad_input(browser, launched_app):  # noqa: F811
    _, url = launched_app
    p = Page(browser, url, "en-US")
    page = p.page
    try:
        p.see("look inside a GPT")
        p.tab("생성 · Generation (top-p)")  # tab titles are bilingual, Korean first
        p.see("a higher top_p keeps more candidates")
        prompt = page.locator("#gen-prompt textarea")
        prompt.fill("   ")
        p.expected.append("whitespace")
        page.locator("#gen-run").click()
        p.see("The prompt holds only whitespace")
        prompt.fill("The model")
        page.locator("#gen-run").click()  # the session is still usable after the error
        page.locator("#gen-status").get_by_text(re.compile(r"\d+ tokens generated")).wait_for(state="visible")
        p.shot("6-english-generation")
        assert "Traceback" not in page.content()
        assert p.unexpected_errors() == []
    except Exception:
        p.shot("failure-english")
        raise
    finally:
        p.close()
