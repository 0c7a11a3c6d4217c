"""Rate-limit headers on the answers that were limited (429), and only there."""

import time

from tracker.extensions import limiter


def limit_headers() -> dict[str, str]:
    """Retry-After and the X-RateLimit-* trio of the limit this request ran into."""
    current = limiter.current_limit
    if current is None:
        return {}
    reset_at = int(current.reset_at)
    return {
        "Retry-After": str(max(1, reset_at - int(time.time()))),
        "X-RateLimit-Limit": str(current.limit.amount),
        "X-RateLimit-Remaining": str(max(0, current.remaining)),
        "X-RateLimit-Reset": str(reset_at),
    }
