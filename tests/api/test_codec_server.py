"""The codec server (/codec/decode) the Temporal UI calls: staff only, or the dev stack's own
UI; it answers the UI's origin with CORS headers."""

from __future__ import annotations

import base64
import json

import httpx

from adapters.payload_codec import EncryptionCodec, new_key_setting, parse_keys
from api.app import create_app
from config import Settings
from tests.adapters.test_payload_codec import _payload


async def test_the_codec_server_decodes_for_staff_and_the_dev_stack_s_ui(
    settings: Settings,
) -> None:
    keys = f"{new_key_setting('k2')},{new_key_setting('k1')}"
    [sealed] = await EncryptionCodec(parse_keys(keys)).encode([_payload("Ada Lovelace")])
    body = {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in sealed.metadata.items()},
                "data": base64.b64encode(sealed.data).decode(),
            }
        ]
    }
    app = create_app(settings.model_copy(update={"payload_keys": keys, "dev_mode": True}))
    ui = {"origin": settings.temporal_ui_origin}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        refused = await http.post("/codec/decode", json=body)  # not the UI, no token
        assert refused.status_code == 401
        other_site = await http.post("/codec/decode", json=body, headers={"origin": "http://x"})
        assert other_site.status_code == 401
        admin = {"Authorization": f"Bearer {settings.admin_token}"}
        decoded = await http.post("/codec/decode", json=body, headers=admin)
        assert decoded.status_code == 200, decoded.text
        assert "access-control-allow-origin" not in decoded.headers  # no origin, no CORS
        [payload] = decoded.json()["payloads"]
        assert base64.b64decode(payload["data"]) == json.dumps("Ada Lovelace").encode()
        from_ui = await http.post("/codec/decode", json=body, headers=ui)
        assert from_ui.status_code == 200
        assert from_ui.headers["access-control-allow-origin"] == settings.temporal_ui_origin
        preflight = await http.options("/codec/decode", headers=ui)
        assert preflight.status_code == 204
        assert "authorization" in preflight.headers["access-control-allow-headers"]
        sealed_again = await http.post("/codec/encode", json=decoded.json(), headers=admin)
        [payload] = sealed_again.json()["payloads"]
        assert base64.b64decode(payload["metadata"]["encoding"]) == b"binary/encrypted"
