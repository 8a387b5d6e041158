/**
 * Keeps conformance/ honest without running the whole suite (that is
 * `node conformance/run.mjs`, about 10 s): the fixture registry is a valid registry
 * file that names what the suite's scenarios call, and every scenario listed in
 * expected-failures.json exists in the installed suite.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRegistryFile } from '../../lambda-src/registry/registry-file';

const root = join(__dirname, '..', '..');
const node22 = join(root, 'node_modules', '.bin', 'node');
const suite = join(root, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

/** Server scenarios of the installed suite, from `conformance list --server` (Node 22). */
function suiteScenarios(): string[] {
  const run = spawnSync(node22, [suite, 'list', '--server'], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  return [...run.stdout.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]);
}

test('the fixture registry is a valid registry file with the names the scenarios call', async () => {
  const items = await readRegistryFile(join(root, 'conformance', 'registry.json'));
  const names = (type: string) => items.filter((i) => i.type === type).map((i) => ('name' in i ? i.name : ''));
  expect(names('tool')).toEqual(expect.arrayContaining([
    'test_simple_text', 'test_image_content', 'test_audio_content', 'test_embedded_resource',
    'test_multiple_content_types', 'test_tool_with_logging', 'test_tool_with_progress', 'test_error_handling',
    'json_schema_2020_12_tool',
  ]));
  expect(items.filter((i) => i.type === 'resource').map((i) => (i as { uri: string }).uri)).toEqual(
    ['test://static-text', 'test://static-binary', 'test://watched-resource'],
  );
  expect(items.filter((i) => i.type === 'resourceTemplate').map((i) => (i as { uriTemplate: string }).uriTemplate)).toEqual(
    ['test://template/{id}/data'],
  );
  expect(names('prompt')).toEqual([
    'test_simple_prompt', 'test_prompt_with_arguments', 'test_prompt_with_embedded_resource', 'test_prompt_with_image',
    // The HEAD suite's input-required-result-non-tool-request (2026-07-28).
    'test_input_required_result_prompt',
  ]);
  // The HEAD suite's tasks-* scenarios (the io.modelcontextprotocol/tasks extension).
  const tasks = items.filter((i) => i.type === 'tool' && ['greet', 'slow_compute', 'failing_job', 'confirm_delete', 'multi_input'].includes(i.name));
  expect(tasks.map((t) => [t.name, (t as { taskSupport?: string }).taskSupport ?? 'forbidden'])).toEqual([
    ['failing_job', 'required'], ['confirm_delete', 'optional'], ['multi_input', 'optional'], ['greet', 'forbidden'], ['slow_compute', 'optional'],
  ]);
  // Server-to-client requests (sampling, elicitation) are served: their scenarios' tools are there.
  expect(names('tool').filter((n) => /sampling|elicitation/.test(n))).toEqual([
    'test_sampling', 'test_elicitation', 'test_elicitation_sep1034_defaults', 'test_elicitation_sep1330_enums',
  ]);
});

test('every expected failure names a scenario of the installed suite, with a reason', () => {
  const expected = JSON.parse(readFileSync(join(root, 'conformance', 'expected-failures.json'), 'utf8')).server as Record<string, string>;
  const scenarios = suiteScenarios();
  expect(scenarios).toContain('server-initialize');
  for (const [name, reason] of Object.entries(expected)) {
    expect(scenarios).toContain(name);
    expect(reason.length).toBeGreaterThan(20);
  }
});
