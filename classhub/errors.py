"""The one base error of the product: every domain error says what went wrong, who acts, and how."""


class ClassHubError(Exception):
    """A failure the product explains to a person (rep, district admin or operator)."""
