"""Switching unit, year or role without losing edits: the 保存 / 放弃 / 留在此处 prompt.

A mixin of ``AssessView``: the methods share the view's widgets and controller, and are
kept here because they are one conversation with the analyst, apart from the form.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kpa_core.entry.controller import (
    ROLES_ZH,
)
from kpa_core.entry.styles import (
    esc,
    in_view,
    problems_html,
)
from kpa_core.errors import KpaInputError

if TYPE_CHECKING:
    pass


class SwitchPrompt:
    """Ask before a switch would lose unsaved edits; save, discard or stay."""

    def _request(self, what: str, value: Any) -> None:
        """A switch (or reload) the analyst asked for: ask first if edits would be lost."""
        c = self.controller
        unsaved = c.unsaved() if c is not None else {}
        if not unsaved:
            self._apply(what, value)
            return
        # Put the list back to what the form shows, so that list and form never disagree.
        self._after_this_event(self._put_lists_back)
        self._pending = (what, value)
        self._show_prompt(what, value, unsaved)

    def _put_lists_back(self) -> None:
        for name, widget in (("year", self.year), ("role", self.role), ("unit", self.unit)):
            if widget.value != self._shown[name]:
                self._set_quietly(widget, self._shown[name])

    def _after_this_event(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the browser's change has been acknowledged.

        ipywidgets 8 lets the browser ignore a kernel update to the very value it is sending
        (it waits for the echo), so a list set back inside its own change handler could keep
        showing the new choice while the kernel holds the old one. In a kernel the event loop
        runs ``fn`` just after this handler; without one (tests in plain Python) it runs now.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            fn()
            return
        loop.call_later(0.05, lambda: self.guard(fn))

    def _target_name(self, what: str, value: Any) -> str:
        if what == "unit":
            return self.units[value].name_zh
        if what == "year":
            return f"{value} 年度"
        if what == "role":
            return ROLES_ZH[value]
        return "重新载入的记录"

    def _show_prompt(self, what: str, value: Any, unsaved: dict[str, int]) -> None:
        c = self.controller
        parts = []
        if "entry" in unsaved:
            parts.append(f"录入有 {unsaved['entry']} 处修改未保存")
        if "whatif" in unsaved:
            parts.append(f"假设方案有 {unsaved['whatif']} 处改动未保存为方案")
        save_zh, save_en = [], []
        if "entry" in unsaved:
            save_zh.append("录入的修改存为考核记录（填保存人、保存原因）")
            save_en.append("the entry edits to the record (who, why)")
        if "whatif" in unsaved:
            save_zh.append("假设方案另存为方案（填方案名、保存原因），不进入考核记录")
            save_en.append("the what-if scenario kept as a scenario (its name, why), never "
                           "into the record")
        discard_zh = ("放弃所有修改（录入与假设方案都丢弃）" if "whatif" in unsaved
                      else "放弃所有修改")
        self.prompt_text.value = (
            f"<b>{esc(c.unit.name_zh)} {c.year} {ROLES_ZH[c.role]}：{esc('；'.join(parts))}。"
            f"</b><br>切换到 {esc(self._target_name(what, value))} 之前：保存（"
            f"{esc('；'.join(save_zh))}）、{discard_zh}，还是留在此处？ "
            f"<span class='kpa-en'>/ unsaved edits: save ({esc('; '.join(save_en))}), discard "
            "all, or stay?</span>")
        self.prompt_save.layout.display = None
        # Each question once: the record's row only for entry edits, the scenario's row only
        # for a scenario, and 保存人 in one of them (the entry row's when both are shown).
        self.prompt_entry.layout.display = None if "entry" in unsaved else "none"
        self.prompt_scenario.layout.display = None if "whatif" in unsaved else "none"
        self.prompt_scenario_who.layout.display = "none" if "entry" in unsaved else None
        self.prompt_status.value = ""
        self.prompt.layout.display = None
        self.prompt_text.value = in_view(self.prompt_text.value)

    def _hide_prompt(self) -> None:
        self._pending = None
        self.prompt.layout.display = "none"
        self.prompt_scenario.layout.display = "none"
        self.prompt_status.value = ""

    def _prompt_save(self) -> None:
        """保存 in the switch prompt: whatever is unsaved is kept, or the switch does not happen.

        The entry edits go to the record (the prompt's 保存人/保存原因). An unsaved what-if
        scenario is the analyst's experiment, not a record change, so it is kept the way the
        what-if panel keeps it: as a scenario file under its own name, 保存人 and 保存原因 (shown
        in the prompt). If those are missing or refused, the entry edits stay saved but the
        switch does not happen and the prompt says what is missing; 放弃 is the explicit way to
        drop the scenario. Before, 保存 saved the entry copy and switched, and the scenario was
        lost without a word.
        """
        if self._pending is None:
            return self._hide_prompt()
        c = self.controller
        entry_saved = c.dirty
        # the one 保存人 the prompt asked: the record row's when it was shown
        scenario_who = (self.who.value if self.prompt_entry.layout.display is None
                        else self.scenario_who.value)
        if c.dirty:
            if c.mode == "whatif":  # the record route is the entry copy only
                self._set_quietly(self.mode, "entry")
                c.set_mode("entry")
            try:
                c.save(self.who.value, self.why.value)
            except KpaInputError as exc:
                self.prompt_status.value = in_view(
                    "<div class='kpa-warn'>未保存 not saved</div>"
                    + problems_html(exc.problems, with_rule=True, rules=c.rubric.rules))
                self.refresh()
                return None
        if c.scenario_unsaved:
            try:
                c.save_scenario(self.scenario_name.value, scenario_who,
                                self.scenario_why.value, overwrite=self.scenario_overwrite.value)
            except KpaInputError as exc:
                saved = "录入已保存；" if entry_saved else ""
                self.prompt_status.value = in_view(
                    f"<div class='kpa-warn'>{saved}假设方案未保存，未切换：请填写方案名、保存人、"
                    "保存原因后再点保存，或点放弃丢弃方案 / the what-if scenario is not saved, "
                    "so no switch: fill in its name, who and why and save again, or discard it"
                    "</div>" + problems_html(exc.problems, with_rule=True, rules=c.rubric.rules))
                self.refresh()
                return None
            self.scenario_overwrite.value = False
        pending = self._pending
        self._hide_prompt()
        self._apply(*pending)
        return None

    def _prompt_discard(self) -> None:
        pending = self._pending
        self._hide_prompt()
        if pending is not None:
            self._apply(*pending)

    def _prompt_stay(self) -> None:
        self._hide_prompt()

    def _apply(self, what: str, value: Any) -> None:
        """Carry out a switch: set the lists, then load with a loading state on screen."""
        self._hide_prompt()
        if what == "year":
            self._set_quietly(self.year, value)
        elif what == "role":
            self._set_quietly(self.role, value)
        elif what == "unit":
            self._set_quietly(self.unit, value)
        if what in ("year", "role"):
            self._refresh_units()
        self.load()
