from django.urls import path

from yiwang.portal import (
    bundle_views,
    case_views,
    licence_views,
    material_views,
    notice_views,
    rating_views,
    receipt_views,
    views,
)

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
    # The applicant's cases: a draft is addressed by its key until submitted, then by its number.
    path("my/cases/", case_views.case_list, name="cases"),
    path("my/cases/new/<str:code>/", case_views.case_start, name="case-start"),
    path("my/cases/<str:ref>/", case_views.case_detail, name="case"),
    path("my/cases/<str:ref>/save/", case_views.case_save, name="case-save"),
    path("my/cases/<str:ref>/upload/", material_views.case_upload, name="case-upload"),
    path("my/cases/<str:ref>/files/<int:received_id>/", material_views.case_file, name="case-file"),
    path(
        "my/cases/<str:ref>/files/<int:received_id>/remove/",
        material_views.case_remove_file,
        name="case-remove-file",
    ),
    path(
        "my/cases/<str:ref>/documents/<int:document_id>/",
        material_views.case_document,
        name="case-document",
    ),
    path("my/cases/<str:ref>/licences/", licence_views.case_use_licence, name="case-use-licence"),
    path("my/cases/<str:ref>/rate/", rating_views.case_rate, name="case-rate"),
    path(
        "my/cases/<str:ref>/ratings/<int:rating_id>/rectification/",
        rating_views.case_rectification,
        name="case-rectification",
    ),
    path("my/cases/<str:ref>/withdraw/", case_views.case_withdraw, name="case-withdraw"),
    path("my/cases/<str:ref>/discard/", case_views.case_discard, name="case-discard"),
    path("my/cases/<str:ref>/receipt/", receipt_views.case_receipt, name="case-receipt"),
    path("my/cases/<str:ref>/receipt.pdf", receipt_views.case_receipt_pdf, name="case-receipt-pdf"),
    path("my/notices/", notice_views.notice_list, name="notices"),
    path("my/notices/read-all/", notice_views.notice_read_all, name="notices-read-all"),
    path("my/notices/<int:notice_id>/read/", notice_views.notice_read, name="notice-read"),
    # 卡包: the holder's licences; 证照核验: public verification and shared links.
    path("my/licences/", licence_views.licence_list, name="licences"),
    path("my/licences/<str:identifier>/", licence_views.licence_detail, name="licence"),
    path("my/licences/<str:identifier>/licence.pdf", licence_views.licence_pdf, name="licence-pdf"),
    path("my/licences/<str:identifier>/share/", licence_views.licence_share, name="licence-share"),
    path(
        "my/licences/<str:identifier>/share/<int:share_id>/stop/",
        licence_views.licence_unshare,
        name="licence-unshare",
    ),
    path("licences/verify/", licence_views.licence_verify, name="licence-verify"),
    path("licences/shared/<str:token>/", licence_views.licence_shared, name="licence-shared"),
    path("ratings/", rating_views.disclosure, name="ratings-disclosure"),
    # 一件事一次办: the list, the one guide, the one application, and the applicant's one view.
    path("bundles/", bundle_views.bundle_list, name="bundles"),
    path("bundles/<slug:code>/", bundle_views.bundle_guide, name="bundle"),
    path("bundles/<slug:code>/guide.pdf", bundle_views.bundle_guide_pdf, name="bundle-pdf"),
    path("bundles/<slug:bundle_code>/apply/", bundle_views.bundle_apply, name="bundle-apply"),
    path("my/bundles/", bundle_views.my_bundles, name="my-bundles"),
    path("my/bundles/<str:key>/", bundle_views.bundle_application, name="bundle-application"),
    path("healthz", views.healthz, name="healthz"),
]
