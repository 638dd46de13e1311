"""``user.*``: the user's own profile, synced to their other sockets."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from live import topic_names
from live.dispatch import HandlerContext, Payload, registry


class Profile(Payload):
    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    fields: dict[
        Annotated[str, StringConstraints(max_length=64)],
        Annotated[str, StringConstraints(max_length=1000)],
    ] = Field(default_factory=dict)


class UpdatePayload(Payload):
    profile: Profile


@registry.command("user.update", UpdatePayload)
async def update(ctx: HandlerContext, cmd: UpdatePayload) -> dict[str, Any]:
    session = ctx.session
    user = await ctx.live.users.update_profile(
        session.user, cmd.profile.display_name, {"fields": dict(cmd.profile.fields)}
    )
    session.refresh(session.event, user)
    ctx.live.fanout.publish(
        topic_names.user(user.id), "user.updated", {"user": user.public()}, skip_sid=session.sid
    )
    return {"user": user.public()}
