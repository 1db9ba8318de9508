#!/usr/bin/env python3
"""Reads the loopback NCMEC stand-in with python-threatexchange's own NCMEC client and
prints every entry it parsed as JSON: the other side of the comparison in the sync tests.

Usage: ncmec_pytx.py BASE_URL PASSWORD FROM_UNIX TO_UNIX
"""
import json
import sys

from threatexchange.exchanges.clients.ncmec.hash_api import NCMECEnvironment, NCMECHashAPI

api = NCMECHashAPI("hotline", sys.argv[2], NCMECEnvironment.test_NGO)
api._base_url = sys.argv[1]
out = []
for page in api.get_entries_iter(start_timestamp=int(sys.argv[3]), end_timestamp=int(sys.argv[4])):
    for update in page.updates:
        out.append({"id": update.id, "member": update.member_id, "kind": update.entry_type.value, "deleted": update.deleted,
                    "classification": update.classification, "fingerprints": {k.lower(): v for k, v in update.fingerprints.items()}})
print(json.dumps(out))
