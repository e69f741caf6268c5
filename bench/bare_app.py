"""The yardstick: a bare Flask endpoint answering a constant TwiML document."""

from flask import Flask, Response

BODY = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hej</Say></Response>'

app = Flask("bare")


@app.post("/voice")
def voice() -> Response:
    return Response(BODY, mimetype="text/xml")
