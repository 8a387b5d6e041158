/**
 * The admin API: run-time registration of tools, resources, resource templates and
 * prompts, JSON over HTTP behind an AWS_IAM Function URL (only principals granted with
 * `grantRegister` reach it).
 *
 *   GET    /items[?type=tool]          list, in registration order
 *   POST   /items                      create (409 when it exists)
 *   GET    /items/{type}/{id}          one item; id URL-encoded (a resource's uri)
 *   PUT    /items/{type}/{id}          replace; If-Match: "<version>" required
 *   DELETE /items/{type}/{id}          delete;  If-Match: "<version>" required
 *
 * Every item in a response carries its `version`, and a single-item response its ETag.
 * A write naming a stale version is refused with 409 Conflict, the status RFC 9110
 * gives for a PUT that conflicts with a newer version of the resource (15.5.10), and
 * the one docs/registration.md documents; the body names the current version. A write without
 * If-Match is 428 Precondition Required (RFC 6585, section 3), so no administrator can
 * overwrite a change they did not see.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { adminRequestOf, callerOf, MAX_ADMIN_BODY_BYTES, type AdminRequest } from './admin-request';
import type { AllowedFunctions } from './allowed-functions';
import { etagOf, parseIfMatch } from './item-version';
import { validateRegistryItem } from './registration-validation';
import { isRegistryItemType, REGISTRY_ITEM_TYPES, type RegistryItem, type RegistryItemType, type StoredRegistryItem } from '../model/registry-item';
import { ItemTooLargeError } from '../store/item-size';
import { RegistryConflictError, type RegistryStore } from '../store/registry-store';

export interface AdminApiDeps {
  readonly store: RegistryStore;
  readonly allowedFunctions: AllowedFunctions;
  /** Receives one JSON log line per request. */
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

type Result = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Serves one admin request; never throws. */
export async function handleAdminRequest(event: APIGatewayProxyEventV2, requestId: string, deps: AdminApiDeps): Promise<Result> {
  const now = deps.now ?? Date.now;
  const started = now();
  let request: AdminRequest | undefined;
  const logged: Record<string, unknown> = {};
  let result: Result;
  try {
    request = adminRequestOf(event);
    result = await route(request, deps, logged);
  } catch (err) {
    if (err instanceof HttpError) {
      result = json(err.status, { error: err.code, message: err.message, ...err.extra }, err.headers);
    } else {
      logged.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      result = json(500, { error: 'internal', message: `the registry could not be read or written; try again (request id ${requestId})` });
    }
  }
  deps.log(JSON.stringify({
    level: result.statusCode >= 500 ? 'error' : 'info',
    msg: 'admin request',
    requestId,
    method: request?.method ?? event.requestContext?.http?.method,
    path: request?.path ?? event.rawPath,
    status: result.statusCode,
    latencyMs: now() - started,
    caller: callerOf(event),
    ...logged,
  }));
  return result;
}

async function route(request: AdminRequest, deps: AdminApiDeps, logged: Record<string, unknown>): Promise<Result> {
  const path = request.path.replace(/\/+$/, '') || '/';
  if (path === '/items') {
    if (request.method === 'GET') return list(request, deps);
    if (request.method === 'POST') return create(request, deps, logged);
    throw methodNotAllowed(request.method, 'GET, POST');
  }
  const m = /^\/items\/([^/]+)\/(.+)$/.exec(path);
  if (!m) {
    throw new HttpError(404, 'not_found', `no route ${request.path}: use /items or /items/{type}/{id}`);
  }
  const type = m[1];
  if (!isRegistryItemType(type)) {
    throw new HttpError(404, 'not_found', `no item type '${m[1]}': use ${REGISTRY_ITEM_TYPES.join(', ')}`);
  }
  const id = decodeId(m[2]);
  logged.item = `${type}#${id}`;
  if (request.method === 'GET') return getOne(type, id, deps);
  if (request.method === 'PUT') return replace(type, id, request, deps, logged);
  if (request.method === 'DELETE') return remove(type, id, request, deps, logged);
  throw methodNotAllowed(request.method, 'GET, PUT, DELETE');
}

async function list(request: AdminRequest, deps: AdminApiDeps): Promise<Result> {
  const type = request.query.get('type');
  if (type !== null && !isRegistryItemType(type)) {
    throw new HttpError(400, 'bad_request', `type '${type}' is not one of ${REGISTRY_ITEM_TYPES.join(', ')}`);
  }
  const items = await deps.store.list();
  return json(200, { items: type === null ? items : items.filter((i) => i.type === type) });
}

async function getOne(type: RegistryItemType, id: string, deps: AdminApiDeps): Promise<Result> {
  const item = await deps.store.get(type, id);
  if (!item) throw notFound(type, id);
  return itemResult(200, item);
}

