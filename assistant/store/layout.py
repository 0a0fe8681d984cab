"""The names of the files an index folder holds (README, "The index"): one place, no imports."""

MANIFEST = "manifest.json"
# Written first into every folder a build makes, so that the folder can later be proved ours.
MARKER = ".assistant-index"
GITIGNORE_FILE = ".gitignore"
GITIGNORE = "*\n!.gitignore\n"
VECTORS = "vectors.faiss"
SENTENCE_VECTORS = "sentence_vectors.npy"
# The passages' float32 vectors while a build makes the FAISS index from them; never in a finished index.
PASSAGE_SCRATCH = "passage_vectors.building.npy"
# A build's other scratch files (``scratch.py``): the passages it must embed, and the vectors they got.
EMBED_QUEUE = "embed_queue.building.sqlite"
FRESH_PASSAGE_VECTORS = "fresh_passage_vectors.building.npy"
FRESH_SENTENCE_VECTORS = "fresh_sentence_vectors.building.npy"
PASSAGES = "passages.sqlite"
LEXICAL = "lexical"
ENCODER_FILE = "question_encoder.onnx"
TOKENIZER_FILE = "question_tokenizer.json"
ENCODER_FILES = (ENCODER_FILE, TOKENIZER_FILE)
# Every name an index of any format version has held (passages.jsonl: format 1).
INDEX_NAMES = frozenset(
    {MANIFEST, MARKER, GITIGNORE_FILE, VECTORS, SENTENCE_VECTORS, PASSAGES, "passages.jsonl", LEXICAL, *ENCODER_FILES}
)
# Files only an index holds: a folder of index names with one of these is an index from before the marker.
DISTINCTIVE_NAMES = frozenset({VECTORS, SENTENCE_VECTORS, PASSAGES, LEXICAL})
