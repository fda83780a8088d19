"""Start-up failures are one line on stderr, exit 2, no traceback (``assistant serve`` and
its old name ``assistant ui``).

Reproduced on the previous main first: ``assistant ui --port P`` with P in use printed a
23-line ``OSError: Cannot find empty port in range`` traceback (exit 1).
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from assistant.config import Settings
from assistant.errors import StartupError
from assistant.server.run import bind
from assistant.ui.service import ChatService
from tests.llm_support import ScriptedChatModel
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


class _LoadingModel(ScriptedChatModel):
    """A chat model that, like the embedded one, has weights to load (``warm``)."""

    warmed: int = 0

    def warm(self) -> float:
        self.warmed += 1
        return 0.25


def test_the_server_loads_the_models_in_the_background_at_start(
    seeded_settings: Settings,
) -> None:
    """`assistant serve` loads the default backend's weights in a background thread (the
    first question does not pay for it) and says so; a model that cannot load is one
    warning line, and the page stays up (answers fall back as on first use)."""
    from assistant.answer.generation import LLMGenerator
    from assistant.errors import BackendUnavailableError
    from assistant.server.run import prepare

    model = _LoadingModel(replies=["x"])

    def factory(settings: Settings, embeddings: Any) -> tuple[Any, list[str]]:
        return LLMGenerator(model, settings, name="llamacpp:test"), []

    settings = seeded_settings.model_copy(update={"llm": seeded_settings.llm.model_copy(
        update={"backend": "llamacpp"})})
    logs: list[str] = []
    svc = ChatService(settings, generator_factory=factory)
    svc.warm(logs.append).join(10)
    assert model.warmed == 1 and logs == ["models loaded: answer 0.2 s"]

    def broken(settings: Settings, embeddings: Any) -> tuple[Any, list[str]]:
        raise BackendUnavailableError("no weights here")

    logs.clear()
    prepared = prepare(settings, "127.0.0.1", 0, generator_factory=broken, log=logs.append)
    prepared.sock.close()
    assert logs[-1] == "warning: no weights here"
