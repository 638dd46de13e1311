"""The rows of the reviewer list: every reviewable submission of an event (drafts left out) with
its speakers, track, type, the reviewer's own score and the review count, in the aggregate
order of ``catalog.talk.ranked_submissions``; and the list's filters and sort orders.
Reading only; whether the aggregate may be shown is the caller's (the phase's) decision."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk import SubmissionState, ranked_submissions
from catalog.talk.tables import (
    talk_reviews,
    talk_speakers,
    talk_submission_speakers,
    talk_submission_types,
    talk_submissions,
    talk_tracks,
)

SORTS = {"score": "Score, best first", "title": "Title"}


@dataclass(frozen=True, slots=True)
class ListedSubmission:
    code: str
    title: str
    state: SubmissionState
    speakers: tuple[str, ...]
    track_id: str | None
    track: str | None
    submission_type: str
    reviewed_by_me: bool
    own_score: Decimal | None
    review_count: int
    score: Decimal | None  # the aggregate; None when unscored or hidden
    is_mine: bool  # the reviewer is one of its speakers


@dataclass(frozen=True, slots=True)
class ListFilters:
    """``state`` and ``track`` ("" for any), only submissions ``unreviewed`` by this reviewer,
    and the sort order (a key of ``SORTS``)."""

    state: str = ""
    track: str = ""
    unreviewed: bool = False
    sort: str = "score"

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> ListFilters:
        sort = params.get("sort", "score")
        return cls(
            state=params.get("state", ""),
            track=params.get("track", ""),
            unreviewed=params.get("unreviewed") == "1",
            sort=sort if sort in SORTS else "score",
        )

    def apply(
        self, rows: Sequence[ListedSubmission], *, by_aggregate: bool
    ) -> list[ListedSubmission]:
        """The rows these filters let through, sorted. "Score" is the aggregate when the phase
        shows it (the rows come in its order), else the reviewer's own score: then ties go by
        code, so that the order never reveals the hidden aggregate. Unscored rows come last."""
        shown = [
            row
            for row in rows
            if (not self.state or row.state.value == self.state)
            and (not self.track or row.track_id == self.track)
            and not (self.unreviewed and row.reviewed_by_me)
        ]
        if self.sort == "title":
            return sorted(shown, key=lambda row: (row.title.casefold(), row.code))
        if by_aggregate:
            return shown
        return sorted(
            shown, key=lambda row: (row.own_score is None, -(row.own_score or 0), row.code)
        )


async def listed_submissions(
    session: AsyncSession, event_id: str, account_id: str, *, show_aggregate: bool
) -> list[ListedSubmission]:
    """The event's reviewable submissions, best aggregate first (ties and unscored by code)."""
    ranked = await ranked_submissions(session, event_id)
    details = {
        row.id: row
        for row in await session.execute(
            select(
                talk_submissions.c.id,
                talk_submissions.c.track_id,
                talk_tracks.c.name.label("track"),
                talk_submission_types.c.name.label("submission_type"),
            )
            .join(
                talk_submission_types,
                talk_submission_types.c.id == talk_submissions.c.submission_type_id,
            )
            .outerjoin(talk_tracks, talk_tracks.c.id == talk_submissions.c.track_id)
            .where(talk_submissions.c.event_id == event_id)
        )
    }
    speakers, accounts = await _speakers(session, event_id)
    own = await _own_scores(session, event_id, account_id)
    return [
        ListedSubmission(
            code=item.code,
            title=item.title,
            state=item.state,
            speakers=tuple(speakers[item.submission_id]),
            track_id=details[item.submission_id].track_id,
            track=details[item.submission_id].track,
            submission_type=details[item.submission_id].submission_type,
            reviewed_by_me=item.submission_id in own,
            own_score=own.get(item.submission_id),
            review_count=item.review_count,
            score=item.score if show_aggregate else None,
            is_mine=account_id in accounts[item.submission_id],
        )
        for item in ranked
    ]


async def _speakers(
    session: AsyncSession, event_id: str
) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """Per submission: its accepted speakers' names (oldest first) and their account ids."""
    names: dict[str, list[str]] = defaultdict(list)
    accounts: dict[str, set[str]] = defaultdict(set)
    links = talk_submission_speakers.c
    for row in await session.execute(
        select(links.submission_id, talk_speakers.c.name, talk_speakers.c.account_id)
        .join(talk_speakers, talk_speakers.c.id == links.speaker_id)
        .join(talk_submissions, talk_submissions.c.id == links.submission_id)
        .where(talk_submissions.c.event_id == event_id, links.state == "accepted")
        .order_by(links.invited_at, links.id)
    ):
        names[row.submission_id].append(row.name)
        if row.account_id is not None:
            accounts[row.submission_id].add(row.account_id)
    return names, accounts


async def _own_scores(
    session: AsyncSession, event_id: str, account_id: str
) -> dict[str, Decimal | None]:
    """The reviewer's review score per submission they reviewed (None: reviewed, unscored)."""
    rows = await session.execute(
        select(talk_reviews.c.submission_id, talk_reviews.c.score)
        .join(talk_submissions, talk_submissions.c.id == talk_reviews.c.submission_id)
        .where(talk_submissions.c.event_id == event_id, talk_reviews.c.reviewer_id == account_id)
    )
    return {
        row.submission_id: None if row.score is None else _places(Decimal(row.score))
        for row in rows
    }


def _places(score: Decimal) -> Decimal:
    return score.quantize(Decimal("0.0001"))
