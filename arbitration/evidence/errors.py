"""The refusals of the evidence rules."""

from marketplace.errors import DomainError


class EvidenceRejected(DomainError):
    """One or more files were refused; ``messages`` explains each, naming the file."""


class EvidenceImmutable(DomainError):
    """Evidence is never edited or deleted after upload (R-EVD-3)."""
