"""The keyword side of the index: SQLite FTS5 over Vietnamese-aware tokens.

- :mod:`.schema`: tables, versions and in-place upgrades;
- :mod:`.records`: the row types (documents, chunks, prepared documents);
- :mod:`.store`: :class:`~assistant.index.keyword.store.KeywordIndex` (writes in the
  same transactions as the document records, BM25 search);
- :mod:`.query`: query planning at scale (rarest terms first) and exact BM25 re-scoring.
"""
