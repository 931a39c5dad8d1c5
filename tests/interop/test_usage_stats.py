"""Usage statistics through a real plenum: a meeting of three on one town's host name is counted
in the SQLite file of --usage-db, survives a restart, and is shown on /admin/stats (HTML with SVG
charts) and /admin/stats.csv only to the town's admins; neither the database nor the CSV holds a
room name, a display name or an address."""
import asyncio
import csv
import http.client
import io
import os

from helpers import run
from plenum_client import PlenumClient

ADMIN = "admin-token-of-bruchsal-0123456789abcdef"
ROOM = "geheimer-kulturausschuss-7731"
NAMES = ["Zelda Quintessenz", "Yorick Wunderlich", "Xaver Oberholzer"]


def config(tmp_path, threshold):
    admin = tmp_path / "admin.token"
    admin.write_text(ADMIN + "\n")
    os.chmod(admin, 0o600)
    conf = tmp_path / "stats.conf"
    conf.write_text(f"usage-db = {tmp_path / 'usage.sqlite'}\nusage-threshold = {threshold}\n\n"
                    f"[tenant bruchsal]\nhosts = brusl.test\nname = Brusl babbld\nlanguage = de\n"
                    f"admin-token-file = {admin}\n")
    return ["--config", str(conf)]


def get(server, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", path, headers={"Host": f"brusl.test:{server.port}", **(headers or {})})
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    return r.status, hdrs, body


def test_a_meeting_is_counted_kept_and_shown_to_admins_only(start_server, tmp_path):
    server = start_server(args=config(tmp_path, 0))

    async def meeting():
        cs = [PlenumClient(f"ws://brusl.test:{server.port}/ws", n, audio=False, video=False, connect_host="127.0.0.1")
              for n in NAMES]
        try:
            for c in cs:
                await c.connect()
                await c.hello()
                await c.request("join", {"room": ROOM, "name": c.name, "camera": c is cs[0]})
            await cs[0].wait_for(lambda: len([e for e in cs[0].events if e[1] == "participant_joined"]) >= 2, 10,
                                 "two others")
            await asyncio.sleep(2.5)
            for c in cs:
                await c.call("leave")
        finally:
            for c in cs:
                await c.close()
    run(meeting(), 60)
    assert server.stop() == []

    db = (tmp_path / "usage.sqlite").read_bytes()
    for secret in [ROOM.encode(), b"127.0.0.1", b"brusl.test"] + [n.encode() for n in NAMES] + [n.split()[0].encode() for n in NAMES]:
        assert secret not in db, f"{secret!r} found in the statistics database"

    # a new process on the same file: the day is still there
    again = start_server(args=config(tmp_path, 0))
    status, hdrs, body = get(again, "/admin/stats.csv?days=7", {"Authorization": "Bearer " + ADMIN})
    assert status == 200 and hdrs["content-type"].startswith("text/csv"), (status, body)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 7, body
    today = rows[-1]
    assert today["meetings"] == "1" and today["peak_participants"] == "3", today
    assert today["camera_on"] == "1" and today["camera_off"] == "2", today
    assert sum(int(r["meetings"]) for r in rows) == 1
    for secret in [ROOM, "127.0.0.1"] + NAMES:
        assert secret not in body
    # admins only
    assert get(again, "/admin/stats")[0] == 401
    assert get(again, "/admin/stats", {"Authorization": "Bearer wrong-token-wrong-token-wrong-token!"})[0] == 403
    status, hdrs, _ = get(again, f"/admin/stats?token={ADMIN}&days=14")
    assert status == 303 and hdrs["location"] == "/admin/stats?days=14", hdrs
    cookie = hdrs["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    status, hdrs, page = get(again, "/admin/stats?days=14", {"Cookie": cookie.split(";")[0]})
    assert status == 200 and hdrs["content-type"].startswith("text/html"), (status, page[:200])
    assert "<svg" in page and "Brusl babbld" in page and "/admin/stats.csv?days=14" in page
    assert "<script" not in page
    assert ADMIN not in again.log_text()
    # and with the default threshold small counts are not shown as such
    assert again.stop() == []
    third = start_server(args=config(tmp_path, 5))
    body = get(third, "/admin/stats.csv?days=1", {"Authorization": "Bearer " + ADMIN})[2]
    today = list(csv.DictReader(io.StringIO(body)))[-1]
    assert today["meetings"] == "< 5" and today["peak_participants"] == "< 5", today
    # guessing admin tokens: 20 refusals a minute for the whole server, then 429 (the admin still gets in)
    codes = [get(third, "/admin/stats.csv", {"Authorization": f"Bearer guess-{i:040d}"})[0] for i in range(25)]
    assert codes[:20] == [403] * 20 and codes[20:] == [429] * 5, codes
    assert get(third, "/admin/stats.csv", {"Authorization": "Bearer " + ADMIN})[0] == 200
    assert third.log_text().count("without a valid admin token was refused") < 10
