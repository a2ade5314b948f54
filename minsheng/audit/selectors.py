"""Reads of the tamper-evident record: checking the chain, and the daily anchors."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from minsheng.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from minsheng.audit.services import HEAD_ID, entry_hash

BATCH = 2000


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain is not what was written. `seq` is the number of the
    first bad entry (or, for entries missing at the end, the first missing number)."""

    seq: int
    problem: str


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    last_seq: int
    last_hash: str
    first_break: ChainBreak | None


def _entries() -> Iterator[AuditEntry]:
    """Every entry in sequence order, read in batches (the record grows without end)."""
    after = -1
    while True:
        batch = list(AuditEntry.objects.filter(seq__gt=after).order_by("seq")[:BATCH])
        yield from batch
        if len(batch) < BATCH:
            return
        after = batch[-1].seq


def chain_check(*, anchors: Sequence[dict[str, Any]] = ()) -> ChainCheck:
    """Walk the chain from the first entry and report the first break, if any.

    Steps, for each entry in sequence order: its number follows the last one (else an
    entry was deleted or moved); its `prev_hash` is the last one's hash; its hash is that
    of its own fields. Then the head row names the last entry (else entries were removed
    from the end), and each anchor an outside party kept names an entry with its hash."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    by_seq_anchor = {int(a["seq"]): str(a["hash"]) for a in anchors}
    for entry in _entries():
        count += 1
        if entry.seq != expected_seq:
            return ChainCheck(
                count,
                entry.seq,
                entry.hash,
                ChainBreak(
                    expected_seq,
                    f"entry #{expected_seq} is missing (deleted or moved): #{entry.seq} follows "
                    f"#{expected_seq - 1}",
                ),
            )
        recomputed = entry_hash(
            prev_hash=entry.prev_hash,
            seq=entry.seq,
            at=entry.at,
            kind=entry.kind,
            actor_id=entry.actor_id,
            actor_name=entry.actor_name,
            object_type=entry.object_type,
            object_id=entry.object_id,
            payload=entry.payload,
        )
        if entry.prev_hash != prev_hash:
            problem = f"entry #{entry.seq} does not follow #{entry.seq - 1} (previous hash differs)"
            return ChainCheck(count, entry.seq, entry.hash, ChainBreak(entry.seq, problem))
        if recomputed != entry.hash:
            problem = f"entry #{entry.seq} was altered (its hash does not match its content)"
            return ChainCheck(count, entry.seq, entry.hash, ChainBreak(entry.seq, problem))
        kept = by_seq_anchor.pop(entry.seq, None)
        if kept is not None and kept != entry.hash:
            problem = f"entry #{entry.seq} differs from the anchor kept outside (hash {kept})"
            return ChainCheck(count, entry.seq, entry.hash, ChainBreak(entry.seq, problem))
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    last_seq = expected_seq - 1
    head = AuditHead.objects.filter(pk=HEAD_ID).first()
    if head is not None and (head.seq, head.hash) != (last_seq, prev_hash):
        problem = (
            f"entries #{last_seq + 1} to #{head.seq} are missing from the end "
            f"(the chain's head names #{head.seq})"
            if head.seq > last_seq
            else f"the chain's head names #{head.seq}, not the last entry #{last_seq}"
        )
        return ChainCheck(count, last_seq, prev_hash, ChainBreak(last_seq + 1, problem))
    if head is None and count:
        problem = "the chain's head row is missing"
        return ChainCheck(count, last_seq, prev_hash, ChainBreak(last_seq + 1, problem))
    if by_seq_anchor:
        seq = min(by_seq_anchor)
        problem = f"entry #{seq}, named by an anchor kept outside, is missing"
        return ChainCheck(count, last_seq, prev_hash, ChainBreak(seq, problem))
    return ChainCheck(count, last_seq, prev_hash, None)


def anchor_for(day: date) -> dict[str, Any] | None:
    """The chain's state at the end of `day` (local time): the last entry recorded by then,
    its number and hash. None when nothing was recorded by then."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    entry = AuditEntry.objects.filter(at__lt=end).order_by("-seq").first()
    if entry is None:
        return None
    return {
        "date": day.isoformat(),
        "seq": entry.seq,
        "hash": entry.hash,
        "at": timezone.localtime(entry.at).isoformat(),
    }
