"""The moderation pages' shared cast: a moderator's client (pages in English) and each kind of outsider."""

import pytest


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(params=["anonymous", "complainant", "merchant_rep", "regulator"])
def outsider_client(request, client):
    if request.param != "anonymous":
        client.force_login(request.getfixturevalue(request.param))
    return client
