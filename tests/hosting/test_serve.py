"""The launcher's parts without starting anything: the nginx config it renders (and compose's), the upload
limit it carries, its arguments, and what the container and CI files promise."""

from __future__ import annotations

import math
import re

import pytest
import yaml

from core import images, serve
from core.gan import targets
from tests.conftest import ROOT
from tests.hosting.conftest import need

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_render_fills_our_placeholders_and_leaves_nginx_variables_alone():
    out = serve.render("listen ${DLP_LISTEN}; set $x $http_upgrade;", {"DLP_LISTEN": "80"})
    assert out == "listen 80; set $x $http_upgrade;"
    with pytest.raises(KeyError, match="DLP_UPSTREAMS"):
        serve.render("${DLP_UPSTREAMS}", {})


def test_the_site_config_balances_sticky_upgrades_websockets_and_caps_the_body():
    site = serve.site_conf("127.0.0.1:8080", ["127.0.0.1:9001", "127.0.0.1:9002"], upload_mb=8)
    assert "listen 127.0.0.1:8080;" in site and "client_max_body_size 9m;" in site
    assert re.findall(r"server (127\.0\.0\.1:900\d) max_fails=1", site) == ["127.0.0.1:9001", "127.0.0.1:9002"]
    assert "hash $dlp_sticky consistent;" in site and "dlp_replica=$request_id" in site
    stream = site[site.index("location /_stcore/stream") :].split("}")[0]
    assert "proxy_read_timeout 1h" in stream
    assert "proxy_set_header Upgrade $http_upgrade;" in site and "proxy_set_header Host $http_host;" in site


def test_the_upload_limit_is_what_the_pages_accept():
    limit = serve.max_upload_mb()
    assert limit == math.ceil(images.MAX_UPLOAD_BYTES / 2**20)  # the largest upload a page takes: a photo
    assert targets.MAX_UPLOAD_BYTES <= limit * 2**20  # the GAN points CSV fits too
    assert f"client_max_body_size {limit + serve.MULTIPART_SLACK_MB}m;" in serve.site_conf("80", ["127.0.0.1:1"])


def test_compose_renders_the_same_template_with_the_same_limit():
    nginx, app = COMPOSE["services"]["nginx"], COMPOSE["services"]["app"]
    assert "./deploy/nginx.conf.template:/etc/nginx/templates/default.conf.template:ro" in nginx["volumes"]
    env = nginx["environment"]
    assert env["DLP_MAX_BODY"] == f"{serve.max_upload_mb() + serve.MULTIPART_SLACK_MB}m"
    assert app["environment"]["DLP_REDIS_URL"].startswith("redis://redis:")
    assert "allkeys-lru" in COMPOSE["services"]["redis"]["command"]
    site = serve.render(serve.TEMPLATE.read_text(), {k: v for k, v in env.items() if k.startswith("DLP_")})
    assert "server app:8501" in site


@pytest.mark.parametrize("replicas", [1, 3])
def test_nginx_accepts_the_rendered_config(replicas):
    need("nginx")
    assert serve.main(["--check", "--replicas", str(replicas), "--port", "18999"]) == 0
    env = COMPOSE["services"]["nginx"]["environment"]
    site = serve.render(serve.TEMPLATE.read_text(), {k: v for k, v in env.items() if k.startswith("DLP_")})
    done = serve.nginx_test(site.replace("app:8501", "127.0.0.1:8501").replace("listen 80;", "listen 18998;"))
    assert done.returncode == 0, done.stderr


def test_arguments_and_their_environment(monkeypatch):
    monkeypatch.delenv("DLP_REPLICAS", raising=False)
    assert serve.parse([]).replicas >= 1 and serve.parse([]).port == 8080
    monkeypatch.setenv("DLP_REPLICAS", "3")
    monkeypatch.setenv("DLP_PORT", "9000")
    args = serve.parse([])
    assert (args.replicas, args.port, args.host) == (3, 9000, "0.0.0.0")
    with pytest.raises(SystemExit):
        serve.parse(["--replicas", "0"])


def test_the_image_installs_cpu_torch_before_the_requirements_and_runs_unprivileged():
    lines = [ln.strip() for ln in (ROOT / "Dockerfile").read_text().splitlines()]
    torch = next(i for i, ln in enumerate(lines) if ln.startswith("RUN pip install torch --index-url"))
    reqs = next(i for i, ln in enumerate(lines) if ln.startswith("RUN pip install -r requirements.txt"))
    assert torch < reqs and "ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu" in lines
    assert any(ln.startswith("USER ") and ln != "USER root" for ln in lines)


def test_ci_installs_the_services_and_requires_their_tests():
    ci = (ROOT / ".ci/run").read_text()
    assert re.search(r"(apt-get install|apt_install)[^\n]*\bnginx\b[^\n]*\bredis-server\b", ci)
    assert "export DLP_REQUIRE_SERVICES=1" in ci
    assert any(ln.startswith("redis") for ln in (ROOT / "requirements.txt").read_text().splitlines())
