/**
 * Baseline "AWSLabs": `@aws/run-mcp-servers-with-aws-lambda` wrapping a stdio SDK
 * server, as its README shows for a Lambda Function URL. It starts the server as a
 * child process for every request.
 */
import { LambdaFunctionURLEventHandler, StdioServerAdapterRequestHandler } from '@aws/run-mcp-servers-with-aws-lambda';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

const eventHandler = new LambdaFunctionURLEventHandler(
  new StdioServerAdapterRequestHandler({
    command: process.execPath,
    args: [process.env.BENCH_AWSLABS_SERVER as string],
  }),
);

export async function lambdaHandler(event: APIGatewayProxyEventV2, context: Context): Promise<unknown> {
  return eventHandler.handle(event, context);
}
