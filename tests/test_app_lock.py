"""Issue #24 defect 1: `kpa app` answers only the analyst who started it.

Before: no token and any Host header. A script (or a DNS-rebinding page in the analyst's own
browser) sent ``Host: evil.example`` with a matching Origin, opened the kernel's websocket and
drove the form. Here both attacks are run against a real `kpa app`, and each is refused, while
the same request with the printed token and Host 127.0.0.1 is served (so the refusal is the
lock, not a broken server).
"""

from __future__ import annotations

import http.client
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from voila_face import kpa_face

websocket = pytest.importorskip("websocket")

pytestmark = pytest.mark.notebook  # starts Voila and its kernel


def get(port: int, path: str, host: str, origin: str | None = None,
        cookie: str | None = None) -> tuple[int, str, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Host": host}
    if origin:
        headers["Origin"] = origin
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", errors="replace")
        return resp.status, body, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def ws_status(port: int, kernel_id: str, host: str, origin: str, query: str = "") -> int:
    """HTTP status of a websocket upgrade to the kernel's channels (101 = connected)."""
    url = f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels{query}"
    try:
        ws = websocket.create_connection(url, host=host, origin=origin, timeout=60)
    except websocket.WebSocketBadStatusException as exc:
        return exc.status_code
    ws.close()
    return 101


def test_kpa_app_refuses_no_token_and_a_foreign_host(tmp_path: Path) -> None:
    with kpa_face(tmp_path, "app", "--year=2013", "--unit=arts") as url:
        parsed = urlparse(url)
        port = parsed.port
        token = parse_qs(parsed.query).get("token", [""])[0]
        assert len(token) >= 32, f"kpa app printed no token in its URL: {url}"
        local = f"127.0.0.1:{port}"

        # attack 1: no token → the page is not served (login redirect or 403)
        status, body, headers = get(port, "/", local)
        assert status in (302, 403), (status, body[:300])
        assert "kernelId" not in body

        # attack 2: DNS rebinding — foreign Host with a matching Origin, even with the token
        status, body, _ = get(port, f"/?token={token}", f"evil.example:{port}",
                              origin=f"http://evil.example:{port}")
        assert status == 403, (status, body[:300])

        # the analyst: token and loopback Host → the page and its kernel
        status, body, _ = get(port, f"/?token={token}", local)
        assert status == 200, (status, body[:300])
        kernel_id = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', body).group(1)

        # the kernel websocket: without the token, and with a foreign Host, refused
        assert ws_status(port, kernel_id, local, f"http://{local}") == 403
        assert ws_status(port, kernel_id, f"evil.example:{port}",
                         f"http://evil.example:{port}", f"?token={token}") == 403
        # with the token and Host 127.0.0.1 it connects: the lock, not a broken server
        assert ws_status(port, kernel_id, local, f"http://{local}", f"?token={token}") == 101

        # the token never appears on a command line another local user can read
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                assert token not in cmdline.read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
