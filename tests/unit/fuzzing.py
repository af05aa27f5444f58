"""Settings shared by the fuzz tests: how many examples (SITEGEN_FUZZ_EXAMPLES, 200 by default;
`make fuzz` runs 20,000) and the imaginary site they load into."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from hypothesis import HealthCheck, settings

from sitegen.config import SiteConfig

EXAMPLES = int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=dt.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ROOT = Path("/fuzz-site")
CONFIG = SiteConfig(root=ROOT)
