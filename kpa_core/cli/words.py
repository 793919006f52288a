"""argparse's own words in Chinese with the English beside, as every other kpa message.

argparse looks its strings up through ``gettext`` at the moment it builds a parser and prints
usage, help or an error (its module-level ``_`` and ``ngettext``). ``chinese_argparse()``
swaps those two names for the duration of a ``kpa`` run only, so the translations never leak
into another program sharing the interpreter (a test runner, a notebook kernel).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

WORDS: dict[str, str] = {
    "usage: ": "用法 usage: ",
    "positional arguments": "位置参数 / positional arguments",
    "options": "选项 / options",
    "show this help message and exit": "显示本帮助并退出 / show this help message and exit",
    "%(prog)s: error: %(message)s\n": "%(prog)s: 错误 error: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 argument %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "缺少必需的参数 / the following arguments are "
                                                "required: %s",
    "one of the arguments %s is required": "须给出其中一个参数 / one of the arguments %s is "
                                           "required",
    "unrecognized arguments: %s": "无法识别的参数 / unrecognized arguments: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "无效的选择 / invalid choice: %(value)r（可选 choose from %(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值 / invalid %(type)s value: %(value)r",
    "expected one argument": "须给出一个值 / expected one argument",
    "expected at most one argument": "至多给出一个值 / expected at most one argument",
    "expected at least one argument": "至少给出一个值 / expected at least one argument",
    "ambiguous option: %(option)s could match %(matches)s":
        "选项不明确 / ambiguous option: %(option)s could match %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同用 / not allowed with argument %s",
    "ignored explicit argument %r": "忽略了多余的值 / ignored explicit argument %r",
    "can't open '%(filename)s': %(error)s": "无法打开 / can't open '%(filename)s': %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "未知的子命令 / unknown command %(parser_name)r（可选 choices: %(choices)s）",
}
PLURALS: dict[str, str] = {
    "expected %s argument": "须给出 %s 个值 / expected %s argument(s)",
    "expected %s arguments": "须给出 %s 个值 / expected %s argument(s)",
}


def translate(text: str) -> str:
    return WORDS.get(text, text)


def translate_plural(singular: str, plural: str, n: int) -> str:
    chosen = singular if n == 1 else plural
    return PLURALS.get(chosen, chosen)


@contextmanager
def chinese_argparse() -> Iterator[None]:
    """argparse speaks kpa's two languages inside the block (building, help, usage, errors)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]
    argparse.ngettext = translate_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
