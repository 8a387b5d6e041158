/**
 * Regular expressions from schemas, evaluated in linear time.
 *
 * JSON Schema's `pattern` and `patternProperties` are ECMA-262 regular expressions
 * (2020-12 validation, "Regular Expressions"), and the JavaScript engine runs them by
 * backtracking: `^(a+)+$` against 28 characters took 18 s, during which the execution
 * environment answered nothing else (every session and stream on it waited). A
 * registrant's schema is not trusted that far, and the instance is the client's.
 *
 * So every pattern is run by RE2 (re2js, a pure-JS port: the handler is one bundled
 * asset for arm64 and x86, without native addons), whose matching time is linear in
 * the input for any pattern. RE2 has no backreferences and no lookaround; a pattern
 * using them is refused at registration (linearPatternProblem, called by
 * registry/schema-definition-check.ts) with its text and the reason.
 *
 * The handler's validator (@cfworker/json-schema) builds its regular expressions with
 * `new RegExp(pattern, 'u')` and offers no way to pass another engine, so
 * withLinearRegExp() lends it one: for the duration of one synchronous validation the
 * global `RegExp` is a stand-in backed by RE2. Nothing else can run during a
 * synchronous call, and regular expression literals (which do not go through the global)
 * are unaffected, so the stand-in is seen by the validator only.
 *
 * Where RE2 reads a pattern differently from ECMAScript (documented in
 * docs/threat-model.md): `\s` is ASCII whitespace only, and `.` also matches `\r`,
 * U+2028 and U+2029.
 *
 * The engine is ~150 KiB of minified code that a cold start need not parse when no
 * schema has a pattern: the handler loads it by import() (loadLinearEngine, awaited
 * before a validation whose schema names one: JsonSchemaValidators.prepare), and the
 * registration check, which runs outside the handler, installs it up front
 * (useLinearEngine). A pattern met while it is not loaded is refused, never handed to
 * the backtracking engine.
 */
import { loadOnce } from '../model/load-once';

/** What is used of re2js (its module types differ between import() and require). */
interface Engine {
  readonly RE2JS: {
    compile(pattern: string): CompiledPattern;
    translateRegExp(pattern: string): string;
  };
}
interface CompiledPattern {
  test(input: string): boolean;
  /** RE2's approximate cost measure: the compiled program's instructions. */
  programSize(): number;
}

const NativeRegExp = RegExp;

let engine: Engine | undefined;

/** Installs the engine for synchronous callers that import it themselves (registration). */
export function useLinearEngine(loaded: Engine): void {
  engine = loaded;
}

/** Loads the engine (once; a failed load is retried by the next call). */
export const loadLinearEngine: () => Promise<void> = loadOnce(async () => {
  engine = await import('re2js') as Engine;
});

/** How many compiled patterns are kept; a registry rarely holds more distinct ones. */
const MAX_CACHED = 1000;

type Compiled = { readonly re2: CompiledPattern } | { readonly problem: string };

const cache = new Map<string, Compiled>();

function compile(pattern: string): Compiled {
  const known = cache.get(pattern);
  if (known) return known;
  // Not cached: the next call, once the engine is loaded, compiles it.
  if (!engine) return { problem: 'the linear-time engine is not loaded' };
  const compiled = compileUncached(pattern);
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(pattern, compiled);
  return compiled;
}

function compileUncached(pattern: string): Compiled {
  const { RE2JS } = engine!;
  const backreference = namedBackreference(pattern);
  if (backreference) return { problem: backreference };
  try {
    // ECMAScript spellings RE2 writes otherwise (`\u{...}`, `\cX`, `(?<name>`) are translated first.
    return { re2: RE2JS.compile(RE2JS.translateRegExp(pattern)) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { problem: reason.replace(/^error parsing regexp: /, '') };
  }
}

/**
 * A named backreference (`\k<name>`), which re2js's translation would read as the
 * letter k (ECMAScript's reading without the `u` flag, not JSON Schema's).
 */
function namedBackreference(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length - 1; i++) {
    if (pattern[i] !== '\\') continue;
    if (pattern[i + 1] === 'k') return 'invalid escape sequence: `\\k` (a named backreference)';
    i++;
  }
  return undefined;
}

