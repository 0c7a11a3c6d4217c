"""The API docs page in a real browser: Swagger UI renders the document under the page CSP."""


def test_the_api_docs_show_the_operations_without_csp_violations(page, live_server):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(str(error)))
    page.goto(live_server + "/api/v1/docs")
    page.get_by_role("heading", name="Innovation Tracker API").wait_for()
    page.locator("#operations-tag-projects").wait_for()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/projects/{project_id}").count()
    page.locator("#operations-tag-gates").wait_for()
    refused = [text for text in messages if "Content Security Policy" in text or "Refused" in text]
    assert not refused, refused
    assert not [text for text in messages if "error" in text.lower()], messages
