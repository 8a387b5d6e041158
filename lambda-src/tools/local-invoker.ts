/**
 * Runs a local registry file's `handler` (`./tools/echo.js#handler`) in process, with
 * the same event, result and failure contract as a Lambda function, so a tool that
 * works under `mcp-lambda-server dev` behaves the same once deployed by ARN:
 * - the event and the result make a JSON round trip (a result that is not JSON, such
 *   as a BigInt or a cycle, is `malformed`, as Lambda's runtime would fail it);
 * - both are held to Lambda's 6 MB synchronous payload limit;
 * - a thrown error is a `function_error` with its message;
 * - the context looks like Lambda's (`awsRequestId`, `functionName`,
 *   `getRemainingTimeInMillis()`), plus `sendProgress(progress, total?, message?)`.
 *
 * Only for local development: the deployed handler never routes to it (see
 * routing-invoker.ts), so a run-time registration cannot name a file to execute.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseHandler } from './handler-reference';
import { InvocationDeadline } from './invocation-deadline';
import { formatBytes, formatSeconds, MAX_SYNC_PAYLOAD_BYTES } from './payload-limits';
import { TOOL_LOG_LEVELS } from './tool-invoker';
import type { InvokeFailureKind, InvokeOptions, InvokeOutcome, ToolInvoker, ToolLogLevel } from './tool-invoker';
import type { FunctionTarget } from '../model/registry-item';

/** The second argument a local handler receives. */
export interface LocalHandlerContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
  /** The Lambda client context, parsed, when the caller sent one (as Lambda gives it). */
  readonly clientContext?: unknown;
  getRemainingTimeInMillis(): number;
  /** Reports progress to the client when it sent a progressToken; a no-op otherwise. */
  sendProgress(progress: number, total?: number, message?: string): void;
  /**
   * Sends a log message to the client (`notifications/message`), filtered by the
   * session's `logging/setLevel`. An unknown level is dropped; `data` is any JSON.
   */
  sendLog(level: string, data: unknown, logger?: string): void;
}

export { parseHandler } from './handler-reference';

export type LocalHandler = (event: unknown, context: LocalHandlerContext) => unknown;

export interface LocalInvokerOptions {
  /** Folder for `handler` paths when the item has no `baseDir`. @default process.cwd() */
  readonly baseDir?: string;
  /** Upper bound when the caller gives no `timeoutMs`. @default 15 minutes */
  readonly defaultTimeoutMs?: number;
}

export class LocalInvoker implements ToolInvoker {
  constructor(private readonly options: LocalInvokerOptions = {}) {}

  async invoke(target: FunctionTarget, event: unknown, options: InvokeOptions = {}): Promise<InvokeOutcome> {
    if (!target.handler) return fail('not_found', 'the registry item names no handler');
    const spec = parseHandler(target.handler);
    if (!spec) {
      return fail('not_found', `handler '${target.handler}' is not of the form './path/to/module.js#exportName'`);
    }
    const file = isAbsolute(spec.path) ? spec.path : resolve(target.baseDir ?? this.options.baseDir ?? process.cwd(), spec.path);

    // Over the wire the function gets a fresh copy of exactly the JSON we sent.
    let eventJson: string;
    try {
      eventJson = JSON.stringify(event);
    } catch (err) {
      return fail('invoke_failed', `the event could not be serialized as JSON: ${messageOf(err)}`);
    }
    if (Buffer.byteLength(eventJson) > MAX_SYNC_PAYLOAD_BYTES) {
      return fail('payload_too_large', `the request event is ${formatBytes(Buffer.byteLength(eventJson))}, over the ${formatBytes(MAX_SYNC_PAYLOAD_BYTES)} limit of a synchronous Lambda invocation`);
    }

    let fn: LocalHandler;
    try {
      // Loaded already (the usual case): no await, so the call costs no extra turn.
      const loaded = loadedHandlers.get(handlerKey(file, spec.exportName)) ?? await loadHandler(file, spec.exportName);
      if (typeof loaded === 'string') return fail('not_found', loaded);
      fn = loaded;
    } catch (err) {
      return fail('invoke_failed', `loading ${file} failed: ${messageOf(err)}`);
    }

    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs ?? 15 * 60_000;
    if (timeoutMs <= 0) return fail('timeout', "no time was left to run the handler before the request's deadline");
    const deadline = new InvocationDeadline(options.signal, timeoutMs);
    if (deadline.reason === 'aborted') return fail('aborted', 'the request was cancelled before the handler ran');
    const startedAt = Date.now();
    const context: LocalHandlerContext = {
      awsRequestId: randomUUID(),
      functionName: `${spec.path}#${spec.exportName}`,
      functionVersion: '$LATEST',
      invokedFunctionArn: `local:${file}#${spec.exportName}`,
      memoryLimitInMB: '128',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAt)),
      ...(options.clientContext ? { clientContext: JSON.parse(Buffer.from(options.clientContext, 'base64').toString('utf8')) } : {}),
      sendProgress: (progress, total, message) => {
        if (deadline.reason || !options.onProgress || typeof progress !== 'number') return;
        options.onProgress({
          progress,
          ...(typeof total === 'number' ? { total } : {}),
          ...(typeof message === 'string' ? { message } : {}),
        });
      },
      sendLog: (level, data, logger) => {
        if (deadline.reason || !options.onLog || !(TOOL_LOG_LEVELS as readonly string[]).includes(level)) return;
        options.onLog({ level: level as ToolLogLevel, data, ...(typeof logger === 'string' ? { logger } : {}) });
      },
    };

    try {
      // A handler cannot be stopped from outside; on timeout or abort we stop
      // waiting for it, as Lambda stops waiting for a function past its timeout.
      // Whichever comes first settles: the handler (its late outcome is then nobody's
      // to handle), or the end of the deadline.
      const settled = await new Promise<{ value: unknown } | { error: unknown } | { reason: 'timeout' | 'aborted' }>((settle) => {
        void deadline.whenEnded().then((reason) => settle({ reason }));
        Promise.resolve()
          .then(() => fn(JSON.parse(eventJson), context))
          .then((value) => settle({ value }), (error: unknown) => settle({ error }));
      });
      if ('reason' in settled) {
        return settled.reason === 'timeout'
          ? fail('timeout', `the handler did not finish within ${formatSeconds(timeoutMs)}`)
          : fail('aborted', 'the request was cancelled while the handler ran');
      }
      if ('error' in settled) return fail('function_error', errorText(settled.error));
      return resultOutcome(settled.value);
    } finally {
      deadline.dispose();
    }
  }
}

