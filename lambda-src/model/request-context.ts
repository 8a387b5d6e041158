import type { Principal } from './principal';

/** What the edge (Lambda entry or local server) knows about one HTTP request. */
export interface RequestContext {
  /** The Lambda request id (or a random id locally); goes into logs and the tool contract. */
  readonly requestId: string;
  /** Who called, established by the http layer (IAM request context, JWT, ...). */
  readonly principal?: Principal;
  /** Aborted when the client disconnects or the invocation nears its deadline. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds after which the invocation is killed (function timeout). */
  readonly deadline: number;
  /** The raw Function URL request context, when there is one (IAM identity lives here). */
  readonly lambdaRequestContext?: unknown;
}

/** A web-standard HTTP application: the whole server behind one URL. */
export interface HttpApp {
  handle(request: Request, ctx: RequestContext): Promise<Response>;
}
