"""Exceptions whose message is meant for the user, printed without a traceback by the pipeline scripts."""


class PipelineError(Exception):
    """An error the user can act on; its message says what went wrong and where."""


class ConfigError(PipelineError, ValueError):
    """A setting in the configuration is invalid."""


class DataError(PipelineError, ValueError):
    """An input file is malformed: the message names the file, the row and the column."""


class DownloadError(PipelineError):
    """A download failed or produced a file that does not match what was expected."""


class SourceUnreachable(DownloadError):
    """A source could not be reached: no network, ``HF_HUB_OFFLINE`` without a cached copy, or an offline
    mirror that does not hold it.  Optional stages (``test_time``) are skipped on it; other downloads fail."""
