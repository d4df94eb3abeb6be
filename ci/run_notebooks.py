"""Execute the course notebooks and check time and metrics: see dlcourse/runner.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dlcourse.runner import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
