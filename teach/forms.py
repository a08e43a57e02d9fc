"""Forms of the teacher home: naming a ClassHub-only class, finding students, picking one."""

from __future__ import annotations

from django import forms

from teach.models import CLASS_NAME_MAX_LENGTH
from teach.selectors.classes import SEARCH_MAX_LENGTH
from teach.services import ClassNameInvalid, class_name_clean


class ClassHubClassForm(forms.Form):
    name = forms.CharField(
        label="Class name",
        # Empty and too long are the service's rule (class_name_clean), so the messages are the same everywhere;
        # the browser caps the length too.
        required=False,
        help_text="For example “Reading group B” or “Robotics club”. Only you see it.",
        widget=forms.TextInput(attrs={"maxlength": CLASS_NAME_MAX_LENGTH, "autocomplete": "off"}),
    )

    def clean_name(self) -> str:
        try:
            return class_name_clean(self.cleaned_data.get("name", ""))
        except ClassNameInvalid as exc:
            raise forms.ValidationError(str(exc)) from exc


class StudentSearchForm(forms.Form):
    q = forms.CharField(label="Find students", max_length=SEARCH_MAX_LENGTH, required=False)


class StudentChoiceForm(forms.Form):
    """The student an Add button sends; the service decides whether this teacher may add them."""

    student = forms.IntegerField(min_value=1)
    q = forms.CharField(max_length=SEARCH_MAX_LENGTH, required=False)  # the search to go back to
