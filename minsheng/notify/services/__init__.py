"""Writes for notify, by subject: `notifications` (e-mail and SMS outbox and delivery),
`webhooks` (signed posts to other systems), `events` (a case event fanned out into both,
and the catch-up over missed events), `sweep` (reminders of due and overdue clocks, and
everything the periodic sweep re-checks)."""
