/**
 * Checks a registry item (ARCHITECTURE.md, "The contracts") before anything stores or
 * serves it: when a local registry file is loaded, at synth time behind `addTool` and
 * friends, and in the admin API. Returns every problem at once, each a sentence that
 * names the item and the fix, so a user corrects a file in one pass.
 *
 * Rules: tool names per MCP 2025-11-25 (server/tools, "Tool Names": 1 to 128
 * characters of A-Z a-z 0-9 _ - .), unique per type; schemas compile under Ajv
 * (draft 2020-12 unless `$schema` says otherwise) and an inputSchema is an object
 * schema; URIs parse; URI templates are RFC 6570 (levels 1-4) syntax; prompt argument
 * names are unique and every `{{placeholder}}` names one; each item is served by
 * exactly one of static content, `lambdaArn` or (local files only) `handler`.
 */
import { placeholdersIn } from './prompt-placeholders';
import { checkSchemaDefinition } from './schema-definition-check';
import { isRegistryItemType, REGISTRY_ITEM_TYPES, TASK_SUPPORT, TOOL_CONTRACTS } from '../model/registry-item';
import type { RegistryItem } from '../model/registry-item';
import { parseHandler } from '../tools/handler-reference';
import type { JsonSchemaValidators } from '../tools/json-schema-validators';
import { sharedValidators } from '../tools/json-schema-validators';

export interface RegistryItemValidationOptions {
  /** Whether `handler` (a local module) may stand in for `lambdaArn`: only in a local registry file. @default false */
  readonly allowHandler?: boolean;
  /** Prefix naming where the item came from, e.g. `registry.json item 3`. */
  readonly where?: string;
  readonly validators?: JsonSchemaValidators;
}

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** A function name, partial ARN or full ARN, with an optional version or alias (Lambda Invoke's FunctionName pattern). */
const FUNCTION_NAME = /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const MAX_TIMEOUT_SECONDS = 900;

/** Every problem with one item; empty when it is valid. */
export function validateRegistryItem(item: unknown, options: RegistryItemValidationOptions = {}): string[] {
  if (!isRecord(item)) return [`${options.where ?? 'registry item'}: must be a JSON object with a 'type'`];
  const label = labelOf(item, options.where);
  const errors: string[] = [];
  const err = (message: string) => errors.push(`${label}: ${message}`);
  const validators = options.validators ?? sharedValidators;

  if (!isRegistryItemType(item.type)) {
    err(`'type' must be one of ${REGISTRY_ITEM_TYPES.map((t) => `'${t}'`).join(', ')} (got ${JSON.stringify(item.type)})`);
    return errors;
  }
  optionalString(item, 'title', err);
  optionalString(item, 'description', err);
  if (item.icons !== undefined) checkIcons(item.icons, err);
  if (item.annotations !== undefined && !isRecord(item.annotations)) err("'annotations' must be an object");
  if (item.contract !== undefined && item.type !== 'tool') err("'contract' applies to tools only; remove it");
  if (item.taskSupport !== undefined && item.type !== 'tool') err("'taskSupport' applies to tools only; remove it");
  if (item.inputBeforeTask !== undefined) checkInputBeforeTask(item, err);
  if (item.streaming !== undefined) {
    if (item.type !== 'tool') err("'streaming' applies to tools only; remove it");
    else if (typeof item.streaming !== 'boolean') err(`'streaming' must be true or false (got ${JSON.stringify(item.streaming)})`);
    // The Gateway contract is a plain Invoke whose result is mapped back; a stream has no place in it.
    else if (item.streaming && item.contract === 'bedrock-agentcore-gateway') err("'streaming' cannot be used with the 'bedrock-agentcore-gateway' contract");
  }

  switch (item.type) {
    case 'tool':
      checkToolName(item.name, err);
      checkSchema(item.inputSchema, 'inputSchema', true, validators, err);
      if (item.outputSchema !== undefined) checkSchema(item.outputSchema, 'outputSchema', false, validators, err);
      if (item._meta !== undefined && !isRecord(item._meta)) err("'_meta' must be an object");
      checkContract(item, err);
      checkTaskSupport(item, err);
      checkTarget(item, [], options, err);
      break;
    case 'resource':
      checkName(item.name, err);
      checkUri(item.uri, err);
      optionalString(item, 'mimeType', err);
      optionalString(item, 'text', err);
      if (item.blob !== undefined && (typeof item.blob !== 'string' || !isBase64(item.blob))) err("'blob' must be base64 text");
      checkTarget(item, ['text', 'blob'], options, err);
      break;
    case 'resourceTemplate': {
      checkName(item.name, err);
      optionalString(item, 'mimeType', err);
      const variables = checkUriTemplate(item.uriTemplate, err);
      if (item.completions !== undefined) checkCompletionMap(item.completions, variables, err);
      checkTarget(item, [], options, err);
      break;
    }
    case 'prompt':
      checkName(item.name, err);
      checkPrompt(item, err);
      checkTarget(item, ['messages'], options, err);
      break;
  }
  return errors;
}

/** Every problem with a list of items, including duplicate identities (tool names, resource URIs, ...). */
export function validateRegistryItems(items: unknown, options: Omit<RegistryItemValidationOptions, 'where'> & { source?: string } = {}): string[] {
  const source = options.source ?? 'registry';
  if (!Array.isArray(items)) return [`${source}: must be a JSON array of registry items`];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const where = `${source} item ${i + 1}`;
    errors.push(...validateRegistryItem(item, { ...options, where }));
    if (!isRecord(item)) return;
    const id = item.type === 'resource' ? `resource uri '${item.uri}'` : `${item.type} name '${item.name}'`;
    const first = seen.get(id);
    if (first !== undefined) errors.push(`${labelOf(item, where)}: duplicate ${id}, already used by item ${first + 1}; give it another`);
    else seen.set(id, i);
  });
  return errors;
}

