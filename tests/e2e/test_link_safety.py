"""In a real browser: a crafted link's content is shown as text — no link, image, heading or math from it
appears in the page, and no request leaves for the address it names (issue 20's payloads)."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

ALERT = '[data-testid="stAlert"]'
PAYLOADS = [  # as typed in the address bar (already URL-encoded), and a piece of it the warning shows as text
    ("/pooling?[Log%20in%20again](https://evil.example/login)=1", "evil.example"),
    (
        "/activations?act=x%0A%0A%23%20Your%20session%20has%20expired%0A%0A%23%23%20[Click%20here](https://evil.example/login)",
        "# Your session",  # on one line, cut short
    ),
    ("/pooling?k=%60%20![t](http://127.0.0.1:9/pixel.png)%20%60", "pixel.png"),
    ("/pooling?op=%24%5Crule%7B3000px%7D%7B3000px%7D%24", "rule{3000px}"),
    ("/?lang=**X**", "**X**"),
]


@pytest.mark.parametrize("path,needle", PAYLOADS)
def test_the_payload_is_shown_as_text(server, browser, path, needle):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + path)
    alert = page.locator(ALERT).first
    alert.wait_for(timeout=60_000)
    assert alert.locator("a, img, h1, h2, h3, .katex, strong, em").count() == 0
    assert page.locator('a[href*="evil.example"], img[src*="pixel.png"]').count() == 0
    box = alert.bounding_box()
    assert box and box["height"] < 400  # no 3000-px block inside the warning
    assert not [u for u in requests if urlsplit(u).netloc in ("127.0.0.1:9", "evil.example")]
    assert needle in alert.inner_text()  # shown, as text
    ctx.close()
