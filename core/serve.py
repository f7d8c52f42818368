"""Host a class on one box: N Streamlit replicas behind nginx, one Redis for the finished runs.

    python -m core.serve [--replicas N] [--port 8080] [--host 0.0.0.0]      # Ctrl-C stops everything

    browsers ──> nginx :8080 ──(sticky cookie, websocket upgrade)──> replica i: streamlit on 127.0.0.1:P_i
                                                                       └─ finished runs ──> redis on 127.0.0.1:R

One Streamlit process is one Python interpreter: N of them (default: one per core) use N cores. A
session lives in one replica, so nginx keeps each browser on one (a cookie it sets, hashed); a run
finished in any replica is stored in Redis (core/store.py) and replays at once in all of them. Runs *in
progress* stay in the replica that trains them. The launcher gives every replica the same store secret and
cookie secret, DLP_COMPUTE_SLOTS = cores / replicas (so N replicas do not train N × cores runs at once), and
restarts a replica that exits. The nginx config is deploy/nginx.conf.template (also used by compose.yaml),
rendered into the run directory with the port list and the app's upload limit; nginx and redis-server run
as children of this process (not the system services), and stop with it: SIGINT/SIGTERM → nginx stops
accepting, the replicas stop, Redis stops.

Environment: DLP_REPLICAS, DLP_HOST, DLP_PORT, DLP_REDIS_URL (use that Redis instead of starting one),
DLP_REDIS_MAXMEMORY_MB, and everything a replica reads (core/store.py, core/device.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
UPSTREAM = "server {addr} max_fails=1 fail_timeout=10s;"
MULTIPART_SLACK_MB = 1  # Streamlit accepts maxUploadSize + 1 MB of request body (multipart framing)
RESTART_S = 10.0  # a dead replica is started again at most this often

MAIN_CONF = """# Written by core/serve.py for one run; the site part is deploy/nginx.conf.template.
{user}worker_processes auto;
worker_shutdown_timeout 5s;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log {dir}/nginx-access.log;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    default_type application/octet-stream;
    keepalive_timeout 65;
    include {dir}/site.conf;
}}
"""


def max_upload_mb(config: Path = ROOT / ".streamlit" / "config.toml") -> int:
    """The app's upload limit in MB: server.maxUploadSize (Streamlit's default is 200)."""
    with open(config, "rb") as fh:
        return int(tomllib.load(fh).get("server", {}).get("maxUploadSize", 200))


def render(template: str, values: dict[str, str]) -> str:
    """Replace ${DLP_NAME} placeholders (nginx's own $variables are left alone); every one must be given."""
    out = re.sub(r"\$\{(DLP_[A-Z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
    missing = sorted(set(re.findall(r"\$\{(DLP_[A-Z_]+)\}", out)))
    if missing:
        raise KeyError(f"no value for {', '.join(missing)} in {TEMPLATE.name}")
    return out


def site_conf(listen: str, replica_addrs: list[str], upload_mb: int | None = None) -> str:
    upload_mb = max_upload_mb() if upload_mb is None else upload_mb
    upstreams = "\n    ".join(UPSTREAM.format(addr=a) for a in replica_addrs)
    values = {"DLP_LISTEN": listen, "DLP_UPSTREAMS": upstreams, "DLP_MAX_BODY": f"{upload_mb + MULTIPART_SLACK_MB}m"}
    return render(TEMPLATE.read_text(), values)


def write_nginx_conf(run_dir: Path, site: str) -> Path:
    """nginx.conf + site.conf (the rendered template) in run_dir; temp dirs owned by the worker user when
    started as root."""
    user = ""
    tmp = run_dir / "tmp"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # nginx's workers drop to nobody: they must reach the temp dirs
        import grp
        import pwd

        nobody = pwd.getpwnam("nobody")
        user = f"user nobody {grp.getgrgid(nobody.pw_gid).gr_name};\n"
        run_dir.chmod(0o755)
        for path in [tmp, *tmp.iterdir()]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    (run_dir / "site.conf").write_text(site)
    conf = run_dir / "nginx.conf"
    conf.write_text(MAIN_CONF.format(user=user, dir=run_dir))
    return conf


def nginx_argv(run_dir: Path, conf: Path) -> list[str]:
    """nginx as a child of this process: its prefix, error log and config in run_dir (not /etc, /var)."""
    return [find_binary("nginx"), "-p", str(run_dir), "-e", str(run_dir / "nginx-error.log"), "-c", str(conf)]


def nginx_test(site: str) -> subprocess.CompletedProcess:
    """`nginx -t` on a rendered site config (in a temporary run dir)."""
    with tempfile.TemporaryDirectory(prefix="dlp-nginx-") as tmp:
        conf = write_nginx_conf(Path(tmp), site)
        return subprocess.run([*nginx_argv(Path(tmp), conf), "-t"], capture_output=True, text=True)


def find_binary(name: str) -> str:
    """A system binary, also where a normal user's PATH lacks sbin (Debian puts nginx in /usr/sbin)."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/sbin"])
    found = shutil.which(name, path=path)
    if not found:
        raise SystemExit(f"{name} not found: apt-get install -y nginx redis-server (or see deploy/README.md)")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def die_with_parent() -> None:
    """In the child: a session of its own (a terminal's Ctrl-C reaches only the launcher, which stops the
    children in order) and SIGTERM when the launcher dies, so nothing outlives it."""
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Service:
    """One child process, its log file, and how to stop it gracefully."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict | None = None, stop_signal=signal.SIGTERM):
        self.name, self.argv, self.log, self.env, self.stop_signal = name, argv, log, env, stop_signal
        self.proc: subprocess.Popen | None = None
        self.restarts, self.started_at = 0, 0.0

    def start(self) -> Service:
        self.started_at = time.monotonic()
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, **(self.env or {})}, preexec_fn=die_with_parent,
            )  # fmt: skip
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if not self.alive():
            return
        self.proc.send_signal(self.stop_signal)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def wait_until(check, service: Service, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.alive():
            tail = service.log.read_text(errors="replace")[-2000:] if service.log.exists() else ""
            raise RuntimeError(f"{service.name} exited while starting ({what}); log {service.log}:\n{tail}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{service.name} did not become ready ({what}) within {timeout:.0f} s; log {service.log}")


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=3) as resp:
        return resp.status == 200


