"""What ops read of a running process: structured logs (one JSON object a line, carrying the
workflow id and run id of the activity or workflow that logged it) and the Temporal SDK's own
metrics served for Prometheus by the worker (the API serves its own, ``api/metrics.py``)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from temporalio import activity
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

# Attributes every LogRecord has: what is left are the ``extra`` fields a caller added.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, process, message, the Temporal ids
    when the record comes from an activity or a workflow, the exception, and any extras."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self._process = process

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "process": self._process,
            "message": record.getMessage(),
        }
        line |= _temporal_ids(record)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("temporal_") and key not in line:
                line[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def _temporal_ids(record: logging.LogRecord) -> dict[str, str]:
    """The workflow and run of the record: the SDK's loggers put them on the record
    (``temporal_workflow`` / ``temporal_activity``); any other logger called inside an
    activity gets them from the activity's context."""
    for key in ("temporal_activity", "temporal_workflow"):
        found = getattr(record, key, None)
        if isinstance(found, dict) and found.get("workflow_id"):
            ids = {"workflow_id": str(found["workflow_id"]), "run_id": str(found.get("run_id"))}
            if "activity_type" in found:
                ids["activity"] = str(found["activity_type"])
            elif "workflow_type" in found:
                ids["workflow_type"] = str(found["workflow_type"])
            return ids
    if activity.in_activity():
        info = activity.info()
        return {
            "workflow_id": info.workflow_id or "",
            "run_id": info.workflow_run_id or "",
            "activity": info.activity_type,
        }
    return {}


def configure_logging(log_format: str, process: str, level: int = logging.INFO) -> None:
    """The root logger's one handler: JSON lines (``log_format="json"``) or the plain text the
    dev stack prints."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter(process))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {process} %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def metrics_runtime(bind_address: str) -> Runtime | None:
    """A Temporal runtime whose SDK metrics (workflow and activity task latencies, slots,
    sticky cache, poll and request counts) Prometheus scrapes at ``http://<bind>/metrics``;
    None (the default runtime, no metrics) when no address is set."""
    if not bind_address:
        return None
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind_address)))
