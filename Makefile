# Everything installs into .venv; torch comes first as the CPU wheel (torch==2.13.0).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install bench eval reader reader-kit clean

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
# Three stages: every training question from the packaged encoder (about 75 minutes on 2 cores with
# AVX-512 BF16, in bfloat16 autocast), then from its weights again, in another order, with negatives
# from other articles too (about 45 minutes there), then once more at a lower rate (93 minutes in
# float32 on 2 cores without BF16); some six hours in float32 on such a CPU (--steps shortens a stage),
# minutes on a GPU.
reader: $(STAMP)
	$(BIN)/python -m training.train
	$(BIN)/python -m training.train --init training/runs/reader/final.pt --run training/runs/reader2 \
		--seed 14 --other-articles 0.5 --learning-rate 5e-5 --steps 1500
	$(BIN)/python -m training.train --init training/runs/reader2/final.pt --run training/runs/reader3 \
		--seed 16 --other-articles 0.5 --learning-rate 3e-5 --steps 1044 --workers 2
	$(BIN)/python -m training.export --run training/runs/reader3

# What a borrowed GPU machine trains the reader from in one call (training/device_run.sh, carrying
# .device-kit): the data and the packaged encoder's embedding tables in float16 (34 MB; the encoder
# layers come from the shipped reader). Back here: python -m training.device receive FILES --run RUN.
reader-kit: $(STAMP)
	$(BIN)/python -m training.device kit .device-kit

clean:
	rm -rf $(VENV)
