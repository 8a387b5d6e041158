import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Settings of the handler function that `McpLambdaServerProps` does not cover.
 *
 * A curated subset of `lambda.FunctionOptions` rather than all of it: every field
 * here is safe with the bundled handler and tested, whereas the full set would
 * overlap the construct's own props (timeout, memory, runtime, log group) with no
 * clear winner, and holds options that break the handler or its least-privilege
 * role (`role`, `handler`, `code`, `initialPolicy`, `adotInstrumentation`, ...).
 * For anything else, reach the L1 resource through `server.function.node.defaultChild`.
 */
export interface McpFunctionOptions {
  /**
   * A description of the function.
   *
   * @default - 'MCP server <serverName> (cdk-mcp-lambda-server)'
   */
  readonly description?: string;

  /**
   * A name for the function.
   *
   * @default - a name CloudFormation generates
   */
  readonly functionName?: string;

  /**
   * Extra environment variables for the handler, added to the ones the construct
   * sets. A name the construct sets itself (`MCP_SESSION_TABLE`, ...) is an error.
   * Settings of the handler without a prop of their own, such as
   * `MCP_MAX_BODY_BYTES`, go here.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };

  /**
   * The KMS key that encrypts the function's environment variables at rest.
   *
   * @default - an AWS managed key
   */
  readonly environmentEncryption?: kms.IKey;

  /**
   * The VPC to run the function in. It needs a route to DynamoDB (a gateway
   * endpoint or NAT), to Lambda (for tools, an interface endpoint or NAT) and to
   * SNS if events are used.
   *
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where in the VPC to place the function. Only with `vpc`.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the function. Only with `vpc`.
   *
   * @default - a new security group that allows all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Concurrent executions reserved for the function. Every open client stream holds
   * one execution for as long as it is open.
   *
   * @default - no reservation; the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
}
