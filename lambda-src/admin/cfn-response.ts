/**
 * The answer to a CloudFormation custom resource request: a JSON document PUT to the
 * request's presigned S3 `ResponseURL` (CloudFormation user guide, "Custom resource
 * response objects"). The URL is signed without a Content-Type, so none is sent. The
 * whole response is limited to 4096 bytes, so a long Reason is cut.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface CloudFormationCustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

export interface CloudFormationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** CloudFormation's limit on the whole response body. */
const MAX_RESPONSE_BYTES = 4096;

export function isCloudFormationEvent(event: unknown): event is CloudFormationCustomResourceEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  return ['Create', 'Update', 'Delete'].includes(e.RequestType as string)
    && typeof e.ResponseURL === 'string' && typeof e.StackId === 'string'
    && typeof e.RequestId === 'string' && typeof e.LogicalResourceId === 'string';
}

/** The JSON body, with Reason shortened so that the whole fits in 4096 bytes. */
export function responseBody(response: CloudFormationResponse): string {
  let body = JSON.stringify(response);
  if (Buffer.byteLength(body) <= MAX_RESPONSE_BYTES || !response.Reason) return body;
  const excess = Buffer.byteLength(body) - MAX_RESPONSE_BYTES;
  // Cut by characters with room for JSON escapes and the marker.
  const keep = Math.max(0, response.Reason.length - excess - 64);
  body = JSON.stringify({ ...response, Reason: `${response.Reason.slice(0, keep)} [...]` });
  return body;
}

/**
 * PUTs the response. `http:` URLs are accepted so a test can stand a local server in
 * for S3; CloudFormation always sends https. Rejects on a network error or a non-2xx.
 */
export function sendCloudFormationResponse(responseUrl: string, response: CloudFormationResponse, timeoutMs = 30_000): Promise<void> {
  const body = responseBody(response);
  const url = new URL(responseUrl);
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: timeoutMs,
    }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`CloudFormation's response URL answered ${status}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from CloudFormation's response URL within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