/** Throws one Error listing every problem; for callers that stop at the first invalid input. */
export function assertValidRegistryItems(items: unknown, options?: Omit<RegistryItemValidationOptions, 'where'> & { source?: string }): asserts items is RegistryItem[] {
  const errors = validateRegistryItems(items, options);
  if (errors.length > 0) throw new Error(`invalid registry:\n- ${errors.join('\n- ')}`);
}

function labelOf(item: Record<string, unknown>, where: string | undefined): string {
  const id = item.type === 'resource' ? item.uri : item.type === 'resourceTemplate' ? item.name ?? item.uriTemplate : item.name;
  const what = `${typeof item.type === 'string' ? item.type : 'item'}${typeof id === 'string' ? ` '${id}'` : ''}`;
  return where ? `${where} (${what})` : what;
}

function checkToolName(name: unknown, err: (m: string) => void): void {
  if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
    const suggestion = typeof name === 'string' && name.length > 0 ? `, e.g. '${name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 128)}'` : '';
    err(`'name' must be 1 to 128 characters of A-Z a-z 0-9 _ - . (got ${JSON.stringify(name)}); rename it${suggestion}`);
  }
}

function checkContract(item: Record<string, unknown>, err: (m: string) => void): void {
  if (item.contract === undefined) return;
  if (!(TOOL_CONTRACTS as readonly unknown[]).includes(item.contract)) {
    err(`'contract' must be one of ${TOOL_CONTRACTS.map((c) => `'${c}'`).join(', ')} (got ${JSON.stringify(item.contract)})`);
  } else if (item.contract === 'bedrock-agentcore-gateway' && item.lambdaArn === undefined) {
    // The Gateway contract is how a Lambda function is invoked; a local module has no client context.
    err("the 'bedrock-agentcore-gateway' contract needs a 'lambdaArn'");
  }
}

function checkTaskSupport(item: Record<string, unknown>, err: (m: string) => void): void {
  if (item.taskSupport === undefined) return;
  if (!(TASK_SUPPORT as readonly unknown[]).includes(item.taskSupport)) {
    err(`'taskSupport' must be one of ${TASK_SUPPORT.map((c) => `'${c}'`).join(', ')} (got ${JSON.stringify(item.taskSupport)})`);
  }
}

function checkInputBeforeTask(item: Record<string, unknown>, err: (m: string) => void): void {
  if (item.type !== 'tool') {
    err("'inputBeforeTask' applies to tools only; remove it");
  } else if (typeof item.inputBeforeTask !== 'boolean') {
    err(`'inputBeforeTask' must be true or false (got ${JSON.stringify(item.inputBeforeTask)})`);
  } else if (item.inputBeforeTask && item.taskSupport !== 'optional' && item.taskSupport !== 'required') {
    err("'inputBeforeTask' needs 'taskSupport' 'optional' or 'required': only a tool that runs as a task has a before");
  }
}

function checkName(name: unknown, err: (m: string) => void): void {
  if (typeof name !== 'string' || name.trim() === '') err("'name' is required: a non-empty string");
}

