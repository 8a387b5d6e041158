/**
 * The registry item has one source: its runtime type (lambda-src/model/registry-item.ts).
 * The construct cannot import it (jsii compiles src/ alone), so its shape is stated
 * again twice in src/: the jsii structs users write (`McpToolOptions` and friends,
 * src/mcp-registration.ts) and the item `addTool` and friends build from them
 * (src/registry-declarations.ts). This file ties both to the runtime type:
 *
 * - at compile time (`npx projen typecheck`, the first step of `npm test`): each
 *   struct's fields, renamed where the item's name differs, are exactly the item's
 *   fields but those listed as not offered; the enums have the runtime's values;
 * - at run time: what `RegistryDeclarations` writes, given every option, has exactly
 *   the item fields the struct fills, and the runtime validation accepts it.
 *
 * A field added to one side only fails one of them, naming the field.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { newStack } from './server-template';
import type {
  PromptArgument, PromptItem, PromptMessage, ResourceItem, ResourceTemplateItem, TaskSupport, ToolContract as RuntimeToolContract, ToolItem,
} from '../../lambda-src/model/registry-item';
import { validateRegistryItems } from '../../lambda-src/registry/registry-item-validation';
import type { ToolDefinition } from '../../lambda-src/tool';
import {
  McpPromptArgument, McpPromptOptions, McpPromptRole, McpResourceOptions, McpResourceTemplateOptions, McpToolOptions, ToolContract, ToolTaskSupport,
} from '../../src';
import { RegistryDeclarations } from '../../src/registry-declarations';

/** Option names that differ from the item field they fill. */
interface Renamed {
  function: 'lambdaArn';
  timeout: 'timeoutSeconds';
}

/** The item fields a struct of options fills. */
type FilledBy<O> = { [K in keyof O]-?: K extends keyof Renamed ? Renamed[K] : K }[keyof O];

/** Item fields no option fills: `type` (the method says it), and a local registry file's module `handler`. */
type NeverAnOption = 'type' | 'handler' | 'baseDir';

/**
 * Item fields the construct does not offer, by choice: tool `_meta` and the
 * `annotations` of resources and templates (the admin API and registry files may set
 * them); `streaming` outside tools (it is in the shared function target, and the
 * validation refuses it on any other item).
 */
interface NotOffered {
  tool: '_meta';
  resource: 'annotations' | 'streaming';
  resourceTemplate: 'annotations' | 'streaming';
  prompt: 'streaming';
}

/** The item fields a struct must fill. */
type Declarable<I extends { type: keyof NotOffered }> = Exclude<keyof I, NeverAnOption | NotOffered[I['type']]>;

/** Fields the struct fills that the item does not have, and item fields the struct does not fill. */
type Drift<O, I extends { type: keyof NotOffered }> =
  | Exclude<FilledBy<O>, Declarable<I>>
  | Exclude<Declarable<I>, FilledBy<O>>;

/** Values or keys in one union and not the other. */
type Difference<A, B> = Exclude<A, B> | Exclude<B, A>;

/**
 * Compiles only when T is `never`; otherwise the type checker's error names what is in
 * T (`Type '"_meta"' does not satisfy the constraint 'never'`).
 */
function none<T extends never>(): T[] {
  return [];
}

describe('the construct options and the runtime item (checked by the type checker)', () => {
  test('each struct fills exactly the fields of its item', () => {
    expect([
      ...none<Drift<McpToolOptions, ToolItem>>(),
      ...none<Drift<McpResourceOptions, ResourceItem>>(),
      ...none<Drift<McpResourceTemplateOptions, ResourceTemplateItem>>(),
      ...none<Drift<McpPromptOptions, PromptItem>>(),
      ...none<Difference<keyof McpPromptArgument, keyof PromptArgument>>(),
    ]).toEqual([]);
  });

  test('the enums have the runtime values', () => {
    expect([
      ...none<Difference<`${ToolContract}`, RuntimeToolContract>>(),
      ...none<Difference<`${ToolTaskSupport}`, TaskSupport>>(),
      ...none<Difference<`${McpPromptRole}`, PromptMessage['role']>>(),
    ]).toEqual([]);
  });

  test("defineTool's definition holds tool item fields only", () => {
    expect(none<Exclude<keyof ToolDefinition, keyof ToolItem>>()).toEqual([]);
  });

  test('a field on one side only is caught', () => {
    // The guard itself: a struct with a field the item lacks, and an item with a field
    // the struct lacks, must not compile (an unneeded @ts-expect-error fails typecheck).
    // @ts-expect-error 'colour' is an option no item field takes
    none<Drift<McpToolOptions & { colour?: string }, ToolItem>>();
    // @ts-expect-error 'colour' is an item field no option fills
    none<Drift<McpToolOptions, ToolItem & { colour?: string }>>();
    // @ts-expect-error the enum lacks a runtime value
    none<Difference<`${ToolContract}`, RuntimeToolContract | 'openapi'>>();
  });
});

