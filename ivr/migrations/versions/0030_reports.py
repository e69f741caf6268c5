"""care-transition reports: the hash-chained report store, per-receiver deliveries, unfinished reports

On PostgreSQL, triggers make the store append-only at the database level: a report is never updated or
deleted, a delivery's receiver never changes, each delivery time is set once, and no delivery is deleted.

Revision ID: 0030
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.persistence

revision: str = "0030"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORTS_APPEND_ONLY = """
CREATE FUNCTION reports_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reports are append-only: % of report % refused; cancel it with a new entry instead',
        TG_OP, OLD.reference
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER reports_append_only BEFORE UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_append_only();
"""

DELIVERIES_SET_ONCE = """
CREATE FUNCTION report_deliveries_set_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'report deliveries are never deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.report_id, NEW.position, NEW.receiver_code, NEW.receiver_name, NEW.receiver_kind,
        NEW.receiver_phone, NEW.receiver_sms)
       IS DISTINCT FROM
       (OLD.report_id, OLD.position, OLD.receiver_code, OLD.receiver_name, OLD.receiver_kind,
        OLD.receiver_phone, OLD.receiver_sms) THEN
        RAISE EXCEPTION 'the receiver of a report never changes' USING ERRCODE = 'restrict_violation';
    END IF;
    IF (OLD.dialled_at IS NOT NULL AND NEW.dialled_at IS DISTINCT FROM OLD.dialled_at)
       OR (OLD.connected_at IS NOT NULL AND NEW.connected_at IS DISTINCT FROM OLD.connected_at)
       OR (OLD.acknowledged_at IS NOT NULL AND NEW.acknowledged_at IS DISTINCT FROM OLD.acknowledged_at)
       OR (OLD.answered_call_sid IS NOT NULL AND NEW.answered_call_sid IS DISTINCT FROM OLD.answered_call_sid)
       OR (OLD.outcome IS NOT NULL AND NEW.outcome IS DISTINCT FROM OLD.outcome) THEN
        RAISE EXCEPTION 'a delivery time or outcome is set once and never changed'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER report_deliveries_set_once BEFORE UPDATE OR DELETE ON report_deliveries
    FOR EACH ROW EXECUTE FUNCTION report_deliveries_set_once();
"""


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("line_key", sa.String(length=32), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=True),
        sa.Column("call_position", sa.Integer(), nullable=True),
        sa.Column("official_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=True),
        sa.Column("reporter_code", sa.String(length=16), nullable=True),
        sa.Column("reporter_name", sa.String(length=200), nullable=True),
        sa.Column("reporter_kind", sa.String(length=32), nullable=True),
        sa.Column("reporter_phone", sa.String(length=20), nullable=True),
        sa.Column("patient_number", sa.String(length=20), nullable=True),
        sa.Column("patient_number_kind", sa.String(length=20), nullable=True),
        sa.Column("event_data", sa.Text(), nullable=False),
        sa.Column("caller_name", sa.String(length=200), nullable=True),
        sa.Column("caller_name_recording", sa.String(length=500), nullable=True),
        sa.Column("duplicate_of", sa.String(length=12), nullable=True),
        sa.Column("cancels", sa.String(length=12), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("made_by", sa.String(length=200), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("call_sid", "call_position", name=op.f("uq_reports_call_sid")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_reports_entry_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_reports_prev_hash")),
        sa.UniqueConstraint("reference", name=op.f("uq_reports_reference")),
        sa.UniqueConstraint("seq", name=op.f("uq_reports_seq")),
    )
    with op.batch_alter_table("reports") as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_cancels"), ["cancels"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_official_at"), ["official_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_patient_number"), ["patient_number"], unique=False)

    op.create_table(
        "report_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("receiver_code", sa.String(length=16), nullable=False),
        sa.Column("receiver_name", sa.String(length=200), nullable=False),
        sa.Column("receiver_kind", sa.String(length=32), nullable=False),
        sa.Column("receiver_phone", sa.String(length=20), nullable=True),
        sa.Column("receiver_sms", sa.String(length=20), nullable=True),
        sa.Column("dialled_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("connected_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_call_sid", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_deliveries_report_id_reports"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_deliveries")),
        sa.UniqueConstraint("report_id", "position", name=op.f("uq_report_deliveries_report_id")),
    )
    with op.batch_alter_table("report_deliveries") as batch_op:
        batch_op.create_index(batch_op.f("ix_report_deliveries_receiver_code"), ["receiver_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_deliveries_report_id"), ["report_id"], unique=False)

    op.create_table(
        "report_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_drafts")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_report_drafts_call_sid")),
    )
    with op.batch_alter_table("report_drafts") as batch_op:
        batch_op.create_index(batch_op.f("ix_report_drafts_updated_at"), ["updated_at"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(REPORTS_APPEND_ONLY)
        op.execute(DELIVERIES_SET_ONCE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_deliveries_set_once ON report_deliveries")
        op.execute("DROP FUNCTION IF EXISTS report_deliveries_set_once()")
        op.execute("DROP TRIGGER IF EXISTS reports_append_only ON reports")
        op.execute("DROP FUNCTION IF EXISTS reports_append_only()")
    op.drop_table("report_drafts")
    op.drop_table("report_deliveries")
    op.drop_table("reports")