async function create(request: AdminRequest, deps: AdminApiDeps, logged: Record<string, unknown>): Promise<Result> {
  const item = await checkedItem(request, deps);
  const key = identityOf(item);
  logged.item = `${key.type}#${key.id}`;
  try {
    const created = await deps.store.put(item, 0);
    logged.version = created.version;
    return itemResult(201, created, { location: `/items/${key.type}/${encodeURIComponent(key.id)}` });
  } catch (err) {
    if (!(err instanceof RegistryConflictError)) throw writeError(err);
    const current = await deps.store.get(key.type, key.id);
    throw new HttpError(409, 'conflict',
      `${key.type} '${key.id}' already exists${current ? ` at version ${current.version}` : ''}: replace it with PUT /items/${key.type}/${encodeURIComponent(key.id)} and If-Match`,
      current ? { currentVersion: current.version } : {});
  }
}

async function replace(
  type: RegistryItemType, id: string, request: AdminRequest, deps: AdminApiDeps, logged: Record<string, unknown>,
): Promise<Result> {
  const expected = requiredVersion(request);
  const item = await checkedItem(request, deps);
  const key = identityOf(item);
  if (key.type !== type || key.id !== id) {
    throw new HttpError(400, 'bad_request', `the body is ${key.type} '${key.id}' but the URL names ${type} '${id}': to rename, POST the new item and DELETE the old one`);
  }
  const version = expected === '*' ? (await deps.store.get(type, id))?.version : expected;
  if (version === undefined) throw notFound(type, id);
  try {
    const replaced = await deps.store.put(item, version);
    logged.version = replaced.version;
    return itemResult(200, replaced);
  } catch (err) {
    if (!(err instanceof RegistryConflictError)) throw writeError(err);
    throw await staleVersion(type, id, version, deps);
  }
}

async function remove(
  type: RegistryItemType, id: string, request: AdminRequest, deps: AdminApiDeps, logged: Record<string, unknown>,
): Promise<Result> {
  const expected = requiredVersion(request);
  const version = expected === '*' ? (await deps.store.get(type, id))?.version : expected;
  if (version === undefined) throw notFound(type, id);
  try {
    if (!(await deps.store.delete(type, id, version))) throw notFound(type, id);
  } catch (err) {
    if (!(err instanceof RegistryConflictError)) throw err;
    throw await staleVersion(type, id, version, deps);
  }
  logged.version = version;
  return json(200, { deleted: { type, id, version } }, { etag: etagOf(version) });
}

/** The body as a valid registry item that this deployment may register. */
async function checkedItem(request: AdminRequest, deps: AdminApiDeps): Promise<RegistryItem> {
  const type = request.headers['content-type'];
  if (type !== undefined && !/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', `the body must be application/json (got ${type})`);
  }
  if (!request.body) throw new HttpError(400, 'bad_request', 'the request has no body: send a registry item as JSON');
  if (request.body.byteLength > MAX_ADMIN_BODY_BYTES) {
    throw new HttpError(413, 'payload_too_large', `the body is ${request.body.byteLength} bytes, over the admin API's limit of ${MAX_ADMIN_BODY_BYTES}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'malformed_json', `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'bad_request', 'the body must be one registry item, a JSON object with a "type"');
  }
  // A client may send back an item as it read it: the store owns these two fields.
  const { order: _order, version: _version, ...item } = parsed as Record<string, unknown>;
  const problems = validateRegistryItem(item, 'request body');
  if (problems.length > 0) {
    throw new HttpError(422, 'invalid_item', `the registry item is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})`, { problems });
  }
  const refusal = await deps.allowedFunctions.check(item);
  if (refusal) throw new HttpError(refusal.status, refusal.error, refusal.message);
  return item as unknown as RegistryItem;
}

function requiredVersion(request: AdminRequest): number | '*' {
  const header = request.headers['if-match'];
  if (header === undefined) {
    throw new HttpError(428, 'precondition_required', `${request.method} needs If-Match with the item's current version (its ETag, e.g. If-Match: "3"): GET the item first`);
  }
  const version = parseIfMatch(header);
  if (typeof version === 'object') throw new HttpError(400, 'bad_request', version.error);
  return version;
}

async function staleVersion(type: RegistryItemType, id: string, expected: number, deps: AdminApiDeps): Promise<HttpError> {
  const current = await deps.store.get(type, id);
  if (!current) return notFound(type, id);
  return new HttpError(409, 'conflict',
    `${type} '${id}' is at version ${current.version}, not ${expected}: it changed since you read it; GET it again and retry`,
    { currentVersion: current.version }, { etag: etagOf(current.version) });
}

function writeError(err: unknown): unknown {
  if (err instanceof ItemTooLargeError) return new HttpError(413, 'payload_too_large', err.message);
  return err;
}

function identityOf(item: RegistryItem): { type: RegistryItemType; id: string } {
  return { type: item.type, id: item.type === 'resource' ? item.uri : item.name };
}

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'bad_request', `the item id '${raw}' is not validly URL-encoded`);
  }
}

function notFound(type: RegistryItemType, id: string): HttpError {
  return new HttpError(404, 'not_found', `no ${type} '${id}' is registered`);
}

function methodNotAllowed(method: string, allow: string): HttpError {
  return new HttpError(405, 'method_not_allowed', `${method} is not allowed here; use ${allow}`, {}, { allow });
}

function itemResult(status: number, item: StoredRegistryItem, headers: Record<string, string> = {}): Result {
  return json(status, item, { etag: etagOf(item.version), ...headers });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Result {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}
