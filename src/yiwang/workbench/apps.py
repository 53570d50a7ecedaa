from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "yiwang.workbench"
    label = "workbench"
    verbose_name = "审批工作台"
