/** Reading a local request's body within a limit, without spoiling the connection. */
import type { IncomingMessage } from 'node:http';

/**
 * The whole body, or no body when it is over `limit` bytes. An oversized body is still
 * read to its end (and dropped), up to `drainLimit` bytes, so that the answer leaves
 * the keep-alive connection usable for the client's next request: answering while the
 * client is still sending, or destroying the request, would reset the connection.
 * Past `drainLimit` the caller should close the connection (`closeConnection`).
 */
export function readBodyWithin(req: IncomingMessage, limit: number, drainLimit: number): Promise<{ body?: Buffer; closeConnection?: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > drainLimit) {
        req.off('data', onData);
        req.off('end', onEnd);
        // Stop reading: the answer carries `connection: close`.
        req.pause();
        resolve({ closeConnection: true });
        return;
      }
      if (size > limit) {
        over = true;
        chunks.length = 0;
      }
      if (!over) chunks.push(chunk);
    };
    const onEnd = () => resolve(over ? {} : { body: Buffer.concat(chunks) });
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}
