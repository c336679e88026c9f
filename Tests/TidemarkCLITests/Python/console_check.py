"""Drives headless Chromium (Selenium, Debian's chromium and chromedriver) through the
console of a running `tidemark serve`, and prints what it saw as one JSON object for the
Swift test to assert on. Screenshots go to the folder given.

usage: console_check.py BASE_URL TOKEN SCREENSHOT_DIR
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BASE, TOKEN, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(SHOTS, exist_ok=True)


def browser(javascript=True):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


seen = {"consoleErrors": [], "pages": {}}


def console_errors(driver, page):
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            seen["consoleErrors"].append({"page": page, "message": entry.get("message")})


def shot(driver, name):
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))


# The page swaps <main> when the server says something changed, and a form post navigates: an
# element found a moment ago may be gone (chromedriver reports that as a stale element, a
# missing one, or "Node with given id does not belong to the document"), so waits and reads
# try again.
TRANSIENT = (WebDriverException,)


def wait(driver, seconds, predicate):
    try:
        WebDriverWait(driver, seconds, poll_frequency=0.2, ignored_exceptions=TRANSIENT).until(lambda d: predicate(d))
        return True
    except TimeoutException:
        return False


def text(driver, selector, by=By.CSS_SELECTOR):
    for _ in range(50):
        try:
            return driver.find_element(by, selector).text
        except TRANSIENT:
            time.sleep(0.1)
    return driver.find_element(by, selector).text


def click(driver, selector):
    for _ in range(50):
        try:
            driver.find_element(By.CSS_SELECTOR, selector).click()
            return
        except TRANSIENT:
            time.sleep(0.1)
    driver.find_element(By.CSS_SELECTOR, selector).click()


def submit_token(driver, value):
    for _ in range(50):
        try:
            field = driver.find_element(By.CSS_SELECTOR, "input[name=token]")
            field.send_keys(value)
            field.send_keys(Keys.ENTER)
            return
        except TRANSIENT:
            time.sleep(0.1)
    raise RuntimeError("no token field")


def texts(driver, selector):
    for _ in range(50):
        try:
            return [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]
        except TRANSIENT:
            time.sleep(0.1)
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def nodes(driver):
    """The tree's resources (drawn in full, not the 'shown above' links): kind/name -> badges."""
    out = {}
    for li in driver.find_elements(By.CSS_SELECTOR, "ul.tree li.node:not(.again)"):
        label = li.find_element(By.CSS_SELECTOR, ":scope > details > summary, :scope > .leaf")
        kind = label.find_element(By.CSS_SELECTOR, ".kind").get_attribute("textContent")
        name = label.find_element(By.CSS_SELECTOR, "a").get_attribute("textContent")
        badges = [b.get_attribute("textContent") for b in label.find_elements(By.CSS_SELECTOR, ".badge")]
        out[kind + "/" + name] = badges
    return out


