/**
 * prompts/get for registry prompts: checks the arguments a client sent against the
 * prompt's declared ones, fills `{{argName}}` placeholders of static messages, and
 * checks what a prompt function returned (MCP 2025-11-25, server/prompts).
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { GetPromptResult } from '@modelcontextprotocol/server';
import { fillPlaceholders } from './prompt-placeholders';
import type { PromptItem, PromptMessage } from '../model/registry-item';


/**
 * The arguments as strings, or -32602 when a required one is missing or a value is
 * not a string (prompt arguments are strings: GetPromptRequest.params.arguments).
 */
export function checkPromptArguments(prompt: PromptItem, args: Record<string, unknown> | undefined): Record<string, string> {
  const given = args ?? {};
  const bad = Object.entries(given).filter(([, v]) => typeof v !== 'string').map(([k]) => k);
  if (bad.length > 0) {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `prompt '${prompt.name}': argument values must be strings (${bad.map((b) => `'${b}'`).join(', ')})`);
  }
  const missing = (prompt.arguments ?? []).filter((a) => a.required && (given[a.name] === undefined || given[a.name] === '')).map((a) => a.name);
  if (missing.length > 0) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `prompt '${prompt.name}' needs the argument${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`,
    );
  }
  return given as Record<string, string>;
}

/** Static messages with every `{{name}}` in text blocks replaced (an absent optional argument by ''). */
export function renderStaticPrompt(prompt: PromptItem, args: Record<string, string>): GetPromptResult {
  const messages = (prompt.messages ?? []).map((message) => renderMessage(message, args));
  return prompt.description === undefined ? { messages } : { description: prompt.description, messages };
}

function renderMessage(message: PromptMessage, args: Record<string, string>): GetPromptResult['messages'][number] {
  const content = message.content;
  if (content.type === 'text' && typeof content.text === 'string') {
    const text = fillPlaceholders(content.text, args);
    return { role: message.role, content: { ...content, text } } as GetPromptResult['messages'][number];
  }
  return { role: message.role, content } as GetPromptResult['messages'][number];
}

/** A prompt function's result as a GetPromptResult, or a sentence saying what is wrong with it. */
export function promptFunctionResult(payload: unknown): GetPromptResult | string {
  if (typeof payload !== 'object' || payload === null || !Array.isArray((payload as Record<string, unknown>).messages)) {
    return 'it must return { "messages": [...] }';
  }
  const { messages, description } = payload as { messages: unknown[]; description?: unknown };
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Record<string, unknown> | null;
    if (!m || (m.role !== 'user' && m.role !== 'assistant')) return `messages[${i}].role must be 'user' or 'assistant'`;
    const c = m.content as Record<string, unknown> | null;
    if (!c || typeof c !== 'object' || typeof c.type !== 'string') return `messages[${i}].content must be a content block with a 'type'`;
  }
  if (description !== undefined && typeof description !== 'string') return "'description' must be a string";
  return payload as GetPromptResult;
}
