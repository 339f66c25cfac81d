"""The web console at /, driven in a real browser: Debian's chromium and its chromedriver
(scripts/setup.sh installs them with apt-get) through selenium; nothing is downloaded at run
time (the driver path is given and Selenium Manager is kept offline)."""

from __future__ import annotations

import os
import shutil
import subprocess

import httpx
import pytest

from agentops.apiusers import AuditLog
from agentops.server import create_app
from tests.test_api import SCALE, make_repo, scripted_interpreter, serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="chromium and chromedriver are not installed (scripts/setup.sh installs them: "
           "apt-get install chromium chromium-driver)")


@pytest.fixture
def browser():
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not fetch a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _git(cwd, *args) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def test_console_suggests_interprets_streams_and_lists_the_proposal(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    repo = make_repo(tmp_path)
    factory = lambda port: create_app(repo, interpreter=scripted_interpreter(), port=port,
                                      audit=AuditLog(tmp_path / "audit.jsonl"))
    with serving(factory) as (base, _):
        page = httpx.get(base + "/")
        assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
        browser.get(base + "/")
        wait = WebDriverWait(browser, 60)
        command = browser.find_element(By.ID, "command")

        # Suggestions as you type, from the specs.
        command.send_keys("scale api in pr")
        wait.until(lambda d: "scale api in prod" in [
            o.get_attribute("value") for o in d.find_elements(By.CSS_SELECTOR, "#suggestions option")])

        # The ActionPlan.
        command.clear()
        command.send_keys(SCALE)
        browser.find_element(By.ID, "interpret").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#plan td"))
        cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#plan td")]
        assert cells[:4] == ["scale", "deployment", "web", "staging"] and "replicas=3" in cells[4]
        assert _git(repo, "branch", "--list", "agentops/*") == ""  # interpreting writes nothing

        # Propose: the stages stream in, in order, ending with the branch.
        browser.find_element(By.ID, "propose").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#stream li[data-stage=complete]"))
        stages = [li.get_attribute("data-stage")
                  for li in browser.find_elements(By.CSS_SELECTOR, "#stream > li")]
        assert stages == ["interpretation", "planning", "proposal", "complete"]
        branch = browser.find_element(By.CSS_SELECTOR, "#stream code.branch").text
        assert _git(repo, "branch", "--list", "agentops/*").split() == [branch]
        planning = browser.find_element(By.CSS_SELECTOR, "#stream li[data-stage=planning]").text
        assert "staging" in planning and "USD/month" in planning
        assert browser.find_element(By.CSS_SELECTOR, "#stream .status").text == "proposed"

        # Recent proposals, with the outcome.
        wait.until(lambda d: SCALE in d.find_element(By.ID, "history").text)
        row = browser.find_element(By.CSS_SELECTOR, "#history tbody tr").text
        assert "open" in row and branch in row

        if os.environ.get("AGENTOPS_SCREENSHOT"):  # the README's picture
            browser.save_screenshot(os.environ["AGENTOPS_SCREENSHOT"])

        # A bad command shows the error and its hint, not a plan.
        command.clear()
        command.send_keys("restart ghost in dev")
        browser.find_element(By.ID, "interpret").click()
        wait.until(lambda d: d.find_element(By.ID, "error").text)
        assert "ghost" in browser.find_element(By.ID, "error").text
        assert browser.find_element(By.ID, "propose").get_attribute("disabled") is not None
