/**
 * Runs a task in a new invocation of this same function: an asynchronous Invoke
 * (`InvocationType: 'Event'`), which Lambda queues and answers with 202 at once. The
 * entry classifies the event (task-event.ts) and runs the task (task-executor.ts).
 *
 * The function's role needs `lambda:InvokeFunction` on the function itself (the
 * construct grants it). Lambda retries a failed asynchronous invocation up to twice;
 * the executor's claim keeps a retry from running the tool again.
 */
import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { TaskEvent } from './task-event';
import type { TaskRunner } from './task-runner';
import { loadOnce } from '../model/load-once';

export interface LambdaTaskRunnerOptions {
  /** This function's name or ARN. @default process.env.AWS_LAMBDA_FUNCTION_NAME */
  readonly functionName?: string;
  readonly clientConfig?: LambdaClientConfig;
}

type LambdaModule = typeof import('@aws-sdk/client-lambda');

export class LambdaTaskRunner implements TaskRunner {
  /** Loaded on first use, as the tool invoker does: environments that never run a task skip it. */
  private readonly lambda = loadOnce(async (): Promise<{ client: LambdaClient; sdk: LambdaModule }> => {
    const sdk = await import('@aws-sdk/client-lambda');
    return { sdk, client: new sdk.LambdaClient({ ...this.options.clientConfig }) };
  });

  constructor(private readonly options: LambdaTaskRunnerOptions = {}) {}

  async start(event: TaskEvent): Promise<void> {
    const functionName = this.options.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME;
    if (!functionName) throw new Error('the task cannot start: this function does not know its own name (AWS_LAMBDA_FUNCTION_NAME is not set)');
    const { client, sdk } = await this.lambda();
    const output = await client.send(new sdk.InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }));
    if (output.FunctionError) throw new Error(`Lambda refused the task invocation: ${output.FunctionError}`);
  }
}
