"""Read-only admin pages over imported rosters and import runs."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from rosters.exports import import_issues_csv
from rosters.models import ImportIssue, ImportRun, School, Section, Student
from rosters.selectors import labelled_counts


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # imported data is archived by the sync, never deleted by hand


class ImportIssueInline(admin.TabularInline):
    model = ImportIssue
    extra = 0
    fields = ["kind", "clever_id", "field", "message", "suggested_fix"]
    readonly_fields = fields
    can_delete = False
    max_num = 0


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["run_number", "district", "status", "phase", "done", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["district"]
    search_fields = ["district__clever_id", "district__name"]
    readonly_fields = [f.name for f in ImportRun._meta.fields if f.name not in ("counts", "pending_archive")] + [
        "counts_table",
        "pending_archive_summary",
        "issues_download",
    ]
    inlines = [ImportIssueInline]
    actions = ["apply_held_archive", "discard_held_archive"]

    def has_resync_permission(self, request) -> bool:
        return request.user.has_perm("onboarding.resync_district")

    def _release(self, request, queryset, *, apply: bool):
        from classhub.errors import ClassHubError
        from rosters.services import import_run_hold_release

        for run in queryset:
            try:
                import_run_hold_release(run=run, actor=request.user, apply=apply)
            except ClassHubError as exc:
                self.message_user(request, f"Skipped import #{run.pk}: {exc}", level=messages.WARNING)
            else:
                verb = "Archived what it did not see" if apply else "Archived nothing"
                self.message_user(request, f"Import #{run.pk}: {verb}.", level=messages.SUCCESS)

    @admin.action(description="Held runs: archive what they did not see", permissions=["resync"])
    def apply_held_archive(self, request, queryset):
        self._release(request, queryset, apply=True)

    @admin.action(description="Held runs: archive nothing", permissions=["resync"])
    def discard_held_archive(self, request, queryset):
        self._release(request, queryset, apply=False)

    @admin.display(description="Would archive")
    def pending_archive_summary(self, obj: ImportRun) -> str:
        rows = ((kind, c["unseen"], c["active"]) for kind, c in (obj.pending_archive or {}).items())
        return format_html_join(", ", "{}: {} of {}", rows) or "—"

    def get_urls(self):
        csv_view = self.admin_site.admin_view(self.issues_csv_view)
        return [path("<int:pk>/issues.csv", csv_view, name="rosters_importrun_issues_csv"), *super().get_urls()]

    def issues_csv_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return import_issues_csv(get_object_or_404(ImportRun.objects.select_related("district"), pk=pk))

    @admin.display(description="Issues")
    def issues_download(self, obj: ImportRun) -> str:
        url = reverse("admin:rosters_importrun_issues_csv", args=[obj.pk])
        return format_html('<a href="{}">Download the issues (CSV)</a>', url)

    @admin.display(description="Counts")
    def counts_table(self, obj: ImportRun) -> str:
        rows = labelled_counts(obj.counts or {})
        return format_html_join(", ", "{}: {}", ((label, f"{n:,}") for label, n in rows)) or "—"

    @admin.display(description="Run", ordering="pk")
    def run_number(self, obj: ImportRun) -> str:
        return f"#{obj.pk}"


@admin.register(School)
class SchoolAdmin(ReadOnlyAdmin):
    list_display = ["name", "clever_id", "district", "nces_id", "archived_at"]
    list_select_related = ["district"]
    search_fields = ["clever_id", "name", "nces_id"]


@admin.register(Student)
class StudentAdmin(ReadOnlyAdmin):
    list_display = ["clever_id", "last_name", "first_name", "grade", "school", "district"]
    list_select_related = ["school", "district"]
    search_fields = ["=clever_id", "=email"]  # exact, indexed lookups only
    raw_id_fields = ["school", "district"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["name", "clever_id", "school", "period", "subject"]
    list_select_related = ["school"]
    search_fields = ["=clever_id"]
    raw_id_fields = ["school", "district", "term", "course"]
