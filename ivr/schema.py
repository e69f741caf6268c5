"""Imports every model module so that Base.metadata knows every table (for Alembic and tests)."""

from directory import models as _directory_models  # noqa: F401  (registers tables)
from ivr import snapshot as _snapshot  # noqa: F401  (registers tables)
from ivr.audit import models as _audit_models  # noqa: F401  (registers tables)
from ivr.calls import models as _call_models  # noqa: F401  (registers tables)
from ivr.faults import models as _fault_models  # noqa: F401  (registers tables)
from ivr.outages import models as _outage_models  # noqa: F401  (registers tables)
from ivr.outbox import models as _outbox_models  # noqa: F401  (registers tables)
from ivr.persistence import Base
from ivr.reports import models as _report_models  # noqa: F401  (registers tables)
from ivr.retention import models as _retention_models  # noqa: F401  (registers tables)
from ivr.schedule import models as _schedule_models  # noqa: F401  (registers tables)
from ivr.users import models as _user_models  # noqa: F401  (registers tables)
from ivr.visits import models as _visit_models  # noqa: F401  (registers tables)
from ivr.worklist import models as _worklist_models  # noqa: F401  (registers tables)

metadata = Base.metadata
