"""The layers stay one-way: lib/ knows no app, no utils/ and no Django; apps.order does not
import apps.finance (finance builds on orders, never the other way round); lib/sandbox_kit, the
plumbing both payment sandboxes run on, knows neither provider."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(folder):
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                yield path.relative_to(ROOT), name


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("lib", ("django", "rest_framework", "apps", "utils", "luffyapi")),
    ("apps/order", ("apps.finance",)),
    ("lib/sandbox_kit", ("lib.al_pay", "lib.wx_pay")),
])
def test_no_import_goes_the_wrong_way(folder, forbidden):
    wrong = [(str(path), name) for path, name in _imports(folder)
             if name.split(".")[0] in forbidden or name.startswith(forbidden)]
    assert wrong == []
