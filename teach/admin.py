"""Reps' read-only view of ClassHub-only classes (teachers make them on the teacher home)."""

from __future__ import annotations

from django.contrib import admin

from teach.models import ClassHubClass, ClassHubClassStudent


class ClassHubClassStudentInline(admin.TabularInline):
    model = ClassHubClassStudent
    extra = 0
    fields = ["student", "added_at"]
    readonly_fields = ["student", "added_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClassHubClass)
class ClassHubClassAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "district", "created_at", "archived_at"]
    list_select_related = ["owner", "district"]
    list_filter = [("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "owner__clever_id"]
    show_full_result_count = False
    fields = ["name", "owner", "district", "created_at", "archived_at"]
    inlines = [ClassHubClassStudentInline]

    # A view for reps and support: the teacher owns the class and changes it through the audited services.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
