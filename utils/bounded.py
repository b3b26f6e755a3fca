"""Bounded copies of untrusted input: what we keep of a body nobody vouched for."""
import hashlib
import json

EXCERPT_CHARS = 1024


def bounded_excerpt(data, limit=EXCERPT_CHARS) -> dict:
    """A short excerpt of `data` (a dict, serialised as sorted JSON) with its full size and digest.

    Enough to recognise and compare forgeries (same digest, same body) without letting an
    anonymous caller write megabytes into the audit trail.
    """
    text = json.dumps(data or {}, ensure_ascii=False, sort_keys=True, default=str)
    raw = text.encode()
    return {"excerpt": text[:limit], "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest(),
            "truncated": len(text) > limit}
