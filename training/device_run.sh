#!/usr/bin/env bash
# The reader trained in one call on a borrowed GPU machine (the device tool's `run`, from the repository
# root, carrying .device-kit: `make reader-kit` writes it). Command: bash training/device_run.sh
# Trains from the shipped reader over the kit, then sends the weights and records into $OUT
# (`python -m training.device receive ... --run RUN` here takes them back). Each setting can be
# given from the environment (the test shrinks them so: QUESTIONS=200 STEPS=2 WORKERS=2 ...). Its
# status is send's: a training stopped early still sends its last checkpoint, and says so in train.log.
set -u
KIT=${KIT:-.device-kit}
RUN=${RUN:-/tmp/run}
PYTHON=${PYTHON:-python3}
WORKERS=${WORKERS:-16}
OTHER_ARTICLES=${OTHER_ARTICLES:-0.5}
EPOCHS=${EPOCHS:-2}
STEPS=${STEPS:-0}              # 0: the epochs' batches, shortened by MINUTES
LEARNING_RATE=${LEARNING_RATE:-5e-5}
SEED=${SEED:-13}
QUESTIONS=${QUESTIONS:-}       # empty: every question
HELDOUT=${HELDOUT:-1200}
# Training ends within MINUTES of its start (windows included); the held-out measure follows. One call
# may run 600 s: LIMIT stops training whatever it does, leaving `send` time (it then sends the last
# checkpoint, or final.pt if the measure was what ran late).
MINUTES=${MINUTES:-7.5}
LIMIT=${LIMIT:-560}
PRECISION=${PRECISION:-auto}
# A checkpoint writes 270 MB: every 100 steps (the CPU's minutes) would be every few seconds on a GPU.
CHECKPOINT_EVERY=${CHECKPOINT_EVERY:-2000}

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
: "${OUT:?OUT: the folder whose files come back}"
mkdir -p "$OUT"
{ nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo "no GPU"; nproc; } | tr '\n' ' '
echo
timeout --kill-after=15 "$LIMIT" "$PYTHON" -m training.train --from-shipped --base "$KIT/base" --data "$KIT/train.json.gz" \
    --workers "$WORKERS" --other-articles "$OTHER_ARTICLES" --epochs "$EPOCHS" --steps "$STEPS" \
    --learning-rate "$LEARNING_RATE" --seed "$SEED" --minutes "$MINUTES" --heldout "$HELDOUT" \
    --precision "$PRECISION" --checkpoint-every "$CHECKPOINT_EVERY" ${QUESTIONS:+--questions "$QUESTIONS"} --run "$RUN"
status=$?
mkdir -p "$RUN"
[ "$status" -eq 0 ] || echo "training.train ended with status $status (124: stopped at LIMIT)" | tee -a "$RUN/train.log"
"$PYTHON" -m training.device send "$RUN" "$OUT"
