import { Duration, Token } from 'aws-cdk-lib';

/**
 * Options of `McpStreams.live()`.
 */
export interface McpLiveStreamOptions {
  /**
   * The longest one stream stays open. On Lambda a client's hang-up is not signalled
   * to a streaming response, so a stream whose client left runs, and bills, until this
   * bound ends it. At least 1 second, and less than the function's timeout.
   *
   * @default - 5 minutes, or half the function's timeout if that is shorter
   */
  readonly maxDuration?: Duration;
}

/**
 * Options of `McpStreams.poll()`.
 */
export interface McpPollStreamOptions {
  /**
   * Poll 2025-06-18 and 2025-03-26 sessions too, instead of giving them a live stream.
   * Those revisions have no `retry:` field and no priming event: their clients reconnect
   * a GET stream the server ends after their own delay (1 second in the official SDKs),
   * and each session keeps a server-side cursor so nothing is lost or repeated between
   * polls. An idle such client then costs about a tenth of a live stream (docs/streams.md).
   *
   * Off by default because only the official SDK releases from November 2025 on
   * (TypeScript 1.23, Python 1.23) reconnect a GET stream the server ends: an older
   * client, which is what most 2025-06-18 clients are, would stop receiving
   * notifications after its first poll, where a live stream serves it up to the
   * maximum stream duration.
   *
   * @default false
   */
  readonly pollOlderRevisions?: boolean;
}

/**
 * How the server holds the streams that carry notifications to clients: a 2025-era
 * GET stream and a 2026-07-28 `subscriptions/listen`. Each open stream is one running
 * Lambda invocation, billed for as long as it is open.
 *
 * An enum-like class (jsii has no unions): `McpStreams.poll()`, `McpStreams.live()` or
 * `McpStreams.none()`.
 */
export class McpStreams {
  /**
   * A 2025-11-25 GET writes its priming event and every event pending since
   * `Last-Event-ID`, then ends with `retry: <interval>`; the client reconnects after
   * that delay (MCP 2025-11-25 Transports, "Resumability and Redelivery"). An idle
   * client holds an invocation only for the few milliseconds of each GET, and an event
   * reaches it within about `interval`. Clients of 2025-03-26 and 2025-06-18, which know
   * no `retry:` field, get a live stream (bounded as in `live()`) unless
   * `options.pollOlderRevisions`, and a 2026-07-28 `subscriptions/listen` lasts at most
   * that bound too.
   *
   * @param interval the delay between a client's polls: at least 1 second, at most 5 minutes. @default Duration.seconds(10)
   * @param options how clients of older revisions are served
   */
  public static poll(interval?: Duration, options: McpPollStreamOptions = {}): McpStreams {
    const value = interval ?? Duration.seconds(10);
    if (!Token.isUnresolved(value.toMilliseconds({ integral: false }))) {
      const ms = value.toMilliseconds({ integral: false });
      if (ms < 1000 || ms > 300_000) throw new Error(`McpStreams.poll(): interval must be between 1 second and 5 minutes, got ${value.toHumanString()}`);
    }
    return new McpStreams('poll', value, undefined, options.pollOlderRevisions ?? false);
  }

  /**
   * Streams stay open and deliver each event within the event poll interval
   * (`eventPollInterval`, 1 second by default), up to `maxDuration`, after which a
   * 2025-11-25 client reconnects. An idle client holds an invocation nearly all the
   * time: about 100 times the cost of `poll()` (docs/streams.md).
   */
  public static live(options: McpLiveStreamOptions = {}): McpStreams {
    if (options.maxDuration && options.maxDuration.toMilliseconds() < 1000) {
      throw new Error(`McpStreams.live(): maxDuration must be at least 1 second, got ${options.maxDuration.toHumanString()}`);
    }
    return new McpStreams('live', undefined, options.maxDuration, false);
  }

  /**
   * No streams: GET answers 405, and the capabilities declare no `listChanged`,
   * `resources.subscribe` or `logging`, which only a stream could carry. The default
   * without an event topic. Clients learn of run-time registrations only when they
   * list again.
   */
  public static none(): McpStreams {
    return new McpStreams('off', undefined, undefined, false);
  }

  /**
   * `poll`, `live` or `off`: the value of the handler's `MCP_STREAM_MODE`.
   */
  public readonly mode: string;

  /**
   * Poll mode's delay between a client's polls.
   *
   * @default - undefined unless `poll()`
   */
  public readonly interval?: Duration;

  /**
   * The longest one stream stays open, when given.
   *
   * @default - 5 minutes, or half the function's timeout if that is shorter
   */
  public readonly maxDuration?: Duration;

  /**
   * Whether poll mode polls 2025-06-18 and 2025-03-26 sessions too (`McpPollStreamOptions`).
   */
  public readonly pollOlderRevisions: boolean;

  private constructor(mode: string, interval: Duration | undefined, maxDuration: Duration | undefined, pollOlderRevisions: boolean) {
    this.mode = mode;
    this.pollOlderRevisions = pollOlderRevisions;
    this.interval = interval;
    this.maxDuration = maxDuration;
  }
}
