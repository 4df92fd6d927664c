"""A local stand-in for LINE's Messaging API, for Kyodo's LINE door to be tested against.

``LineStandIn`` (``sandbox.line.standin``) checks every request and every webhook body it sends
against LINE's own OpenAPI files (``openapi/``), signs webhooks, expires reply tokens, answers
409 to a repeated retry key, counts the monthly quota (429 when spent), holds the rate limits,
and shows a LINE-style chat for any person at ``/line``. Like the rest of ``sandbox`` it
imports nothing of Kyodo, nor the LINE SDK it is checked against.
"""
