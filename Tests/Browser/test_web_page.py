"""The citizen's web chat page in a real browser: headless Chromium driven by Selenium.

Run by Tests/LoketEndToEndTests/WebPageEndToEndTests.swift (so `swift test` runs it) against real `loket-hub`
processes. It reads:

  LOKET_HUB_URL           a hub whose clock (LOKET_HUB_NOW) is inside office hours, started with
                          --embed-origin $LOKET_EMBED_ORIGIN
  LOKET_HUB_CLOSED_URL    a hub whose clock is outside office hours
  LOKET_EMBED_ORIGIN      the origin allowed to embed the page; when it is http://localhost:PORT, the suite
                          serves an "office site" there that embeds the page in an iframe
  LOKET_OFFICER_USER, LOKET_OFFICER_PASSWORD   an officer of the first hub
  LOKET_SCREENSHOTS       optional folder: screenshots at 360 px and desktop width are saved there

Only the standard library, `selenium` and its dependency `websocket-client` are used.
"""

import http.server
import json
import os
import socket
import sys
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid

import websocket
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

HUB = os.environ.get("LOKET_HUB_URL", "").rstrip("/")
CLOSED_HUB = os.environ.get("LOKET_HUB_CLOSED_URL", "").rstrip("/")
EMBED_ORIGIN = os.environ.get("LOKET_EMBED_ORIGIN", "")
OFFICER_USER = os.environ.get("LOKET_OFFICER_USER", "")
OFFICER_PASSWORD = os.environ.get("LOKET_OFFICER_PASSWORD", "")
SCREENSHOTS = os.environ.get("LOKET_SCREENSHOTS", "")

WAIT = 15  # seconds for anything to show up; generous for a loaded 2-core machine
BOLD = "<b>tebal</b>"
IMAGE = "<img src=x onerror=window.__xss=1>"


