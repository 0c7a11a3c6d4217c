"""bench/demo_pages.py measures every GET page of the route table (or says why not), each for
roles the table allows, at a path its route matches. No server: the lists only."""

from werkzeug.routing import Map, Rule

from bench.demo_pages import EXCLUDED, PAGES, TABLE_ROLE, is_page_route, pages_for
from tests.route_table import ROLES, TABLE

OBJECTS = dict.fromkeys(
    (
        "project",
        "milestone",
        "review",
        "request",
        "organization",
        "user",
        "site",
        "theme",
        "criterion",
        "webhook",
    ),
    7,
)


def test_every_get_page_of_the_route_table_is_measured_or_excluded_with_a_reason():
    measured = {route for route, _, _ in PAGES}
    pages = {key for key in TABLE if is_page_route(key)}
    assert sorted(pages - measured - EXCLUDED.keys()) == []
    assert sorted((measured | EXCLUDED.keys()) - pages) == []  # no route that is gone
    assert sorted(measured & EXCLUDED.keys()) == []
    assert all(EXCLUDED.values())


def test_each_role_measures_only_pages_the_route_table_lets_it_see():
    for route, path, roles in PAGES:
        letters = TABLE[route]
        if isinstance(letters, dict):
            letters = letters["network"]  # the demo project measured is a network one
        for role in roles:
            letter = letters[ROLES.index(TABLE_ROLE[role])]
            assert letter in "KP", (route, path, role, letter)


def test_each_path_is_one_its_route_matches():
    for page in pages_for(OBJECTS):
        method, _, rule = page.route.partition(" ")
        adapter = Map([Rule(rule, endpoint="page", methods=[method])]).bind("demo.example")
        path = page.path.partition("?")[0]
        assert adapter.match(path, method=method)[0] == "page", page.name
