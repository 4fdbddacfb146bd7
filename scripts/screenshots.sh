#!/usr/bin/env bash
# Refresh the README's screenshots from a browser test run: every page at a 400 px side window and
# at 1280x720, and the trainer stage at 1024x768, 1280x720 and 1920x1080, as the tests leave them in
# artifacts/screens/, copied into docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -q -p no:cacheprovider tests/web/test_views.py tests/web/test_trainer_page.py -k "every_page or six or stress_event"
for page in live review sessions summary; do
  for width in 400 1280; do cp "artifacts/screens/view-$page-$width.png" "docs/$page-$width.png"; done
done
cp artifacts/screens/view-live-1280.png docs/live-view.png
for size in 1024x768 1280x720 1920x1080; do cp "artifacts/screens/trainer-$size.png" "docs/trainer-$size.png"; done
cp artifacts/screens/trainer.png docs/trainer-stage.png
echo "docs/*.png updated from this run"
