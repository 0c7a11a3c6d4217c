"""Access rules live in tracker/auth/permissions.py: nothing else reads a user's role.

The same search as issue 13's done-check; templates ask can(...) and role_label(user).
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLE_READ = re.compile(
    r"current_user\.role|[^_]user\.role ?(==|!=|in )"
    r"|role ?(==|!=) ?['\"](admin|site_manager|member|patron)['\"]"
)
ALLOWED = ("tracker/auth/permissions.py", "tracker/models/", "tracker/demo/", "tracker/cli.py")


def role_reads() -> list[str]:
    found = []
    for folder in ("tracker", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            name = path.relative_to(ROOT).as_posix()
            if not path.is_file() or path.suffix not in {".py", ".html", ".txt"}:
                continue
            if name.startswith(ALLOWED):
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if ROLE_READ.search(line):
                    found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_the_search_finds_a_role_read():
    assert ROLE_READ.search("{% if current_user.role == 'admin' %}")
    assert ROLE_READ.search('    if user.role == "member":')
    assert not ROLE_READ.search("{% if can('is_admin') %}")


def test_no_role_is_read_outside_the_permissions_module():
    found = role_reads()
    assert not found, "ask a predicate of tracker/auth/permissions.py instead:\n" + "\n".join(found)
