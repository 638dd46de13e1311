"""``…/events/{event}/cfp/``, ``…/submission-types/`` and ``…/tracks/`` of a talk event: the call
for papers' terms and what speakers choose from, set up through ``catalog.talk``. Reading needs
access to the event, changing it ``events.change``; review setup is ``talk_review_setup``'s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from catalog.talk import (
    CallForPapers,
    SubmissionTypeTerms,
    TalkTrack,
    call_for_papers,
    create_submission_type,
    create_track,
    delete_submission_type,
    delete_track,
    get_submission_type,
    get_track,
    submission_types,
    tracks,
    update_call_for_papers,
    update_submission_type,
    update_track,
)
from catalog.tickets import Permission
from web.api.call import ApiCall
from web.api.fields import Timestamp
from web.api.pages import Page
from web.api.registry import api
from web.api.resources.talk_patches import patch_changes

TAG = "talk"
EVENT = "/organizers/{organizer}/events/{event}/"
CFP = EVENT + "cfp/"
TYPES = EVENT + "submission-types/"
TYPE = TYPES + "{submission_type}/"
TRACKS = EVENT + "tracks/"
TRACK = TRACKS + "{track}/"
CHANGE = Permission.EVENTS_CHANGE
Name = Annotated[str, Field(min_length=1, max_length=200)]
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]
Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$", examples=["#3aa57c"])]


def listed(call: ApiCall, items: Sequence[BaseModel]) -> Page:
    """One page of a whole (short) list."""
    return Page(len(items), items[call.page.offset : call.page.offset + call.page.page_size])


class CallForPapersOut(BaseModel):
    is_open: bool
    deadline: Timestamp | None = Field(description="a submission type's own deadline replaces it")
    headline: str
    text: str = Field(description="plain text; paragraphs split by blank lines")


class CallForPapersPatch(BaseModel):
    """Only the fields sent change; ``deadline`` null removes it."""

    model_config = ConfigDict(extra="forbid")

    is_open: bool | None = None
    deadline: Timestamp | None = None
    headline: Annotated[str, Field(max_length=300)] | None = None
    text: Annotated[str, Field(max_length=20_000)] | None = None


class SubmissionTypeOut(BaseModel):
    id: str
    name: str
    default_duration_minutes: int
    deadline: Timestamp | None = Field(description="replaces the CfP's deadline for this type")


class SubmissionTypeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    default_duration_minutes: Minutes = 30
    deadline: Timestamp | None = None


class SubmissionTypePatch(BaseModel):
    """Only the fields sent change; ``deadline`` null: the CfP's deadline applies again."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    default_duration_minutes: Minutes | None = None
    deadline: Timestamp | None = None


class TrackOut(BaseModel):
    id: str
    name: str
    color: str = Field(description="#rrggbb")


class TrackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    color: Color


class TrackPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    color: Color | None = None


def _cfp(cfp: CallForPapers) -> CallForPapersOut:
    return CallForPapersOut(
        is_open=cfp.is_open, deadline=cfp.deadline, headline=cfp.headline, text=cfp.text
    )


def _type(kind: SubmissionTypeTerms) -> SubmissionTypeOut:
    return SubmissionTypeOut(
        id=kind.id,
        name=kind.name,
        default_duration_minutes=kind.default_duration_minutes,
        deadline=kind.deadline,
    )


def _track(track: TalkTrack) -> TrackOut:
    return TrackOut(id=track.id, name=track.name, color=track.color)


@api.operation(
    "GET", CFP, summary="Show the call for papers", tag=TAG, response=CallForPapersOut, talk=True,
)  # fmt: skip
async def get_cfp(call: ApiCall) -> CallForPapersOut:
    return _cfp(await call_for_papers(call.session, call.event.id))


@api.operation(
    "PATCH", CFP, summary="Open, close or change the call for papers", tag=TAG,
    response=CallForPapersOut, body=CallForPapersPatch, permission=CHANGE, talk=True,
)  # fmt: skip
async def patch_cfp(call: ApiCall) -> CallForPapersOut:
    sent = patch_changes(call.body_as(CallForPapersPatch), nullable=("deadline",))
    return _cfp(await update_call_for_papers(call.session, call.event.id, **sent))


