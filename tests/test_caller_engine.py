"""The Twilio-faithful caller follows TwiML as Twilio does, and fails loudly where Twilio would."""

from collections.abc import Callable

import pytest
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

from ivr.caller import Call, CallError, FlaskTransport, TwimlError
from tests.conftest import AUTH_TOKEN, BASE_URL

Documents = dict[str, str | Callable[[], str]]


def twilio_app(documents: Documents) -> tuple[Flask, list[tuple[str, dict[str, str]]]]:
    """A tiny app that checks every signature and answers with fixed TwiML documents."""
    app = Flask("fake-ivr")
    seen: list[tuple[str, dict[str, str]]] = []

    @app.route("/<path:name>", methods=["GET", "POST"])
    def serve(name: str) -> Response:
        url = BASE_URL + request.environ["RAW_URI"]
        params = request.form.to_dict() if request.method == "POST" else {}
        if not RequestValidator(AUTH_TOKEN).validate(url, params, request.headers["X-Twilio-Signature"]):
            return Response("bad signature", status=403)
        seen.append((name, request.values.to_dict()))
        document = documents[name]
        body = document() if callable(document) else document
        return Response(f"<?xml version='1.0' encoding='UTF-8'?><Response>{body}</Response>", mimetype="text/xml")

    return app, seen


def dial(documents: Documents, **kwargs: str | None) -> tuple[Call, list[tuple[str, dict[str, str]]]]:
    app, seen = twilio_app({"status": "", **documents})
    call = Call(
        FlaskTransport(app.test_client()),
        AUTH_TOKEN,
        BASE_URL,
        from_number="+46980319202",
        to_number="+46846500400",
        voice_url="/voice",
        status_callback=kwargs.get("status_callback", "/status"),
    )
    return call.start(), seen


MENU = '<Gather action="/menu" numDigits="1"><Say>Tryck 1.</Say></Gather><Say>Hej då.</Say>'


def test_the_first_request_carries_twilios_call_parameters_and_a_valid_signature() -> None:
    call, seen = dial({"voice": MENU})
    name, params = seen[0]
    assert name == "voice"
    assert params["CallSid"] == call.call_sid and params["CallSid"].startswith("CA") and len(params["CallSid"]) == 34
    assert params["AccountSid"].startswith("AC")
    assert (params["From"], params["To"], params["CallStatus"], params["Direction"], params["ApiVersion"]) == (
        "+46980319202",
        "+46846500400",
        "ringing",
        "inbound",
        "2010-04-01",
    )
    assert call.heard == "Tryck 1." and call.waiting_for == "Gather"


def test_keys_are_cut_at_num_digits_and_posted_to_the_action() -> None:
    call, seen = dial({"voice": MENU, "menu": "<Say>Du tryckte.</Say><Hangup/>"})
    call.press("12")
    assert seen[-2] == ("menu", {**seen[-2][1], "Digits": "1"})
    assert call.heard == "Du tryckte." and call.ended and call.hung_up_by_app


def test_the_finish_key_is_not_part_of_the_digits() -> None:
    call, seen = dial({"voice": '<Gather action="/code"><Say>Kod.</Say></Gather>', "code": "<Hangup/>"})
    call.press("2580#")
    assert seen[-2][1]["Digits"] == "2580"


def test_silence_falls_through_to_the_next_verb_without_action_on_empty_result() -> None:
    call, seen = dial({"voice": MENU})
    call.silence()
    assert call.heard == "Hej då." and call.ended
    assert [name for name, _ in seen] == ["voice", "status"]


def test_silence_posts_to_the_action_with_action_on_empty_result() -> None:
    call, seen = dial(
        {
            "voice": '<Gather actionOnEmptyResult="true" action="/menu"><Say>Tryck.</Say></Gather>',
            "menu": "<Say>Inget val.</Say>",
        }
    )
    call.silence()
    assert seen[1][0] == "menu" and "Digits" not in seen[1][1]
    assert call.heard == "Inget val."


def test_a_gather_without_action_posts_back_to_the_current_document() -> None:
    documents: Documents = {"voice": '<Gather numDigits="1"><Say>Igen.</Say></Gather>'}
    call, seen = dial(documents)
    call.press("5")
    assert seen[1] == ("voice", {**seen[1][1], "Digits": "5"})


def test_speech_is_posted_with_its_confidence() -> None:
    call, seen = dial(
        {
            "voice": '<Gather input="speech" action="/name" language="sv-SE"><Say>Namn?</Say></Gather>',
            "name": "<Hangup/>",
        }
    )
    call.say("Anna Andersson")
    assert seen[1][1]["SpeechResult"] == "Anna Andersson" and seen[1][1]["Confidence"] == "0.92"


def test_a_dtmf_only_gather_cannot_hear_speech() -> None:
    call, _ = dial({"voice": MENU})
    with pytest.raises(CallError):
        call.say("ett")


def test_redirect_is_followed_relative_to_the_current_url() -> None:
    call, seen = dial({"voice": "<Say>Ett.</Say><Redirect>next</Redirect>", "next": "<Say>Två.</Say>"})
    assert call.heard == "Ett. Två." and [n for n, _ in seen][:2] == ["voice", "next"]


def test_a_redirect_loop_fails_loudly() -> None:
    with pytest.raises(TwimlError, match="loop"):
        dial({"voice": "<Redirect>/voice</Redirect>"})


