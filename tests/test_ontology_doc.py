"""``docs/ontology.md`` is ``ppcg ontology``'s output for the current tables, and covers every GVGAI name."""

from __future__ import annotations

from pathlib import Path

from ppcg.cli import main
from ppcg.engine import features as F
from ppcg.engine.ontology import FEATURE_TESTED, render
from ppcg.vgdl import registry

DOC = Path(__file__).resolve().parents[1] / "docs" / "ontology.md"


def test_docs_ontology_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render(), "run: ppcg ontology --out docs/ontology.md"


def test_every_name_is_implemented_or_refused_with_a_reason():
    text = render()
    for kind, table in (("sprite", F.SPRITE_CLASSES), ("effect", F.EFFECTS), ("termination", F.TERMINATIONS)):
        for name in registry.names(kind):
            assert f"| `{name}` |" in text
            assert name in table or F.refusal(name), f"{kind} {name}: neither implemented nor refused with a reason"
    assert set(F.REFUSED).isdisjoint(set(F.SPRITE_CLASSES) | set(F.EFFECTS) | set(F.TERMINATIONS))
    assert all(n in F.SPRITE_CLASSES or n in F.EFFECTS or n in F.TERMINATIONS for n in FEATURE_TESTED)


def test_cli_writes_the_page(tmp_path, capsys):
    out = tmp_path / "o.md"
    assert main(["ontology", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render()
    assert main(["ontology"]) == 0 and capsys.readouterr().out.endswith(render())
