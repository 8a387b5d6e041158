/** `taskSupport` on registry items: checked with the registry's own rules (admin API, registry files, addTool). */
import { validateRegistryItem } from '../../lambda-src/registry/registry-item-validation';

const tool = { type: 'tool', name: 'report', inputSchema: { type: 'object' }, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:report' };

test.each(['forbidden', 'optional', 'required'])('taskSupport %s is accepted on a tool', (taskSupport) => {
  expect(validateRegistryItem({ ...tool, taskSupport })).toEqual([]);
});

test('an unknown taskSupport is named with the allowed values', () => {
  expect(validateRegistryItem({ ...tool, taskSupport: 'sometimes' })).toEqual([
    "tool 'report': 'taskSupport' must be one of 'forbidden', 'optional', 'required' (got \"sometimes\")",
  ]);
});

test('taskSupport on anything but a tool is refused', () => {
  expect(validateRegistryItem({ type: 'prompt', name: 'p', messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], taskSupport: 'optional' }))
    .toContain("prompt 'p': 'taskSupport' applies to tools only; remove it");
});

test('inputBeforeTask is a boolean, on a tool that may run as a task', () => {
  expect(validateRegistryItem({ ...tool, taskSupport: 'optional', inputBeforeTask: true })).toEqual([]);
  expect(validateRegistryItem({ ...tool, taskSupport: 'required', inputBeforeTask: false })).toEqual([]);
  expect(validateRegistryItem({ ...tool, inputBeforeTask: true })).toEqual([
    "tool 'report': 'inputBeforeTask' needs 'taskSupport' 'optional' or 'required': only a tool that runs as a task has a before",
  ]);
  expect(validateRegistryItem({ ...tool, taskSupport: 'optional', inputBeforeTask: 'yes' })).toEqual([
    "tool 'report': 'inputBeforeTask' must be true or false (got \"yes\")",
  ]);
  expect(validateRegistryItem({ type: 'prompt', name: 'p', messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], inputBeforeTask: true }))
    .toContain("prompt 'p': 'inputBeforeTask' applies to tools only; remove it");
});
