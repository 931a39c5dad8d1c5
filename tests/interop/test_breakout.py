"""Breakout groups over real WebSockets and real media against a real plenum: a host plans and opens
groups, the members meet only inside their group (media, chat, hands), a move re-offers media without
a new publish, the host broadcasts to all groups, guests see no plan, and the groups close with a
countdown that brings everyone back with working media."""
import asyncio
import time

from helpers import clients, run


def quiet():
    return dict(audio=False, video=False)


async def error_code(c, method, params=None):
    reply = await c.call(method, params)
    assert "error" in reply, f"{method}: expected an error, got {reply}"
    return reply["error"]["code"]


def events(c, name, since=0.0):
    return [d for t, ev, d in c.events if ev == name and t >= since]


def last(c, name):
    got = events(c, name)
    return got[-1] if got else None


async def start_quiet(room, *cs):
    for c in cs:
        await c.hello()
        await c.join(room)


def test_breakout_rules_and_events(server):
    """Signaling: who may do what, what guests see, chat and hands per group, calling the host."""
    async def body():
        async with clients(server, "Lehrerin", "Ana", "Ben", "Cem", **quiet()) as (h, a, b, c):
            await start_quiet("kurs-regeln", h, a, b, c)
            # guests may not run groups
            for method, params in [("breakout_setup", {"names": ["x"]}), ("breakout_open", {}),
                                   ("breakout_assign", {"random": True}), ("breakout_close", {}),
                                   ("breakout_broadcast", {"text": "hi"}), ("breakout_cancel", {})]:
                assert await error_code(a, method, params) == "forbidden", method
            assert await error_code(h, "breakout_open", {}) == "invalid_state"   # nothing set up
            assert await error_code(h, "breakout_setup", {"names": ["A", "A"]}) == "bad_request"
            assert await error_code(h, "breakout_setup", {"names": [str(i) for i in range(21)]}) == "bad_request"
            assert await error_code(h, "breakout_setup", {"names": "A"}) == "bad_request"
            await h.request("breakout_setup", {"names": ["Gruppe 1", "Gruppe 2"], "allow_choose": False})
            st = await h.wait_event("breakout", lambda d: d["state"] == "planned")
            assert [g["name"] for g in st[1]["groups"]] == ["Gruppe 1", "Gruppe 2"]
            await h.request("breakout_assign", {"assign": {str(a.participant_id): 1, str(b.participant_id): 1,
                                                           str(c.participant_id): 2}})
            _, st = await h.wait_event("breakout", lambda d: d["state"] == "planned" and d["groups"][0]["count"] == 2)
            assert {m["id"] for m in st["groups"][0]["members"]} == {a.participant_id, b.participant_id}
            assert {m["id"] for m in st["main"]} == {h.participant_id}
            assert await error_code(h, "breakout_assign", {"assign": {str(a.participant_id): 3}}) == "bad_request"
            assert await error_code(h, "breakout_assign", {"assign": {"999999": 1}}) == "not_found"
            assert await error_code(h, "breakout_open", {"minutes": 481}) == "bad_request"
            # guests never see the plan
            assert all(d["state"] == "none" for d in events(a, "breakout"))
            # a raised hand in the main room, before the groups open
            await c.request("raise_hand")
            await h.wait_event("hands_updated", lambda d: d["queue"] == [c.participant_id])
            t_open = time.monotonic()
            await h.request("breakout_open", {"minutes": 0})
            _, sa = await a.wait_event("breakout", lambda d: d["state"] == "open", since=t_open)
            assert sa["your_group"] == 1 and "members" not in sa["groups"][0] and "main" not in sa
            assert [g["count"] for g in sa["groups"]] == [2, 1]
            # the members of the other group and of the main room are "moved" away, not gone
            await a.wait_event("participant_left", lambda d: d["id"] == c.participant_id, since=t_open)
            assert all(d["reason"] == "moved" for d in events(a, "participant_left", since=t_open))
            await h.wait_event("participant_left", lambda d: d["id"] == a.participant_id and d["reason"] == "moved")
            # chat is per group; a private message to another group finds nobody
            await a.request("chat_send", {"text": "Hallo Gruppe 1"})
            await b.wait_event("chat", lambda d: d["text"] == "Hallo Gruppe 1")
            assert await error_code(a, "chat_send", {"text": "psst", "to": c.participant_id}) == "not_found"
            # hands: Cem's raised hand goes with him; group 1 and the main room do not see it
            await c.wait_event("hands_updated", lambda d: d["queue"] == [c.participant_id], since=t_open)
            assert last(a, "hands_updated")["queue"] == [] if events(a, "hands_updated") else True
            await a.request("raise_hand")
            await b.wait_event("hands_updated", lambda d: a.participant_id in d["queue"])
            await asyncio.sleep(0.3)
            assert not any(a.participant_id in d["queue"] for d in events(c, "hands_updated"))
            assert not any(d["text"] == "Hallo Gruppe 1" for d in events(c, "chat"))
            assert not any(d["text"] == "Hallo Gruppe 1" for d in events(h, "chat"))
            # choosing is not allowed: a guest cannot switch; a host can join any group
            assert await error_code(a, "breakout_join", {"group": 2}) == "forbidden"
            t_join = time.monotonic()
            await h.request("breakout_join", {"group": 2})
            await h.wait_event("participant_joined", lambda d: d["id"] == c.participant_id, since=t_join)
            # calling the host: hosts hear who and where; once per 30 s
            await a.request("breakout_call_host")
            _, help_ = await h.wait_event("breakout_help")
            assert help_ == {"group": 1, "group_name": "Gruppe 1", "participant_id": a.participant_id, "name": "Ana"}
            assert await error_code(a, "breakout_call_host") == "rate_limited"
            # the host's broadcast reaches every group
            await h.request("breakout_broadcast", {"text": "Noch 5 Minuten"})
            for x in (a, b, c):
                _, msg = await x.wait_event("breakout_message")
                assert msg["text"] == "Noch 5 Minuten" and msg["from"]["id"] == h.participant_id
            # the plan cannot be changed while open; recording waits for the main room
            assert await error_code(h, "breakout_setup", {"names": ["x"]}) == "invalid_state"
            assert await error_code(h, "recording_start") in ("busy", "feature_disabled")
            # closing: a countdown, then everyone is back in the main room and sees everyone
            t_close = time.monotonic()
            await h.request("breakout_close", {"seconds": 1})
            _, sc = await b.wait_event("breakout", lambda d: d["state"] == "closing", since=t_close)
            assert sc["closing_at_ms"] > 0
            await b.wait_event("breakout", lambda d: d["state"] == "none" and d["your_group"] == 0,
                               since=t_close, timeout=10)
            await b.wait_event("participant_joined", lambda d: d["id"] == c.participant_id, since=t_close)
            await b.wait_event("participant_joined", lambda d: d["id"] == h.participant_id, since=t_close)
            await a.request("chat_send", {"text": "Alle wieder da"})
            for x in (b, c, h):
                await x.wait_event("chat", lambda d: d["text"] == "Alle wieder da")
            # both raised hands are seen by everyone again
            await h.wait_event("hands_updated", lambda d: set(d["queue"]) == {a.participant_id, c.participant_id},
                               since=t_close)
    run(body(), 60)


