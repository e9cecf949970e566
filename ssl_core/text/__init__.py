"""Text as a second modality: tokenizer, BERT masking, the views of text, the text kind's
data hooks for the engine and embeddings, and fill-in-the-blank guesses.

Flow: texts.json (data/text_ingest.py) -> tokenizer.json trained per run -> token ids
(N, L) -> a text method (methods/mlm.py, methods/simcse.py) in the one engine -> features
(N, D) by mean pooling; from there on nothing knows the data was text.
"""
