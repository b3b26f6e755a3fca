"""Fault switches set through /control/faults: in memory, so a restart clears them."""
import threading


def count(name, value, limit):
    """A countdown's value, checked: an integer from 0 to limit."""
    # bool is an int in Python; JSON true must not read as 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise ValueError(f"{name} must be an integer from 0 to {limit}")
    return value


class Faults:
    """A sandbox's switches: subclasses name the DEFAULTS and check(name, value) each change."""

    DEFAULTS: dict = {}

    def __init__(self):
        self._lock = threading.Lock()
        self._values = dict(self.DEFAULTS)

    def check(self, name, value):
        """The clean value of one change; ValueError if the name or the value is wrong."""
        raise NotImplementedError

    def update(self, changes) -> dict:
        """Merge validated changes (all or nothing); raises ValueError on any bad key or value."""
        if not isinstance(changes, dict):
            raise ValueError("faults must be a JSON object")
        clean = {name: self.check(name, value) for name, value in changes.items()}
        with self._lock:
            self._values.update(clean)
            return dict(self._values)

    def reset(self) -> dict:
        with self._lock:
            self._values = dict(self.DEFAULTS)
            return dict(self._values)

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self._values)

    def get(self, name):
        with self._lock:
            return self._values[name]

    def take(self, name) -> bool:
        """Consume one unit of a countdown fault; True if this call is the one that fails."""
        with self._lock:
            if self._values[name] > 0:
                self._values[name] -= 1
                return True
            return False