def test_breakout_random_choose_and_late_joiner(server):
    async def body():
        async with clients(server, "Host", "G1", "G2", "G3", "G4", "Spät", **quiet()) as (h, *gs):
            late = gs.pop()
            await start_quiet("kurs-zufall", h, *gs)
            await h.request("breakout_setup", {"names": ["Rot", "Blau"], "allow_choose": True})
            await h.request("breakout_assign", {"random": True})
            _, st = await h.wait_event("breakout", lambda d: d["state"] == "planned" and
                                       sum(g["count"] for g in d["groups"]) == 4)
            assert [g["count"] for g in st["groups"]] == [2, 2]           # evenly
            assert [m["id"] for m in st["main"]] == [h.participant_id]   # the host stays
            await h.request("breakout_open", {"minutes": 30})
            _, st = await gs[0].wait_event("breakout", lambda d: d["state"] == "open")
            assert st["ends_at_ms"] > time.time() * 1000 + 29 * 60000 and st["allow_choose"] is True
            # a guest picks the other group itself
            mine = st["your_group"]
            other = 3 - mine
            await gs[0].request("breakout_join", {"group": other})
            await gs[0].wait_event("breakout", lambda d: d["your_group"] == other)
            assert await error_code(gs[0], "breakout_join", {"group": 3}) == "invalid_state"
            # a late joiner lands in the main room and sees the open groups (counts only)
            await late.hello()
            await late.join("kurs-zufall")
            _, sl = await late.wait_event("breakout", lambda d: d["state"] == "open")
            assert sl["your_group"] == 0 and sum(g["count"] for g in sl["groups"]) == 4
            await late.wait_event("participant_joined", lambda d: d["id"] == h.participant_id)
            await asyncio.sleep(0.2)
            assert {d["id"] for d in events(late, "participant_joined")} == {h.participant_id}
            # the host sees the late joiner in the main room, and moves someone by hand
            await h.wait_event("breakout", lambda d: late.participant_id in [m["id"] for m in d["main"]])
            await h.request("breakout_move", {"participant_id": late.participant_id, "group": 1})
            await late.wait_event("breakout", lambda d: d["your_group"] == 1)
            # leaving while in a group: the counts follow
            await gs[1].close()
            await h.wait_event("breakout", lambda d: sum(g["count"] for g in d["groups"]) == 4)
            await h.request("breakout_close", {"seconds": 0})
            await late.wait_event("breakout", lambda d: d["state"] == "none" and d["your_group"] == 0)
            # the groups are gone: a new plan starts from nothing
            assert await error_code(h, "breakout_move", {"participant_id": late.participant_id, "group": 1}) \
                == "invalid_state"
    run(body(), 60)


