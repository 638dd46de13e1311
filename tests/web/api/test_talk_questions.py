"""CfP questions over /api/v1: listed, created, changed and deleted through the catalog's
questions, with their refusals; a submission shows its answers, and PATCHing them replaces them."""

from __future__ import annotations

from catalog.talk import QuestionTarget, save_answers
from catalog.tickets.permissions import Permission
from tests.catalog.talk.talk_rows import make_submission
from tests.web.api.api_client import ApiClient
from tests.web.api.talk_event import TalkEvent


async def test_questions_are_created_listed_changed_and_deleted(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)

    level = await talk.call(
        "POST", "questions/", 201,
        json={"text": "Level?", "kind": "choice", "target": "submission",
              "options": ["beginner", "expert"], "required": True},
    )  # fmt: skip
    shirt = await talk.call(
        "POST",
        "questions/",
        201,
        json={"text": "Shirt size", "kind": "string", "target": "speaker"},
    )
    changed = await talk.call(
        "PATCH", f"questions/{level['id']}/", 200,
        json={"text": "Audience level?", "options": ["beginner", "advanced", "expert"]},
    )  # fmt: skip
    listed = await talk.call("GET", "questions/", 200)
    for_speakers = await talk.call("GET", "questions/?target=speaker", 200)
    shown = await talk.call("GET", f"questions/{level['id']}/", 200)
    await talk.call("DELETE", f"questions/{shirt['id']}/", 204)
    left = await talk.call("GET", "questions/", 200)
    gone = await talk.call("GET", f"questions/{shirt['id']}/", 404)

    assert level == {
        "id": level["id"], "text": "Level?", "kind": "choice", "target": "submission",
        "required": True, "sort_key": 0, "options": ["beginner", "expert"],
    }  # fmt: skip
    assert (shirt["sort_key"], shirt["options"], shirt["required"]) == (1, [], False)
    assert (changed["text"], changed["options"]) == (
        "Audience level?", ["beginner", "advanced", "expert"],
    )  # fmt: skip
    assert [q["id"] for q in listed["results"]] == [level["id"], shirt["id"]]
    assert [q["id"] for q in for_speakers["results"]] == [shirt["id"]]
    assert shown == changed
    assert [q["id"] for q in left["results"]] == [level["id"]]
    assert gone["error"]["details"] == {"kind": "question", "id": shirt["id"]}


async def test_question_writes_are_refused_with_their_codes(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    reader = await api.token(talk.org, [Permission.SUBMISSIONS_VIEW])
    body = {"text": "Why?", "kind": "text", "target": "submission"}
    question = await talk.call("POST", "questions/", 201, json=body)
    async with api.database.transaction() as session:
        submission = await make_submission(session, talk.event_id)
        await save_answers(
            session, talk.event_id, QuestionTarget.SUBMISSION, submission.id,
            {question["id"]: "Because"},
        )  # fmt: skip
    path = f"questions/{question['id']}/"

    no_options = await talk.call("POST", "questions/", 422, json={**body, "kind": "choice"})
    stray = await talk.call("POST", "questions/", 422, json={**body, "options": ["a"]})
    bad_kind = await talk.call("POST", "questions/", 422, json={**body, "kind": "file"})
    extra = await talk.call("POST", "questions/", 422, json={**body, "help": "x"})
    retarget = await talk.call("PATCH", path, 422, json={"target": "speaker"})
    null_text = await talk.call("PATCH", path, 422, json={"text": None})
    unknown = await talk.call("PATCH", "questions/nope/", 404, json={"required": True})
    seen = await talk.call("GET", "questions/", 200, headers=reader)
    denied = await talk.call("POST", "questions/", 403, headers=reader, json=body)
    not_deleted = await talk.call("DELETE", path, 403, headers=reader)

    assert no_options["error"]["details"] == {"reason": "options_missing"}
    assert stray["error"]["details"] == {"reason": "options_unexpected"}
    assert bad_kind["error"]["details"]["errors"][0]["field"] == "kind"
    assert extra["error"]["details"]["errors"][0]["field"] == "help"
    assert retarget["error"]["code"] == "talk.invalid_question"
    assert retarget["error"]["details"] == {"reason": "target_has_answers"}
    assert null_text["error"]["details"]["errors"][0]["field"] == "text"
    assert unknown["error"]["code"] == "talk.not_found"
    assert seen["count"] == 1
    assert denied["error"]["details"] == {"permission": "events.change"}
    assert not_deleted["error"]["code"] == "auth.denied"


async def test_a_submission_shows_its_answers_and_a_patch_replaces_them(
    any_api: ApiClient,
) -> None:
    talk = await TalkEvent.make(any_api)
    level = await talk.call(
        "POST", "questions/", 201,
        json={"text": "Level?", "kind": "choice", "target": "submission",
              "options": ["beginner", "expert"], "required": True},
    )  # fmt: skip
    slides = await talk.call(
        "POST", "questions/", 201, json={"text": "Slides", "kind": "url", "target": "submission"}
    )
    async with any_api.database.transaction() as session:
        submission = await make_submission(session, talk.event_id)
    path = f"submissions/{submission.code}/"

    answered = await talk.call(
        "PATCH", path, 200,
        json={"answers": {level["id"]: "expert", slides["id"]: "https://slides.test/a"}},
    )  # fmt: skip
    replaced = await talk.call("PATCH", path, 200, json={"answers": {level["id"]: "beginner"}})
    bad = await talk.call(
        "PATCH", path, 422,
        json={"title": "Not saved", "answers": {level["id"]: "guru", slides["id"]: "ftp://x"}},
    )  # fmt: skip
    listed = await talk.call("GET", "submissions/", 200)
    await talk.call("DELETE", f"questions/{level['id']}/", 204)
    after_delete = await talk.call("GET", path, 200)

    assert answered["answers"] == {level["id"]: "expert", slides["id"]: "https://slides.test/a"}
    assert replaced["answers"] == {level["id"]: "beginner"}
    assert bad["error"]["code"] == "talk.invalid_answers"
    assert [(p["question_id"], p["code"]) for p in bad["error"]["details"]["problems"]] == [
        (level["id"], "talk.answer_not_option"), (slides["id"], "talk.answer_not_url"),
    ]  # fmt: skip
    assert listed["results"][0]["answers"] == {level["id"]: "beginner"}
    assert listed["results"][0]["title"] == submission.title  # the refused PATCH changed nothing
    assert after_delete["answers"] == {}
