"""Pages outside the main journeys still work under the Content-Security-Policy (the autouse fixture in conftest
fails a test on any violation chromium reports)."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_render_swagger_ui_without_inline_script(page, live_server):
    page.goto(f"{live_server.url}/api/docs/")

    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert "stats" in page.content()


@pytest.mark.parametrize("path", ["/", "/statistics/", "/merchants/?q=test", "/admin/login/", "/accounts/login/"])
def test_pages_load_under_the_policy(page, live_server, path):
    response = page.goto(f"{live_server.url}{path}")

    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
