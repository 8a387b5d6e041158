import { Annotations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * What an auth mode asks of the construct: the Function URL's auth type and what the
 * runtime handler is told about it.
 */
export interface McpAuthConfig {
  /**
   * The value of the handler's `MCP_AUTH_MODE` environment variable
   * (`iam` or `none`; later modes add `oauth` and `bearer`).
   */
  readonly mode: string;

  /**
   * The auth type of the Function URL in front of the handler.
   */
  readonly functionUrlAuthType: lambda.FunctionUrlAuthType;

  /**
   * Extra environment variables the handler needs for this mode (for example the
   * issuer of an OAuth mode). Names must not collide with the construct's own.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
}

/**
 * How clients authenticate to the MCP endpoint.
 *
 * An enum-like class (jsii has no unions): pick a mode with a static factory,
 * `McpAuth.iam()` or `McpAuth.none()`. Modes that take settings (OAuth, bearer
 * tokens) are further factories with an options struct, so adding them changes no
 * existing signature.
 */
export abstract class McpAuth {
  /**
   * AWS IAM (SigV4) on the Function URL: Lambda rejects unsigned requests and
   * requests from principals without `lambda:InvokeFunctionUrl` and
   * `lambda:InvokeFunction` before the handler runs. Grant callers with
   * `McpLambdaServer.grantInvoke()`.
   */
  public static iam(): McpAuth {
    return new IamAuth();
  }

  /**
   * No authentication: anyone on the internet who knows the URL can call every tool.
   * For demos and for servers that only expose public data. Synthesis emits a warning.
   */
  public static none(): McpAuth {
    return new NoAuth();
  }

  /**
   * Subclasses are the modes above; use the static factories.
   */
  protected constructor() {}

  /**
   * Called once by `McpLambdaServer` to configure the endpoint.
   *
   * @param scope the McpLambdaServer the mode is used by
   */
  public abstract bind(scope: Construct): McpAuthConfig;
}

class IamAuth extends McpAuth {
  public constructor() {
    super();
  }

  public bind(_scope: Construct): McpAuthConfig {
    return { mode: 'iam', functionUrlAuthType: lambda.FunctionUrlAuthType.AWS_IAM };
  }
}

class NoAuth extends McpAuth {
  public constructor() {
    super();
  }

  public bind(scope: Construct): McpAuthConfig {
    Annotations.of(scope).addWarningV2(
      'cdk-mcp-lambda-server:unauthenticatedEndpoint',
      'McpAuth.none(): the MCP endpoint accepts requests from anyone on the internet, and every registered tool can be called without credentials. '
      + 'Use McpAuth.iam() (the default) unless the server exposes only public data.',
    );
    return { mode: 'none', functionUrlAuthType: lambda.FunctionUrlAuthType.NONE };
  }
}