/** Every field `addXxx` may write; the test below checks each list against the item type. */
const FIELDS = {
  tool: [
    'type', 'name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations', 'icons',
    'lambdaArn', 'timeoutSeconds', 'contract', 'taskSupport', 'inputBeforeTask', 'streaming',
  ] as const,
  resource: ['type', 'uri', 'name', 'title', 'description', 'mimeType', 'text', 'blob', 'icons', 'lambdaArn', 'timeoutSeconds'] as const,
  resourceTemplate: [
    'type', 'uriTemplate', 'name', 'title', 'description', 'mimeType', 'completions', 'icons', 'lambdaArn', 'timeoutSeconds',
  ] as const,
  prompt: ['type', 'name', 'title', 'description', 'arguments', 'messages', 'icons', 'lambdaArn', 'timeoutSeconds'] as const,
};

test('the lists of written fields are the item fields the structs fill (checked by the type checker)', () => {
  expect([
    ...none<Difference<(typeof FIELDS.tool)[number], Declarable<ToolItem> | 'type'>>(),
    ...none<Difference<(typeof FIELDS.resource)[number], Declarable<ResourceItem> | 'type'>>(),
    ...none<Difference<(typeof FIELDS.resourceTemplate)[number], Declarable<ResourceTemplateItem> | 'type'>>(),
    ...none<Difference<(typeof FIELDS.prompt)[number], Declarable<PromptItem> | 'type'>>(),
  ]).toEqual([]);
});

describe('what addTool and friends write', () => {
  const stack: Stack = newStack();
  const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:orders');
  const icons = [{ src: 'https://example.com/icon.png', mimeType: 'image/png', sizes: ['48x48'], theme: 'light' }];
  const common = { title: 'Title', description: 'What it does', icons };
  const inputSchema = { type: 'object', properties: { orderId: { type: 'string' } } };
  const declarations = new RegistryDeclarations();
  // Some options exclude each other (static content or a function; streaming or the
  // Gateway contract), so several declarations together use every one.
  const timeout = Duration.seconds(5);
  declarations.addTool({
    ...common,
    name: 'a',
    inputSchema,
    outputSchema: { type: 'object' },
    annotations: { readOnlyHint: true },
    function: fn,
    timeout,
    taskSupport: ToolTaskSupport.OPTIONAL,
    inputBeforeTask: true,
    streaming: true,
  });
  declarations.addTool({ ...common, name: 'b', inputSchema, function: fn, contract: ToolContract.BEDROCK_AGENTCORE_GATEWAY });
  declarations.addResource({ ...common, uri: 'docs://a', name: 'a', mimeType: 'text/plain', text: 'hello' });
  declarations.addResource({ ...common, uri: 'docs://b', name: 'b', blob: 'aGVsbG8=' });
  declarations.addResource({ ...common, uri: 'docs://c', name: 'c', function: fn, timeout });
  declarations.addResourceTemplate({
    ...common,
    uriTemplate: 'orders://{id}',
    name: 'order',
    mimeType: 'application/json',
    completions: { id: ['1', '2'] },
    function: fn,
    timeout,
  });
  declarations.addPrompt({
    ...common,
    name: 'a',
    arguments: [{ name: 'topic', description: 'Topic', required: true, completions: ['x'] }],
    messages: [{ role: McpPromptRole.USER, text: 'About {{topic}}' }],
  });
  declarations.addPrompt({ ...common, name: 'b', function: fn, timeout });
  const items = declarations.all.map((d) => d.item);

  test.each(Object.keys(FIELDS) as Array<keyof typeof FIELDS>)('every %s field the struct fills, and no other', (type) => {
    const written = new Set(items.filter((i) => i.type === type).flatMap((i) => Object.keys(i)));
    expect([...written].sort()).toEqual([...FIELDS[type]].sort());
  });

  test('items the runtime validation accepts', () => {
    expect(validateRegistryItems(items, { source: 'declarations' })).toEqual([]);
  });
});
