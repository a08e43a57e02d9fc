from classhub.errors import ClassHubError


class ReviewError(ClassHubError):
    """A journey step that cannot be taken as asked; the message says what to do instead."""
