import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_MIRROR = ROOT.parent / "shared" / "data"

# The offline dataset mirror: .ci/run sets DLCOURSE_DATA_MIRROR; a checkout beside shared/ finds
# it without. Tests that need real data fail (not skip) in CI when neither is there.
if "DLCOURSE_DATA_MIRROR" not in os.environ and SHARED_MIRROR.is_dir():
    os.environ["DLCOURSE_DATA_MIRROR"] = str(SHARED_MIRROR)


@pytest.fixture
def mirror() -> Path:
    path = os.environ.get("DLCOURSE_DATA_MIRROR")
    if not path or not Path(path).is_dir():
        if os.environ.get("CI"):
            pytest.fail("DLCOURSE_DATA_MIRROR must point at the dataset mirror in CI")
        pytest.skip("no dataset mirror: set DLCOURSE_DATA_MIRROR")
    return Path(path)
