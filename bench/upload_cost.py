"""What an upload costs the server: peak RSS above the idle process and CPU seconds of `images.load_upload`,
for the largest legal PNG and JPEG (MAX_UPLOAD_PIXELS, flat colour: a few hundred kB on the wire) and a
decompression bomb just over the cap (refused from its header).

    python bench/upload_cost.py

Each case runs in a fresh process (peak RSS is per process); the figure is that process's peak minus its
peak just before the call (torch, PIL and the app's modules already imported).
"""

from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from core import images
data = open({path!r}, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cpu = time.process_time()
try:
    up = images.load_upload(data, 512); what = "decoded to " + "x".join(map(str, up.image.shape))
except images.UploadError as err:
    what = "refused: " + err.code
cpu = time.process_time() - cpu
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{{(after - before) / 1024:.0f}}|{{cpu:.2f}}|{{what}}")
"""


def make(path: Path, side: int, fmt: str) -> int:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (side, side), (120, 30, 200)).save(buf, fmt)
    path.write_bytes(buf.getvalue())
    return len(buf.getvalue())


def main() -> None:
    from core import images

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    side = math.isqrt(images.MAX_UPLOAD_PIXELS)
    cases = [
        (f"PNG {side}² (largest legal)", side, "PNG"),
        (f"JPEG {side}² (largest legal)", side, "JPEG"),
        (f"PNG {side + 1}² (over the cap)", side + 1, "PNG"),
    ]
    print(f"{'upload':32s} {'bytes':>9s} {'+RSS MB':>8s} {'CPU s':>6s}  result")
    for name, s, fmt in cases:
        path = out / f"upload_{s}.{fmt.lower()}"
        size = make(path, s, fmt)
        line = (
            subprocess.run(
                [sys.executable, "-c", CHILD.format(root=str(ROOT), path=str(path))],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        mb, cpu, what = line.split("|")
        print(f"{name:32s} {size:9,d} {mb:>8s} {cpu:>6s}  {what}")


if __name__ == "__main__":
    main()
