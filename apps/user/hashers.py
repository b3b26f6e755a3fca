"""The password hasher: Argon2id at OWASP's recommended cost (see README, "Performance")."""
from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id with m=19 MiB, t=2, p=1: OWASP's first listed configuration, ~30 ms of one core.

    Django's own Argon2 defaults (100 MiB, 8 lanes) cost more memory per login than a worker
    should hold for a rush of logins; the algorithm name is Django's, so a hash made with other
    parameters is re-made at the next successful login (must_update compares them).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
