#!/usr/bin/env bash
# The thesis at full scale in one short device call (issue 13): the LSTM's schedule (50 epochs over every
# window, batch 128, best epoch kept) and the DCGAN's (100 epochs, batch 64), then the held-out scores and the
# seconds per epoch of each, so the full schedules' time is known even when the budget cuts a run short.
# Everything lands under $OUT: weights, metrics JSONs, logs, gpu_report.json; the script stops itself before
# $LIMIT_S seconds (default 530: 8 min 50 s, inside one 10-minute call).
#
#   OUT=/tmp/out bash benchmarks/gpu_full.sh            # on the device (or any machine with TensorFlow)
#   OUT=/tmp/out bash benchmarks/gpu_full.sh --tiny     # CI: the same path on a CPU in about a minute
#
# Extra `thesis-music train` options for both models go in $TRAIN_OPTS, e.g. "--jit-compile --mixed-precision
# --steps-per-execution 32" (benchmarks/training_options.py measures what each changes).
set -euo pipefail
cd "$(dirname "$0")/.."
TINY=0; [ "${1:-}" = "--tiny" ] && TINY=1
OUT=${OUT:-outputs/gpu}; LIMIT_S=${LIMIT_S:-530}; PY=${PYTHON:-python3}; TRAIN_OPTS=${TRAIN_OPTS:-}
mkdir -p "$OUT"
START=$(date +%s)
left() { echo $(( LIMIT_S - ($(date +%s) - START) )); }

# set-up: wheels carried in .whl (device README), then a check that costs seconds, not minutes
if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
fi
if ! "$PY" -c "import tensorflow, keras, music21, thesis_lib" 2>"$OUT/setup.log"; then
  echo "gpu_full: this machine lacks TensorFlow, Keras or music21 (see $OUT/setup.log); nothing was trained" >&2
  exit 3
fi
"$PY" -c "from thesis_lib.core.backend import machine; import json; print(json.dumps(machine()))" > "$OUT/machine.json" 2>/dev/null

if [ $TINY = 1 ]; then   # a CPU rehearsal: a few songs, one short epoch each
  LSTM="--profile quick --max-songs 24 --epochs 2 --windows-per-epoch 512"
  GAN="--profile quick --max-songs 24 --epochs 2 --windows-per-epoch 256"
  SHARE=45
else                     # the thesis's schedules: every window each epoch, the profile's epochs and batches
  LSTM="--profile full --epochs 50"
  GAN="--profile full --epochs 100"
  SHARE=$(( ($(left) - 60) / 2 ))   # half of what is left (a minute kept for scoring) for each model
fi
for model in lstm gan; do
  opts=$LSTM; [ $model = gan ] && opts=$GAN
  budget=$(( SHARE < $(left) - 30 ? SHARE : $(left) - 30 ))
  [ "$budget" -le 0 ] && { echo "gpu_full: no time left for $model" >&2; break; }
  echo "gpu_full: $model, $budget s" >&2
  # the run stops itself after the epoch that passes its budget; timeout is the hard stop behind it
  timeout $(( $(left) - 10 )) "$PY" -m thesis_lib.cli train --model $model $opts $TRAIN_OPTS --keep best \
    --max-minutes "$(awk "BEGIN{print $budget/60}")" --out "$OUT/$model" > "$OUT/$model.log" 2>&1 \
    || echo "gpu_full: $model stopped (exit $?); its checkpoint and history are in $OUT/$model" >&2
done
"$PY" benchmarks/gpu_report.py "$OUT" --limit-s "$LIMIT_S" --started "$START"
