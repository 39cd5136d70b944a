"""The import tasks live in trellis.imports.tasks (the one import pipeline)."""

from trellis.imports.tasks import check_import, commit_import

__all__ = ["check_import", "commit_import"]
