import subprocess
import sys

PURE = ["mf2", "post_types", "updates", "scopes", "properties", "refs", "source"]


def test_pure_modules_import_no_io_library():
    modules = ", ".join(f"hub.micropub.{name}" for name in PURE)
    code = (
        f"import sys, {modules}\n"
        "io = {'asyncpg', 'httpx', 'redis', 'arq', 'starlette'}\n"
        "bad = io & {m.split('.')[0] for m in sys.modules}\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
