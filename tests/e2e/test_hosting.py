"""In a real browser, through nginx and two replicas (python -m core.serve): the page's websocket passes nginx
(Origin, Host, upgrade), a slider press rewrites the link, and that link opens on the other replica."""

import re

import pytest

from tests.e2e.helpers import probe_slider, query, wait_for_probe
from tests.hosting.conftest import need
from tests.hosting.served import serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    need("nginx", "redis-server")
    with serving(replicas=2, run_dir=tmp_path_factory.mktemp("serve")) as running:
        yield running


def test_a_slider_moves_through_nginx_and_the_link_opens_on_the_other_replica(cluster, browser, artifacts):
    cookies = cluster.sticky_cookies()
    assert cookies, "nginx sent every session to one replica"
    host = cluster.url.removeprefix("http://").split(":")[0]
    links = []
    for cookie in cookies:  # a tab pinned to each replica by its cookie, as nginx would have pinned it
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        ctx.add_cookies([{"name": "dlp_replica", "value": cookie, "domain": host, "path": "/"}])
        page = ctx.new_page()
        page.goto(links[-1] if links else f"{cluster.url}/activations?x0=1.5&steps=100&d_steps=100")
        if not links:  # the first tab: its websocket goes through nginx (Origin, Host, upgrade)
            wait_for_probe(page, 1.5, timeout=120_000)
            probe_slider(page).focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_url(re.compile(r"x0=1\.6"), timeout=60_000)
            links.append(page.url)
        wait_for_probe(page, 1.6, timeout=120_000)  # the second tab: the shared link, on the other replica
        assert query(page.url)["x0"] == "1.6"
        assert "Traceback" not in page.inner_text("body")
        page.screenshot(path=str(artifacts / f"hosting-replica-{len(links)}-{cookies.index(cookie)}.png"))
        ctx.close()
