"""A rule's evidence row in the form: the files it cites and a FileUpload that adds more.

The upload's bytes go to the evidence store (``AssessmentController.upload_evidence``) and
the widget is emptied at once, so no file's content stays in the widget state that Jupyter
saves with the notebook (ipywidgets #2799). The citations then live in the working copy like
a reason does, and reach the record only through 保存 (save) and its audit line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w

from kpa_core.entry.styles import css_id, esc, with_class

if TYPE_CHECKING:
    from kpa_core.entry.rule_control import RuleControl


class EvidenceUploadRow:
    """The cited files (names, short hashes) and the upload button of one rule."""

    def __init__(self, control: RuleControl):
        self.control = control
        look = control.view.look  # shared Layout/style models (entry.shared_look)
        cid = css_id(control.rule.id)
        self.listing = with_class(look(w.HTML), "kpa-evidence-files", f"kpa-evidence-files-{cid}")
        self.upload = with_class(
            look(w.FileUpload, accept="", multiple=True, description="佐证材料 upload",
                 layout=dict(width="180px")),
            "kpa-evidence-upload", f"kpa-evidence-upload-{cid}")
        self.upload.observe(self._uploaded, "value")
        self.box = with_class(look(w.HBox, [self.upload, self.listing]), "kpa-evidence-row")

    def _uploaded(self, change: Any) -> None:
        files = change.get("new") or ()
        if not files:
            return
        view, rid = self.control.view, self.control.rule.id

        def take() -> None:
            try:
                stored = view.controller.upload_evidence(rid, files, view.who.value)
            finally:
                self.upload.value = ()  # the bytes never stay in the widget (or the notebook)
            view.refresh(rid)
            self.show()
            view.status.value = (f"<div class='kpa-ok'>已存入佐证材料 {len(stored)} 个，保存记录后"
                                 "生效 / stored; cited once the record is saved</div>")
        view.guard(take)

    def show(self) -> None:
        c, rid = self.control.view.controller, self.control.rule.id
        files = c.evidence_files(rid)
        cited = "".join(
            f"<span class='kpa-evidence-file'>{esc(f.get('name'))} "
            f"<code>{esc(str(f.get('sha256', ''))[:8])}</code></span>；" for f in files)
        self.listing.value = (f"<span class='kpa-allowed'>已附 attached：</span>{cited[:-1]}"
                              if files else "")


def evidence_upload_row(control: RuleControl) -> EvidenceUploadRow:
    return EvidenceUploadRow(control)
