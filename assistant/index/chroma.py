"""The Chroma side of the index: the client (embedded or server), collection names,
and deleting collections, even from a damaged local folder.

One client per process: ``PersistentClient`` at ``index_path/chroma`` by default,
``HttpClient`` when ``settings.chroma.host`` is set (``ASSISTANT_CHROMA__HOST`` /
``__PORT``). Failures become one sentence naming the folder or the host and port.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import BackendUnavailableError, IndexCorruptError


def collection_name(embed_model: str) -> str:
    """Chroma collection name for an embedding model (3-63 safe characters)."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embed_model).strip("-._")
    name = f"chunks-{slug}"
    if len(name) > 60:
        name = name[:48] + "-" + hashlib.sha1(embed_model.encode()).hexdigest()[:8]
    return name


def server_down(settings: Settings) -> BackendUnavailableError:
    cfg = settings.chroma
    return BackendUnavailableError(
        f"Cannot reach the Chroma server at {cfg.host}:{cfg.port}: start it "
        f"(chroma run --path DIR --port {cfg.port}) or unset ASSISTANT_CHROMA__HOST."
    )


def open_chroma_client(settings: Settings) -> Any:
    """PersistentClient at ``index_path/chroma``, or HttpClient when a host is set."""
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
    cfg = settings.chroma
    if cfg.host:
        try:
            client = chromadb.HttpClient(
                host=cfg.host, port=cfg.port, ssl=cfg.ssl, settings=client_settings
            )
            client.heartbeat()
        except Exception as exc:
            raise server_down(settings) from exc
        return client
    path = settings.index_path / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=client_settings)
    except Exception as exc:
        raise IndexCorruptError(
            f"The vector store at {path} cannot be opened ({type(exc).__name__}): "
            "run `assistant ingest --reset` to rebuild it."
        ) from exc


def _forget_local_client(path: Path) -> None:
    """Drop chromadb's cached in-process system for ``path`` (before deleting the folder)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    if system is not None:
        with contextlib.suppress(Exception):
            system.stop()


def _delete_collection(client: Any, name: str) -> None:
    """Delete a collection; a missing one is fine."""
    from chromadb.errors import NotFoundError

    with contextlib.suppress(NotFoundError):
        client.delete_collection(name)


def drop_collections(settings: Settings, client: Any, names: list[str]) -> Any:
    """Delete these collections; return the client to keep using (None if dropped).

    A local Chroma folder that cannot be opened or fails is removed whole (it belongs
    to this index); a server that fails raises :class:`BackendUnavailableError`.
    """
    try:
        client = client or open_chroma_client(settings)
        for name in names:
            _delete_collection(client, name)
        return client
    except BackendUnavailableError:
        raise
    except Exception:
        if settings.chroma.host:
            raise server_down(settings) from None
        folder = Path(settings.index_path) / "chroma"
        _forget_local_client(folder)
        shutil.rmtree(folder, ignore_errors=True)
        return None