function checkSchema(schema: unknown, field: string, mustBeObject: boolean, validators: JsonSchemaValidators, err: (m: string) => void): void {
  if (!isRecord(schema)) {
    err(`'${field}' must be a JSON Schema object${mustBeObject ? ', e.g. { "type": "object", "properties": {} }' : ''}`);
    return;
  }
  // A tool's arguments are a JSON object (2025-11-25, server/tools, Tool.inputSchema).
  if (mustBeObject && schema.type !== 'object') err(`'${field}' must have "type": "object" at its root (got ${JSON.stringify(schema.type)})`);
  // Valid by its meta-schema (Ajv), and usable by the handler's validator.
  const invalid = checkSchemaDefinition(schema);
  const compiled = invalid === undefined ? validators.compile(schema) : { error: invalid };
  if ('error' in compiled) err(`'${field}' is not a valid JSON Schema: ${compiled.error}`);
}

function checkUri(uri: unknown, err: (m: string) => void): void {
  if (typeof uri !== 'string' || uri === '') {
    err("'uri' is required: an absolute URI such as 'file:///docs/readme.md' or 'app://config'");
    return;
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri) || !URL.canParse(uri)) {
    err(`'uri' ${JSON.stringify(uri)} is not an absolute URI; give it a scheme, e.g. 'app://${uri.replace(/^[/]+/, '')}'`);
  }
}

/**
 * RFC 6570 syntax: literals without `{`, `}` or spaces; expressions `{op?varspec,...}`
 * with op one of + # . / ; ? & (levels 2-3), varnames of ALPHA DIGIT _ or
 * %-escapes joined by dots, and a `:maxlength` (1-9999) or `*` (level 4) modifier.
 * Returns the variable names.
 */
export function uriTemplateProblem(template: string): { problem?: string; variables: string[] } {
  const variables: string[] = [];
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch === '}') return { problem: `unmatched '}' at position ${i + 1}`, variables };
    if (ch !== '{') {
      if (/[\s"'<>\\^`|]/.test(ch)) return { problem: `character ${JSON.stringify(ch)} at position ${i + 1} is not allowed in a URI template`, variables };
      i++;
      continue;
    }
    const end = template.indexOf('}', i);
    if (end === -1) return { problem: `'{' at position ${i + 1} is never closed`, variables };
    let body = template.slice(i + 1, end);
    if (body.includes('{')) return { problem: `nested '{' in the expression at position ${i + 1}`, variables };
    if (/^[=,!@|]/.test(body)) return { problem: `operator '${body[0]}' at position ${i + 2} is reserved by RFC 6570`, variables };
    if (/^[+#./;?&]/.test(body)) body = body.slice(1);
    if (body === '') return { problem: `empty expression at position ${i + 1}`, variables };
    for (const spec of body.split(',')) {
      const m = /^((?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})+(?:\.(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})+)*)(?::([1-9][0-9]{0,3})|\*)?$/.exec(spec);
      if (!m) return { problem: `'${spec}' in the expression at position ${i + 1} is not a variable (letters, digits, _ ; optional :maxlength or *)`, variables };
      variables.push(m[1]);
    }
    i = end + 1;
  }
  return { variables };
}

function checkUriTemplate(template: unknown, err: (m: string) => void): string[] {
  if (typeof template !== 'string' || template === '') {
    err("'uriTemplate' is required: an RFC 6570 template such as 'files://{path}'");
    return [];
  }
  const { problem, variables } = uriTemplateProblem(template);
  if (problem) err(`'uriTemplate' ${JSON.stringify(template)} is not a valid RFC 6570 template: ${problem}`);
  else if (variables.length === 0) err(`'uriTemplate' ${JSON.stringify(template)} has no {variable}; register a 'resource' with a fixed 'uri' instead`);
  else if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(template)) err(`'uriTemplate' ${JSON.stringify(template)} must start with a URI scheme, e.g. 'app://'`);
  return variables;
}

function checkCompletionMap(completions: unknown, variables: string[], err: (m: string) => void): void {
  if (!isRecord(completions)) {
    err("'completions' must map template variables to arrays of strings");
    return;
  }
  for (const [name, values] of Object.entries(completions)) {
    if (!variables.includes(name)) err(`'completions' names '${name}', which is not a variable of the uriTemplate`);
    if (!isStringArray(values)) err(`'completions.${name}' must be an array of strings`);
  }
}

