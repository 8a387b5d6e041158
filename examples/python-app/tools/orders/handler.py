"""The orders tool, in both contracts the server speaks."""

ORDERS = {"A-1042": {"orderId": "A-1042", "status": "shipped", "history": ["placed", "paid", "shipped"]}}


def lookup_order(event, context):
    client_context = getattr(context, "client_context", None)
    custom = getattr(client_context, "custom", None) or {}
    gateway_tool = custom.get("bedrockAgentCoreToolName")
    if gateway_tool:
        # AgentCore Gateway contract: the event is the arguments; the tool name is
        # '<target>___<tool>' in the client context.
        tool = gateway_tool.split("___", 1)[-1]
        args = event
    else:
        # The server's own contract: { "tool", "arguments", "context" }.
        tool = event["tool"]
        args = event["arguments"]
    order = ORDERS.get(args["orderId"])
    if order is None:
        raise KeyError(f"no order {args['orderId']}")
    if tool == "order_history":
        return {"content": [{"text": " -> ".join(order["history"])}]}
    return {"orderId": order["orderId"], "status": order["status"]}
