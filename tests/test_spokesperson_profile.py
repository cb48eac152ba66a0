"""A spokesperson's page is a profile: term of office, briefings held, topics most answered."""

import datetime

from statements.models import Briefing, Topic


def test_the_profile_counts_published_briefings_and_topics(client, make_briefing, wang, hua):
    wang.term_start = datetime.date(2020, 7, 20)
    wang.save()
    trade = Topic.objects.create(name="Trade", slug="trade")
    taiwan = Topic.objects.create(name="Taiwan", slug="taiwan")
    for day, topics in [(datetime.date(2020, 8, 3), [trade]), (datetime.date(2021, 1, 4), [trade, taiwan])]:
        make_briefing(spokesperson=wang, date=day, remarks=[{"answer": "Yes.", "topics": topics}])
    # Neither a draft nor another host's briefing counts.
    make_briefing(spokesperson=wang, date=datetime.date(2021, 6, 1), status=Briefing.Status.DRAFT,
                  remarks=[{"answer": "DRAFTMARKER", "topics": [taiwan]}])
    make_briefing(spokesperson=hua, date=datetime.date(2019, 1, 2), remarks=[{"answer": "No."}])

    html = client.get("/spokespersons/wang-wenbin/").text
    profile = html[html.index('<dl class="profile">'):html.index("</dl>")]
    assert "From 20 July 2020, in office" in profile
    assert "2, from 3 August 2020 to 4 January 2021" in profile
    assert 'href="/briefings/?spokesperson=wang-wenbin"' in profile
    assert "2 published remarks" in profile
    assert ">Trade</a> (2), " in profile and ">Taiwan</a> (1)" in profile
    assert "DRAFTMARKER" not in html


def test_a_spokesperson_without_a_term_or_briefings_says_so(client, make_briefing, wang, hua):
    make_briefing(spokesperson=hua, remarks=[{"answer": "Answered for another host.", "speaker": wang}])
    html = client.get("/spokespersons/wang-wenbin/").text
    assert "Not recorded" in html and "None published yet" in html and "1 published remark " in html
