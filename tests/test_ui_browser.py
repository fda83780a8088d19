"""The chat page in a real headless browser (Debian's chromium + chromium-driver, Selenium).

Opens the page (over the seeds with their translation memory imported, as ``make run``
serves them), asks the card's question, waits for the cited answer, clicks a ``[n]``
marker and checks that its source card opens with the quoted sentence highlighted and
the article's title, province and date; saves ``docs/screenshot.png``; then gives a
thumbs-up (a feedback line is written) and starts a new chat. On a server with an admin
token, the Documents tab asks for it before it shows upload and remove. A PDF uploaded on
the page is answered from with each source card naming the quote's page.

``make test`` installs the browser with apt-get where it is missing; the test is skipped,
with the reason, only where it cannot be installed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from tests.server_support import index_copy
from tests.ui_support import CARD_QUESTION, running_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
# The README's screenshot is refreshed only on request (ASSISTANT_UPDATE_SCREENSHOT=1),
# so a plain `make test` leaves the work tree clean.
SCREENSHOT = (
    ROOT / "docs" / "screenshot.png"
    if os.environ.get("ASSISTANT_UPDATE_SCREENSHOT") == "1"
    else ROOT / "tests" / "artifacts" / "screenshot.png"
)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1440,1250", "--lang=en-US",
]


def _browser_paths() -> tuple[str, str]:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (Path(chromium).exists() and Path(driver).exists()):
        pytest.skip(
            "Debian chromium + chromium-driver are not installed and could not be "
            "(`make test` runs `apt-get install -y chromium chromium-driver` where apt-get "
            "works)"
        )
    return chromium, driver


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (dev extra)")
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = _browser_paths()
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    browser = webdriver.Chrome(service=Service(chromedriver), options=opts)
    browser.set_page_load_timeout(60)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_cited_answer_in_the_browser(
    driver: Any, seeded_settings: Settings, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.server_support import with_seed_memory

    wait = WebDriverWait(driver, 60)
    settings = index_copy(seeded_settings, tmp_path)
    with_seed_memory(settings)  # as `make run` does: the English answer a reader sees
    with running_page(settings) as url:
        driver.get(url)
        box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#question textarea")))
        assert "5 documents" in driver.find_element(By.ID, "status").text

        box.send_keys(CARD_QUESTION + Keys.ENTER)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#chat .answer-meta")))
        markers = driver.find_elements(By.CSS_SELECTOR, "#chat .cite")
        assert len(markers) >= 6
        cards = driver.find_elements(By.CSS_SELECTOR, "#chat details.src")
        assert len(cards) >= 6 and not any(c.get_attribute("open") for c in cards)

        # the marker of the first of the six priorities, "(1) ..."
        card_id = next(
            c.get_attribute("id") for c in cards
            if c.find_element(By.TAG_NAME, "summary").text.split("]", 1)[-1].strip()
            .startswith("(1)")
        )
        marker = driver.find_element(By.CSS_SELECTOR, f"#chat .cite.to-{card_id}")
        marker.click()
        card = driver.find_element(By.ID, card_id)
        wait.until(lambda d: card.get_attribute("open") is not None)
        highlighted = card.find_element(By.CSS_SELECTOR, "blockquote mark")
        assert highlighted.is_displayed() and highlighted.text.startswith("(1) Chuẩn bị")
        meta = card.find_element(By.CSS_SELECTOR, ".src-doc").text
        assert "Nhiều kết quả nổi bật" in meta and "Đồng Tháp" in meta and "2021-03-09" in meta
        driver.execute_script(  # the open card at the bottom, the answer's end above it
            "arguments[0].scrollIntoView({block: 'end'})", card
        )
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(str(SCREENSHOT))

        driver.find_element(By.CSS_SELECTOR, "#chat button[aria-label='Like']").click()
        assert settings.data_dir is not None
        feedback = Path(settings.data_dir) / "feedback.jsonl"
        wait.until(lambda d: feedback.exists() and feedback.read_text("utf-8").strip())
        row = json.loads(feedback.read_text("utf-8").splitlines()[-1])
        assert row["rating"] == "up" and row["question"] == CARD_QUESTION
        assert row["citations"] and "[1]" in row["answer"]

        driver.find_element(By.ID, "new-chat").click()
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#chat .cite"))


def test_the_page_asks_for_the_admin_token(
    driver: Any, seeded_settings: Settings, tmp_path: Path
) -> None:
    """With an admin token set, upload and remove appear only after the token is given."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    def shown(elem_id: str) -> bool:
        found = driver.find_elements(By.ID, elem_id)
        return bool(found) and found[0].is_displayed()

    wait = WebDriverWait(driver, 60)
    settings = index_copy(seeded_settings, tmp_path, admin_token="browser-admin")
    with running_page(settings) as url:
        driver.get(url)
        tab = wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//button[@role='tab' and contains(., 'Documents')]")))
        tab.click()
        wait.until(lambda d: shown("doc-lock"))
        assert not shown("doc-tools") and "admin token" in driver.find_element(
            By.ID, "doc-lock").text
        box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#admin-token input")))
        box.send_keys("not-the-token")
        driver.find_element(By.ID, "unlock").click()
        wait.until(lambda d: "not the admin token" in d.find_element(By.ID, "lock-msg").text)
        assert not shown("doc-tools")

        box.send_keys("browser-admin")
        driver.find_element(By.ID, "unlock").click()
        wait.until(lambda d: shown("doc-tools") and not shown("doc-lock"))
        # the token lives in an HttpOnly cookie: the page's scripts cannot read it
        assert "browser-admin" not in driver.execute_script("return document.cookie")

        driver.refresh()  # the cookie keeps the page unlocked
        wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//button[@role='tab' and contains(., 'Documents')]"))).click()
        wait.until(lambda d: shown("doc-tools"))
        assert not shown("doc-lock")
        driver.delete_all_cookies()


