from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A rule forbids the action. The message is shown to the person who tried it.

    A ValidationError so forms (``form.add_error(None, exc)``) and the admin show it as is.
    """

    @property
    def message_text(self) -> str:
        return " ".join(self.messages)
