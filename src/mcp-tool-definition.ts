import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { McpIcon, McpToolAnnotations, McpToolOptions, ToolContract, ToolTaskSupport } from './mcp-registration';

/**
 * What `toolOptions` needs besides the definition: the function that runs the tool,
 * and the settings that belong to the deployment rather than to the tool's code.
 */
export interface McpToolDefinitionOptions {
  /** The function that runs the tool (built from the module the definition came from). */
  readonly function: lambda.IFunction;
  /**
   * How long the server waits for the function, at most 15 minutes.
   * @default - the server's `toolTimeout`
   */
  readonly timeout?: Duration;
  /**
   * Whether the tool may run as a task.
   * @default ToolTaskSupport.FORBIDDEN
   */
  readonly taskSupport?: ToolTaskSupport;
  /**
   * Gather input before the task is created (`McpToolOptions.inputBeforeTask`).
   * @default false
   */
  readonly inputBeforeTask?: boolean;
  /**
   * Icons for clients to show.
   * @default - none
   */
  readonly icons?: McpIcon[];
}

/**
 * A tool's name, description, schemas and streaming flag, read at synth time from a
 * tool module written with `defineTool` (`cdk-mcp-lambda-server/tool`), so that the
 * schema is written once, next to the code that relies on it.
 *
 * ```ts
 * const scan = McpToolDefinition.fromModule(path.join(__dirname, 'tools', 'scan-tables.ts'));
 * server.addTool(scan.toolOptions({ function: scanFunction }));
 * ```
 */
export class McpToolDefinition {
  /**
   * Loads the module with Node's `require` (a `.js`/`.cjs` file; a `.ts` file when the
   * app runs under ts-node, as `cdk synth` of a TypeScript app does) and reads the
   * `definition` that `defineTool` puts on the exported handler. Loading runs the
   * module's top-level code, as importing it would.
   *
   * @param modulePath the tool module's path (relative paths are resolved from the working directory)
   * @param exportName the export that holds the handler
   */
  public static fromModule(modulePath: string, exportName: string = 'handler'): McpToolDefinition {
    const file = path.resolve(modulePath);
    let mod: Record<string, unknown>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(file) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`McpToolDefinition.fromModule: cannot load ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const exported = mod[exportName] as { definition?: unknown } | undefined;
    const definition = exported?.definition;
    if (!isRecord(definition)) {
      throw new Error(`McpToolDefinition.fromModule: export '${exportName}' of ${file} has no definition; `
        + "write the handler with defineTool from 'cdk-mcp-lambda-server/tool'");
    }
    if (typeof definition.name !== 'string' || typeof definition.description !== 'string' || !isRecord(definition.inputSchema)) {
      throw new Error(`McpToolDefinition.fromModule: the definition in ${file} needs a string name and description and an inputSchema object`);
    }
    return new McpToolDefinition({
      name: definition.name,
      title: typeof definition.title === 'string' ? definition.title : undefined,
      description: definition.description,
      inputSchema: definition.inputSchema,
      outputSchema: isRecord(definition.outputSchema) ? definition.outputSchema : undefined,
      annotations: isRecord(definition.annotations) ? definition.annotations as McpToolAnnotations : undefined,
      streaming: definition.streaming !== false,
    });
  }

  /** The tool's name. */
  public readonly name: string;
  /**
   * A human-readable title.
   * @default - none
   */
  public readonly title?: string;
  /** What the tool does, for the model. */
  public readonly description: string;
  /** JSON Schema of the arguments. */
  public readonly inputSchema: { [key: string]: any };
  /**
   * JSON Schema of the structured result.
   * @default - none
   */
  public readonly outputSchema?: { [key: string]: any };
  /**
   * Behaviour hints for clients.
   * @default - none
   */
  public readonly annotations?: McpToolAnnotations;
  /** Whether the handler streams progress and log lines (`defineTool`'s `streaming`, true unless set to false). */
  public readonly streaming: boolean;

  private constructor(props: DefinitionProps) {
    this.name = props.name;
    this.title = props.title;
    this.description = props.description;
    this.inputSchema = props.inputSchema;
    this.outputSchema = props.outputSchema;
    this.annotations = props.annotations;
    this.streaming = props.streaming;
  }

  /** The options for `McpLambdaServer.addTool`: this definition, run by `options.function`. */
  public toolOptions(options: McpToolDefinitionOptions): McpToolOptions {
    return {
      name: this.name,
      title: this.title,
      description: this.description,
      inputSchema: this.inputSchema,
      outputSchema: this.outputSchema,
      annotations: this.annotations,
      streaming: this.streaming,
      contract: ToolContract.MCP,
      function: options.function,
      timeout: options.timeout,
      taskSupport: options.taskSupport,
      inputBeforeTask: options.inputBeforeTask,
      icons: options.icons,
    };
  }
}

/** The fields read from a module's definition: the tool options it carries, and whether it streams. */
type DefinitionProps = Pick<McpToolOptions, 'name' | 'title' | 'description' | 'inputSchema' | 'outputSchema' | 'annotations'>
  & { readonly streaming: boolean };

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
