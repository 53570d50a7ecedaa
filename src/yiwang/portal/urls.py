from django.urls import path

from yiwang.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<str:code>/", views.guide, name="guide"),
    path("items/<str:code>/guide.pdf", views.guide_pdf_view, name="guide-pdf"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:topic_code>/", views.items, name="topic"),
    path("departments/", views.departments, name="departments"),
    path("departments/<int:department_id>/", views.items, name="department"),
    path("files/<uuid:file_id>/", views.download, name="file"),
    path("my/", views.my_space, name="my-space"),
    path("healthz", views.healthz, name="healthz"),
]
