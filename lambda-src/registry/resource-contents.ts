/**
 * resources/read for registry resources: static `text`/`blob` content, and checking
 * what a resource function returned (MCP 2025-11-25, server/resources, "Reading
 * Resources"). A function may leave out `uri` and `mimeType` of its contents; they
 * default to the URI read and the item's mimeType.
 */
import type { ReadResourceResult } from '@modelcontextprotocol/server';
import type { ResourceItem } from '../model/registry-item';

export function staticContents(item: ResourceItem): ReadResourceResult {
  const base = item.mimeType === undefined ? { uri: item.uri } : { uri: item.uri, mimeType: item.mimeType };
  return { contents: [item.blob !== undefined ? { ...base, blob: item.blob } : { ...base, text: item.text ?? '' }] };
}

/** A function's result as a ReadResourceResult, or a sentence saying what is wrong with it. */
export function functionContents(payload: unknown, uri: string, mimeType: string | undefined): ReadResourceResult | string {
  if (typeof payload !== 'object' || payload === null || !Array.isArray((payload as Record<string, unknown>).contents)) {
    return 'it must return { "contents": [{ "uri", "text" or "blob", "mimeType"? }] }';
  }
  const contents = (payload as { contents: unknown[] }).contents;
  const out: ReadResourceResult['contents'] = [];
  for (let i = 0; i < contents.length; i++) {
    const c = contents[i] as Record<string, unknown> | null;
    if (!c || typeof c !== 'object') return `contents[${i}] must be an object`;
    const hasText = typeof c.text === 'string';
    const hasBlob = typeof c.blob === 'string';
    if (hasText === hasBlob) return `contents[${i}] must have exactly one of a string 'text' or a base64 'blob'`;
    if (c.uri !== undefined && typeof c.uri !== 'string') return `contents[${i}].uri must be a string`;
    const entry = { ...c, uri: (c.uri as string | undefined) ?? uri } as Record<string, unknown>;
    if (entry.mimeType === undefined && mimeType !== undefined) entry.mimeType = mimeType;
    out.push(entry as ReadResourceResult['contents'][number]);
  }
  return { ...(payload as object), contents: out } as ReadResourceResult;
}
