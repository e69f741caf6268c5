"""The reconciliation worklist: what was phoned in during an outage, to be entered once the system is back."""
