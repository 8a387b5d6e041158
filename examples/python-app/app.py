#!/usr/bin/env python3
"""An MCP server whose tools are Python Lambda functions, declared in a Python CDK app.

    pip install -r requirements.txt
    cdk deploy

The names below are those jsii-pacmak generates for Python from the TypeScript API
(`addTool` -> `add_tool`, `inputSchema` -> `input_schema`, `ToolContract.MCP`, ...).
"""
import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from cdk_mcp_lambda_server import (
    McpLambdaServer,
    McpPromptArgument,
    McpPromptMessage,
    McpPromptRole,
    McpToolAnnotations,
    ToolContract,
)

app = cdk.App()
stack = cdk.Stack(app, "McpPythonExample")

orders_fn = lambda_.Function(
    stack,
    "OrdersTool",
    runtime=lambda_.Runtime.PYTHON_3_13,
    architecture=lambda_.Architecture.ARM_64,
    handler="handler.lookup_order",
    code=lambda_.Code.from_asset("tools/orders"),
)

server = McpLambdaServer(
    stack,
    "Mcp",
    server_name="orders",
    # Functions an administrator may register as tools at run time, through the admin API.
    allowed_tool_functions=[orders_fn],
)

server.add_tool(
    name="lookup_order",
    title="Look up an order",
    description="Finds an order by its id and returns its status.",
    input_schema={
        "type": "object",
        "properties": {"orderId": {"type": "string", "pattern": "^A-[0-9]+$"}},
        "required": ["orderId"],
    },
    output_schema={
        "type": "object",
        "properties": {"orderId": {"type": "string"}, "status": {"type": "string"}},
        "required": ["orderId", "status"],
    },
    annotations=McpToolAnnotations(read_only_hint=True, open_world_hint=False),
    function=orders_fn,
    timeout=cdk.Duration.seconds(10),
)

# The same function, written for Amazon Bedrock AgentCore Gateway's Lambda target
# contract, served unchanged.
server.add_tool(
    name="order_history",
    description="Lists the status changes of an order.",
    input_schema={"type": "object", "properties": {"orderId": {"type": "string"}}, "required": ["orderId"]},
    function=orders_fn,
    contract=ToolContract.BEDROCK_AGENTCORE_GATEWAY,
)

server.add_resource(
    uri="file:///docs/returns.md",
    name="returns-policy",
    mime_type="text/markdown",
    text="# Returns\n\nOrders can be returned within 30 days.",
)

server.add_prompt(
    name="summarize_order",
    description="Summarize an order for a customer email.",
    arguments=[McpPromptArgument(name="orderId", required=True)],
    messages=[McpPromptMessage(role=McpPromptRole.USER, text="Summarize order {{orderId}} for the customer.")],
)

agent_role = iam.Role(stack, "AgentRole", assumed_by=iam.AccountRootPrincipal())
server.grant_invoke(agent_role)

admin_role = iam.Role(stack, "RegistryAdminRole", assumed_by=iam.AccountRootPrincipal())
server.grant_register(admin_role)

cdk.CfnOutput(stack, "AdminApi", value=server.admin_endpoint_url)

app.synth()
