#!/usr/bin/env python3
"""Checks that app.py uses only names the jsii-generated Python package defines.

There is no PyPI here, so app.py cannot run; instead, after

    npx jsii && npx jsii-pacmak --target python --code-only -o dist-py

run

    python3 examples/python-app/check_api_names.py dist-py/python/src/cdk_mcp_lambda_server/__init__.py

It compares every keyword argument app.py passes to the construct's classes and
methods, and every enum member it names, with the generated signatures.
"""
import ast
import pathlib
import sys

API_METHODS = {"add_tool", "add_resource", "add_resource_template", "add_prompt", "grant_invoke", "grant_register"}


def generated_signatures(path):
    signatures = {}
    for node in ast.walk(ast.parse(pathlib.Path(path).read_text())):
        if not isinstance(node, ast.ClassDef):
            continue
        for member in node.body:
            if isinstance(member, ast.FunctionDef):
                key = node.name if member.name == "__init__" else member.name
                signatures.setdefault(key, set()).update(a.arg for a in member.args.args + member.args.kwonlyargs)
            elif isinstance(member, ast.Assign):
                signatures.setdefault(node.name + ".", set()).update(t.id for t in member.targets if isinstance(t, ast.Name))
    return signatures


def main(generated):
    signatures = generated_signatures(generated)
    app = ast.parse((pathlib.Path(__file__).parent / "app.py").read_text())
    problems = []
    for node in ast.walk(app):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in API_METHODS or (name in signatures and name[:1].isupper() and name.startswith("Mcp")):
                unknown = {k.arg for k in node.keywords} - signatures.get(name, set())
                if unknown:
                    problems.append(f"line {node.lineno}: {name} has no parameter {sorted(unknown)}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id + "." in signatures:
            if node.attr not in signatures[node.value.id + "."]:
                problems.append(f"line {node.lineno}: {node.value.id} has no member {node.attr}")
    for problem in problems:
        print(problem)
    print("app.py matches the generated Python API" if not problems else f"{len(problems)} mismatch(es)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
