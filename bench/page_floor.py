"""The fixed cost of a signed-in page (a session request), counted without a clock (issue 19's goal: a
department's inbox and the difficulty lists within 3× of a bare query of their rows; what is left above
a small list is what every HTML page pays before its own rows: the session, the user and their scope,
the middleware, the navigation and its counts, the context processors and the base template). For the
home page, the difficulty list and the inbox, as the city administrator (``admin``) and a department
officer (``dept``), through Django's test client signed in (``force_login``), bench/api_floor.py's
measure: the Python function calls of one request (cProfile's count), its SQL statements, each shown,
and (without ``--quiet``) where the calls go.

    .venv/bin/python bench/page_floor.py [--sqlite] [--quiet] [--top 40]
    .venv/bin/python bench/page_floor.py --reuse DATABASE_URL    # a database bench/resumption.py --keep loaded

Without ``--reuse`` the demo city is loaded small (registry.demo.load_demo: 60 units) and dropped after.
"""


from api_floor import counter_main, measure

PAGES = [("home", "home", ""), ("difficulties", "resumption:difficulty_list", ""),
         ("inbox", "resumption:inbox", "")]
ACCOUNTS = ("admin", "dept")


def main() -> None:
    counter_main(__doc__, "page_floor", "bench/resumption.py", _load_small, run)


def _load_small() -> None:
    from datetime import date

    from zhengtong.registry import demo

    demo.load_demo(units=60, sites=5, people=200, today=date.today())


def run(args) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    print(f"{connection.vendor}; one request each after three unmeasured ones")
    totals = []
    with override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False, DEBUG=False):
        for username in ACCOUNTS:
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            for name, route, query in PAGES:
                url = reverse(route) + (f"?{query}" if query else "")
                if client.get(url, secure=True).status_code != 200:
                    continue
                totals.append((username, name, measure(client, url, args, f"{username} GET {url}")))
    print()
    for username, name, total in totals:
        print(f"calls: {username} {name} {total:,}")


if __name__ == "__main__":
    main()
