/**
 * The program a Python function's local execution environment runs (`python3 -c`),
 * the counterpart of Lambda's Python runtime client: it imports the handler's module
 * (`Handler` `package/module.function`, from the code folder, which is its cwd and on
 * `sys.path`, as `/var/task` is in Lambda) once and runs one invocation at a time with
 * a context object of the Lambda shape (`aws_request_id`, `function_name`,
 * `get_remaining_time_in_millis()`, `client_context`, ...).
 *
 * The same line protocol as node-bootstrap.ts: invocations as JSON lines on fd 3,
 * results as JSON lines on fd 4; `print()` goes to stdout, which the server shows as
 * the function's log. An error is reported as Lambda reports it: `errorType` (the
 * exception's class name) and `errorMessage`.
 *
 * A handler of three positional parameters, `handler(event, context, emit)`, is a
 * streaming tool written for a runtime that streams (examples/streaming-tools/python/
 * stream_runtime.py; docs/writing-tools.md): each `emit`ted tool stream line is relayed
 * as it comes (progress and log lines as progress and log messages, the result or error
 * line as the outcome), so the same handler reports progress locally too.
 */
export const PYTHON_BOOTSTRAP = String.raw`
import importlib, inspect, json, os, sys, time, traceback

root = os.environ.get('LAMBDA_TASK_ROOT') or os.getcwd()
sys.path.insert(0, root)
inp = os.fdopen(3, 'r', encoding='utf-8')
out_fd = 4
loaded = None

def send(msg):
    data = (json.dumps(msg) + '\n').encode('utf-8')
    while data:
        n = os.write(out_fd, data)
        data = data[n:]

class ClientContext:
    def __init__(self, raw):
        raw = raw or {}
        self.custom = raw.get('custom')
        self.env = raw.get('env')
        self.client = raw.get('client')

class LambdaContext:
    def __init__(self, msg):
        self.aws_request_id = msg['requestId']
        self.function_name = msg['functionName']
        self.function_version = '$LATEST'
        self.invoked_function_arn = msg['functionArn']
        self.memory_limit_in_mb = int(msg['memoryMb'])
        self.log_group_name = '/aws/lambda/' + msg['functionName']
        self.log_stream_name = 'local'
        self.identity = None
        self.client_context = ClientContext(msg.get('clientContext')) if msg.get('clientContext') else None
        self._deadline = msg['deadline']
    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline - time.time() * 1000))

def load():
    global loaded
    if loaded is not None:
        return loaded
    spec = os.environ.get('_HANDLER', '')
    if '.' not in spec:
        raise ValueError('Bad handler ' + spec + ': expected module.function')
    module_name, fn_name = spec.rsplit('.', 1)
    module = importlib.import_module(module_name.replace('/', '.'))
    fn = getattr(module, fn_name, None)
    if not callable(fn):
        raise AttributeError('Handler ' + fn_name + ' missing on module ' + module_name)
    loaded = fn
    return fn

def takes_emit(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return len([p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) >= 3

class Stopped(Exception):
    pass

def run_streaming(fn, msg):
    # The tool stream's lines, relayed as they come; the first result or error line decides.
    decided = []
    def emit(line):
        if decided or not isinstance(line, dict):
            return
        kind = line.get('type')
        if kind == 'progress':
            send({'id': msg['id'], 'type': 'progress', 'progress': line.get('progress'), 'total': line.get('total'), 'message': line.get('message')})
        elif kind == 'log':
            send({'id': msg['id'], 'type': 'log', 'level': line.get('level'), 'data': line.get('data'), 'logger': line.get('logger')})
        elif kind in ('result', 'error'):
            decided.append(line)
    fn(msg['event'], LambdaContext(msg), emit)
    if decided and decided[0].get('type') == 'error':
        raise Stopped(decided[0])
    return decided[0].get('result') if decided else None

for line in inp:
    msg = json.loads(line)
    try:
        fn = load()
        try:
            result = run_streaming(fn, msg) if takes_emit(fn) else fn(msg['event'], LambdaContext(msg))
        except Stopped as stop:
            error = stop.args[0]
            send({'id': msg['id'], 'type': 'error', 'errorType': str(error.get('errorType') or 'Error'), 'errorMessage': str(error.get('errorMessage'))})
            continue
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError) as err:
            send({'id': msg['id'], 'type': 'error', 'errorType': 'Runtime.MarshalError', 'errorMessage': 'the result is not JSON: ' + str(err)})
            continue
        send({'id': msg['id'], 'type': 'result', 'payload': payload})
    except Exception as err:
        traceback.print_exc()
        send({'id': msg['id'], 'type': 'error', 'errorType': type(err).__name__, 'errorMessage': str(err)})
    sys.stdout.flush()
    sys.stderr.flush()
`;
