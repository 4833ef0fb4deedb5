"""Bench-only static storage: the production one, minus sourceMappingURL rewriting.

Used by board_bench.py only when the real collectstatic fails (a vendored file names a .map
file that is not shipped); the manifest it writes is read by the real storage afterwards.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class NoSourceMapStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (extension, tuple(p for p in rules if "sourceMappingURL" not in str(p)))
        for extension, rules in CompressedManifestStaticFilesStorage.patterns
    )