def test_a_dial_waits_for_its_outcome_and_posts_it_to_the_action() -> None:
    call, seen = dial(
        {"voice": '<Dial action="/after" timeout="20">+46920284000</Dial>', "after": "<Say>Ingen svarade.</Say>"}
    )
    assert call.dialled == ["+46920284000"] and call.waiting_for == "Dial"
    call.dial_outcome("no-answer")
    assert seen[1][1]["DialCallStatus"] == "no-answer" and "DialCallDuration" not in seen[1][1]
    assert call.heard == "Ingen svarade."


def test_a_dial_without_action_continues_the_document() -> None:
    call, _ = dial({"voice": "<Dial>+46920284000</Dial><Say>Efter.</Say>"})
    call.dial_outcome("busy")
    assert call.heard == "Efter." and call.ended


def test_a_whisper_runs_as_a_child_call_and_decides_whether_the_call_is_bridged() -> None:
    documents: Documents = {
        "voice": '<Dial action="/after"><Number url="/whisper">+46980319200</Number></Dial>',
        "whisper": '<Gather action="/accept" numDigits="1"><Say>Ärende 12. Tryck 1.</Say></Gather><Hangup/>',
        "accept": "<Say>Kopplar.</Say>",
        "after": "<Hangup/>",
    }
    call, seen = dial(documents)
    leg = call.answer(keys=["1"])
    assert leg.transcript == ["Ärende 12. Tryck 1.", "Kopplar."]
    whisper_params = seen[1][1]
    assert whisper_params["Direction"] == "outbound-dial" and whisper_params["ParentCallSid"] == call.call_sid
    assert whisper_params["To"] == "+46980319200"
    after = next(params for name, params in seen if name == "after")
    assert (after["DialCallStatus"], after["DialBridged"]) == ("completed", "true")

    call, seen = dial(documents)
    call.answer(keys=[""])  # the callee says nothing; the whisper hangs up on them
    after = next(params for name, params in seen if name == "after")
    assert after["DialBridged"] == "false"


def test_a_recording_is_posted_with_its_url_and_an_empty_one_moves_on() -> None:
    documents: Documents = {
        "voice": '<Record action="/saved" maxLength="60"/><Say>Inget inspelat.</Say>',
        "saved": "<Say>Tack.</Say>",
    }
    call, seen = dial(documents)
    call.record(seconds=7)
    params = seen[1][1]
    assert params["RecordingUrl"].startswith("https://api.twilio.com/2010-04-01/Accounts/AC")
    assert params["RecordingDuration"] == "7" and params["RecordingSid"].startswith("RE")
    assert call.heard == "Tack."
    call, _ = dial(documents)
    call.silence()
    assert call.heard == "Inget inspelat."


def test_hanging_up_posts_the_completed_status_callback() -> None:
    call, seen = dial({"voice": MENU})
    call.hangup()
    name, params = seen[-1]
    assert name == "status" and params["CallStatus"] == "completed" and "CallDuration" in params


def test_retrying_the_last_request_sends_it_again_unchanged() -> None:
    call, seen = dial({"voice": MENU, "menu": "<Say>Ett.</Say><Hangup/>"})
    call.press("1")
    call.retry_last()
    assert seen[-1] == seen[-2] and seen[-1][0] == "status"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("<Say>Hej", "12100"),
        ("<Speak>Hej</Speak>", "12100"),
        ("<Gather input=\"['dtmf', 'speech']\"><Say>Hej</Say></Gather>", "12200"),
        ('<Gather numDigits="ett"><Say>Hej</Say></Gather>', "12200"),
        ("<Gather><Dial>+46920284000</Dial></Gather>", "12200"),
        ('<Gather actionOnEmptyResult="yes"><Say>Hej</Say></Gather>', "12200"),
        ('<Say voise="Polly.Astrid">Hej</Say>', "12200"),
        ("<Say></Say>", "13520"),
        ("<Dial>0920-28 40 00</Dial>", "13223"),
        ("<Dial></Dial>", "13201"),
        ("<Redirect></Redirect>", "12100"),
        ('<Pause length="-1"/>', "12200"),
    ],
)
def test_twiml_that_twilio_would_reject_fails_loudly(body: str, code: str) -> None:
    with pytest.raises(TwimlError, match=code):
        dial({"voice": body})


def test_a_wrong_content_type_or_an_error_status_fails_loudly() -> None:
    app = Flask("plain")
    app.add_url_rule("/voice", "v", lambda: Response("<Response/>", mimetype="text/plain"), methods=["POST"])
    call = Call(FlaskTransport(app.test_client()), AUTH_TOKEN, BASE_URL, "+46980319202", "+46846500400")
    with pytest.raises(TwimlError, match="12300"):
        call.start()
    app = Flask("broken")
    app.add_url_rule("/voice", "v", lambda: Response("boom", status=500), methods=["POST"])
    call = Call(FlaskTransport(app.test_client()), AUTH_TOKEN, BASE_URL, "+46980319202", "+46846500400")
    with pytest.raises(TwimlError, match="11200"):
        call.start()


def test_pressing_keys_after_the_call_ended_is_an_error() -> None:
    call, _ = dial({"voice": "<Hangup/>"})
    with pytest.raises(CallError, match="ended"):
        call.press("1")
