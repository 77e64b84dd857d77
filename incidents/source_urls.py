"""The public source pages, under /sources/ (in the ``sources`` namespace, as
Source.get_absolute_url expects). They show what sources said about incidents,
so their views live with the incidents."""

from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("", views.source_list, name="list"),
    path("<slug:slug>/", views.source_detail, name="detail"),
]
