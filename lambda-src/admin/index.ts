/**
 * The admin function: a small buffered Lambda beside the MCP handler, with its own
 * role that may read and write only the registry table. It serves two kinds of event:
 *
 * - CloudFormation custom resource requests (`Custom::McpRegistry`): the items declared
 *   in the CDK app, written at deploy (registry-deployment.ts);
 * - Function URL requests (AWS_IAM auth, always): the admin API (admin-api.ts).
 *
 * The bundle (assets/admin/index.js) also exports `validateRegistryItems`: the
 * construct calls it at synth time, so the CDK app, the deploy and the admin API check
 * items with the same code, without making ajv a dependency of the construct library.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handleAdminRequest } from './admin-api';
import { AllowedFunctions } from './allowed-functions';
import { isCloudFormationEvent, sendCloudFormationResponse } from './cfn-response';
import { handleRegistryEvent } from './registry-deployment';
import { TaggedFunctions } from './tagged-functions';
import { ADMIN_ENV } from '../../src/runtime-contract';
import { isFunctionUrlEvent } from '../entry/function-url-event';
import { sharedDocumentClient } from '../store/dynamodb-client';
import { DynamoDbRegistryStore } from '../store/dynamodb-registry-store';
import type { RegistryStore } from '../store/registry-store';

export { validateRegistryItem, validateRegistryItems } from './registration-validation';

/** Environment variables the construct sets on the admin function. */
export { ADMIN_ENV };

export interface AdminRuntime {
  readonly store: RegistryStore;
  readonly allowedFunctions: AllowedFunctions;
  readonly log: (line: string) => void;
}

export function adminRuntimeFromEnvironment(env: NodeJS.ProcessEnv = process.env): AdminRuntime {
  const tableName = env[ADMIN_ENV.registryTable];
  if (!tableName) throw new Error(`environment variable ${ADMIN_ENV.registryTable} is required`);
  const endpoint = env[ADMIN_ENV.dynamoDbEndpoint] || undefined;
  return {
    store: new DynamoDbRegistryStore({ client: sharedDocumentClient({ endpoint }), tableName }),
    allowedFunctions: AllowedFunctions.fromEnvironment(
      env[ADMIN_ENV.allowedFunctions],
      TaggedFunctions.fromEnvironment(env[ADMIN_ENV.toolTag], env[ADMIN_ENV.toolTagScope]),
    ),
    log: (line) => process.stdout.write(`${line}\n`),
  };
}

export type AdminHandler = (event: unknown, context: Pick<Context, 'awsRequestId'>) => Promise<unknown>;

/** A handler over a runtime made on first use (tests pass their own). */
export function createAdminHandler(runtime: () => AdminRuntime = adminRuntimeFromEnvironment): AdminHandler {
  let made: AdminRuntime | undefined;
  const get = () => (made ??= runtime());
  return async (event, context) => {
    if (isCloudFormationEvent(event)) {
      const rt = get();
      const { response, written, deleted } = await handleRegistryEvent(event, rt.store);
      rt.log(JSON.stringify({
        level: response.Status === 'SUCCESS' ? 'info' : 'error',
        msg: 'registry deployment',
        requestId: context.awsRequestId,
        requestType: event.RequestType,
        stackId: event.StackId,
        logicalResourceId: event.LogicalResourceId,
        status: response.Status,
        reason: response.Reason,
        written,
        deleted,
      }));
      // Without an answer CloudFormation waits for the resource's ServiceTimeout;
      // a failed PUT is thrown so that Lambda's own retry of the event tries again.
      await sendCloudFormationResponse(event.ResponseURL, response);
      return undefined;
    }
    if (isFunctionUrlEvent(event)) {
      return handleAdminRequest(event as APIGatewayProxyEventV2, context.awsRequestId, get());
    }
    get().log(JSON.stringify({ level: 'warn', msg: 'unsupported event', requestId: context.awsRequestId }));
    return { ok: false, error: 'unsupported event: the admin function serves CloudFormation custom resource and Function URL requests' };
  };
}

export const handler: AdminHandler = createAdminHandler();