def test_breakout_media_follows_the_groups(server):
    """Real media (aiortc): members receive only their group's media; a move re-offers; back together
    after the close. Nobody publishes again."""
    async def body():
        async with clients(server, "Host", "Ana", "Ben", "Cem") as (h, a, b, c):
            for x in (h, a, b, c):
                await x.start("kurs-media")
            for x in (a, b, c):
                for y in (a, b, c):
                    if x is not y:
                        await x.wait_media_from(y.participant_id, timeout=30)
            await h.request("breakout_setup", {"names": ["Eins", "Zwei"]})
            await h.request("breakout_assign", {"assign": {str(a.participant_id): 1, str(b.participant_id): 1,
                                                           str(c.participant_id): 2}})
            await h.request("breakout_open", {})
            await a.wait_event("breakout", lambda d: d["your_group"] == 1)
            # after the re-offer, Ana's active tracks are Ben's only; his media keeps coming, Cem's stops
            def active_from(x):
                got = events(x, "subscribe_offer")
                return {t["participant_id"] for t in got[-1]["tracks"] if t["active"]} if got else set()
            await a.wait_for(lambda: active_from(a) == {b.participant_id}, 15, "Ana's offer with Ben's tracks only")
            await c.wait_for(lambda: active_from(c) == set(), 15, "Cem's offer without tracks")
            await asyncio.sleep(1.0)
            from_c, from_b = a.video_frames.get(c.participant_id, 0), a.video_frames.get(b.participant_id, 0)
            await a.wait_for(lambda: a.video_frames.get(b.participant_id, 0) > from_b + 10, 20, "Ben's video in group 1")
            assert a.video_frames.get(c.participant_id, 0) <= from_c + 1, a.summary()
            # Cem is moved to group 1: Ana receives him again
            before = a.video_frames.get(c.participant_id, 0)
            await h.request("breakout_move", {"participant_id": c.participant_id, "group": 1})
            await a.wait_for(lambda: a.video_frames.get(c.participant_id, 0) > before + 10, 20, "Cem's video again")
            # close: the host (in the main room) gets everyone's media back
            before_h = {x.participant_id: h.video_frames.get(x.participant_id, 0) for x in (a, b, c)}
            await h.request("breakout_close", {"seconds": 0})
            for x in (a, b, c):
                await h.wait_for(lambda x=x: h.video_frames.get(x.participant_id, 0) > before_h[x.participant_id] + 10,
                                 20, f"{x.name}'s video in the main room")
            for x in (h, a, b, c):
                assert x.pub_pc.connectionState == "connected"
    run(body(), 120)
