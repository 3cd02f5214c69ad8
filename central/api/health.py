"""GET /api/v1/health: answers when central is up (the launcher waits on it). Unauthenticated."""

from fastapi import APIRouter

from sync.protocol import API_PREFIX, PROTOCOL_VERSION

router = APIRouter(prefix=API_PREFIX, tags=["health"])


@router.get("/health")
def health() -> dict[str, object]:
    return {"ok": True, "protocol": PROTOCOL_VERSION}
