from django.urls import path

from yiwang.workbench import (
    bundle_views,
    case_views,
    catalog_views,
    intake_views,
    licence_views,
    rating_views,
    seal_views,
    stats_views,
    supervision_views,
    views,
)

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
    # 办件: the queue, the case page and its actions, window intake (一窗受理)
    path("cases/", case_views.case_queue, name="case-queue"),
    path("cases/<str:number>/", case_views.case_detail, name="case-detail"),
    path("cases/<str:number>/act/", case_views.case_act, name="case-act"),
    path("cases/<str:number>/materials/", case_views.case_materials, name="case-materials"),
    path("cases/<str:number>/verify/", case_views.case_verify, name="case-verify"),
    path("cases/<str:number>/tracking/", case_views.case_tracking, name="case-tracking"),
    path("cases/<str:number>/receipt/", case_views.case_receipt, name="case-receipt"),
    path("cases/<str:number>/files/<int:received_id>/", case_views.case_file, name="case-file"),
    path(
        "cases/<str:number>/documents/<int:document_id>/",
        case_views.case_document,
        name="case-document",
    ),
    path("cases/<str:number>/licence-draft/", licence_views.case_licence_draft, name="case-licence-draft"),
    path("cases/<str:number>/rating/", rating_views.case_rating, name="case-rating"),
    path("ratings/", rating_views.ratings_home, name="ratings"),
    path("ratings/follow-ups/<int:follow_up_id>/", rating_views.follow_up_detail, name="rating-follow-up"),
    path(
        "ratings/follow-ups/<int:follow_up_id>/appeal/",
        rating_views.follow_up_appeal,
        name="rating-follow-up-appeal",
    ),
    path("ratings/appeals/<int:appeal_id>/ruling/", rating_views.appeal_ruling, name="rating-appeal-ruling"),
    path("supervision/", supervision_views.supervision_home, name="supervision"),
    path("supervision/rules/", supervision_views.rule_settings, name="supervision-rules"),
    path("supervision/grades/", supervision_views.grades_page, name="supervision-grades"),
    path(
        "supervision/warnings/<int:warning_id>/", supervision_views.warning_detail, name="supervision-warning"
    ),
    path("supervision/orders/new/", supervision_views.order_new, name="supervision-order-new"),
    path("supervision/orders/<int:order_id>/", supervision_views.order_detail, name="supervision-order"),
    path("stats/", stats_views.stats_home, name="stats"),
    path("bundles/", bundle_views.bundle_list, name="bundles"),
    path("bundles/new/", bundle_views.bundle_create, name="bundle-create"),
    path("bundles/<slug:code>/", bundle_views.bundle_detail, name="bundle"),
    path("bundles/<slug:code>/intake/", bundle_views.bundle_intake, name="bundle-intake"),
    path("bundle-applications/<str:key>/", bundle_views.bundle_application, name="bundle-application"),
    path("stats/export.xlsx", stats_views.stats_export, name="stats-export"),
    path("intake/", intake_views.intake_start, name="intake"),
    path("intake/done/<str:number>/", intake_views.intake_done, name="intake-done"),
    path("intake/<uuid:key>/", intake_views.intake_case, name="intake-case"),
    path("intake/<uuid:key>/files/<int:received_id>/", intake_views.intake_file, name="intake-file"),
    # 电子证照: the licences issued, their types, the issuing departments' seals
    path("licences/", licence_views.licence_list, name="licences"),
    path("licences/<str:identifier>/", licence_views.licence_detail, name="licence"),
    path("licences/<str:identifier>/status/", licence_views.licence_status, name="licence-status"),
    path("licences/<str:identifier>/reissue/", licence_views.licence_reissue, name="licence-reissue"),
    path("licence-types/", licence_views.type_list, name="licence-types"),
    path("licence-types/new/", licence_views.type_edit, name="licence-type-new"),
    path("licence-types/<int:type_id>/", licence_views.type_edit, name="licence-type"),
    path("seals/", seal_views.seal_list, name="seals"),
    path("seals/departments/<int:department_id>/keys/", seal_views.seal_create, name="seal-create"),
    path("seals/keys/<str:kid>/withdraw/", seal_views.seal_withdraw, name="seal-withdraw"),
]
