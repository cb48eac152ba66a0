"""Print the URLs the load test requests, one "kind<TAB>path" a line (scripts/loadtest.sh).

Drawn from the database being tested, so every URL exists: permalinks and briefings of published
material, searches for common and rare words, facet clicks, subject pages and exports of small
filtered sets, the way researchers use the site.
"""

import os
import random
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from statements.models import Briefing, Entity, Remark, Spokesperson, Topic  # noqa: E402
from statements.search import matching  # noqa: E402

rng = random.Random(1)
remarks = Remark.objects.published()
total = remarks.count()
if total < 1000:
    sys.exit(f"only {total} published remarks: seed a corpus first (manage.py seed_synthetic)")


def emit(group, path, **params):
    query = urlencode(params, doseq=True)
    print(f"{group}\t{path}{'?' + query if query else ''}")


for pk in remarks.order_by("?").values_list("pk", flat=True)[:2000]:
    emit("permalink", f"/remarks/{pk}/")
for pk in Briefing.objects.published().order_by("?").values_list("pk", flat=True)[:300]:
    emit("briefing", f"/briefings/{pk}/")

# Words from the remarks themselves (long enough not to be stop words): common ones in more than
# 5% of remarks, and the rarest of the sample; plus words the corpus lacks, as people search those
# too.
words = Counter()
for answer in remarks.filter(language="en").order_by("?").values_list("answer", flat=True)[:1000]:
    words.update({w.lower() for w in answer.split() if w.isalpha() and len(w) > 4})
candidates = sorted(words, key=lambda w: (-words[w], w))
common = []
for word in candidates[:60]:
    if len(common) < 20 and matching(remarks, word).count() > total // 20:
        common.append(word)
rarest = sorted((matching(remarks, word).count(), word) for word in candidates[-150:])
rare = [word for hits, word in rarest if hits][:20] + ["lighthouse", "semiconductor", "typhoon", "antarctic"]
for word in common:
    emit("search_common", "/remarks/", q=word)
for word in rare:
    emit("search_rare", "/remarks/", q=word)
for a, b in zip(common[::2], common[1::2]):
    emit("search_common", "/remarks/", q=f'"{a} {b}" OR {b}')

topics = list(Topic.objects.values_list("slug", flat=True))
speakers = list(Spokesperson.objects.values_list("slug", flat=True))
entities = list(Entity.objects.values_list("slug", flat=True))
years = sorted({d.year for d in Briefing.objects.published().dates("date", "year")})
for _ in range(300):
    choice = rng.randrange(4)
    if choice == 0:
        emit("facet", "/remarks/", topic=rng.choice(topics), lang=rng.choice(["en", "zh"]))
    elif choice == 1:
        emit("facet", "/remarks/", spokesperson=rng.choice(speakers), year=rng.choice(years))
    elif choice == 2:
        emit("facet", "/remarks/", mentions=rng.choice(entities), kind="qa", sort="oldest")
    else:
        emit("facet", "/remarks/", topic=[rng.choice(topics), rng.choice(topics)], q=rng.choice(common), page=2)
for slug in topics:
    emit("subject", f"/topics/{slug}/")
for slug in speakers:
    emit("subject", f"/spokespersons/{slug}/")
for slug in entities[:40]:
    emit("subject", f"/entities/{slug}/")

# Exports of small sets (a topic in one year from one spokesperson): what a researcher downloads.
exports = 0
for _ in range(400):
    params = {"topic": rng.choice(topics), "year": rng.choice(years), "spokesperson": rng.choice(speakers)}
    rows = remarks.filter(topics__slug=params["topic"], date__year=params["year"], speaker__slug=params["spokesperson"]).count()
    if 0 < rows <= 300:
        emit("export", f"/remarks/export.{rng.choice(['csv', 'json', 'jsonl'])}", **params)
        exports += 1
    if exports >= 60:
        break

emit("home", "/")
emit("home", "/remarks/")
emit("home", "/briefings/")
emit("home", "/topics/")