driver = browser()
try:
    # Applications.
    driver.get(BASE + "/")
    console_errors(driver, "applications")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    seen["pages"]["applications"] = {
        "title": driver.title,
        "rows": [r.text for r in rows],
        "filteredOut": None,
    }
    shot(driver, "applications")
    driver.get(BASE + "/?sync=Failed")
    seen["pages"]["applications"]["filteredOut"] = driver.find_element(By.CSS_SELECTOR, "table.list caption").text

    # Application: the tree starts collapsed; the keyboard opens it.
    driver.get(BASE + "/apps/default")
    console_errors(driver, "application")
    details = driver.find_elements(By.CSS_SELECTOR, "ul.tree details")
    collapsed = all(not d.get_property("open") for d in details)
    first = driver.find_element(By.CSS_SELECTOR, "ul.tree summary")
    first.send_keys(Keys.ENTER)  # a summary is focusable; Enter toggles it
    opened_by_keyboard = details[0].get_property("open") if details else False
    for d in driver.find_elements(By.CSS_SELECTOR, "ul.tree details"):
        driver.execute_script("arguments[0].open = true", d)
    seen["pages"]["application"] = {
        "h1": driver.find_element(By.TAG_NAME, "h1").text,
        "collapsedAtFirst": collapsed,
        "openedByKeyboard": opened_by_keyboard,
        "nodes": nodes(driver),
        "plan": driver.find_element(By.CSS_SELECTOR, "pre.plan").text,
    }
    shot(driver, "application")

    # Resource: lineage and the service's account.
    driver.get(BASE + "/apps/default/resources/Endpoint/fraud-detector")
    console_errors(driver, "resource")
    facts = {}
    for dl in driver.find_elements(By.CSS_SELECTOR, "dl.facts"):
        keys = [e.text for e in dl.find_elements(By.TAG_NAME, "dt")]
        values = [e.text for e in dl.find_elements(By.TAG_NAME, "dd")]
        facts.update(dict(zip(keys, values)))
    served = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "section table.list tbody tr")]
    service = driver.find_element(By.ID, "service-heading").find_element(By.XPATH, "..").text
    seen["pages"]["resource"] = {"facts": facts, "rows": served, "service": service,
                                 "diff": driver.find_element(By.ID, "diff-heading").find_element(By.XPATH, "..").text}
    shot(driver, "resource")

    # History: Rollback without the token is refused.
    driver.get(BASE + "/apps/default/history")
    console_errors(driver, "history")
    click(driver, "button[aria-label='Roll back to revision 1']")
    wait(driver, 10, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Token required")
    console_errors(driver, "refused")  # the 403 itself is logged as a failed load
    seen["pages"]["refused"] = {"h1": text(driver, "h1"), "text": text(driver, "main")}
    shot(driver, "rollback-refused")

    # A wrong token stays locked; the right one unlocks this browser session.
    driver.get(BASE + "/apps/default/history")
    submit_token(driver, "not-the-token")
    wait(driver, 10, lambda d: "Wrong token" in d.find_element(By.TAG_NAME, "h1").text)
    seen["pages"]["wrongToken"] = text(driver, "h1")
    console_errors(driver, "wrong token")  # the 401 itself
    driver.get(BASE + "/apps/default/history")
    submit_token(driver, TOKEN)
    wait(driver, 10, lambda d: "unlocked" in d.find_element(By.CSS_SELECTOR, "main").text)
    seen["pages"]["unlocked"] = "Actions are unlocked" in text(driver, "main")

    # Rollback with the token: the page then updates itself (Server-Sent Events) when the
    # rollback lands, without being reloaded.
    click(driver, "button[aria-label='Roll back to revision 1']")
    wait(driver, 10, lambda d: "requested" in d.find_element(By.CSS_SELECTOR, "main").text)
    url_after_post = driver.current_url
    flash = text(driver, ".flash")
    # A fast rollback can finish before the server renders the answer to the POST: the page
    # then shows it at once, and no later change comes for the page to pick up.
    pinned_at_once = len(driver.find_elements(By.CSS_SELECTOR, "tbody .badge.pinned")) > 0
    driver.execute_script("window.tidemarkMarker = 'same page'")
    updated = wait(driver, 30, lambda d: len(d.find_elements(By.CSS_SELECTOR, "tbody .badge.pinned")) > 0)
    seen["pages"]["rolledBack"] = {
        "flash": flash,
        "liveUpdate": updated,
        "samePage": driver.execute_script("return window.tidemarkMarker") == "same page" and driver.current_url == url_after_post,
        "live": text(driver, "live", By.ID),
        "pinnedAtOnce": pinned_at_once,
        "rows": texts(driver, "table.list tbody tr"),
    }
    console_errors(driver, "history after rollback")
    shot(driver, "history")

    # Audit, with the chain verified.
    driver.get(BASE + "/apps/default/audit")
    console_errors(driver, "audit")
    seen["pages"]["audit"] = {"verify": text(driver, ".verify"),
                              "rows": len(driver.find_elements(By.CSS_SELECTOR, "table.list tbody tr"))}
    shot(driver, "audit")

    # A form posted from another site is refused even in a session that holds the token.
    driver.get("data:text/html,<form method=post action='" + BASE + "/apps/default/sync'>"
               "<input name=csrf value=x><button id=go>go</button></form>")
    driver.find_element(By.ID, "go").click()
    wait(driver, 10, lambda d: d.current_url.startswith(BASE))
    seen["pages"]["crossSite"] = text(driver, "h1")
    console_errors(driver, "cross site")  # the 403 itself
finally:
    driver.quit()

# JavaScript off: the read-only views still read.
plain = browser(javascript=False)
try:
    plain.get(BASE + "/apps/default")
    summaries = plain.find_elements(By.CSS_SELECTOR, "ul.tree summary")
    if summaries:
        summaries[0].click()
    seen["pages"]["noScript"] = {"nodes": nodes(plain),
                                 "opens": bool(plain.find_elements(By.CSS_SELECTOR, "ul.tree details[open]"))}
    plain.get(BASE + "/apps/default/resources/Endpoint/fraud-detector")
    seen["pages"]["noScript"]["resource"] = plain.find_element(By.TAG_NAME, "h1").text
    shot(plain, "application-without-javascript")
finally:
    plain.quit()

print(json.dumps(seen))
