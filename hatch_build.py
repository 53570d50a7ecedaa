"""Hatchling build hook: compiles `src/yiwang/licences/_sm2.c`, the SM2 verifier's fixed-base
multiplication (ADR 0017), next to its source, for editable installs and wheels alike.

A machine without a C compiler still installs: the hook warns, and `yiwang.licences.seal` verifies
with Tongsuo instead, about five times slower. `make test` on CI requires the extension
(tests/licences/test_sm2_extension.py).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = "src/yiwang/licences/_sm2.c"


class SM2ExtensionHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        source = Path(self.root, SOURCE)
        target = source.with_name("_sm2" + sysconfig.get_config_var("EXT_SUFFIX"))
        compiler = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
        command = [
            *shlex.split(compiler),
            "-O3",
            "-shared",
            "-fPIC",
            "-Wall",
            "-I",
            sysconfig.get_paths()["include"],
            str(source),
            "-o",
            str(target),
        ]
        try:
            subprocess.run(command, check=True)
        except (OSError, subprocess.CalledProcessError) as error:
            self.app.display_warning(
                f"Yiwang: the SM2 extension was not compiled ({error}); licences will be verified "
                "with Tongsuo alone, about five times slower. Install a C compiler and the Python "
                "headers (apt-get install gcc python3-dev) and run `make install` again."
            )
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        # The compiled file is git-ignored, which hatch honours; an artifact is included anyway.
        build_data["artifacts"].append(str(target.relative_to(self.root)))
