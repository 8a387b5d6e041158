import { Template } from 'aws-cdk-lib/assertions';
import { scrubAssetHashes } from './scrub-asset-hashes';
import { serverTemplate } from './server-template';

test('the template of a server with defaults matches the snapshot', () => {
  const { stack } = serverTemplate();
  expect(scrubAssetHashes(Template.fromStack(stack).toJSON())).toMatchSnapshot();
});

test('scrubbing replaces the asset hash and nothing else', () => {
  const template = Template.fromStack(serverTemplate().stack).toJSON();
  const fn = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function');
  expect(fn.Properties.Code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
  const scrubbed = scrubAssetHashes(template) as any;
  const scrubbedFn = Object.values(scrubbed.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function');
  expect(scrubbedFn.Properties.Code.S3Key).toBe('[ASSET HASH].zip');
  expect({ ...scrubbedFn.Properties, Code: undefined }).toEqual({ ...fn.Properties, Code: undefined });
});
