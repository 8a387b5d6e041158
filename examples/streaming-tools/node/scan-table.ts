// A Node.js tool that reports progress and log messages while it runs, written with
// the package's tool helper (a user's tool imports from 'cdk-mcp-lambda-server/tool';
// this one uses the sources). The schema is written once, here: the CDK app reads it
// with McpToolDefinition.fromModule at synth time (docs/writing-tools.md).
//
// On Lambda's Node.js runtime `handler` streams: each call.progress() and call.log()
// reaches the MCP client during the call. Under `mcp-lambda-server dev` the same
// handler reports through the local context.
import { defineTool } from '../../../lambda-src/tool';

interface Args {
  readonly tables?: string[];
}

export const handler = defineTool<Args>({
  name: 'scan_tables',
  title: 'Scan tables',
  description: 'Counts the rows of each table, reporting progress table by table.',
  inputSchema: {
    type: 'object',
    properties: { tables: { type: 'array', items: { type: 'string' }, maxItems: 50 } },
  },
  outputSchema: {
    type: 'object',
    properties: { tables: { type: 'integer' }, total: { type: 'integer' }, rows: { type: 'object' } },
    required: ['tables', 'total', 'rows'],
  },
  async run(args, call) {
    const tables = args.tables ?? ['orders', 'customers', 'invoices'];
    const rows: Record<string, number> = {};
    for (const [i, table] of tables.entries()) {
      rows[table] = await countRows(table);
      call.progress(i + 1, tables.length, `scanned ${table}`);
      call.log('info', { table, rows: rows[table] }, 'scan_tables');
    }
    // Session state (2025-era sessions): how many scans this session has run.
    if (call.sessionState) call.incrementState('scans');
    return { tables: tables.length, total: Object.values(rows).reduce((a, b) => a + b, 0), rows };
  },
});

/** Your work here (a DynamoDB scan, an Athena query, ...); a stand-in for the example. */
async function countRows(table: string): Promise<number> {
  return [...table].reduce((n, c) => n + c.charCodeAt(0), 0) % 97 + 3;
}
