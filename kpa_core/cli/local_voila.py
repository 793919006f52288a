"""Voila locked to the analyst at the keyboard: a token per start, loopback Host names only.

Why not plain ``python -m voila``: Voila hard-codes ``allow_remote_access=True`` and, without
``--token``, serves every page and kernel websocket to anyone who can reach the port. A
DNS-rebinding page in the analyst's own browser (``Host: evil.example`` with a matching
Origin) or any other local user could then read every widget of the form and press 保存考核记录
under any name. This subclass keeps Voila as it is and closes both doors:

- the token comes from ``$KPA_APP_TOKEN`` (set by ``kpa app``, a fresh ``secrets`` token per
  start), never from the command line, which other local users can read in ``/proc``; it is
  removed from the environment before any kernel starts;
- jupyter-server's own Host check is switched back on (``allow_remote_access=False``), with
  ``local_hostnames`` = localhost only, so only 127.0.0.1, ::1 and localhost are served; the
  Origin check (Origin must equal Host) then holds for HTTP and websockets alike;
- the browser is opened on the URL with the token (Voila's own opener drops it).

Run as ``python -m kpa_core.cli.local_voila NOTEBOOK --port=… …`` (Voila's own options).
"""

from __future__ import annotations

import os
import sys
import webbrowser

from voila.app import Voila

TOKEN_ENV = "KPA_APP_TOKEN"
LOCAL_HOSTNAMES = ["localhost"]  # IP addresses are checked by jupyter-server: loopback only


class LocalVoila(Voila):
    """Voila that requires kpa's token and refuses any Host but 127.0.0.1/::1/localhost."""

    def initialize(self, argv: list[str] | None = None) -> None:
        token = os.environ.pop(TOKEN_ENV, "")  # popped: kernels must not inherit it
        if len(token) < 16:
            print(f"{TOKEN_ENV} 未设置或过短：请用 `kpa app` 启动 / {TOKEN_ENV} is missing or "
                  "too short: start the app with `kpa app`", file=sys.stderr)
            sys.exit(2)
        os.environ.pop("JUPYTER_TOKEN", None)
        self.token = token
        super().initialize(argv)
        self.token = token  # a voila.json on the config path may not replace it

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = list(LOCAL_HOSTNAMES)
        return settings

    def start(self) -> None:
        # tornado_settings from a config file are applied after init_settings: re-assert ours
        self.tornado_settings = {**self.tornado_settings, "allow_remote_access": False,
                                 "local_hostnames": list(LOCAL_HOSTNAMES)}
        super().start()

    @property
    def display_url(self) -> str:
        return f"{self.connection_url}?token={self.token}"

    def launch_browser(self) -> None:
        try:
            webbrowser.get(self.browser or None).open(self.display_url,
                                                      new=self.webbrowser_open_new)
        except webbrowser.Error as exc:
            self.log.warning("No web browser found: %s.", exc)


main = LocalVoila.launch_instance

if __name__ == "__main__":
    main()
