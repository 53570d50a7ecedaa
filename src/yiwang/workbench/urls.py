from django.urls import path

from yiwang.workbench import catalog_views, views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    # 事项管理 (item administrators), 审核 (reviewers), 指南质量 (supervisors)
    path("catalog/", catalog_views.entry_list, name="catalog-entries"),
    path("catalog/claim/", catalog_views.claim_items, name="catalog-claim"),
    path("catalog/claims/<int:claim_id>/compile/", catalog_views.compile_claim, name="catalog-compile"),
    path("catalog/reviews/", catalog_views.review_queue, name="catalog-reviews"),
    path("catalog/quality/", catalog_views.quality, name="catalog-quality"),
    path("catalog/statistics/", catalog_views.catalog_statistics, name="catalog-statistics"),
    path("catalog/entries/<int:entry_id>/", catalog_views.entry_detail, name="catalog-entry"),
    path("catalog/entries/<int:entry_id>/edit/", catalog_views.guide_edit, name="catalog-edit"),
    path("catalog/entries/<int:entry_id>/new-draft/", catalog_views.new_draft, name="catalog-new-draft"),
    path("catalog/entries/<int:entry_id>/form/", catalog_views.form_builder, name="catalog-form"),
    path(
        "catalog/entries/<int:entry_id>/form/situations/<int:seq>/",
        catalog_views.form_builder,
        name="catalog-situation-form",
    ),
    path(
        "catalog/entries/<int:entry_id>/form/preview/",
        catalog_views.form_preview,
        name="catalog-form-preview",
    ),
    path("catalog/entries/<int:entry_id>/review/", catalog_views.review, name="catalog-review"),
    path("catalog/entries/<int:entry_id>/status/", catalog_views.entry_status, name="catalog-status"),
    path(
        "catalog/entries/<int:entry_id>/versions/<int:number>/",
        catalog_views.version_detail,
        name="catalog-version",
    ),
    path(
        "catalog/entries/<int:entry_id>/versions/<int:number>/diff/",
        catalog_views.version_diff,
        name="catalog-diff",
    ),
    path(
        "catalog/entries/<int:entry_id>/files/<uuid:file_id>/", catalog_views.entry_file, name="catalog-file"
    ),
]
