"""GET /api/v1/health: answers when central is up (the launcher waits on it). Unauthenticated."""

from fastapi import APIRouter, Request

from sync.protocol import API_PREFIX, PROTOCOL_VERSION

router = APIRouter(prefix=API_PREFIX, tags=["health"])


@router.get("/health")
def health(request: Request) -> dict[str, object]:
    """`personal_data` is false while central lacks its key-encryption key (terminals are served all the same)."""
    return {"ok": True, "protocol": PROTOCOL_VERSION,
            "personal_data": request.app.state.database.keyring.problem() is None}
