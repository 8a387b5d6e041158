// An integration app in the shape integ-runner expects: a stack that uses most of the
// construct's options together. Nothing is deployed here; mcp-lambda-server.integ.test.ts
// synthesizes it and compares the template with its committed snapshot. To deploy it
// for real: `npx cdk deploy --app 'npx ts-node --prefer-ts-exts test/construct/mcp-lambda-server.integ.ts'`.
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { McpAuth, McpLambdaServer, McpPromptRole } from '../../src';

const app = new App();
const stack = new Stack(app, 'McpLambdaServerInteg');

const key = new kms.Key(stack, 'TableKey', {
  enableKeyRotation: true,
  removalPolicy: RemovalPolicy.DESTROY,
});

const server = new McpLambdaServer(stack, 'Mcp', {
  serverName: 'integ-server',
  serverVersion: '0.1.0',
  instructions: 'A test server: its tools are registered by the integration test.',
  sessionTtl: Duration.hours(1),
  removalPolicy: RemovalPolicy.DESTROY,
  encryptionKey: key,
  enableEvents: true,
  auth: McpAuth.iam(),
  allowedOrigins: ['http://localhost:6274'],
  toolTimeout: Duration.seconds(30),
  functionOptions: { environment: { MCP_MAX_BODY_BYTES: '1048576' } },
});


// A tool declared in the app (written at deploy by the Custom::McpRegistry resource),
// a static resource and prompt, and an administrator who may register more at run time.
const echo = new lambda.Function(stack, 'EchoTool', {
  runtime: lambda.Runtime.NODEJS_24_X,
  architecture: lambda.Architecture.ARM_64,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async (event) => ({ echoed: event.arguments.message });'),
});
server.addTool({
  name: 'echo',
  description: 'Echoes a message',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
  function: echo,
  timeout: Duration.seconds(10),
});
server.addResource({ uri: 'app://integ/readme', name: 'readme', mimeType: 'text/plain', text: 'integration server' });
server.addPrompt({
  name: 'greet',
  arguments: [{ name: 'who', required: true }],
  messages: [{ role: McpPromptRole.USER, text: 'Say hello to {{who}}.' }],
});
const admin = new iam.Role(stack, 'RegistryAdmin', { assumedBy: new iam.AccountRootPrincipal() });
server.grantRegister(admin);

// The role an integration test (or an agent) would assume to call the endpoint.
const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
server.grantInvoke(caller);

app.synth();
