"""schemathesis hooks for scripts/api-fuzz.sh.

Every event and roll-up names its kiosk (`kiosk_id`), and the server answers 403 to an item
naming another kiosk than the token's before it looks at anything else. The document can only
say "a string" (it does not know which token a client holds), so generated names would never
match and no generated batch would reach the schema rules and the storage behind that check.
This hook tells schemathesis the one name that this run's token allows; negative cases still
send others, and get the documented 403.
"""

import os

import schemathesis

KIOSK = os.environ["KEPU_FUZZ_KIOSK_NAME"]


@schemathesis.hook
def before_load_schema(ctx, raw_schema):
    schemas = raw_schema["components"]["schemas"]
    for name in ("EngagementEvent", "EventRollup"):
        schemas[name]["properties"]["kiosk_id"] = {"type": "string", "const": KIOSK}
