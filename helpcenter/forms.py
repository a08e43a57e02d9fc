"""The "Did this help?" form; what may be stored is decided in helpcenter.services."""

from __future__ import annotations

from django import forms

from helpcenter.content import HelpGuide
from helpcenter.models import COMMENT_MAX_LENGTH


class CommentField(forms.CharField):
    """A comment whose line breaks count as one character each, as the browser's maxlength counts them."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class HelpFeedbackForm(forms.Form):
    page = forms.CharField(widget=forms.HiddenInput, max_length=64)
    step = forms.ChoiceField(  # its choices are the steps of the form's guide
        label="Which step is it about? (optional)",
        required=False,
        error_messages={"invalid_choice": "That step is not on this page; choose one from the list."},
    )
    comment = CommentField(
        label=f"Anything to add? (optional, up to {COMMENT_MAX_LENGTH} characters)",
        required=False,
        max_length=COMMENT_MAX_LENGTH,  # checked after trimming the spaces around it
        widget=forms.Textarea(attrs={"rows": 3, "cols": 50}),
        help_text="Please leave out students' names and other personal details.",
        error_messages={
            "max_length": "Your comment has %(show_value)d characters; please shorten it to %(limit_value)d. "
            "Nothing was saved yet."
        },
    )
    # The two submit buttons: the one pressed sends its value.
    helpful = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={
            "required": "Press “Yes” or “No” to answer.",
            "invalid_choice": "Press “Yes” or “No” to answer.",
        },
    )

    def __init__(self, *args, guide: HelpGuide, **kwargs) -> None:
        super().__init__(*args, initial={"page": guide.id}, **kwargs)
        self.guide = guide
        self.fields["step"].choices = [("", "The whole page"), *((s.id, s.title) for s in guide.steps)]

    def clean_page(self) -> str:
        page = self.cleaned_data["page"]
        if page != self.guide.id:
            raise forms.ValidationError("This help page is unknown, so the answer was not saved. Reload the page.")
        return page

    @property
    def is_helpful(self) -> bool:
        return self.cleaned_data["helpful"] == "yes"
