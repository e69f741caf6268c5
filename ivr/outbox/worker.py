"""The outbox worker: claims due messages, sends each once, retries transient failures with backoff.

Claiming is a conditional UPDATE that stamps claimed_at/claimed_by, so two workers never take the same
message; on PostgreSQL the candidates are read with FOR UPDATE SKIP LOCKED so workers do not wait on each
other. A claim is a lease: if its worker dies before recording the outcome, another worker takes the
message again once the lease has expired. The HTTP call happens outside any database transaction.

Twilio's Messages API has no idempotency key, so a message whose last attempt may have reached Twilio (a
read timeout, a 5xx, a worker lost mid-send) is marked uncertain, and before it is sent again the worker
looks for it in Twilio's list of messages to that number: found, it is recorded as sent, not sent twice.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from ivr.clock import Clock
from ivr.outbox.models import FAILED, PENDING, OutboxMessage
from ivr.outbox.sender import Sender, SendError, SendReceipt
from ivr.outbox.service import catch_up_status

log = logging.getLogger("ivr.outbox.worker")

DEFAULT_LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
LOOKUP_SLACK = timedelta(minutes=5)  # Twilio's clock and ours may differ a little
MAX_ATTEMPTS = 20  # about 12 hours of retries before a message is given up and shown as failed


def default_worker_id() -> str:
    """A name for this worker process, shown in claimed_by."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """The wait before the next try: doubling from 30 s up to 1 h, with jitter so workers spread out."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (1 << min(max(attempts - 1, 0), 30)))
    return ceiling / 2 + ceiling / 2 * rng.random()


class Worker:
    """Sends the outbox, one claimed batch at a time."""

    def __init__(
        self,
        *,
        session_factory: Callable[[], Session],
        sender: Sender,
        clock: Clock,
        worker_id: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        batch_size: int = 20,
        max_attempts: int = MAX_ATTEMPTS,
        rng: random.Random | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.sender = sender
        self.clock = clock
        self.worker_id = worker_id or default_worker_id()
        self.lease = lease
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.rng = rng or random.Random()  # noqa: S311  (jitter, not cryptography)

    def _due(self, now: datetime) -> ColumnElement[bool]:
        return and_(
            OutboxMessage.status == PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - self.lease),
        )

    def claim(self) -> list[int]:
        """Claim up to a batch of due messages (counting an attempt for each); returns their ids."""
        now = self.clock.now()
        due = self._due(now)
        with self.session_factory() as session, session.begin():
            query = (
                select(OutboxMessage.id)
                .where(due)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(self.batch_size)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            candidates = list(session.scalars(query))
            if not candidates:
                return []
            # The same condition again: on SQLite (no row locks) a message another worker took is left alone.
            claimed = session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(candidates), due)
                .values(
                    claimed_at=now,
                    claimed_by=self.worker_id,
                    attempts=OutboxMessage.attempts + 1,
                    # Still claimed: the last worker died or lost its lease after perhaps handing it to Twilio.
                    uncertain_since=case(
                        (OutboxMessage.claimed_at.is_not(None), func.coalesce(OutboxMessage.uncertain_since, now)),
                        else_=OutboxMessage.uncertain_since,
                    ),
                )
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False)
            )
            return sorted(claimed)

    def deliver(self, message_id: int) -> str:
        """Send one claimed message and record the outcome: sent/printed, retry, failed or lost (lease gone)."""
        with self.session_factory() as session:
            message = session.get(OutboxMessage, message_id)
            if message is None or message.claimed_by != self.worker_id or message.to_number is None:
                return "lost"
            to, body, claimed_at = message.to_number, message.body, message.claimed_at
            uncertain, created = message.uncertain_since is not None, message.created_at
        try:
            found = self.sender.find_sent(to=to, body=body, since=created - LOOKUP_SLACK) if uncertain else None
            if found is not None:
                log.info("sms %s: Twilio already had it from an earlier attempt; not sent again", message_id)
            outcome: SendReceipt | SendError = found or self.sender.send(to=to, body=body)
        except SendError as exc:
            outcome = exc
        except Exception as exc:  # a bug or an unexpected provider answer must not stop the worker
            log.exception("sms %s: unexpected error while sending", message_id)
            outcome = SendError(transient=True, code=None, message=f"unexpected: {type(exc).__name__}")
        return self._record(message_id, claimed_at, outcome)

    def _record(self, message_id: int, claimed_at: datetime | None, outcome: SendReceipt | SendError) -> str:
        now = self.clock.now()
        with self.session_factory() as session:
            message = session.get(OutboxMessage, message_id)
            if message is None or message.claimed_by != self.worker_id or message.claimed_at != claimed_at:
                log.warning("sms %s: lease expired before the outcome was recorded", message_id)
                return "lost"
            message.claimed_at = None
            message.claimed_by = None
            if isinstance(outcome, SendError) and outcome.uncertain and message.uncertain_since is None:
                message.uncertain_since = now
            if isinstance(outcome, SendReceipt):
                message.uncertain_since = None
                result = self._sent(session, message, outcome, now)
            elif outcome.transient and message.attempts < self.max_attempts:
                message.next_attempt_at = now + backoff(message.attempts, self.rng)
                message.last_error_code, message.last_error = outcome.code, outcome.message
                result = "retry"
            else:
                message.status = FAILED
                message.next_attempt_at = None
                message.last_error_code = outcome.code
                message.last_error = (
                    outcome.message
                    if not outcome.transient
                    else f"gave up after {message.attempts} attempts: {outcome.message}"
                )
                message.status_updated_at = now
                result = "failed"
            session.commit()
        log.info("sms %s: %s (attempt %s)", message_id, result, message.attempts)
        return result

    @staticmethod
    def _sent(session: Session, message: OutboxMessage, receipt: SendReceipt, now: datetime) -> str:
        message.status = receipt.status
        message.twilio_sid = receipt.sid
        message.sent_at = now
        message.status_updated_at = now
        message.next_attempt_at = None
        if receipt.sid is not None:
            catch_up_status(session=session, message=message)
        return "printed" if receipt.sid is None else "sent"

    def run_once(self) -> Counter[str]:
        """Send everything due now, then return how each message ended (sent, printed, retry, failed, lost)."""
        outcomes: Counter[str] = Counter()
        while ids := self.claim():
            for message_id in ids:
                outcomes[self.deliver(message_id)] += 1
        return outcomes

    def run(self, *, stop: threading.Event, interval: float = 2.0) -> None:
        """Keep sending until stop is set, polling every interval seconds when idle."""
        while not stop.is_set():
            try:
                busy = bool(self.run_once())
            except Exception:  # the database may be away for a moment (restart, failover)
                log.exception("outbox worker: sending round failed; trying again")
                busy = False
            if not busy:
                stop.wait(interval)