def fetch(url, headers=None):
    """GET a URL: (status, headers, body bytes), also for error statuses."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def upgrade_status(hub, origin):
    """The status code a WebSocket upgrade of /citizen/ws gets with this Origin header (None: no header)."""
    parsed = urllib.parse.urlparse(hub)
    lines = [
        "GET /citizen/ws HTTP/1.1",
        f"Host: {parsed.netloc}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    with socket.create_connection((parsed.hostname, parsed.port), timeout=WAIT) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = connection.recv(1024).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


class Officer:
    """An officer on the hub's officer WebSocket, as `loket live` would be."""

    def __init__(self, hub=HUB):
        body = json.dumps({"username": OFFICER_USER, "password": OFFICER_PASSWORD}).encode()
        request = urllib.request.Request(
            hub + "/api/login", data=body, headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            token = json.load(response)["token"]
        self.socket = websocket.create_connection(
            hub.replace("http://", "ws://") + "/officer/ws", header=[f"Authorization: Bearer {token}"], timeout=WAIT)
        self.frames = []
        self.since = None
        self.socket.send(json.dumps({"type": "hello", "since": 0}))
        # Events stored before this officer arrived (earlier tests, earlier runs) are replayed first: skip them.
        self.since = self.wait_for(lambda f: f.get("type") == "welcome")["seq"]

    def close(self):
        self.socket.close()

    def wait_for(self, predicate, timeout=WAIT):
        """The first frame (seen earlier or arriving within `timeout`) that satisfies `predicate`."""
        for frame in self.frames:
            if predicate(frame):
                return frame
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                frame = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                break
            if self.since is not None and frame.get("type") == "event" and frame.get("seq", self.since + 1) <= self.since:
                continue
            self.frames.append(frame)
            if predicate(frame):
                return frame
        raise AssertionError(f"officer: no matching frame within {timeout} s; saw {self.frames[-5:]}")

    def citizen_message(self, text):
        return self.wait_for(lambda f: f.get("event") == "message" and f.get("from") == "citizen" and f.get("text") == text)

    def command(self, frame):
        frame = dict(frame, id=str(uuid.uuid4()))
        self.socket.send(json.dumps(frame))
        answer = self.wait_for(lambda f: f.get("id") == frame["id"])
        assert answer.get("type") == "ack", answer
        return answer

    def send(self, conversation, text):
        return self.command({"type": "send", "conversation": conversation, "text": text})

    def close_conversation(self, conversation):
        return self.command({"type": "close", "conversation": conversation})

    def typing(self, conversation):
        self.socket.send(json.dumps({"type": "typing", "conversation": conversation}))


def new_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--lang=id-ID", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


class PageTest(unittest.TestCase):
    browser = None

    @classmethod
    def setUpClass(cls):
        cls.browser = new_browser()

    @classmethod
    def tearDownClass(cls):
        if cls.browser:
            cls.browser.quit()

    def setUp(self):
        self.officer = None
        self.open_page(HUB, fresh=True)

    def tearDown(self):
        if self.officer:
            self.officer.close()
        # Every test's page must run without a single console error.
        errors = [entry for entry in self.browser.get_log("browser") if entry["level"] == "SEVERE"]
        self.assertEqual(errors, [], "console errors")

    # Helpers

    def open_page(self, hub, fresh=False):
        if fresh:
            # Cleared from a same-origin file without the chat script, so no late welcome stores a token again.
            self.browser.get(hub + "/favicon.svg")
            self.browser.execute_script("localStorage.clear()")
        self.browser.get(hub + "/")
        self.browser.get_log("browser")  # only what this test causes counts
        self.wait_until(lambda: self.box().is_enabled() and self.button().is_enabled(), timeout=10)

    def wait_until(self, condition, timeout=WAIT, message=""):
        return WebDriverWait(self.browser, timeout, poll_frequency=0.1).until(lambda _: condition(), message)

    def box(self):
        return self.browser.find_element(By.CSS_SELECTOR, 'textarea[aria-label="Pesan"]')

    def button(self):
        return self.browser.find_element(By.XPATH, '//button[normalize-space(.)="Kirim"]')

    def log(self):
        return self.browser.find_element(By.CSS_SELECTOR, '[role="log"]')

    def messages(self):
        """(sender class, text, state) of every message in the log, text as the browser renders it."""
        return self.browser.execute_script(
            "return Array.from(document.querySelectorAll('[role=log] .msg')).map(m => "
            "[m.classList[1], m.querySelector('.text').textContent, m.dataset.state])")

    def texts(self):
        return [text for _, text, _ in self.messages()]

    def send_from_page(self, text):
        box = self.box()
        box.click()
        box.send_keys(text)
        box.send_keys(Keys.ENTER)
        self.wait_until(lambda: ["citizen", text, "sent"] in self.messages(), message=f"{text!r} not acknowledged")

    def start_chat(self, text):
        """The page sends `text`; the officer sees it. Returns the conversation id."""
        self.officer = self.officer or Officer()
        self.send_from_page(text)
        return self.officer.citizen_message(text)["conversation"]

    def visible(self, element_id):
        return self.browser.find_element(By.ID, element_id).is_displayed()

    def no_sideways_scroll(self):
        # The page itself, and every message inside the log (whose own overflow is hidden), fit the width.
        return self.browser.execute_script("""
            const root = document.documentElement;
            const fits = (e) => e.getBoundingClientRect().right <= root.clientWidth + 0.5 && e.scrollWidth <= e.clientWidth + 1;
            return root.scrollWidth <= root.clientWidth
              && Array.from(document.querySelectorAll('[role=log] .msg .text')).every(fits);""")

    def set_viewport(self, width, height, scale=1):
        self.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": scale, "mobile": width < 600})

    # Tests

    def test_accessibility_contract_and_keyboard(self):
        log = self.log()
        self.assertEqual(log.get_attribute("aria-live"), "polite")
        self.assertEqual(self.button().text, "Kirim")
        name = self.browser.find_element(By.CSS_SELECTOR, 'input[aria-label="Nama"]')
        self.assertTrue(name.is_displayed())
        honorifics = [e.get_attribute("value") for e in self.browser.find_elements(By.NAME, "honorific")]
        self.assertEqual(honorifics, ["Bapak", "Ibu"])
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "html").get_attribute("lang"), "id")
        # Shift+Enter is a new line; Enter sends the whole text.
        box = self.box()
        box.click()
        box.send_keys("baris satu")
        ActionChains(self.browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
        box.send_keys("baris dua")
        self.assertEqual(self.texts(), [])
        self.assertEqual(box.get_attribute("value"), "baris satu\nbaris dua")
        box.send_keys(Keys.ENTER)
        self.wait_until(lambda: ["citizen", "baris satu\nbaris dua", "sent"] in self.messages())
        self.assertEqual(box.get_attribute("value"), "")
        # Keyboard focus is visible: Tab from the message box lands on "Kirim" with a real outline.
        box.send_keys(Keys.TAB)
        focused = self.browser.switch_to.active_element
        self.assertEqual(focused.text, "Kirim")
        self.assertNotEqual(focused.value_of_css_property("outline-style"), "none")
        self.assertGreaterEqual(float(focused.value_of_css_property("outline-width").replace("px", "")), 2)

    def test_send_receive_typing_and_escaping_both_ways(self):
        self.browser.find_element(By.CSS_SELECTOR, 'input[aria-label="Nama"]').send_keys("Budi Santoso")
        self.browser.find_element(By.CSS_SELECTOR, 'input[name="honorific"][value="Bapak"]').click()
        citizen_text = f"Selamat pagi {BOLD} {IMAGE} mau tanya izin usaha"
        self.officer = Officer()
        self.send_from_page(citizen_text)
        seen = self.officer.citizen_message(citizen_text)
        conversation = seen["conversation"]
        created = self.officer.wait_for(
            lambda f: f.get("event") == "conversation.created" and f.get("conversation") == conversation)
        self.assertEqual((created.get("name"), created.get("honorific")), ("Budi Santoso", "Bapak"))
        # The name field is for the start only.
        self.assertFalse(self.visible("identity"))

        # Typing, both ways.
        self.officer.typing(conversation)
        self.wait_until(lambda: self.visible("typing"), message="officer typing not shown")
        self.assertIn("mengetik", self.browser.find_element(By.ID, "typing").text)
        self.box().send_keys("sebentar")
        self.officer.wait_for(lambda f: f.get("event") == "typing" and f.get("conversation") == conversation)
        self.box().clear()

        officer_text = f"Selamat pagi, Bapak. {BOLD} {IMAGE.replace('1', '2')}"
        self.officer.send(conversation, officer_text)
        self.wait_until(lambda: ["officer", officer_text, "sent"] in self.messages(), message="officer reply missing")
        self.assertFalse(self.visible("typing"))
        # Literal text, never markup: no element was made from either message, no handler ran.
        self.assertEqual(self.log().find_elements(By.CSS_SELECTOR, "b, img"), [])
        self.assertIsNone(self.browser.execute_script("return window.__xss"))
        self.assertIn(officer_text, self.log().text)

    def test_pending_until_acknowledged_then_reconnect_and_resend(self):
        self.officer = Officer()
        first = "Pesan pertama sebelum putus"
        conversation = self.start_chat(first)
        # Hold back message frames as a broken network would, and remember the page's socket.
        self.browser.execute_script("""
            const original = WebSocket.prototype.send;
            window.__hold = true;
            WebSocket.prototype.send = function (data) {
              window.__socket = this;
              if (window.__hold && String(data).includes('"message"')) return;
              return original.call(this, data);
            };""")
        held = "Pesan yang tertahan"
        box = self.box()
        box.send_keys(held)
        box.send_keys(Keys.ENTER)
        self.wait_until(lambda: ["citizen", held, "pending"] in self.messages())
        time.sleep(1)
        self.assertIn(["citizen", held, "pending"], self.messages())
        self.assertIn("mengirim", self.log().text)
        # The connection drops: the page reconnects with backoff, resumes and sends what is pending, once.
        self.browser.execute_script("window.__hold = false; window.__socket.close();")
        self.wait_until(lambda: ["citizen", held, "sent"] in self.messages(), timeout=WAIT + 5)
        stored = self.officer.citizen_message(held)
        self.assertEqual(stored["conversation"], conversation)
        self.assertEqual(self.texts(), [first, held])
        self.assertIn("Tersambung", self.browser.find_element(By.ID, "status").text)

    def test_reload_resumes_and_new_conversation_forgets(self):
        self.officer = Officer()
        first = f"Saya mau tanya {BOLD} status berkas"
        conversation = self.start_chat(first)
        reply = f"Baik, Bapak. {IMAGE}"
        self.officer.send(conversation, reply)
        self.wait_until(lambda: reply in self.texts())
        token = self.browser.execute_script("return localStorage.getItem('loket.resume')")
        self.assertTrue(token)

        self.browser.refresh()
        self.wait_until(lambda: self.texts() == [first, reply], message="history not shown after reload")
        self.assertEqual([m[0] for m in self.messages()], ["citizen", "officer"])
        self.assertEqual(self.log().find_elements(By.CSS_SELECTOR, "b, img"), [])
        self.assertFalse(self.visible("identity"))
        # Same conversation: the officer's next reply reaches the reloaded page, and so does the citizen's.
        later = "Berkas Bapak sedang diverifikasi."
        self.officer.send(conversation, later)
        self.wait_until(lambda: later in self.texts())
        again = "Terima kasih infonya"
        self.send_from_page(again)
        self.assertEqual(self.officer.citizen_message(again)["conversation"], conversation)

        self.browser.find_element(By.XPATH, '//button[normalize-space(.)="Mulai percakapan baru"]').click()
        self.wait_until(lambda: self.texts() == [])
        self.assertTrue(self.visible("identity"))
        self.assertIsNone(self.browser.execute_script("return localStorage.getItem('loket.resume')"))
        fresh = "Percakapan baru tentang NIB"
        self.send_from_page(fresh)
        self.assertNotEqual(self.officer.citizen_message(fresh)["conversation"], conversation)
        self.browser.refresh()
        self.wait_until(lambda: self.texts() == [fresh])

    def test_survey_after_close(self):
        conversation = self.start_chat("Izin saya sudah selesai, terima kasih")
        self.officer.send(conversation, "Sama-sama, Bapak.")
        self.officer.close_conversation(conversation)
        self.wait_until(lambda: self.visible("survey"), message="survey not shown after close")
        self.assertIn("ditutup", self.log().text)
        labels = [label.text for label in self.browser.find_elements(By.CSS_SELECTOR, "#survey .scores label")]
        self.assertEqual(labels, ["1 Tidak baik", "2 Kurang baik", "3 Baik", "4 Sangat baik"])
        self.browser.find_element(By.CSS_SELECTOR, 'input[name="score"][value="3"]').click()
        comment = f"Cepat {BOLD}"
        self.browser.find_element(By.ID, "survey-comment").send_keys(comment)
        self.browser.find_element(By.ID, "survey-send").click()
        survey = self.officer.wait_for(lambda f: f.get("event") == "survey" and f.get("conversation") == conversation)
        self.assertEqual((survey.get("score"), survey.get("text")), (3, comment))
        self.wait_until(lambda: self.visible("survey-thanks"))
        self.assertFalse(self.visible("survey"))
        # Answered once: a reload of the closed conversation does not ask again.
        self.browser.refresh()
        self.wait_until(lambda: len(self.texts()) == 3)
        self.assertIn("ditutup", self.texts()[-1])
        time.sleep(0.5)
        self.assertFalse(self.visible("survey"))
        # Writing again reopens the conversation (the hub's rule); the survey stays away.
        self.send_from_page("Maaf, satu pertanyaan lagi")
        self.assertFalse(self.visible("survey"))

    def test_office_hours_notice_when_closed_and_not_when_open(self):
        self.send_from_page("Apakah kantor buka?")
        time.sleep(0.5)
        self.assertFalse(self.visible("hours"), "open hub shows the closed notice")
        if not CLOSED_HUB:
            self.skipTest("LOKET_HUB_CLOSED_URL not set")
        self.open_page(CLOSED_HUB, fresh=True)
        # Shown before the citizen writes anything: nobody should have to ask to learn the office is closed.
        self.wait_until(lambda: self.visible("hours"), message="closed notice not shown before the first message")
        self.send_from_page("Halo, saya mau tanya izin")
        notice = self.browser.find_element(By.ID, "hours").text
        self.assertIn("Kantor sedang tutup", notice)
        self.assertIn("Senin", notice)
        # The hub's own stored notice arrives in the log as a system message.
        self.wait_until(lambda: any(m[0] == "system" for m in self.messages()))

    def test_mobile_360_and_zoom(self):
        long_word = "Permohonan" * 30
        conversation = self.start_chat(f"Nomor berkas saya {long_word} mohon dicek")
        self.officer.send(conversation, "https://ptsp.example.go.id/" + "status/" * 40)
        self.wait_until(lambda: len(self.texts()) == 2)
        try:
            for width, height, label in ((360, 740, "360 px"), (180, 370, "360 px at 200 % zoom"), (640, 450, "1280 px at 200 % zoom")):
                self.set_viewport(width, height)
                time.sleep(0.3)
                self.assertTrue(self.no_sideways_scroll(), f"sideways scroll at {label}")
                for element in (self.box(), self.button()):
                    rect = element.rect
                    self.assertLessEqual(rect["x"] + rect["width"], width + 0.5, f"{label}: control off screen")
            size = self.browser.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
            self.assertGreaterEqual(size, 16)
        finally:
            self.browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def test_embedded_in_an_allowed_site_only(self):
        if not EMBED_ORIGIN.startswith("http://localhost:"):
            self.skipTest("LOKET_EMBED_ORIGIN is not a local http://localhost:PORT")
        framed = {"/": HUB, "/other": CLOSED_HUB or HUB}

        class OfficeSite(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = ('<!doctype html><html lang="id"><title>Situs kantor</title>'
                        f'<iframe id="chat" title="Chat" width="400" height="700" src="{framed.get(self.path, HUB)}/">'
                        '</iframe></html>').encode()
                self.send_response(200 if self.path in framed else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *arguments):
                pass

        site = http.server.ThreadingHTTPServer(("127.0.0.1", int(EMBED_ORIGIN.rsplit(":", 1)[1])), OfficeSite)
        threading.Thread(target=site.serve_forever, daemon=True).start()
        try:
            self.browser.get(EMBED_ORIGIN + "/")
            self.browser.switch_to.frame("chat")
            self.wait_until(lambda: self.box().is_enabled() and self.button().is_enabled(), timeout=10)
            self.start_chat("Halo dari situs kantor")
            self.browser.switch_to.default_content()
            if not CLOSED_HUB:
                return
            # The other hub was started without --embed-origin: the browser refuses to show it in the site.
            self.browser.get(EMBED_ORIGIN + "/other")
            time.sleep(1)
            self.browser.switch_to.frame("chat")
            self.assertEqual(self.browser.find_elements(By.CSS_SELECTOR, 'textarea[aria-label="Pesan"]'), [])
            self.browser.switch_to.default_content()
            refused = [e["message"] for e in self.browser.get_log("browser") if e["level"] == "SEVERE"]
            self.assertTrue(any("frame-ancestors" in message for message in refused), refused)
        finally:
            self.browser.switch_to.default_content()
            site.shutdown()
            site.server_close()

    def test_screenshots(self):
        if not SCREENSHOTS:
            self.skipTest("LOKET_SCREENSHOTS not set")
        self.browser.find_element(By.CSS_SELECTOR, 'input[aria-label="Nama"]').send_keys("Budi Santoso")
        conversation = self.start_chat("Selamat pagi, saya mau perpanjang izin usaha. Syaratnya apa saja?")
        self.officer.send(conversation, "Selamat pagi, Bapak Budi. Untuk perpanjangan izin usaha mohon siapkan KTP, "
                                        "NPWP dan izin lama. Berkas dapat diunggah di sini atau dibawa ke loket.")
        self.wait_until(lambda: len(self.texts()) == 2)
        self.officer.typing(conversation)
        self.wait_until(lambda: self.visible("typing"))
        try:
            self.set_viewport(360, 740, 2)
            time.sleep(0.3)
            self.browser.save_screenshot(os.path.join(SCREENSHOTS, "web-page-360.png"))
            self.set_viewport(1280, 800, 1)
            self.officer.typing(conversation)
            time.sleep(0.3)
            self.browser.save_screenshot(os.path.join(SCREENSHOTS, "web-page-desktop.png"))
        finally:
            self.browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


class ServerTest(unittest.TestCase):
    """What the hub sends around the page: headers, size, and who may open the citizen WebSocket."""

    def test_security_headers_on_every_page(self):
        for path in ("/", "/app.js", "/style.css", "/favicon.svg", "/no-such-page", "/healthz"):
            status, headers, _ = fetch(HUB + path)
            self.assertIn(status, (200, 404), path)
            policy = headers.get("Content-Security-Policy", "")
            self.assertIn("default-src 'none'", policy, path)
            self.assertIn("script-src 'self'", policy, path)
            self.assertIn("connect-src 'self'", policy, path)
            self.assertIn(f"frame-ancestors 'self' {EMBED_ORIGIN}".rstrip(), policy, path)
            self.assertNotIn("unsafe-inline", policy)
            self.assertEqual(headers.get("X-Content-Type-Options"), "nosniff", path)
            self.assertEqual(headers.get("Referrer-Policy"), "no-referrer", path)
        if CLOSED_HUB:
            # Without --embed-origin only the hub itself may frame the page.
            _, headers, _ = fetch(CLOSED_HUB + "/")
            self.assertTrue(headers.get("Content-Security-Policy", "").endswith("frame-ancestors 'self'"))

    def test_page_is_small_and_self_contained(self):
        total = 0
        for path, kind in (("/", "text/html"), ("/app.js", "text/javascript"), ("/style.css", "text/css"),
                           ("/favicon.svg", "image/svg+xml")):
            status, headers, body = fetch(HUB + path)
            self.assertEqual(status, 200, path)
            self.assertTrue(headers.get("Content-Type", "").startswith(kind), path)
            total += len(body)
            text = body.decode()
            for external in ("http://", "https://", "//fonts", "@import"):
                if path == "/favicon.svg" and external == "http://":
                    continue  # the SVG namespace, not a fetch
                self.assertNotIn(external, text, f"{path} refers to something outside the hub")
            self.assertNotIn("innerHTML", text, path)
        self.assertLessEqual(total, 50 * 1024)
        print(f"\npage size: {total} bytes", file=sys.stderr)

    def test_websocket_origin_check(self):
        parsed = urllib.parse.urlparse(HUB)
        self.assertEqual(upgrade_status(HUB, None), 101, "non-browser clients send no Origin")
        self.assertEqual(upgrade_status(HUB, f"ws://{parsed.hostname}"), 101, "the Swift client's own origin")
        self.assertEqual(upgrade_status(HUB, f"http://{parsed.netloc}"), 101)
        if EMBED_ORIGIN:
            self.assertEqual(upgrade_status(HUB, EMBED_ORIGIN), 101)
        self.assertEqual(upgrade_status(HUB, "https://evil.example"), 403)
        self.assertEqual(upgrade_status(HUB, f"http://{parsed.hostname}:1"), 403)
        self.assertEqual(upgrade_status(HUB, "null"), 403)


if __name__ == "__main__":
    # No default hub address: the hub under test is started on a port it picked, never a fixed one.
    missing = [name for name, value in (("LOKET_HUB_URL", HUB), ("LOKET_OFFICER_USER", OFFICER_USER),
                                        ("LOKET_OFFICER_PASSWORD", OFFICER_PASSWORD)) if not value]
    if missing:
        sys.exit(f"set {', '.join(missing)} (see the module docstring)")
    unittest.main(verbosity=2)
