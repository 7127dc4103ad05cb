#!/usr/bin/env bash
# The thesis at full scale in one short device call, on Keras's JAX backend (the lent GPU machines have JAX with
# CUDA, not TensorFlow): the LSTM's schedule (50 epochs over every window, batch 128, best epoch kept) and the
# DCGAN's (100 epochs, batch 64), the held-out scores and the seconds per epoch of each, so the full schedules'
# time is known even when the budget cuts a run short; then, with time left and the packages carried, notebooks
# 04 and 05 with papermill in the full profile. Everything lands under $OUT: weights, metrics JSONs, logs,
# gpu_report.json, executed notebooks. The script stops itself before $LIMIT_S seconds (default 530: 8 min 50 s,
# inside one 10-minute call).
#
#   .venv/bin/python benchmarks/gpu_prepare.py --notebooks   # here, once: .carry/ (wheels, the parsed corpus)
#   OUT=$OUT bash benchmarks/gpu_full.sh                     # there, with carry [".carry"]
#   OUT=/tmp/out bash benchmarks/gpu_full.sh --tiny          # make test: the same path on a CPU in about a minute
#
# Extra `thesis-music train` options for both models go in $TRAIN_OPTS (e.g. "--steps-per-execution 32").
# KERAS_BACKEND=tensorflow runs the same script on TensorFlow, where it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
TINY=0; [ "${1:-}" = "--tiny" ] && TINY=1
OUT=${OUT:-outputs/gpu}; LIMIT_S=${LIMIT_S:-530}; PY=${PYTHON:-python3}; TRAIN_OPTS=${TRAIN_OPTS:-}
export KERAS_BACKEND=${KERAS_BACKEND:-jax}
mkdir -p "$OUT"
START=$(date +%s)
left() { echo $(( LIMIT_S - ($(date +%s) - START) )); }

# set-up: the wheels carried in .carry/wheels (benchmarks/gpu_prepare.py), then a check that costs seconds
if ls .carry/wheels/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .carry/wheels/*.whl \
    >"$OUT/pip.log" 2>&1 && export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
CORPUS=()
if ! "$PY" -c "import music21" 2>/dev/null; then   # no music21 there: the corpus parsed here, carried whole
  [ -f .carry/ballads.corpus.json ] || { echo "gpu_full: no music21 and no .carry/ballads.corpus.json (run benchmarks/gpu_prepare.py here first)" >&2; exit 3; }
  CORPUS=(--corpus .carry/ballads.corpus.json)
fi
if ! "$PY" -c "from thesis_lib.core import backend; assert backend.name() == '$KERAS_BACKEND', backend.name()" \
    2>"$OUT/setup.log"; then
  echo "gpu_full: this machine cannot run Keras on $KERAS_BACKEND (see $OUT/setup.log); nothing was trained" >&2
  exit 3
fi
"$PY" -c "from thesis_lib.core.backend import machine; import json; print(json.dumps(machine()))" > "$OUT/machine.json"

if [ $TINY = 1 ]; then   # a CPU rehearsal: a few songs, two short epochs each
  LSTM="--profile quick --max-songs 24 --epochs 2 --windows-per-epoch 512"
  GAN="--profile quick --max-songs 24 --epochs 2 --windows-per-epoch 256"
  SHARE=60
else                     # the thesis's schedules: every window each epoch, the profile's epochs and batches
  LSTM="--profile full --epochs 50"
  GAN="--profile full --epochs 100"
  SHARE=$(( ($(left) - 60) / 2 ))   # half of what is left (a minute kept for scoring) for each model
fi
for model in lstm gan; do
  opts=$LSTM; [ $model = gan ] && opts=$GAN
  budget=$(( SHARE < $(left) - 30 ? SHARE : $(left) - 30 ))
  [ "$budget" -le 0 ] && { echo "gpu_full: no time left for $model" >&2; break; }
  echo "gpu_full: $model on $KERAS_BACKEND, $budget s" >&2
  # the run stops itself after the epoch that passes its budget; timeout is the hard stop behind it
  timeout $(( $(left) - 10 )) "$PY" -m thesis_lib.cli train --model $model $opts "${CORPUS[@]}" $TRAIN_OPTS \
    --keep best --max-minutes "$(awk "BEGIN{print $budget/60}")" --out "$OUT/$model" > "$OUT/$model.log" 2>&1 \
    || echo "gpu_full: $model stopped (exit $?); its checkpoint and history are in $OUT/$model" >&2
done
"$PY" benchmarks/gpu_report.py "$OUT" --limit-s "$LIMIT_S" --started "$START"

# the notebooks, if a device is left: 04 and 05 in the full profile, each training its models in a share of it
if [ $TINY = 0 ] && [ "$(left)" -gt 120 ] && "$PY" -c "import papermill, music21, verovio, ipykernel" 2>/dev/null; then
  echo "gpu_full: notebooks 04 and 05, $(left) s left" >&2
  minutes=$(awk "BEGIN{print ($(left) - 90) / 60 / 5}")   # 04 trains two models, 05 three (and a SeqGAN)
  timeout $(( $(left) - 10 )) "$PY" -m thesis_lib.cli run --profile full --only 04,05 --out "$OUT/series" \
    --train-minutes "$minutes" \
    > "$OUT/series.log" 2>&1 || echo "gpu_full: the notebooks stopped (exit $?); see $OUT/series.log" >&2
elif [ $TINY = 0 ]; then
  echo "gpu_full: no notebooks ($(left) s left, or papermill, music21, verovio or ipykernel missing)" >&2
fi
