from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Incident tracker: data entry"
admin.site.site_title = "Incident tracker"

urlpatterns = [
    path("", include("incidents.urls")),
    path("sources/", include("sources.urls")),
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
]
