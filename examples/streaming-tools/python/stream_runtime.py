"""A minimal AWS Lambda runtime for Python tool functions that stream the tool stream.

Lambda's managed Python runtime answers each invocation with one buffered response,
so a Python function cannot send progress while it runs. This loop speaks the Lambda
Runtime API itself (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html)
and answers in response-streaming mode
(https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html, "Implementing
response streaming in a custom runtime"): a chunked POST with
`Lambda-Runtime-Function-Response-Mode: streaming`, one chunk per line, so each line
reaches the caller of InvokeWithResponseStream as it is written.

It uses only the standard library. The handler (`_HANDLER`, `module.function`) is
called as `handler(event, context, emit)`; `emit(obj)` writes one JSON line. A handler
that raises before writing is reported with the Runtime API's error call; one that
raises after writing ends its stream with an error line (and the error trailers, so
Lambda records it too).

Deploy it on the managed Python runtime with the exec wrapper (see
docs/writing-tools.md): `AWS_LAMBDA_EXEC_WRAPPER=/var/task/bootstrap`, where
`bootstrap` runs `exec python3 /var/task/stream_runtime.py`; the wrapper replaces the
managed runtime's own loop with this one.
"""
import base64
import http.client
import importlib
import json
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
ROOT = os.environ.get("LAMBDA_TASK_ROOT") or os.path.dirname(os.path.abspath(__file__))
PREFIX = "/2018-06-01/runtime"
ERROR_TRAILERS = "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


class StreamedResponse:
    """The chunked POST of one invocation's response, opened at the first line."""

    def __init__(self, request_id):
        self.request_id = request_id
        self.conn = None

    @property
    def started(self):
        return self.conn is not None

    def write(self, obj):
        data = (json.dumps(obj) + "\n").encode("utf-8")
        if self.conn is None:
            self.conn = http.client.HTTPConnection(API)
            self.conn.putrequest("POST", f"{PREFIX}/invocation/{self.request_id}/response")
            self.conn.putheader("Lambda-Runtime-Function-Response-Mode", "streaming")
            self.conn.putheader("Transfer-Encoding", "chunked")
            self.conn.putheader("Content-Type", "application/x-ndjson")
            self.conn.putheader("Trailer", ERROR_TRAILERS)
            self.conn.endheaders()
        self.conn.send(b"%x\r\n%s\r\n" % (len(data), data))

    def finish(self, error=None):
        trailers = b""
        if error is not None:
            body = base64.b64encode(json.dumps(error).encode("utf-8"))
            trailers = b"Lambda-Runtime-Function-Error-Type: %s\r\nLambda-Runtime-Function-Error-Body: %s\r\n" % (
                error["errorType"].encode("utf-8"), body)
        self.conn.send(b"0\r\n" + trailers + b"\r\n")
        self.conn.getresponse().read()
        self.conn.close()


def post(path, body, headers=None):
    conn = http.client.HTTPConnection(API)
    conn.request("POST", PREFIX + path, body=json.dumps(body).encode("utf-8"), headers=headers or {})
    conn.getresponse().read()
    conn.close()


def error_of(err):
    return {"errorType": type(err).__name__, "errorMessage": str(err)}


def load_handler():
    spec = os.environ.get("_HANDLER", "")
    module_name, _, fn_name = spec.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler {spec!r}: expected module.function")
    sys.path.insert(0, ROOT)
    fn = getattr(importlib.import_module(module_name), fn_name, None)
    if not callable(fn):
        raise AttributeError(f"Handler {fn_name} missing on module {module_name}")
    return fn


def main():
    try:
        handler = load_handler()
    except Exception as err:  # noqa: BLE001 - any import failure is an init error
        traceback.print_exc()
        post("/init/error", error_of(err), {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"})
        sys.exit(1)
    while True:
        conn = http.client.HTTPConnection(API)
        conn.request("GET", PREFIX + "/invocation/next")
        res = conn.getresponse()
        event = json.loads(res.read() or b"null")
        headers = {k: v for k, v in res.getheaders()}
        conn.close()
        context = Context(headers)
        response = StreamedResponse(context.aws_request_id)
        try:
            handler(event, context, response.write)
            if not response.started:
                # A handler that wrote nothing answers null, as a plain function would.
                response.write({"type": "result", "result": None})
            response.finish()
        except Exception as err:  # noqa: BLE001 - reported to the caller, then the next invocation
            traceback.print_exc()
            error = error_of(err)
            if response.started:
                response.write({"type": "error", **error})
                response.finish(error)
            else:
                post(f"/invocation/{context.aws_request_id}/error", error, {"Lambda-Runtime-Function-Error-Type": error["errorType"]})
        sys.stdout.flush()


if __name__ == "__main__":
    main()
