"""How fast drafts go public, and how the public pages answer right after (issue 28).

Every briefing of the database is made a draft in bulk, then published by `manage.py publish`,
timed; then the first request of each public page, in-process. On a synthetic corpus:

    DATABASE_URL=sqlite:////tmp/pub.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/pub.sqlite3 .venv/bin/python manage.py seed_synthetic --remarks 30000
    DATABASE_URL=sqlite:////tmp/pub.sqlite3 .venv/bin/python manage.py shell < scripts/publish_speed.py

It changes every briefing of that database: never point it at a real one."""

import time
from django.core.management import call_command
from django.test import Client
from statements.models import Briefing, Remark

Briefing.objects.all().update(status=Briefing.Status.DRAFT)
print("briefings", Briefing.objects.count(), "remarks", Remark.objects.count(), "public", Remark.objects.published().count())
started = time.monotonic()
call_command("publish", "--since", "1900-01-01")
print(f"publish: {time.monotonic() - started:.1f} s")
client = Client()
for path in ["/", "/topics/", "/entities/", "/remarks/", "/remarks/?q=china", "/briefings/", "/spokespersons/", "/topics/synthetic-topic-1/"]:
    started = time.monotonic()
    response = client.get(path, HTTP_HOST="127.0.0.1")
    print(f"{path}: {response.status_code} {(time.monotonic() - started) * 1000:.0f} ms")
