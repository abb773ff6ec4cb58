#!/usr/bin/env bash
# Re-runs the paper's comparison (Tables 1 and 2) on CoNSeP's training images with the fixed 21/6
# split of docs/consep-split.json: FCN-8s, U-Net, ResUNet34 without and with the perceptual loss,
# all from random initialisation, the same schedule, augmentation and seed for every variant.
#
#   bash scripts/paper-experiments.sh [train|evaluate|all]     (default: all)
#
# Every run resumes where it stopped, so the same command continues an interrupted experiment
# (also across machines, if RUNS is copied). Settings come from the environment:
#   DATA    dataset folder                (default ../shared/data/consep-train)
#   RUNS    where the runs are written    (default runs/paper)
#   EPOCHS  epochs per variant            (default 40)
#   PRECISION  bf16 or fp32               (default: the machine's, bf16 only with AVX512-BF16 or AMX)
#   VARIANTS   which variants, in order   (default: resunet34-no-lper resunet34 unet fcn8s)
#   LR, LR_SCHEDULE           Adam rate and its schedule (default 1e-4 constant, the paper)
#   VAL_TILE, VAL_OVERLAP     validation sliding window (default 224 and 80, the paper)
#   THREADS   libtorch threads per run (default 2; two variants at once on two cores: 1 each)
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${DATA:-../shared/data/consep-train}
RUNS=${RUNS:-runs/paper}
EPOCHS=${EPOCHS:-40}
PRECISION_FLAGS=()
if [ -n "${PRECISION:-}" ]; then PRECISION_FLAGS=(--precision "$PRECISION"); fi
VARIANTS=${VARIANTS:-resunet34-no-lper resunet34 unet fcn8s}
SCHEDULE_FLAGS=(--lr "${LR:-1e-4}" --lr-schedule "${LR_SCHEDULE:-constant}" --val-tile "${VAL_TILE:-224}" --val-overlap "${VAL_OVERLAP:-80}")
SPLIT=docs/consep-split.json
histonuc() { node dist/src/cli/main.js "$@"; }

variant_flags() {
  case "$1" in
    resunet34-no-lper) echo "--model resunet34 --perceptual-weight 0" ;;
    resunet34) echo "--model resunet34 --perceptual-weight 0.1" ;;
    unet) echo "--model unet --perceptual-weight 0" ;;
    fcn8s) echo "--model fcn8s --perceptual-weight 0" ;;
    *) echo "unknown variant '$1' (expected resunet34-no-lper, resunet34, unet or fcn8s)" >&2; exit 2 ;;
  esac
}

train_all() {
  for variant in $VARIANTS; do
    # shellcheck disable=SC2046
    histonuc train --data "$DATA" --split "$SPLIT" --out "$RUNS/$variant" $(variant_flags "$variant") \
      --epochs "$EPOCHS" "${SCHEDULE_FLAGS[@]}" "${PRECISION_FLAGS[@]}" --threads "${THREADS:-2}" --workers 1 --seed 1 --resume
  done
}

# Predicts the validation images with each variant's best checkpoint (the paper's 224/80 window) and
# scores them.
evaluate_all() {
  local gt="$RUNS/val-ground-truth"
  mkdir -p "$gt/images" "$gt/labels"
  local images=()
  for name in $(node -e "console.log(JSON.parse(require('fs').readFileSync('$SPLIT','utf8')).val.join(' '))"); do
    cp "$DATA/labels/${name}_label.png" "$gt/labels/${name}_label.png"
    images+=("$DATA/images/$name.png")
  done
  for variant in $VARIANTS; do
    local out="$RUNS/$variant/validation"
    histonuc predict --model "$RUNS/$variant/best.safetensors" "${PRECISION_FLAGS[@]}" --tile 224 --overlap 80 --tiling reference --formats labels-png --out "$out" "${images[@]}"
    histonuc evaluate --pred "$out" --gt "$gt/labels" --json "$RUNS/$variant/evaluation.json"
  done
}

case "${1:-all}" in
  train) train_all ;;
  evaluate) evaluate_all ;;
  all) train_all; evaluate_all ;;
  *) echo "usage: bash scripts/paper-experiments.sh [train|evaluate|all]" >&2; exit 2 ;;
esac