/**
 * Undefined when `pattern` runs on the linear-time engine, otherwise why not (for a
 * registration error that names the pattern).
 */
export function linearPatternProblem(pattern: string): string | undefined {
  const compiled = compile(pattern);
  return 'problem' in compiled
    ? `${compiled.problem} (patterns run on a linear-time engine, RE2: no backreferences, lookahead or lookbehind)`
    : undefined;
}

/**
 * The work one validation may spend matching patterns, in RE2 program instructions
 * times input characters. RE2 is linear in the input, but its factor is the pattern's
 * program size: `(.*a){1000}` (5,002 instructions) takes ~0.4 s per 100,000 characters,
 * so a 4 MiB argument, or the same in many short strings, would still hold the process
 * for seconds. 250 million units took at most ~0.4 s on re2js (that pattern; ordinary
 * ones take milliseconds for the same units), and ordinary use stays far below it: a
 * 131-instruction pattern such as `^[a-z0-9-]{1,64}$` over a megabyte is 131 million.
 */
export const MAX_PATTERN_WORK = 250_000_000;

/** Thrown when one validation would spend more than MAX_PATTERN_WORK. */
export class PatternWorkExceededError extends Error {
  constructor(readonly pattern: string) {
    super(`the strings given are too long to check against the schema's pattern ${JSON.stringify(pattern.length > 64 ? `${pattern.slice(0, 64)}…` : pattern)} (at most ${MAX_PATTERN_WORK} units of pattern size times characters per request); send shorter strings`);
    this.name = 'PatternWorkExceededError';
  }
}

/** Work left in the validation running now (withLinearRegExp). */
let workLeft = Infinity;

/** Thrown when a schema's pattern cannot run on the linear-time engine. */
export class UnsupportedPatternError extends Error {
  constructor(readonly pattern: string, problem: string) {
    super(`the schema's pattern ${JSON.stringify(pattern)} cannot be evaluated in linear time: ${problem}`);
    this.name = 'UnsupportedPatternError';
  }
}

/**
 * What the validator sees as `RegExp` during a validation: construction and `test`,
 * the only parts it uses. A pattern that is valid ECMAScript but not RE2 (a schema
 * registered before this check existed) still constructs, as the `regex` format's
 * validity check needs, but refuses to run: it is never handed to the backtracking engine.
 */
class LinearRegExp {
  constructor(readonly source: string, readonly flags: string = '') {
    if (typeof source !== 'string') throw new TypeError('a schema pattern must be a string');
    // Validity is ECMAScript's: construction only parses, it never matches, so it
    // costs time linear in the pattern. The `regex` format constructs a client's string
    // and never matches it: RE2 compiles a pattern only when it is first used.
    new NativeRegExp(source, flags);
  }

  test(input: unknown): boolean {
    const compiled = compile(this.source);
    if ('problem' in compiled) throw new UnsupportedPatternError(this.source, compiled.problem);
    const text = String(input);
    workLeft -= compiled.re2.programSize() * Math.max(1, text.length);
    if (workLeft < 0) throw new PatternWorkExceededError(this.source);
    return compiled.re2.test(text);
  }
}

/**
 * Runs `fn` (synchronous) with the global `RegExp` backed by the linear-time engine,
 * spending at most MAX_PATTERN_WORK on matching.
 */
export function withLinearRegExp<T>(fn: () => T): T {
  const global = globalThis as { RegExp: unknown };
  const saved = global.RegExp;
  const savedWork = workLeft;
  global.RegExp = LinearRegExp;
  workLeft = MAX_PATTERN_WORK;
  try {
    return fn();
  } finally {
    global.RegExp = saved;
    workLeft = savedWork;
  }
}
