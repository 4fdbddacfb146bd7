#!/usr/bin/env bash
# Refresh the README's screenshots from a browser test run: the live view and the trainer stage,
# as the tests leave them in artifacts/screens/, copied into docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -q -p no:cacheprovider tests/web/test_live_page.py tests/web/test_trainer_page.py -k stress_event
cp artifacts/screens/live-view.png docs/live-view.png
cp artifacts/screens/trainer.png docs/trainer-stage.png
echo "docs/live-view.png and docs/trainer-stage.png updated from this run"
