"""Helpers for the moderation pages' tests."""

from django.contrib.messages import get_messages


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]
