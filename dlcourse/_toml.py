"""`tomllib` on Python ≥ 3.11, the `tomli` backport (same API) on 3.10."""
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10
    import tomli as tomllib

loads = tomllib.loads
