"""Slowing down password guessing on the login form: failed logins counted per email address and
per client address in a sliding window; past the limit, logins for that key are refused (429)
without checking the password until the oldest failure leaves the window. Per node and in
memory: a cluster of N nodes allows at most N times the limit, which still stops guessing."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

from starlette.requests import Request

MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_CLIENT = 20
WINDOW_S = 15 * 60.0
MAX_KEYS = 100_000  # memory bound: the least recently failed keys are forgotten first


class LoginThrottle:
    """Failed logins per key (``email:…``, ``client:…``) within ``window_s``."""

    def __init__(
        self,
        *,
        per_email: int = MAX_FAILURES_PER_EMAIL,
        per_client: int = MAX_FAILURES_PER_CLIENT,
        window_s: float = WINDOW_S,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = {"email": per_email, "client": per_client}
        self._window_s = window_s
        self._max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    @staticmethod
    def keys(email: str, client: str | None) -> list[str]:
        keys = [f"email:{email.strip().lower()}"]
        if client:
            keys.append(f"client:{client}")
        return keys

    def retry_after(self, keys: list[str]) -> float:
        """Seconds until a login for these keys may be tried again; 0.0 when it may now."""
        now = self._clock()
        wait = 0.0
        for key in keys:
            failures = self._recent(key, now)
            limit = self._limits[key.partition(":")[0]]
            if failures is not None and len(failures) >= limit:
                wait = max(wait, failures[-limit] + self._window_s - now)
        return wait

    def failed(self, keys: list[str]) -> None:
        now = self._clock()
        for key in keys:
            failures = self._recent(key, now)
            if failures is None:
                failures = self._failures[key] = deque()
            failures.append(now)
            self._failures.move_to_end(key)
        while len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)

    def succeeded(self, keys: list[str]) -> None:
        """A correct password clears the email's failures (not the client's)."""
        for key in keys:
            if key.startswith("email:"):
                self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self._window_s:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        return failures


def app_throttle(request: Request) -> LoginThrottle:
    """The node's throttle, made on first use."""
    state = request.app.state
    throttle: LoginThrottle | None = getattr(state, "login_throttle", None)
    if throttle is None:
        throttle = state.login_throttle = LoginThrottle()
    return throttle
