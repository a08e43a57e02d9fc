"""The "Did this help?" answers for reps: a read-only list, filtered by page and answer, searchable by comment."""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator

from helpcenter.content import GUIDES
from helpcenter.models import HelpFeedback


class PageFilter(admin.SimpleListFilter):
    """The guides by title, from the content module: no query to list the choices."""

    title = "page"
    parameter_name = "page"

    def lookups(self, request, model_admin):
        return [(guide.id, guide.title) for guide in GUIDES.values()]

    def queryset(self, request, queryset):
        return queryset.filter(page=self.value()) if self.value() else queryset


class StepFilter(admin.SimpleListFilter):
    """The steps of every guide by title, from the content module."""

    title = "step"
    parameter_name = "step"

    def lookups(self, request, model_admin):
        return [(step.id, step.title) for guide in GUIDES.values() for step in guide.steps]

    def queryset(self, request, queryset):
        return queryset.filter(step=self.value()) if self.value() else queryset


@admin.register(HelpFeedback)
class HelpFeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "page_title", "step_title", "helpful", "short_comment", "district"]
    list_filter = [PageFilter, "helpful", StepFilter]
    list_select_related = ["district"]
    search_fields = ["comment"]
    show_full_result_count = False
    readonly_fields = [f.name for f in HelpFeedback._meta.fields]

    @admin.display(description="page", ordering="page")
    def page_title(self, obj: HelpFeedback) -> str:
        guide = GUIDES.get(obj.page)
        return guide.title if guide else obj.page

    @admin.display(description="step", ordering="step")
    def step_title(self, obj: HelpFeedback) -> str:
        guide = GUIDES.get(obj.page)
        step = guide.step(obj.step) if guide and obj.step else None
        return step.title if step else (obj.step or "The whole page")

    @admin.display(description="comment")
    def short_comment(self, obj: HelpFeedback) -> str:
        return Truncator(obj.comment).chars(120) or "—"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
