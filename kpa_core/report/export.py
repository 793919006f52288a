"""Executed report notebook → one self-contained HTML file, with nbconvert.

The exporter uses kpa's own page template (``templates/kpa_report.html.j2``) on top of
nbconvert's lab cell layout: no code, no prompts, no script or stylesheet fetched from
anywhere (the stock template pulls require.js, MathJax and mermaid from CDNs). Building an
``HTMLExporter`` loads and compiles Jinja templates, so each worker thread keeps one and
reuses it for every unit it renders.

Per unit, the stock exporter spent about half its time on work a report does not need
(issue #14's profile): it validated the notebook against the schema after each of its twelve
preprocessors, and it parsed and re-serialised the whole page with BeautifulSoup — and every
raw-HTML markdown cell too — to add ``alt`` text to ``<img>`` tags, ``tabindex`` to code
inputs and to inline images. ``ReportExporter`` validates once (``optimistic_validation``),
adds the ``alt`` text with a regular expression, and embeds images only in cells that have
one. A report has no code inputs, so there is no ``tabindex`` to add.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from kpa_core.cheap_imports import defer_iri_grammar
from kpa_core.store.paths import TEMPLATES_DIR

defer_iri_grammar()

import nbformat  # noqa: E402  (after the deferral above, on purpose)

TEMPLATE_FILE = "kpa_report.html.j2"
HIDE_TAG = "kpa-hide"  # cells with this tag stay in the notebook, not in the report
# <script src="http…">, <link href="http…">, @import url(http…): anything the page would fetch.
REMOTE_REFERENCE = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|@import\s+(?:url\()?\s*["']?(?:https?:)?//""", re.IGNORECASE)

_local = threading.local()
IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt\s*=)", re.IGNORECASE)
NO_ALT = "No description has been provided for this image"


def _exporter_class() -> type:
    """``HTMLExporter`` without its whole-page BeautifulSoup pass (built on first use)."""
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):  # type: ignore[misc, valid-type]
        """Same page, same filters; see the module docstring for what is left out."""

        @pass_context
        def markdown2html(self, context: Any, source: str) -> str:
            embed = self.embed_images
            self.embed_images = embed and ("<img" in source.lower() or "![" in source)
            try:
                return str(HTMLExporter.markdown2html(self, context, source))
            finally:
                self.embed_images = embed

        def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None,
                               **kw: Any) -> tuple[str, dict[str, Any]]:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight = self.filters.get("highlight_code",
                                         Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT}"', html), resources

    return ReportExporter


def exporter() -> Any:
    """This thread's HTMLExporter (built once: template loading is the slow part)."""
    exp = getattr(_local, "exporter", None)
    if exp is None:
        from traitlets.config import Config

        config = Config()
        config.Exporter.optimistic_validation = True  # validate once, after all preprocessors
        config.CSSHTMLHeaderPreprocessor.enabled = False  # pygments CSS: there is no code shown
        config.TagRemovePreprocessor.enabled = True  # notes for notebook users only
        config.TagRemovePreprocessor.remove_cell_tags = {HIDE_TAG}
        exp = _exporter_class()(config=config, template_name="lab",
                                extra_template_paths=[str(TEMPLATES_DIR)],
                                template_file=TEMPLATE_FILE, exclude_input=True,
                                exclude_input_prompt=True, exclude_output_prompt=True,
                                embed_images=True)
        _local.exporter = exp
    return exp


def drop_stderr(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without stderr streams: warnings stay in the audit notebook, not in the report."""
    out = nbformat.from_dict(nb)
    for cell in out.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return out


def notebook_to_html(nb: nbformat.NotebookNode, title: str | None = None) -> str:
    """Render an executed report notebook as the report page."""
    nb = drop_stderr(nb)
    if title:
        nb.metadata["title"] = title
    body, _ = exporter().from_notebook_node(nb)
    return body


def remote_references(html_text: str) -> list[str]:
    """Every script/stylesheet/image reference to another host (should be none)."""
    return [m.group(0) for m in REMOTE_REFERENCE.finditer(html_text)]
