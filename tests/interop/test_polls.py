"""Polls over real WebSockets against a real plenum: open and secret, single and multiple choice, one
vote per participant, tallies for hosts (and for everyone once shown), late joiners, who may create,
limits and rate limits. Signaling-only clients (no media)."""
import asyncio
import time

from helpers import clients, run

QUIET = dict(audio=False, video=False)


async def error_code(c, method, params=None):
    reply = await c.call(method, params)
    assert "error" in reply, f"{method}: expected an error, got {reply}"
    return reply["error"]["code"]


async def enter(room, *cs):
    for c in cs:
        await c.hello()
        await c.join(room)


def last_poll(c, poll_id, since=0.0):
    found = [d for t, ev, d in c.events if ev == "poll" and d["poll_id"] == poll_id and t >= since]
    return found[-1] if found else None


async def poll_where(c, poll_id, pred, timeout=5.0):
    """Waits until the latest `poll` event of poll_id satisfies pred; returns it."""
    def check():
        p = last_poll(c, poll_id)
        return p if p is not None and pred(p) else None
    return await c.wait_for(check, timeout, f"poll {poll_id} state")


def test_open_single_choice(server):
    async def body():
        async with clients(server, "Host", "Anna", "Bert", **QUIET) as (h, a, b):
            await enter("poll-open", h, a, b)
            res = await h.request("poll_create", {"question": "Mittag um 12?", "answers": ["Ja", "Nein"],
                                                  "multiple": False, "secret": False})
            pid = res["poll_id"]
            assert isinstance(pid, int) and pid > 0
            for c in (h, a, b):
                p = await poll_where(c, pid, lambda p: p["state"] == "running")
                assert p["question"] == "Mittag um 12?" and p["answers"] == ["Ja", "Nein"]
                assert p["secret"] is False and p["multiple"] is False and p["by"] == "Host"
                assert p["your_vote"] == {"voted": False} and p["voters"] == 0
            # tallies only for hosts while running
            assert last_poll(h, pid)["tallies"] == [0, 0]
            assert "tallies" not in last_poll(a, pid) and "votes" not in last_poll(a, pid)

            await a.request("poll_vote", {"poll_id": pid, "choices": [0]})
            await b.request("poll_vote", {"poll_id": pid, "choices": [1]})
            assert await error_code(a, "poll_vote", {"poll_id": pid, "choices": [1]}) == "already_voted"
            p = await poll_where(a, pid, lambda p: p["your_vote"]["voted"])
            assert p["your_vote"] == {"voted": True, "choices": [0]} and "tallies" not in p
            # the hosts: tallies and who chose what (after at most the pace of ~2/s)
            p = await poll_where(h, pid, lambda p: p["voters"] == 2)
            assert p["tallies"] == [1, 1]
            votes = sorted((v["name"], v["choices"]) for v in p["votes"])
            assert votes == [("Anna", [0]), ("Bert", [1])]

            await h.request("poll_close", {"poll_id": pid})
            assert await error_code(h, "poll_close", {"poll_id": pid}) == "poll_closed"
            p = await poll_where(b, pid, lambda p: p["state"] == "closed")
            assert "tallies" not in p   # closed is not shown
            assert await error_code(h, "poll_vote", {"poll_id": pid, "choices": [0]}) == "poll_closed"
            await h.request("poll_show_results", {"poll_id": pid})
            p = await poll_where(b, pid, lambda p: p["results_shown"])
            assert p["tallies"] == [1, 1] and "votes" not in p
    run(body(), 40)


