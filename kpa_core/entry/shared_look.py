"""One Layout and one style model per distinct look, shared by the entry form's widgets.

Why: ipywidgets gives every widget a Layout model and (for most kinds) a style model of its
own, even when it sets nothing. In the form those were 1,076 of its 1,725 models (646 Layouts,
~430 styles), each one sent to the browser and created there before the page is usable. A
Layout or style is a model the browser applies to every view that refers to it, so widgets
that look alike can share one. The rule the form keeps: nothing in it changes a shared
model's traits (a control changes its own ``value``, ``disabled``, ``readout`` and CSS classes,
never ``layout.…`` or ``style.…``); a widget that needs to, takes its own ``w.Layout()``.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w


class SharedLook:
    """The shared Layout and style models of one view, by (class, traits)."""

    def __init__(self) -> None:
        self._models: dict[tuple[type, tuple[tuple[str, Any], ...]], w.Widget] = {}

    def _model(self, cls: type, spec: dict[str, Any]) -> w.Widget:
        key = (cls, tuple(sorted(spec.items())))
        model = self._models.get(key)
        if model is None:
            model = self._models[key] = cls(**spec)
        return model

    def __call__(self, cls: type, *args: Any, layout: dict[str, Any] | None = None,
                 style: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """``cls(*args, **kwargs)`` with a shared Layout (``layout``: its traits) and, if the
        kind has one, a shared style (``style``: its traits)."""
        traits = cls.class_traits()
        kwargs["layout"] = self._model(w.Layout, layout or {})
        if "style" in traits:
            kwargs["style"] = self._model(traits["style"].klass, style or {})
        return cls(*args, **kwargs)
