"""The portal's URLs. Outlet pages sit at the root (``/{outlet-slug}/``), so they come last,
after every fixed path; an outlet's slug can never be one of those words (``RESERVED_SLUGS``)."""

from django.urls import path

from revue.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("categorie/<slug:slug>/", views.category, name="category"),
    # keep these last: they match any first path segment
    path("<slug:slug>/<int:pk>", views.article, name="article"),
    path("<slug:slug>/<int:pk>/", views.article),  # redirects to the URL above
    path("<slug:slug>/", views.outlet, name="outlet"),
]
