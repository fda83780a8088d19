"""Start-up failures are one line on stderr, exit 2, no traceback (``assistant serve`` and
its old name ``assistant ui``).

Reproduced on the previous main first: ``assistant ui --port P`` with P in use printed a
23-line ``OSError: Cannot find empty port in range`` traceback (exit 1).
"""

from __future__ import annotations

import socket

import pytest

from assistant.config import Settings
from assistant.errors import StartupError
from assistant.server.run import bind
from tests.scale_helpers import cli, cli_env
from tests.test_bad_input import one_line_error


def test_a_busy_port_is_one_line(seeded_settings: Settings) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = cli(["ui", "--port", str(port)], cli_env(seeded_settings.index_path))
    one_line_error(proc, f"Port {port} on 127.0.0.1 is already in use")


def test_a_public_address_without_a_token_is_one_line(seeded_settings: Settings) -> None:
    env = cli_env(seeded_settings.index_path, ASSISTANT_ADMIN_TOKEN="")
    proc = cli(["serve", "--host", "0.0.0.0", "--port", "0"], env)
    one_line_error(proc, "Refusing to listen on 0.0.0.0 without ASSISTANT_ADMIN_TOKEN")


def test_an_invalid_setting_is_one_line(seeded_settings: Settings) -> None:
    env = cli_env(seeded_settings.index_path, ASSISTANT_SERVER__PORT="abc")
    one_line_error(cli(["serve"], env), "ASSISTANT_SERVER__PORT")


@pytest.mark.parametrize(("host", "needle"), [
    ("203.0.113.7", "is not an address of this machine"),
    ("no-such-host.invalid", "not an address or a host name"),
])
def test_addresses_the_machine_lacks_are_one_sentence(host: str, needle: str) -> None:
    with pytest.raises(StartupError, match=needle) as err:
        bind(host, 0)
    assert "\n" not in str(err.value)
