#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Renders a model's Jinja chat template the way llama-server and Hugging Face do.

usage: render_chat_template.py TEMPLATE.jinja < request.json > prompt.txt

request.json: {"messages": [...], "add_generation_prompt": true, "now": "2026-01-02", ...}; every
other key is passed to the template as a variable (chat_template_kwargs, e.g. reasoning_effort).
"now" fixes the date strftime_now() returns, so the output does not change from day to day.

The environment is Hugging Face transformers' (a sandbox with trim_blocks and lstrip_blocks, plus
raise_exception and strftime_now), which llama.cpp's own Jinja engine follows.
"""
import datetime
import json
import sys

from jinja2.sandbox import ImmutableSandboxedEnvironment


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        source = f.read()
    variables = json.load(sys.stdin)
    now = datetime.datetime.fromisoformat(variables.pop("now", "2026-01-02"))

    def raise_exception(message):
        raise ValueError(message)

    environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    environment.globals["raise_exception"] = raise_exception
    environment.globals["strftime_now"] = now.strftime
    sys.stdout.write(environment.from_string(source).render(**variables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
