"""Imports every model module so that Base.metadata knows every table (for Alembic and tests)."""

from call_flows import models as _voice_line_models  # noqa: F401  (registers tables)
from directory import models as _directory_models  # noqa: F401  (registers tables)
from ivr import audit as _audit  # noqa: F401  (registers tables)
from ivr import models as _call_models  # noqa: F401  (registers tables)
from ivr.db import Base
from ivr.outbox import models as _outbox_models  # noqa: F401  (registers tables)
from ivr.reports import models as _report_models  # noqa: F401  (registers tables)
from ivr.worklist import models as _worklist_models  # noqa: F401  (registers tables)

metadata = Base.metadata
