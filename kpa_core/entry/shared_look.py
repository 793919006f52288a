"""The entry form's widgets as few and as quiet models as can be: shared looks, one message each.

One Layout and one style model per distinct look, shared by the form's widgets (``SharedLook``);
and widgets built with their comms opened at the end, each with its final state
(``opened_when_built``).

Why: ipywidgets gives every widget a Layout model and (for most kinds) a style model of its
own, even when it sets nothing. In the form those were 1,076 of its 1,725 models (646 Layouts,
~430 styles), each one sent to the browser and created there before the page is usable. A
Layout or style is a model the browser applies to every view that refers to it, so widgets
that look alike can share one. The rule the form keeps: nothing in it changes a shared
model's traits (a control changes its own ``value``, ``disabled``, ``readout`` and CSS classes,
never ``layout.…`` or ``style.…``); a widget that needs to, takes its own ``w.Layout()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def opened_when_built() -> Iterator[None]:
    """Widgets created inside open their comm when the block ends, in creation order, each
    with its final state: one ``comm_open`` per model and no ``update`` after it.

    Why: a control is created, then given its CSS classes, its value, its amount and problems;
    each of those steps was an ``update`` message (546 of them for area 三, beside its 345
    ``comm_open``), each serialised by the kernel and decoded by the browser. A widget without
    a comm sends nothing (ipywidgets' ``notify_change`` checks the comm first), so building
    quietly and opening afterwards sends the same final state in a third of the messages.
    A box may get children created after it (a ratio rule's session rows), so every widget's
    children, layout and style are opened before it: the browser must know a model before a
    state names it.
    """
    pending: list[w.Widget] = []
    open_now = w.Widget.open
    w.Widget.open = lambda widget: pending.append(widget)  # type: ignore[method-assign]
    try:
        yield
    finally:
        w.Widget.open = open_now  # type: ignore[method-assign]
        for widget in pending:
            _open_with_parts(widget)


def _open_with_parts(widget: w.Widget) -> None:
    if widget.comm is not None:
        return
    for name in widget.keys:
        value = getattr(widget, name)
        for part in value if isinstance(value, list | tuple) else (value,):
            if isinstance(part, w.Widget) and part.comm is None:
                _open_with_parts(part)
    widget.open()
