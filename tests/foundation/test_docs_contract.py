"""docs/protocol.md is a contract: a client is written from it alone. These tests read the
document and hold it against the code, so a command, field, error code or state field added
without its line in the document fails here."""

from __future__ import annotations

import re
from pathlib import Path

import arbiter
from arbiter import codes
from arbiter.registry import COMMANDS
from tests.arbiter.builders import ANN, T0, in_blocks, run, score

PROTOCOL = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()


def _table_rows(heading: str) -> dict[str, str]:
    """First-column code name → the rest of the row, for the table under ``heading``."""
    section = PROTOCOL.split(heading, 1)[1]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        if line.startswith("## ") and rows:
            break
        match = re.match(r"\| `([a-z_.]+)`(?: / `([a-z_.]+)`)? \|(.*)\|\s*$", line)
        if match:
            for name in match.group(1, 2):
                if name:
                    rows[name] = match.group(3)
    return rows


def test_every_error_code_of_the_arbiter_has_its_line_in_the_error_table() -> None:
    documented = _table_rows("## Error codes")
    arbiter_codes = {v for k, v in vars(codes).items() if k.isupper() and isinstance(v, str)}
    missing = arbiter_codes - set(documented)
    assert not missing, f"error codes missing from docs/protocol.md: {sorted(missing)}"


def test_every_error_code_the_consumer_sends_is_documented() -> None:
    source = (Path(__file__).resolve().parents[2] / "sessions_live" / "consumers.py").read_text()
    sent = set(re.findall(r'_error\(\s*[^,]+,\s*"([a-z_]+)"', source))
    # The scan works. (Frame refusals such as bad_json, bad_frame and too_large come from
    # arbiter.parse_frame and are arbiter codes: the test above holds them to the table.)
    assert {"rate_limited", "unavailable", "too_many_sockets"} <= sent
    missing = sent - set(_table_rows("## Error codes"))
    assert not missing, f"error codes missing from docs/protocol.md: {sorted(missing)}"


def test_every_command_type_is_documented_with_exactly_its_fields() -> None:
    documented = _table_rows("| type | fields | who / when |")
    registered = COMMANDS.frame_types()  # one registration per command: its name and fields
    assert {spec.name for spec in registered} | {"ping"} <= set(documented)
    for spec in registered:
        fields = documented[spec.name].split("|")[0]
        named = set(re.findall(r"`([a-z_]+)`", fields))
        assert named >= set(spec.fields), (spec.name, set(spec.fields) - named)


def test_every_field_of_a_member_view_is_in_the_state_table() -> None:
    section = PROTOCOL.split("### The state (the member's view)", 1)[1].split("## ", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", section))
    for braces in re.findall(r"\{([a-z_, ]+)\}", section):  # `{index, topic_id, …}` shapes
        documented |= {name.strip() for name in braces.split(",")}
    state = run(in_blocks(), score(ANN, 4))  # Ann's block, one question asked
    view = arbiter.member_view(state, ANN, T0)
    missing = set(view) - documented
    assert not missing, f"state fields missing from docs/protocol.md: {sorted(missing)}"
    current = view["current"]
    assert current is not None
    assert set(current) - documented == set(), set(current) - documented
    assert set(current["question"]) <= documented
    assert set(view["blocks"][0]) <= documented, set(view["blocks"][0]) - documented
    asked = current["asked"][0]
    asked_line = PROTOCOL.split("An *asked question* object is", 1)[1].split("\n\n", 1)[0]
    assert set(asked) == set(re.findall(r"[{ ]([a-z_]+)[,}]", asked_line)), asked


def test_every_api_endpoint_of_the_schema_is_in_docs_api_md() -> None:
    from drf_spectacular.generators import SchemaGenerator

    api_doc = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = set(schema["paths"])
    assert "/api/sessions/" in paths  # the schema is the real one
    # The doc writes a path's parameter as {id} or {code}, as the schema does.
    documented = set(re.findall(r"(/api/[^\s`,)]*)", api_doc))
    missing = sorted(paths - documented)
    assert not missing, f"API endpoints missing from docs/api.md: {missing}"


def test_every_environment_variable_the_settings_read_is_in_the_readme() -> None:
    root = Path(__file__).resolve().parents[2]
    source = (root / "config" / "settings.py").read_text()
    read = set(re.findall(r'env[a-z_.]*\(\s*"([A-Z][A-Z0-9_]+)"', source))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read  # the scan works
    readme = (root / "README.md").read_text()
    table = readme.split("### Environment variables", 1)[1]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    missing = sorted(read - documented)
    assert not missing, f"variables missing from the README's table: {missing}"