function checkPrompt(item: Record<string, unknown>, err: (m: string) => void): void {
  const names = new Set<string>();
  if (item.arguments !== undefined) {
    if (!Array.isArray(item.arguments)) {
      err("'arguments' must be an array of { name, description?, required? }");
    } else {
      item.arguments.forEach((arg, i) => {
        if (!isRecord(arg) || typeof arg.name !== 'string' || arg.name === '') {
          err(`arguments[${i}] needs a non-empty string 'name'`);
          return;
        }
        if (names.has(arg.name)) err(`argument name '${arg.name}' is used twice; prompt argument names must be unique`);
        names.add(arg.name);
        if (arg.description !== undefined && typeof arg.description !== 'string') err(`arguments[${i}].description must be a string`);
        if (arg.required !== undefined && typeof arg.required !== 'boolean') err(`arguments[${i}].required must be true or false`);
        if (arg.completions !== undefined && !isStringArray(arg.completions)) err(`arguments[${i}].completions must be an array of strings`);
      });
    }
  }
  if (item.messages === undefined) return;
  if (!Array.isArray(item.messages) || item.messages.length === 0) {
    err("'messages' must be a non-empty array of { role, content }");
    return;
  }
  item.messages.forEach((message, i) => {
    if (!isRecord(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      err(`messages[${i}].role must be 'user' or 'assistant'`);
      return;
    }
    const content = message.content;
    if (!isRecord(content) || typeof content.type !== 'string') {
      err(`messages[${i}].content must be a content block, e.g. { "type": "text", "text": "..." }`);
      return;
    }
    if (content.type === 'text') {
      if (typeof content.text !== 'string') {
        err(`messages[${i}].content is a text block without a string 'text'`);
        return;
      }
      for (const name of placeholdersIn(content.text)) {
        if (!names.has(name)) err(`messages[${i}] uses {{${name}}}, which is not a declared argument; add it to 'arguments' or remove the placeholder`);
      }
    }
  });
}

/**
 * Exactly one source of content: one of the static fields (`text`/`blob` for a
 * resource, `messages` for a prompt), `lambdaArn`, or `handler` where allowed.
 */
function checkTarget(item: Record<string, unknown>, staticFields: string[], options: RegistryItemValidationOptions, err: (m: string) => void): void {
  // A handler where none is allowed gets its own message below, not a second one here.
  const sources = [...staticFields, 'lambdaArn', ...(options.allowHandler ? ['handler'] : [])].filter((f) => item[f] !== undefined);
  const choices = [...staticFields.map((f) => `'${f}'`), "'lambdaArn'", ...(options.allowHandler ? ["'handler'"] : [])].join(', ');
  if (sources.length === 0 && (options.allowHandler || item.handler === undefined)) err(`needs exactly one of ${choices}`);
  if (sources.length > 1) err(`has ${sources.map((s) => `'${s}'`).join(' and ')}; keep exactly one of ${choices}`);

  if (item.lambdaArn !== undefined && (typeof item.lambdaArn !== 'string' || !FUNCTION_NAME.test(item.lambdaArn))) {
    err(`'lambdaArn' ${JSON.stringify(item.lambdaArn)} is not a Lambda function name or ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)`);
  }
  if (item.handler !== undefined) {
    if (!options.allowHandler) {
      err("'handler' (a local module) is allowed only in a local registry file; deploy the code as a Lambda function and give its 'lambdaArn'");
    } else if (typeof item.handler !== 'string' || !parseHandler(item.handler)) {
      err(`'handler' ${JSON.stringify(item.handler)} must look like './tools/echo.js#handler'`);
    }
  }
  if (item.baseDir !== undefined && typeof item.baseDir !== 'string') err("'baseDir' must be a string");
  if (item.timeoutSeconds !== undefined) {
    const t = item.timeoutSeconds;
    if (typeof t !== 'number' || !(t > 0) || t > MAX_TIMEOUT_SECONDS) err(`'timeoutSeconds' must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}, Lambda's maximum (got ${JSON.stringify(t)})`);
  }
}

function checkIcons(icons: unknown, err: (m: string) => void): void {
  if (!Array.isArray(icons) || !icons.every((icon) => isRecord(icon) && typeof icon.src === 'string' && icon.src !== '')) {
    err("'icons' must be an array of { src, mimeType?, sizes? } with a non-empty 'src'");
  }
}

function optionalString(item: Record<string, unknown>, field: string, err: (m: string) => void): void {
  if (item[field] !== undefined && typeof item[field] !== 'string') err(`'${field}' must be a string`);
}

function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
