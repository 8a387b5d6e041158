"""A Python tool that reports progress and log messages while it runs.

It uses the tool contract with no helper library: it reads the tool event
{"tool", "arguments", "context"} and writes the tool stream, one JSON object a line:

    {"type": "progress", "progress": 1, "total": 3, "message": "..."}
    {"type": "log", "level": "info", "data": {...}, "logger": "scan_table"}
    {"type": "result", "result": <what a plain tool function returns>}

`scan(event, emit)` holds the tool's logic; `emit(line)` sends one line. Two entry
points run it:

- `stream_runtime.py` (this folder) runs `scan_table.handler` as a response-streaming
  function: each line reaches the MCP client during the call. Register the tool with
  `streaming: true`.
- `plain_handler` is an ordinary Lambda handler for the managed Python runtime, which
  cannot stream a response: the same logic, and the client gets the result alone
  (progress and log lines go to CloudWatch Logs instead). Register it without
  `streaming`.
"""
import json
import sys


def scan(event, emit):
    args = event.get("arguments") or {}
    tables = args.get("tables") or ["orders", "customers", "invoices"]
    wants_progress = "progressToken" in (event.get("context") or {})
    rows = {}
    for i, table in enumerate(tables, start=1):
        rows[table] = count_rows(table)
        # Without a progress token nobody receives progress: write nothing.
        if wants_progress:
            emit({"type": "progress", "progress": i, "total": len(tables), "message": f"scanned {table}"})
        emit({"type": "log", "level": "info", "data": {"table": table, "rows": rows[table]}, "logger": "scan_table"})
    return {"tables": len(tables), "rows": rows, "total": sum(rows.values())}


def count_rows(table):
    # Your work here (a DynamoDB scan, an Athena query, ...); a stand-in for the example.
    return sum(ord(c) for c in table) % 97 + 3


def handler(event, context, emit):
    """The streaming entry point: stream_runtime.py gives it `emit`."""
    emit({"type": "result", "result": scan(event, emit)})


def plain_handler(event, context):
    """For the managed Python runtime (no response streaming): the result alone."""
    return scan(event, lambda line: print(json.dumps(line)))


if __name__ == "__main__":
    # `python3 scan_table.py < event.json` writes the tool stream to stdout, to try it.
    handler(json.load(sys.stdin), None, lambda line: print(json.dumps(line), flush=True))
