"""Build hook: compiles the pricing hot path with mypyc when it can (metadata: pyproject.toml).

COMPILED: kiosk/domain/pricing.py (the engine) and kiosk/domain/periods.py (the CDR
checks of the batch path); their msgspec Structs live in uncompiled modules.

The compiled module is optional. `pip install .` and `pip install -e .` build it when
mypyc (in `[build-system] requires`) and a C compiler are there. When mypyc is missing,
its type check fails or the C compiler fails, the build says so in one `kiosk: ... pure
Python` line (pip shows it with -v) and installs the same package without the extension:
the modules are then imported from source. KIOSK_NO_COMPILE=1 skips compiling
(and an editable install then removes a compiled module left beside the source).

A wheel also carries `assets/` as `kiosk/assets/` (BuildPy): the tariffs, fonts, icons
and the translations, built (.qm) and committed.

mypyc puts a module's code in a runtime library next to a small shim that imports it:
kiosk/domain/pricing.<abi>.so and kiosk/domain/pricing__mypyc.<abi>.so. `separate=True`
keeps one such pair per module, beside its source: mypyc's default for several modules,
one top-level `<hash>__mypyc` library, would fall outside the packages an editable
install maps (and outside `_inplace_files`).
"""

from __future__ import annotations

import functools
import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
COMPILED = ["kiosk/domain/pricing.py", "kiosk/domain/periods.py"]
# mypyc type-checks with the project's [tool.mypy] configuration, which would warn about
# its override sections for packages outside this check.
MYPY_ARGS = ["--no-warn-unused-configs"]
NO_COMPILE = os.environ.get("KIOSK_NO_COMPILE", "") not in ("", "0")
# Commands that only write metadata: they need no C code (egg_info lists the sources).
METADATA_ONLY = {"egg_info", "dist_info", "sdist"}


def _say(text: str) -> None:
    print(f"kiosk: {text}", file=sys.stderr, flush=True)


def _inplace_files() -> list[Path]:
    """Where an editable (in-place) build puts the compiled modules, beside the sources."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    stems = [ROOT / Path(path).with_suffix("") for path in COMPILED]
    return [s.with_name(s.name + tail + suffix) for s in stems for tail in ("", "__mypyc")]


def _remove_inplace(reason: str) -> None:
    for path in _inplace_files():
        if path.exists():
            path.unlink()
            _say(f"removed {path.relative_to(ROOT)} ({reason})")


def _editable() -> bool:
    return bool({"editable_wheel", "develop"} & set(sys.argv))


@functools.cache
def _mypyc_extensions() -> tuple[Extension, ...]:
    """The extensions mypyc generated, or () (pure Python) with the reason said; once."""
    try:
        from mypyc.build import mypycify  # noqa: PLC0415 - optional: none, no compiling
    except ImportError as exc:
        _say(f"mypyc is not available ({exc}): not compiling, pure Python")
        return ()
    try:
        extensions: list[Extension] = mypycify(
            MYPY_ARGS + COMPILED,
            opt_level="3",
            separate=True,  # one runtime library per module, beside it (see the top)
            target_dir=os.path.join("build", "mypyc"),
        )
    except (Exception, SystemExit) as exc:  # mypyc reports a failed type check by exiting
        _say(f"mypyc could not translate {', '.join(COMPILED)} ({exc!r}): pure Python")
        return ()
    for ext in extensions:
        ext.optional = True  # a C compiler error: setuptools warns and goes on without it
    return tuple(extensions)


class BuildExt(build_ext):
    """mypyc runs only when something is built, and a failed build leaves no half of it."""

    failed = False

    def finalize_options(self) -> None:
        if self.distribution.ext_modules is _PLACEHOLDER and not (
            set(self.distribution.commands) <= METADATA_ONLY
        ):
            self.distribution.ext_modules = list(_mypyc_extensions())
            if not self.distribution.ext_modules and _editable():
                _remove_inplace("not compiled this time")
        super().finalize_options()

    def run(self) -> None:
        super().run()
        if self.failed:  # the library and its shim work only together: drop both
            for ext in self.extensions:
                inplace_file, build_file = self._get_inplace_equivalent(
                    self.get_finalized_command("build_py"), ext
                )
                for path in (build_file, inplace_file if self.inplace else None):
                    if path and os.path.exists(path):
                        os.unlink(path)

    def build_extension(self, ext: Any) -> None:
        if self.failed:
            return  # after the runtime library failed, its shim would not import
        try:
            super().build_extension(ext)
        except Exception as exc:
            self.failed = True
            why = f"{type(exc).__name__}, the compiler's output is above"
            _say(f"compiling {ext.name} failed ({why}): not compiled, pure Python")
            raise  # an optional extension: setuptools warns and the build goes on
        _say(f"compiled {ext.name} with mypyc")


class BuildPy(build_py):
    """A wheel carries the runtime files of `assets/` (tariffs, fonts, icons, built
    translations) inside the package, as `kiosk/assets/`: kiosk.paths finds them there
    with importlib.resources. An editable install reads the source tree's `assets/`."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        source = ROOT / "assets"
        target = Path(self.build_lib) / "kiosk" / "assets"
        missing = [
            ts for ts in source.glob("translations/*.ts") if not ts.with_suffix(".qm").exists()
        ]
        if missing:
            raise SystemExit(f"kiosk: no built translation for {missing[0].name} (run lrelease)")
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.suffix != ".ts":  # the sources of the .qm files stay
                self.mkpath(str((target / path.relative_to(source)).parent))
                self.copy_file(
                    str(path), str(target / path.relative_to(source)), preserve_mode=False
                )


# Stands in for the extensions until build_ext is set up, so that `build` runs build_ext
# and the wheel is tagged for this platform; metadata-only steps never run mypyc.
_PLACEHOLDER = [Extension("kiosk.domain.pricing", sources=COMPILED)]

if NO_COMPILE:
    _say("KIOSK_NO_COMPILE is set: not compiling, pure Python")
    if _editable():
        _remove_inplace("KIOSK_NO_COMPILE")
    setup(cmdclass={"build_py": BuildPy})
else:
    setup(ext_modules=_PLACEHOLDER, cmdclass={"build_ext": BuildExt, "build_py": BuildPy})
