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


# A run's page shows this many of its issues; the issue list (paginated) and the CSV have them all.
RUN_PAGE_ISSUES = 25


@admin.register(ImportIssue)
class ImportIssueAdmin(ReadOnlyAdmin):
    list_display = ["kind", "clever_id", "field", "message", "suggested_fix", "run"]
    list_filter = ["kind"]
    list_select_related = ["run__district"]
    search_fields = ["=clever_id", "=run__id"]
    list_per_page = 100


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["run_number", "district", "status", "phase", "done", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["district"]
    search_fields = ["district__clever_id", "district__name"]
    readonly_fields = [f.name for f in ImportRun._meta.fields if f.name not in ("counts", "changes")] + [
        "progress",
        "counts_table",
        "changes_summary",
        "pending_preview",
        "issues_sample",
        "issues_download",
    ]
    actions = ["apply_held_changes", "discard_held_changes"]
    exclude = ["counts", "changes"]  # shown in words by counts_table and changes_summary

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
                verb = "Applied the changes and archiving it found" if apply else "Discarded its changes"
                self.message_user(request, f"Import #{run.pk}: {verb}.", level=messages.SUCCESS)

    @admin.action(description="Held runs: apply the changes and archiving they found", permissions=["resync"])
    def apply_held_changes(self, request, queryset):
        self._release(request, queryset, apply=True)

    @admin.action(description="Held runs: discard their changes (change and archive nothing)", permissions=["resync"])
    def discard_held_changes(self, request, queryset):
        self._release(request, queryset, apply=False)

    @admin.display(description="Progress")
    def progress(self, obj: ImportRun) -> str:
        percent = obj.percent
        left = obj.seconds_left
        return format_html(
            '<progress max="100" value="{}"></progress> {} records read{}{}',
            percent if percent is not None else "",
            f"{obj.done:,}",
            f" of about {obj.estimated_total:,}" if obj.estimated_total and obj.is_active else "",
            f", about {max(1, round(left / 60))} min left" if left else "",
        )

    @admin.display(description="What the sync found")
    def changes_summary(self, obj: ImportRun) -> str:
        keys = ("new", "changed", "restored", "unseen", "active")
        rows = ((kind, *(f"{c.get(key, 0):,}" for key in keys)) for kind, c in (obj.changes or {}).items())
        template = "{}: {} new, {} changed, {} restored, {} no longer shared (of {} active)"
        return format_html_join("; ", template, rows) or "—"

    @admin.display(description="Waiting for review (a sample)")
    def pending_preview(self, obj: ImportRun) -> str:
        from rosters.importer.pending import kinds_to_hold
        from rosters.selectors import pending_changes_preview

        if obj.status != "held":
            return "—"
        reasons = format_html_join("", "<li>{}</li>", ((r,) for r in kinds_to_hold(obj.changes or {}).values()))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    item["action"],
                    item["kind"],
                    item["name"],
                    "; ".join(f"{col}: {old!r} → {new!r}" for col, old, new in item["differences"]) or "—",
                )
                for item in pending_changes_preview(run=obj)
            ),
        )
        return format_html(
            "<p>The sync found more change than it applies without a review:</p><ul>{}</ul>"
            "<table><thead><tr><th>Action</th><th>Kind</th><th>Record</th><th>What changes</th></tr></thead>"
            "<tbody>{}</tbody></table>"
            "<p>Apply or discard it with the actions on the list of import runs.</p>",
            reasons,
            rows,
        )

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
        listing = reverse("admin:rosters_importissue_changelist") + f"?q={obj.pk}"
        return format_html('<a href="{}">Download the issues (CSV)</a> · <a href="{}">All issues</a>', url, listing)

    @admin.display(description="First issues")
    def issues_sample(self, obj: ImportRun) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (i.kind, i.clever_id or "—", i.field, i.message, i.suggested_fix)
                for i in obj.issues.all()[:RUN_PAGE_ISSUES]
            ),
        )
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr><th>Kind</th><th>Clever id</th><th>Field</th><th>Problem</th><th>Fix</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            rows,
        )

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
