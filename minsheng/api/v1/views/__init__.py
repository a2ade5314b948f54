"""REST API v1 endpoints: `public` (no token: submit, follow, act with the query code; and the
token endpoint) and `staff` (token: cases, actions, attachments), on the base in `base`."""
