#!/usr/bin/env python3
"""Validates X-ARF JSON documents against the official X-ARF v4 schema (content/csam),
with jsonschema (Draft 2020-12). Reads one JSON document per argument file; prints
OK or the errors, exits 1 on any error.

Usage: xarf_validate.py SCHEMA_DIR FILE...
"""
import json
import os
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

schema_dir = sys.argv[1]
resources = []
for relative in ["xarf-core.json", "types/content-base.json", "types/content-csam.json"]:
    with open(os.path.join(schema_dir, relative)) as f:
        schema = json.load(f)
    resources.append((schema["$id"], Resource.from_contents(schema)))
registry = Registry().with_resources(resources)
csam = dict(resources)["https://xarf.org/schemas/v4/types/content-csam.json"].contents
validator = Draft202012Validator(csam, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
failed = False
for path in sys.argv[2:]:
    with open(path) as f:
        document = json.load(f)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    for error in errors:
        failed = True
        print("%s: %s: %s" % (path, "/".join(str(p) for p in error.path) or "(root)", error.message))
    if not errors:
        print("%s: OK" % path)
sys.exit(1 if failed else 0)
