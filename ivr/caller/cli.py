"""`ivr call`: a call against a running service, scripted or typed, printing what the caller hears."""

from __future__ import annotations

import click

from ivr.caller import Call, CallError, HttpTransport, TwimlError


def place_call(
    *, url: str, token: str, from_number: str, to_number: str, script: list[str] | None, dial_status: str
) -> int:
    """Run one call to its end; return 0, or 1 if the service broke the call."""
    call = Call(HttpTransport(), token, url.rstrip("/"), from_number=from_number, to_number=to_number)
    printed = 0

    def show() -> None:
        nonlocal printed
        for line in call.transcript[printed:]:
            click.echo(f"  🔊 {line}")
        printed = len(call.transcript)

    try:
        call.start()
        while not call.ended:
            show()
            if call.waiting_for == "Dial":
                click.echo(f"  ☎ kopplar till {', '.join(call.dialled)} → {dial_status}")
                if dial_status == "completed" and call.whisper_url is not None:
                    # The answering person hears the whisper and presses 1 to take the call.
                    leg = call.answer(keys=["1"])
                    for line in leg.transcript:
                        click.echo(f"     (viskning till den som svarar) {line}")
                else:
                    call.dial_outcome(dial_status)
                continue
            item = _next_input(call, script)
            if item is None:
                click.echo("  (lägger på)")
                call.hangup()
            elif item == "":
                call.silence()
            elif item.startswith("say:"):
                call.say(item[4:])
            elif item == "rec":
                call.record()
            else:
                call.press(item)
        show()
        click.echo("  (samtalet är slut)")
        return 0
    except (TwimlError, CallError) as exc:
        show()
        click.echo(f"error: {exc}", err=True)
        return 1
    except OSError as exc:
        click.echo(f"error: cannot reach {url}: {exc}", err=True)
        return 1


def _next_input(call: Call, script: list[str] | None) -> str | None:
    if script is not None:
        return script.pop(0).strip() if script else None
    label = "spela in (rec), " if call.waiting_for == "Record" else ""
    answer: str = click.prompt(
        f"  ⌨ tangenter ({label}tomt = tystnad, say:ord = tal, q = lägg på)", default="", show_default=False
    )
    return None if answer.strip().lower() == "q" else answer.strip()
