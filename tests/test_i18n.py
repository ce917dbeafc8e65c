"""Chinese and English: the catalogues are complete, reasons render in both, readers choose."""

import io
import json
import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from api.jobs import CANCELLED, DONE, FAILED, QUEUED, SOLVING
from i18n import from_accept_language, localised, render
from i18n.catalogue import LANGUAGES, LOCALES
from models import Kind, Role, Scope, Slot, Status, Tier, parse_scenario
from models.reason import REF_CODES, Reason, why
from models.roster import COST_TERMS
from models.validation import PYDANTIC_CODES
from tests.tiny import solved

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.json"


def _catalogue(lang: str) -> Catalog:
    with open(LOCALES / lang / "LC_MESSAGES" / "taskforce.po", "rb") as f:
        return read_po(f)


def _ids(cat: Catalog) -> dict[str, Message]:
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in cat if m.id}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_id_has_both_languages() -> None:
    """Chinese and English hold the same message ids, every one translated (no empty or
    fuzzy entry), with the same placeholders, and plural entries exactly where a message
    takes a count."""
    zh, en = _ids(_catalogue("zh")), _ids(_catalogue("en"))
    assert zh.keys() == en.keys()
    for code in zh:
        a, b = zh[code], en[code]
        strings = [*(a.string if isinstance(a.string, tuple) else (a.string,)),
                   *(b.string if isinstance(b.string, tuple) else (b.string,))]
        assert all(strings), code
        assert not a.fuzzy and not b.fuzzy, code
        assert len({frozenset(_fields(s)) for s in strings}) == 1, code
        assert a.pluralizable == b.pluralizable == ("count" in _fields(strings[0])), code


def test_compiled_catalogues_match_their_sources() -> None:
    """The shipped .mo files are what compiling the .po files gives now: no edit to a
    catalogue is left uncompiled."""
    for lang in LANGUAGES:
        compiled = io.BytesIO()
        write_mo(compiled, _catalogue(lang))
        shipped = (LOCALES / lang / "LC_MESSAGES" / "taskforce.mo").read_bytes()
        assert compiled.getvalue() == shipped, f"run: pybabel compile -d i18n/locales -D taskforce ({lang})"


def test_every_code_the_code_uses_is_in_the_catalogues() -> None:
    """Each literal code passed to why()/message() in the sources, and each code built from
    an enum (roles, slots, tiers, scopes, kinds, statuses, cost terms), has a message."""
    known = _ids(_catalogue("en")).keys()
    used: set[str] = set()
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in ("tests", ".venv", "bench"):
            continue
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\bwhy\(\s*"([\w.]+)"\s*[,)]', text))
        used |= set(re.findall(r'\bmessage\(\s*\w+,\s*"([\w.]+)"\s*[,)]', text))
        # Problem answers, input problems and our validators' errors name their codes too.
        used |= set(re.findall(r'\bApiError\(\s*\d+,\s*"([\w.]+)"', text))
        used |= set(re.findall(r'\bproblem\(\s*[^,()]+,\s*"([\w.]+)"', text))
        used |= set(re.findall(r'\binvalid\(\s*"([\w.]+)"', text))
        used |= set(re.findall(r'\bfile_error\([^,()]+,\s*\w+,\s*"([\w.]+)"', text))
        # Any text as the action, so that one written with a space is caught too.
        used |= {f"action.{a}" for a in re.findall(
            r'(?:\.require(?:_province)?|writable_scenario|_current)\([^"]*"([^"]+)"\)', text)}
    used |= {f"role.{r.value}" for r in Role} | {f"slot.{s.value}" for s in Slot}
    used |= {f"tier.{t.value}" for t in Tier} | {f"scope.{s.value}" for s in Scope}
    used |= {f"kind.{k.value}" for k in Kind} | {f"status.{s.value}" for s in Status}
    used |= {f"cost.{t}" for t in COST_TERMS} | {f"need.slot.{s.value}" for s in Slot}
    used |= {f"req.slot.{s.value}" for s in Slot} | {"sep.comma", "sep.semicolon"}
    used |= {f"job.{state}" for state in (QUEUED, SOLVING, DONE, FAILED, CANCELLED)}
    used |= set(PYDANTIC_CODES.values())
    assert len(used) > 60
    assert used - set(known) - REF_CODES == set()


def test_tutorial_reasons_in_chinese() -> None:
    """Every reason of the tutorial's roster renders in Chinese: no message code or English
    word left, the procuratorates' terms used (检察长, 蒙古语), the dates written 2022年6月10日."""
    roster = localised(solved(parse_scenario(json.loads(TUTORIAL.read_text()))), "zh")
    texts = [r.text for c in roster.cases for m in c.team for r in m.reasons]
    texts += [c.unstaffed_reason.text for c in roster.cases if c.unstaffed_reason]
    assert texts and all(re.search(r"[\u4e00-\u9fff]", t) for t in texts)
    joined = "\n".join(texts)
    assert not re.search(r"\b(member|need|ctx|out|shortfall)\.\w+", joined)
    assert "以检察长身份任组长" in joined and "蒙古语" in joined
    assert "2022年6月10日至2022年6月12日" in joined


def test_reasons_survive_json_and_old_plain_text() -> None:
    """A structured reason keeps its code and parameters through JSON; a reason stored as
    plain text (before reasons had codes) still reads as that text in either language."""
    r = why("member.travel", minutes=42, home=why("unit", id="b", name="B", name_zh="乙院"),
            venue=why("unit", id="a", name="A"))
    back = Reason.model_validate_json(r.model_dump_json())
    assert back == r
    assert render(back, "en") == "42 min from B to A"
    assert render(back, "zh") == "从乙院到A42分钟"
    old = Reason.model_validate("needs 1 clerks")
    assert render(old, "zh") == render(old, "en") == "needs 1 clerks"


@pytest.mark.parametrize(("header", "lang"), [
    (None, "en"), ("", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-GB,zh;q=0.5", "en"),
    ("fr-FR, zh-Hant;q=0.7", "zh"), ("de, fr;q=0.5", "en"), ("zh;q=0, en", "en"),
    ("*", "en"), ("zh-TW;q=abc, en;q=0.1", "en"), ("!!!, zh", "zh"),
])
def test_accept_language_picks_a_language(header: str | None, lang: str) -> None:
    """Accept-Language is read by its q-values; a language we do not have, a zero q or a
    malformed tag is passed over; English when nothing of ours is asked for."""
    assert from_accept_language(header) == lang