function resultOutcome(value: unknown): InvokeOutcome {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    return fail('malformed', `the handler's result is not JSON: ${messageOf(err)}`);
  }
  // Lambda sends `null` for a handler that returns undefined.
  if (json === undefined) return { ok: true, payload: null };
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_SYNC_PAYLOAD_BYTES) {
    return fail('payload_too_large', `the response is ${formatBytes(bytes)}, over the ${formatBytes(MAX_SYNC_PAYLOAD_BYTES)} limit of a synchronous Lambda invocation`);
  }
  return { ok: true, payload: JSON.parse(json) };
}

/**
 * `import()` of a computed specifier, which TypeScript (module node16) and esbuild
 * both leave as it is, so the CommonJS CLI bundle still loads ES modules. (Not through
 * `new Function`: code made that way has no module of its own to import from, which
 * jest's loader cannot serve.)
 */
function dynamicImport(specifier: string): Promise<Record<string, unknown>> {
  return import(specifier) as Promise<Record<string, unknown>>;
}

/**
 * Handlers already loaded, by module file and export name. Node keeps an imported
 * module for the life of the process anyway (an edited module is not reloaded either),
 * so a second import would only repeat the file check and the loader's lookup, several
 * microseconds a call (CPU profiles of the benchmark). A module deleted after its first call thus
 * keeps running, as it would from Node's module cache.
 */
const loadedHandlers = new Map<string, LocalHandler>();

/**
 * One import per module file, shared by concurrent first calls (two tools of one
 * module called at once): jest's ES module loader fails a module imported twice while
 * it is still linking, and a single import is all Node does anyway. A failed import
 * is forgotten, so that a fixed module is tried again.
 */
const moduleImports = new Map<string, Promise<Record<string, unknown>>>();

/** Bumped by reloadLocalHandlers: part of the import URL, so that Node loads an edited module again. */
let generation = 0;

/**
 * Forgets every loaded handler (the dev server calls it when a handler module or the
 * registry file changes): the next call imports the module afresh. An ES module is
 * imported under a new URL (`?reload=N`: Node keeps every module it loaded, keyed by
 * URL, for the life of the process); a CommonJS module, and the CommonJS modules it
 * required from its folder, are dropped from require's cache. ES modules that a handler
 * itself imports keep their first version until a restart.
 */
export function reloadLocalHandlers(): void {
  const folders = new Set([...moduleImports.keys()].map((file) => dirname(file)));
  generation++;
  loadedHandlers.clear();
  moduleImports.clear();
  for (const cached of Object.keys(require.cache)) {
    if (!cached.includes(`${sep}node_modules${sep}`) && [...folders].some((folder) => cached.startsWith(folder + sep))) delete require.cache[cached];
  }
}

function importModule(file: string): Promise<Record<string, unknown>> {
  let pending = moduleImports.get(file);
  if (!pending) {
    const url = pathToFileURL(file).href + (generation > 0 ? `?reload=${generation}` : '');
    pending = dynamicImport(url).catch((err: unknown) => {
      // Inside a vm context without a dynamic-import hook (jest without
      // --experimental-vm-modules) `import()` is unavailable; `require` still loads
      // CommonJS there. Everywhere else the import's own error is the real one.
      if (!isRecord(err) || typeof err.code !== 'string' || !err.code.startsWith('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING')) throw err;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(file) as Record<string, unknown>;
    });
    moduleImports.set(file, pending);
    pending.catch(() => moduleImports.delete(file));
  }
  return pending;
}

function handlerKey(file: string, exportName: string): string {
  return `${file}#${exportName}`;
}

/** The handler function, or a sentence saying why there is none; the caller looked in loadedHandlers first. */
async function loadHandler(file: string, exportName: string): Promise<LocalHandler | string> {
  if (!existsSync(file)) return `handler module ${file} does not exist`;
  const mod = await importModule(file);
  // A CommonJS module imported as ESM puts `module.exports` on `default`.
  const direct = mod[exportName];
  const viaDefault = isRecord(mod.default) ? (mod.default as Record<string, unknown>)[exportName] : undefined;
  const fn = typeof direct === 'function' ? direct : viaDefault;
  if (typeof fn !== 'function') return `handler module ${file} has no exported function '${exportName}'`;
  loadedHandlers.set(handlerKey(file, exportName), fn as LocalHandler);
  return fn as LocalHandler;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  try {
    return typeof error === 'string' ? error : JSON.stringify(error);
  } catch {
    return String(error);
  }
}

function isRecord(value: unknown): value is Record<string, any> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function fail(kind: InvokeFailureKind, message: string): InvokeOutcome {
  return { ok: false, kind, message };
}