def test_secret_multiple_choice(server):
    async def body():
        async with clients(server, "Host", "Anna", "Bert", "Cora", **QUIET) as (h, a, b, c):
            await enter("poll-secret", h, a, b, c)
            res = await h.request("poll_create", {"question": "Welche Tage?", "answers": ["Mo", "Di", "Mi"],
                                                  "multiple": True, "secret": True})
            pid = res["poll_id"]
            await a.request("poll_vote", {"poll_id": pid, "choices": [0, 2]})
            await b.request("poll_vote", {"poll_id": pid, "choices": [2]})
            await c.request("poll_vote", {"poll_id": pid, "choices": [0, 1, 2]})
            assert await error_code(b, "poll_vote", {"poll_id": pid, "choices": [0]}) == "already_voted"
            # a duplicate index, an index out of range, none: bad_request
            for bad in ([1, 1], [3], [], "0", [-1]):
                assert await error_code(h, "poll_vote", {"poll_id": pid, "choices": bad}) == "bad_request", bad
            p = await poll_where(a, pid, lambda p: p["your_vote"]["voted"])
            assert p["your_vote"] == {"voted": True}   # a secret poll does not say what
            p = await poll_where(h, pid, lambda p: p["voters"] == 3)
            assert p["tallies"] == [2, 1, 3] and "votes" not in p and p["secret"] is True
            await h.request("poll_show_results", {"poll_id": pid})
            for x in (a, b, c):
                p = await poll_where(x, pid, lambda p: p["results_shown"])
                assert p["tallies"] == [2, 1, 3] and "votes" not in p and p["state"] == "running"
            # shown while running: everyone follows the tallies
            await h.request("poll_vote", {"poll_id": pid, "choices": [1]})
            await poll_where(a, pid, lambda p: p["tallies"] == [2, 2, 3])
    run(body(), 40)


def test_single_choice_takes_one_answer(server):
    async def body():
        async with clients(server, "Host", "Anna", **QUIET) as (h, a):
            await enter("poll-single", h, a)
            pid = (await h.request("poll_create", {"question": "Q", "answers": ["a", "b", "c"]}))["poll_id"]
            assert await error_code(a, "poll_vote", {"poll_id": pid, "choices": [0, 1]}) == "bad_request"
            assert await error_code(a, "poll_vote", {"poll_id": 9999, "choices": [0]}) == "not_found"
            await a.request("poll_vote", {"poll_id": pid, "choices": [2]})
            p = await poll_where(h, pid, lambda p: p["voters"] == 1)
            assert p["tallies"] == [0, 0, 1]
    run(body(), 30)


def test_late_joiner_sees_running_poll(server):
    async def body():
        async with clients(server, "Host", "Anna", "Late", **QUIET) as (h, a, late):
            await enter("poll-late", h, a)
            pid = (await h.request("poll_create", {"question": "Wer kommt?", "answers": ["Ich", "Nicht ich"],
                                                   "secret": True}))["poll_id"]
            await a.request("poll_vote", {"poll_id": pid, "choices": [0]})
            await late.hello()
            await late.join("poll-late")
            p = await poll_where(late, pid, lambda p: True)
            assert p["state"] == "running" and p["voters"] == 1 and p["your_vote"] == {"voted": False}
            assert "tallies" not in p
            await late.request("poll_vote", {"poll_id": pid, "choices": [1]})
            p = await poll_where(h, pid, lambda p: p["voters"] == 2)
            assert p["tallies"] == [1, 1]
    run(body(), 30)


def test_guest_creates_only_when_allowed(server):
    async def body():
        async with clients(server, "Host", "Guest", **QUIET) as (h, g):
            await enter("poll-guest", h, g)
            params = {"question": "Pizza?", "answers": ["Ja", "Nein"]}
            assert await error_code(g, "poll_create", params) == "forbidden"
            assert await error_code(g, "set_polls_open", {"anyone": True}) == "forbidden"
            for m, p in (("poll_close", {"poll_id": 1}), ("poll_show_results", {"poll_id": 1})):
                assert await error_code(g, m, p) == "forbidden", m
            await h.request("set_polls_open", {"anyone": True})
            await g.wait_event("room_updated", lambda d: d["polls_open"] is True)
            pid = (await g.request("poll_create", params))["poll_id"]
            p = await poll_where(h, pid, lambda p: True)
            assert p["by"] == "Guest" and p["tallies"] == [0, 0]
            # the guest who asked still does not see the tallies nor close it (its own event may come
            # after the host's)
            assert "tallies" not in await poll_where(g, pid, lambda p: True)
            assert await error_code(g, "poll_close", {"poll_id": pid}) == "forbidden"
            await h.request("set_polls_open", {"anyone": False})
            await g.wait_event("room_updated", lambda d: d["polls_open"] is False)
            assert await error_code(g, "poll_create", params) == "forbidden"
    run(body(), 30)