def test_a_pdf_uploaded_on_the_page_is_cited_to_its_page(driver: Any, tmp_path: Path) -> None:
    """Upload a PDF of a seed article through the Documents tab, ask about it, and find
    the page of each quote on its source card ("· p. N")."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.conftest import make_settings
    from tests.paged_fixtures import paragraphs, seed, seed_pdf

    article = seed("003")
    pdf = tmp_path / "dong_thap_q1.pdf"
    starts = seed_pdf(article, pdf)
    assert max(starts) > 1
    settings = make_settings(tmp_path / "vectorstore", data_dir=tmp_path / "data")
    wait = WebDriverWait(driver, 120)
    with running_page(settings) as url:
        driver.get(url)
        wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//button[@role='tab' and contains(., 'Documents')]"))).click()
        upload = wait.until(ec.presence_of_element_located(
            (By.CSS_SELECTOR, "#doc-tools input[type='file']")))
        upload.send_keys(str(pdf))
        wait.until(lambda d: "dong_thap_q1" in d.find_element(
            By.ID, "doc-tools").get_attribute("textContent"))
        driver.find_element(By.XPATH, "//button[contains(., 'Index the files')]").click()
        wait.until(lambda d: "✓" in d.find_element(By.ID, "upload-msg").text)
        assert "dong_thap_q1" in driver.find_element(By.ID, "docs").text

        box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#question textarea")))
        box.send_keys("Sáu nhiệm vụ trọng tâm quý I/2021 là gì?" + Keys.ENTER)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#chat .answer-meta")))
        cards = driver.find_elements(By.CSS_SELECTOR, "#chat details.src")
        assert len(cards) >= 6
        paras = paragraphs(article)
        for card in cards:
            quote = card.find_element(By.CSS_SELECTOR, "blockquote mark").get_attribute(
                "textContent")
            meta = card.find_element(By.CSS_SELECTOR, ".src-doc").get_attribute("textContent")
            para = next(i for i, p in enumerate(paras) if quote.strip() in p)
            assert meta.endswith(f"· p. {starts[para]}"), (meta, quote)
