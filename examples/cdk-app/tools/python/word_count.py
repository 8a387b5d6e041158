"""A tool function in Python (lambda.Code.fromAsset of this folder, runtime PYTHON_3_12).

It gets the server's tool event {"tool", "arguments", "context"} and may return any JSON
value: the server wraps a plain value as text plus structuredContent.
"""
import os


def handler(event, context):
    text = event["arguments"]["text"]
    words = text.split()
    return {
        "words": len(words),
        "characters": len(text),
        "longest": max(words, key=len) if words else "",
        "function": context.function_name,
        "stage": os.environ.get("STAGE", "unset"),
    }