def redis_pong(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")


def redis_service(run_dir: Path, port: int, maxmemory_mb: int) -> Service:
    """A cache-only Redis on loopback: no persistence, LRU eviction over `maxmemory_mb`."""
    argv = [find_binary("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--protected-mode", "yes"]
    argv += ["--save", "", "--appendonly", "no", "--dir", str(run_dir)]
    argv += ["--maxmemory", f"{maxmemory_mb}mb", "--maxmemory-policy", "allkeys-lru"]
    return Service("redis", argv, run_dir / "redis.log")


def replica_service(run_dir: Path, i: int, port: int, env: dict) -> Service:
    argv = [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py")]
    argv += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    argv += ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    return Service(f"replica {i}", argv, run_dir / f"replica-{i}.log", env=env)


class Cluster:
    """Redis (unless DLP_REDIS_URL is given), the replicas and nginx; started in order, stopped in reverse."""

    def __init__(self, args: argparse.Namespace, run_dir: Path):
        self.args, self.dir = args, run_dir
        self.redis: Service | None = None
        self.replicas: list[Service] = []
        self.ports: list[int] = []
        self.nginx: Service | None = None
        self.url = ""

    def replica_env(self, i: int, redis_url: str) -> dict:
        cores, n = os.cpu_count() or 1, self.args.replicas
        env = {
            "DLP_REDIS_URL": redis_url,
            "DLP_STORE_KEY": os.environ.get("DLP_STORE_KEY") or self.store_key,
            "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or self.cookie_secret,
            "DLP_COMPUTE_SLOTS": os.environ.get("DLP_COMPUTE_SLOTS") or str(max(1, cores // n)),
        }
        if self.args.timing_logs:
            env["DLP_TIMING_LOG"] = str(self.dir / f"replica-{i}.timing")
        return env

    def start(self) -> None:
        self.store_key, self.cookie_secret = secrets.token_hex(16), secrets.token_hex(16)
        redis_url = os.environ.get("DLP_REDIS_URL", "")
        if not redis_url:
            port = free_port()
            self.redis = redis_service(self.dir, port, self.args.redis_maxmemory_mb).start()
            wait_until(lambda: redis_pong(port), self.redis, "PING", 30)
            redis_url = f"redis://127.0.0.1:{port}/0"
        self.redis_url = redis_url
        self.ports = [free_port() for _ in range(self.args.replicas)]
        self.replicas = [
            replica_service(self.dir, i, p, self.replica_env(i, redis_url)).start() for i, p in enumerate(self.ports)
        ]
        for svc, port in zip(self.replicas, self.ports):
            wait_until(lambda p=port: http_ok(f"http://127.0.0.1:{p}/_stcore/health"), svc, "health", 180)
        listen = f"{self.args.host}:{self.args.port}" if self.args.host else str(self.args.port)
        conf = write_nginx_conf(self.dir, site_conf(listen, [f"127.0.0.1:{p}" for p in self.ports]))
        argv, log = nginx_argv(self.dir, conf), self.dir / "nginx.log"
        self.nginx = Service("nginx", argv, log, stop_signal=signal.SIGQUIT).start()  # SIGQUIT: graceful
        local = "127.0.0.1" if self.args.host in ("", "0.0.0.0", "::") else self.args.host
        wait_until(lambda: http_ok(f"http://{local}:{self.args.port}/_stcore/health"), self.nginx, "health", 30)
        self.url = f"http://{local}:{self.args.port}/"
        self.write_state()

    def write_state(self) -> None:
        state = {
            "url": self.url,
            "redis_url": self.redis_url,
            "redis_pid": self.redis.proc.pid if self.redis else None,
            "nginx_pid": self.nginx.proc.pid if self.nginx else None,
            "replicas": [
                {"port": p, "pid": s.proc.pid, "log": str(s.log), "restarts": s.restarts}
                for p, s in zip(self.ports, self.replicas)
            ],
        }
        tmp = self.dir / "serve.json.tmp"
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(self.dir / "serve.json")  # readers never see half a file

    def supervise(self) -> None:
        """Restart a replica that exited (a crash, the OOM killer); its sessions reconnect to another one.
        At most one start per RESTART_S, so a replica that cannot start does not spin."""
        for i, svc in enumerate(self.replicas):
            if not svc.alive() and time.monotonic() - svc.started_at > RESTART_S:
                svc.restarts += 1
                print(f"replica {i} exited (code {svc.proc.returncode}); restarting", file=sys.stderr, flush=True)
                svc.start()
                self.write_state()
        for svc in (self.nginx, self.redis):
            if svc is not None and not svc.alive():
                raise RuntimeError(f"{svc.name} exited (code {svc.proc.returncode}); see {svc.log}")

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop(timeout=8)
        for svc in self.replicas:  # SIGTERM to all first: they shut down in parallel
            if svc.alive():
                svc.proc.send_signal(signal.SIGTERM)
        for svc in self.replicas:
            svc.stop(timeout=15)
        if self.redis:
            self.redis.stop(timeout=5)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ
    ap = argparse.ArgumentParser(prog="python -m core.serve", description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=int(env.get("DLP_REPLICAS", 0)) or os.cpu_count() or 1)
    ap.add_argument("--host", default=env.get("DLP_HOST", "0.0.0.0"), help="address nginx listens on")
    ap.add_argument("--port", type=int, default=int(env.get("DLP_PORT", 8080)))
    ap.add_argument("--redis-maxmemory-mb", type=int, default=int(env.get("DLP_REDIS_MAXMEMORY_MB", 256)))
    ap.add_argument("--run-dir", type=Path, help="where configs and logs go (default: a new temporary folder)")
    ap.add_argument("--timing-logs", action="store_true", help="each replica writes DLP_TIMING_LOG (bench/tests)")
    ap.add_argument("--check", action="store_true", help="render the nginx config, run `nginx -t` on it, exit")
    args = ap.parse_args(argv)
    if not 1 <= args.replicas <= 64:
        ap.error("--replicas must be between 1 and 64")
    return args


def check(args: argparse.Namespace) -> int:
    site = site_conf(str(args.port), [f"127.0.0.1:{8600 + i}" for i in range(args.replicas)])
    done = nginx_test(site)
    print(done.stderr.strip())
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.check:
        return check(args)
    try:
        import redis  # noqa: F401  - the replicas need the client for DLP_REDIS_URL
    except ImportError:
        raise SystemExit("the redis package is missing: pip install -r requirements.txt") from None
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="dlp-serve-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    cluster = Cluster(args, run_dir)
    try:
        cluster.start()  # Ctrl-C while starting: KeyboardInterrupt, then the same orderly stop
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        print(f"ready {cluster.url}", flush=True)
        print(f"DL Playground for a class: {args.replicas} replica(s) behind nginx at {cluster.url}", flush=True)
        if args.host in ("", "0.0.0.0", "::"):
            print(f"  students open http://{socket.getfqdn()}:{args.port}/ (or this machine's address)", flush=True)
        print(f"  finished runs in {cluster.redis_url}; configs and logs in {run_dir}; Ctrl-C stops", flush=True)
        while not stop.wait(1.0):
            cluster.supervise()
    except RuntimeError as err:
        print(f"core.serve: {err}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        cluster.stop()
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
