# Everything installs into .venv; torch comes first as the CPU wheel (torch==2.13.0).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install bench eval reader clean

run: $(STAMP)
	$(BIN)/assistant

# Two workers, a test file each at a time: about 5.5 minutes on the 2 cores, against 10 on one.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The million-passage size (synthetic) is the one the targets are for: about 30 minutes in all.
bench: $(STAMP)
	$(BIN)/python -m benchmarks --sizes sample,squad,10000,1000000
	$(BIN)/python -m benchmarks.build_memory --sizes 100000,300000
	$(BIN)/python -m benchmarks.build_speed --quality

eval: $(STAMP)
	$(BIN)/python -m benchmarks.quality

# Train the reader from ../shared/data/squad-train (resumes a stopped run; on a CUDA GPU where there is
# one) and write the shipped int8 ONNX reader, its tokenizer and card into assistant/data/reader/.
# One stage over every training question: about 75 minutes on 2 cores with AVX-512 BF16 (bfloat16
# autocast), some three hours in float32 on a CPU without it (--steps shortens it), minutes on a GPU.
reader: $(STAMP)
	$(BIN)/python -m training.train
	$(BIN)/python -m training.export

clean:
	rm -rf $(VENV)
