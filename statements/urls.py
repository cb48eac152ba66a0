from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import alert_views, feeds, views
from .sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("remarks/", views.remark_list, name="remark_list"),
    path("remarks/export.<str:extension>", views.remark_export, name="remark_export"),
    path("remarks/feed/", feeds.SearchFeed(), name="remark_feed"),
    path("remarks/<int:pk>/", views.remark_detail, name="remark_detail"),
    path("remarks/<int:pk>/card.png", views.remark_card, name="remark_card"),
    path("remarks/<int:pk>/cite.<str:extension>", views.remark_citation, name="remark_citation"),
    path("data/", views.data, name="data"),
    path("compare/", views.compare_terms, name="compare_terms"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap_index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("briefings/", views.briefing_list, name="briefing_list"),
    path("briefings/<int:pk>/", views.briefing_detail, name="briefing_detail"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("topics/<slug:slug>/feed/", feeds.TOPIC_FEED, name="topic_feed"),
    path("topics/<slug:slug>/positions/", views.topic_positions, name="topic_positions"),
    path("spokespersons/", views.spokesperson_list, name="spokesperson_list"),
    path("spokespersons/<slug:slug>/", views.spokesperson_detail, name="spokesperson_detail"),
    path("spokespersons/<slug:slug>/feed/", feeds.SPOKESPERSON_FEED, name="spokesperson_feed"),
    path("entities/", views.entity_list, name="entity_list"),
    path("entities/<slug:slug>/", views.entity_detail, name="entity_detail"),
    path("entities/<slug:slug>/feed/", feeds.ENTITY_FEED, name="entity_feed"),
    # Email alerts (statements/alert_views.py, docs/alerts.md): the token is a subscriber's secret.
    path("alerts/new/", alert_views.alert_new, name="alert_new"),
    path("alerts/confirm/<slug:token>/", alert_views.alert_confirm, name="alert_confirm"),
    path("alerts/manage/<slug:token>/", alert_views.alert_manage, name="alert_manage"),
    path("alerts/unsubscribe/<slug:token>/", alert_views.alert_unsubscribe, name="alert_unsubscribe"),
]
