"""Stage gates: requests, confirmations, decisions, holds and stops; the review queue."""