def test_bad_polls_are_refused(server):
    async def body():
        async with clients(server, "Host", **QUIET) as (h,):
            await enter("poll-bad", h)
            bad = [
                {"question": "", "answers": ["a", "b"]},
                {"question": "x" * 301, "answers": ["a", "b"]},
                {"question": "Q", "answers": ["a"]},
                {"question": "Q", "answers": [str(i) for i in range(11)]},
                {"question": "Q", "answers": ["a", "x" * 101]},
                {"question": "Q", "answers": ["a", ""]},
                {"question": "Q", "answers": ["a", "b\nc"]},
                {"question": "Q", "answers": ["a", 5]},
                {"question": "Q\u0007", "answers": ["a", "b"]},
                {"question": "Q", "answers": "a,b"},
                {"question": "Q", "answers": ["a", "b"], "secret": "yes"},
                {"answers": ["a", "b"]},
            ]
            for params in bad:
                assert await error_code(h, "poll_create", params) == "bad_request", params
            ok = {"question": "x" * 300, "answers": ["y" * 100] * 10, "multiple": True}
            assert (await h.request("poll_create", ok))["poll_id"] > 0
    run(body(), 30)


def test_running_and_kept_limits(server):
    async def body():
        async with clients(server, "Host", **QUIET) as (h,):
            await enter("poll-limits", h)
            ids = []
            for i in range(3):
                ids.append((await h.request("poll_create", {"question": f"Q{i}", "answers": ["a", "b"]}))["poll_id"])
            assert await error_code(h, "poll_create", {"question": "Q3", "answers": ["a", "b"]}) == "too_many_polls"
            await h.request("poll_close", {"poll_id": ids[0]})
            ids.append((await h.request("poll_create", {"question": "Q3", "answers": ["a", "b"]}))["poll_id"])
            assert ids == sorted(ids) and len(set(ids)) == 4
    run(body(), 30)


def test_create_and_vote_rate_limits(server):
    async def body():
        async with clients(server, "Host", **QUIET) as (h,):
            await enter("poll-rate", h)
            codes = []
            for i in range(7):
                r = await h.call("poll_create", {"question": f"Q{i}", "answers": ["a", "b"]})
                codes.append(r["error"]["code"] if "error" in r else "ok")
                if "result" in r:
                    await h.request("poll_close", {"poll_id": r["result"]["poll_id"]})
            # 5 per minute per participant (meet_limit_poll_create)
            assert codes == ["ok"] * 5 + ["rate_limited"] * 2, codes
            r = await h.call("poll_create", {"question": "Q", "answers": ["a", "b"]})
            assert r["error"]["code"] == "rate_limited" and "try again in" in r["error"]["message"]
            # votes: 10 per 10 s per participant, counted whatever the verdict
            pid = 1
            vcodes = []
            for i in range(12):
                r = await h.call("poll_vote", {"poll_id": pid, "choices": [0]})
                vcodes.append(r["error"]["code"])
            assert vcodes == ["poll_closed"] * 10 + ["rate_limited"] * 2, vcodes
    run(body(), 30)


def test_hosts_hear_of_votes_at_a_pace(server):
    """Many votes at once reach the host as at most ~2 poll events per second, the last one exact."""
    async def body():
        names = ["Host"] + [f"V{i}" for i in range(12)]
        async with clients(server, *names, **QUIET) as cs:
            h, voters = cs[0], cs[1:]
            await enter("poll-pace", *cs)
            pid = (await h.request("poll_create", {"question": "Q", "answers": ["a", "b"],
                                                   "secret": True}))["poll_id"]
            t0 = time.monotonic()
            await asyncio.gather(*(v.request("poll_vote", {"poll_id": pid, "choices": [i % 2]})
                                   for i, v in enumerate(voters)))
            p = await poll_where(h, pid, lambda p: p["voters"] == 12, timeout=5)
            assert p["tallies"] == [6, 6]
            elapsed = time.monotonic() - t0
            updates = [d for t, ev, d in h.events if ev == "poll" and d["poll_id"] == pid and t >= t0]
            assert len(updates) <= 2 + 2 * elapsed + 1, (len(updates), elapsed)
    run(body(), 40)
