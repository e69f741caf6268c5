"""The SMS outbox: receipts written with the report that causes them, sent by a worker, tracked to delivery."""
