"""Not a SPEC rule: the README's promise. The README stands alone in a fresh clone (issue 14): every file it
links or names exists in the repository, it never points outside it, and it documents ``run_demo --addr``
and what to click first."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

README = Path(settings.BASE_DIR) / "README.md"


def test_the_readme_links_only_to_files_inside_the_repository():
    text = README.read_text()
    assert "../" not in text
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        assert (README.parent / target).exists(), target


def test_the_readme_documents_the_demo_address_and_the_first_clicks():
    text = README.read_text()
    assert "run_demo --addr" in text and "SITE_URL" in text
    assert "### What to click first" in text
    assert (Path(settings.BASE_DIR) / "docs" / "SPEC.md").exists()
