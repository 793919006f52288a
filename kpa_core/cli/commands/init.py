"""``kpa init DIR [--sample]``: create an office's workspace (kpa.toml, data/, params/, out/).

The office's data lives in its own folder, never in the tool: after ``pip install kpa`` an
analyst runs ``kpa init`` once and then every other command from anywhere inside the folder.
``--sample`` fills it with the fictional sample years (and the example grade bands) so a new
user can try ``kpa report`` straight away.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from kpa_core.errors import KpaInputError, Problem
from kpa_core.store.workspace import CONFIG_NAME, DEFAULT_OFFICE, DEFAULT_TIMEZONE

UNITS_HEADER = "unit_id,name_zh,name_en,kind\n"
BANDS_NAME = "grade-bands.yaml"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init", help="新建工作区（kpa.toml、data/、params/、out/） / create a workspace",
        description="新建一个工作区文件夹：kpa.toml（单位名称、时区、默认封顶层级、输出文件夹、"
                    "等级划分）、data/units.csv、params/。--sample 放入虚构的示例年度。 / Create "
                    "a workspace: kpa.toml, data/units.csv, params/; --sample adds the fictional "
                    "sample years and the example grade bands.")
    p.add_argument("dir", metavar="DIR", help="工作区文件夹（可不存在） / the folder to create")
    p.add_argument("--sample", action="store_true",
                   help="放入虚构示例数据 / include the fictional sample data")
    p.add_argument("--bands", choices=("example",), default=None,
                   help="放入示例等级划分 grade-bands.yaml 并写入 kpa.toml（--sample 时总是放入）"
                        " / copy the example grade bands as grade-bands.yaml and name them in "
                        "kpa.toml (always with --sample)")
    p.add_argument("--office", default=DEFAULT_OFFICE,
                   help=f"单位名称（默认：{DEFAULT_OFFICE}）/ the office's name (default: "
                        f"{DEFAULT_OFFICE})")
    p.set_defaults(func=run)


def config_text(office: str, bands: bool) -> str:
    """kpa.toml with every setting explained, so the office can edit it by hand."""
    office_toml = office.replace("\\", "\\\\").replace('"', '\\"')
    return (
        "# kpa 工作区设置 / kpa workspace settings. Paths are relative to this folder.\n"
        f'office = "{office_toml}"          # 单位名称 / the office\'s name\n'
        f'timezone = "{DEFAULT_TIMEZONE}"   # 时区 / time zone (IANA name)\n'
        '# cap_scope = "subarea"   # 注1封顶层级的默认值（单位记录自带的 options.cap_scope 优先）'
        ' / Note 1 cap scope (subarea|area) for records without their own options.cap_scope\n'
        'out = "out"               # 输出文件夹 / output folder (reports, workbooks)\n'
        + (f'bands = "{BANDS_NAME}"   # 等级划分 / grade bands used by kpa grade\n' if bands
           else f'# bands = "{BANDS_NAME}"   # 等级划分 / grade bands used by kpa grade\n')
    )


def run(args: argparse.Namespace) -> int:
    from kpa_core.store.notebooks import copy_all
    from kpa_core.store.paths import example_bands, notebooks_dir, sample_data_dir

    root = Path(args.dir).expanduser()
    if (root / CONFIG_NAME).exists():
        raise KpaInputError([Problem("该文件夹已是工作区", "the folder is already a workspace",
                                     field="DIR", value=str(root), where=str(root / CONFIG_NAME),
                                     allowed_zh="尚无 kpa.toml 的文件夹",
                                     allowed_en="a folder without kpa.toml")])
    if root.exists() and not root.is_dir():
        raise KpaInputError([Problem("已存在同名文件", "a file of that name exists", field="DIR",
                                     value=str(root), allowed_zh="文件夹", allowed_en="a folder")])
    data = root / "data"
    blocked = [Problem(f"{sub.name} 已存在但不是文件夹", f"{sub.name} exists but is not a folder",
                       field="DIR", value=str(sub), allowed_zh="文件夹或不存在",
                       allowed_en="a folder, or nothing of that name")
               for sub in (data, root / "params") if sub.exists() and not sub.is_dir()]
    if blocked:
        raise KpaInputError(blocked)
    if data.exists() and any(data.iterdir()):
        raise KpaInputError([Problem("data/ 已有内容，不覆盖", "data/ is not empty; nothing "
                                     "overwritten", field="DIR", value=str(data),
                                     allowed_zh="空文件夹或新文件夹",
                                     allowed_en="an empty or new folder")])
    root.mkdir(parents=True, exist_ok=True)
    if args.sample:
        shutil.copytree(sample_data_dir(), data, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.lock", "__pycache__"))
    else:
        data.mkdir(exist_ok=True)
        (data / "units.csv").write_text(UNITS_HEADER, encoding="utf-8")
    bands = bool(args.sample or args.bands)
    if bands:
        shutil.copyfile(example_bands(), root / BANDS_NAME)
    (root / "params").mkdir(exist_ok=True)
    copy_all(root, notebooks_dir())  # kpa lab / explore open these, never the package's
    if not (root / ".gitignore").exists():
        (root / ".gitignore").write_text("out/\n.ipynb_checkpoints/\n", encoding="utf-8")
    (root / CONFIG_NAME).write_text(config_text(args.office, bands=bands),
                                    encoding="utf-8")
    print(f"已创建工作区 / workspace created: {root}")
    if args.sample:
        print(f"下一步 / next: cd {root} && kpa report --year 2013")
    else:
        print(f"下一步 / next: 在 {data / 'units.csv'} 中每个单位写一行，然后 cd {root} && kpa "
              "template --year <年度> / add one line per unit to units.csv, then kpa template "
              "--year <year>")
    return 0
