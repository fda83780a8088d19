"""Stage 3, question -> retrieved passages -> evidence, and the refusal decision.

- :mod:`.question`: question analysis (anchors, list and count questions, titles);
- :mod:`.glossary`: English domain phrases -> their Vietnamese terms;
- :mod:`.hybrid`: dense + keyword retrieval fused by reciprocal rank fusion;
- :mod:`.evidence`: the sentences that answer, and whether the corpus answers at all;
- :mod:`.injection`: sentences that talk to the model (prompt injection), never evidence;
- :mod:`.background`: off-topic reference sentences for refusal by contrast.

Never imports ``answer`` or a face: refusal is decided from the evidence, not by a model.
"""
