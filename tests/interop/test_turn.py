"""TURN credentials against a real coturn (use-auth-secret): what plenum hands out in a join result
allocates a relay; made with another secret, or once expired, coturn refuses it with 401."""
import asyncio
import os
import re
import time

import pytest

from conftest import OUTPUT
from helpers import clients, run
from turn_client import Coturn, allocate

SECRET = "municipal-turn-secret-2024"


@pytest.fixture
def coturn(request):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    c = Coturn(os.path.join(os.environ.get("PLENUM_TEST_OUTPUT", OUTPUT), f"{name}.coturn"), SECRET)
    yield c
    c.stop()


def plenum_args(coturn, secret_path, ttl):
    return ["--turn", f"turn:127.0.0.1:{coturn.port}?transport=udp",
            "--turn", f"turn:127.0.0.1:{coturn.port}?transport=tcp",
            "--turn-secret-file", secret_path, "--turn-ttl", str(ttl)]


async def join_credential(server, name):
    async with clients(server, name, audio=False, video=False) as (c,):
        await c.hello()
        res = await c.join("turn-room")
    servers = res.get("ice_servers")
    assert isinstance(servers, list) and len(servers) == 1, res
    s = servers[0]
    assert s["urls"] == [f"turn:127.0.0.1:{server.turn_port}?transport=udp",
                         f"turn:127.0.0.1:{server.turn_port}?transport=tcp"], s
    assert "ice_transport_policy" not in res
    return s["username"], s["credential"]


def test_plenum_credential_allocates_then_expires(start_server, coturn):
    server = start_server(args=plenum_args(coturn, coturn.secret_path, 5))
    server.turn_port = coturn.port
    user, cred = run(join_credential(server, "Ann"), 15)
    expiry = int(user.split(":", 1)[0])
    assert abs(expiry - (time.time() + 5)) <= 2, user
    code, relayed = allocate(coturn.port, user, cred)
    assert code == 0, f"coturn refused plenum's credential ({code})\n{coturn.log_text()[-2000:]}"
    assert relayed[0] == "127.0.0.1"
    # the same credential with one character of the password changed: refused
    wrong = ("A" if cred[0] != "A" else "B") + cred[1:]
    assert allocate(coturn.port, user, wrong)[0] == 401
    # a rejoin gets a fresh one, which works too
    user2, cred2 = run(join_credential(server, "Ann"), 15)
    assert user2 != user and cred2 != cred
    # once the expiry has passed, the very credential that worked is refused (a fresh 5-tuple, so no
    # allocation is reused); coturn logs it as it logs any it cannot verify
    time.sleep(max(0.0, expiry + 1.5 - time.time()))
    before = len(coturn.log_text())
    code, _ = allocate(coturn.port, user, cred)
    assert code == 401, f"an expired credential got {code}"
    assert f"Cannot find credentials of user <{user}>" in coturn.log_text()[before:], coturn.log_text()[-2000:]


def test_other_secret_refused(start_server, coturn, tmp_path):
    other = tmp_path / "other-secret"
    other.write_text("not-the-coturn-secret\n")
    os.chmod(other, 0o600)
    server = start_server(args=plenum_args(coturn, str(other), 3600))
    server.turn_port = coturn.port
    user, cred = run(join_credential(server, "Bob"), 15)
    code, relayed = allocate(coturn.port, user, cred)
    assert code == 401 and relayed is None, f"coturn accepted a credential made with another secret ({code})"
    log = coturn.log_text()
    assert f"Cannot find credentials of user <{user}>" in log, log[-2000:]
    assert re.search(rf"user <{re.escape(user)}>: incoming packet message processed, error 401", log), log[-2000:]
    assert "ALLOCATE processed, success" not in log