@api.operation(
    "GET", TYPES, summary="List submission types", tag=TAG, response=SubmissionTypeOut,
    paginated=True, talk=True,
)  # fmt: skip
async def list_submission_types(call: ApiCall) -> Page:
    return listed(
        call, [_type(kind) for kind in await submission_types(call.session, call.event.id)]
    )


@api.operation(
    "POST", TYPES, summary="Create a submission type", tag=TAG, response=SubmissionTypeOut,
    body=SubmissionTypeCreate, permission=CHANGE, status=201, talk=True,
)  # fmt: skip
async def create_talk_submission_type(call: ApiCall) -> SubmissionTypeOut:
    body = call.body_as(SubmissionTypeCreate)
    return _type(await create_submission_type(call.session, call.event.id, **body.model_dump()))


@api.operation(
    "GET", TYPE, summary="Show a submission type", tag=TAG, response=SubmissionTypeOut, talk=True,
)  # fmt: skip
async def get_talk_submission_type(call: ApiCall) -> SubmissionTypeOut:
    kind = await get_submission_type(
        call.session, call.event.id, call.path_param("submission_type")
    )
    return _type(kind)


@api.operation(
    "PATCH", TYPE, summary="Change a submission type", tag=TAG, response=SubmissionTypeOut,
    body=SubmissionTypePatch, permission=CHANGE, talk=True,
)  # fmt: skip
async def patch_talk_submission_type(call: ApiCall) -> SubmissionTypeOut:
    sent = patch_changes(call.body_as(SubmissionTypePatch), nullable=("deadline",))
    type_id = call.path_param("submission_type")
    return _type(await update_submission_type(call.session, call.event.id, type_id, **sent))


@api.operation(
    "DELETE", TYPE, summary="Delete a submission type no submission has", tag=TAG,
    permission=CHANGE, status=204, talk=True,
)  # fmt: skip
async def delete_talk_submission_type(call: ApiCall) -> None:
    """A type with submissions (drafts too) is ``409 talk.in_use``."""
    await delete_submission_type(call.session, call.event.id, call.path_param("submission_type"))


@api.operation(
    "GET", TRACKS, summary="List tracks", tag=TAG, response=TrackOut, paginated=True, talk=True,
)  # fmt: skip
async def list_tracks(call: ApiCall) -> Page:
    return listed(call, [_track(track) for track in await tracks(call.session, call.event.id)])


@api.operation(
    "POST", TRACKS, summary="Create a track", tag=TAG, response=TrackOut, body=TrackCreate,
    permission=CHANGE, status=201, talk=True,
)  # fmt: skip
async def create_talk_track(call: ApiCall) -> TrackOut:
    body = call.body_as(TrackCreate)
    return _track(await create_track(call.session, call.event.id, **body.model_dump()))


@api.operation(
    "GET", TRACK, summary="Show a track", tag=TAG, response=TrackOut, talk=True,
)  # fmt: skip
async def get_talk_track(call: ApiCall) -> TrackOut:
    return _track(await get_track(call.session, call.event.id, call.path_param("track")))


@api.operation(
    "PATCH", TRACK, summary="Change a track", tag=TAG, response=TrackOut, body=TrackPatch,
    permission=CHANGE, talk=True,
)  # fmt: skip
async def patch_talk_track(call: ApiCall) -> TrackOut:
    sent = patch_changes(call.body_as(TrackPatch))
    track_id = call.path_param("track")
    return _track(await update_track(call.session, call.event.id, track_id, **sent))


@api.operation(
    "DELETE", TRACK, summary="Delete a track no submission is in", tag=TAG, permission=CHANGE,
    status=204, talk=True,
)  # fmt: skip
async def delete_talk_track(call: ApiCall) -> None:
    """A track with submissions is ``409 talk.in_use``."""
    await delete_track(call.session, call.event.id, call.path_param("track"))
