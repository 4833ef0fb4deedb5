"""Password hashing at the strength OWASP's Password Storage Cheat Sheet recommends, fast enough
to sign in quickly: Argon2id with 19 MiB of memory, 2 passes and 1 lane (its first choice).

Django's own Argon2 hasher uses 100 MiB and 8 lanes, which costs a sign-in about ten times as
much for no gain the cheat sheet asks for; PBKDF2 (Django's default, 1,000,000 rounds) takes
0.3 to 0.5 s. Hashes made by an older hasher still verify and are upgraded at the next sign-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # the same encoded format: Django reads the parameters from each hash
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
