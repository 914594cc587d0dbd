"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from webapp.core.extensions import db


def test_models_and_migrations_agree():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def _insert(connection, table_name: str, **values) -> None:
    """Insert a row as the schema of that revision has it: required columns not given get a plain value."""
    from datetime import UTC, date, datetime

    from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, MetaData, String, Table, Text

    table = Table(table_name, MetaData(), autoload_with=connection)
    plain = ((Boolean, False), (Integer, 1), (DateTime, datetime(2026, 11, 2, 3, tzinfo=UTC)),
             (Date, date(2026, 11, 2)), (String, "x"), (Text, "x"), (JSON, []))
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
            continue
        values[column.name] = next((value for kind, value in plain if isinstance(column.type, kind)), [])
    connection.execute(table.insert().values(**values))


def test_0009_gives_messages_their_unit_keeps_closures_and_reports_office_wide_and_goes_back(scratch_app):
    """Upgrade from 0008 with rows in place, check the new columns, then downgrade and upgrade again."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    with scratch_app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as connection:
            for unit_id in (1, 2):
                _insert(connection, "unit", id=unit_id, slug=f"unit-{unit_id}", timezone="Asia/Jakarta")
                _insert(connection, "service", id=unit_id, unit_id=unit_id, slug=f"layanan-{unit_id}")
            _insert(connection, "complaint", id=1, number="ADU-2026-000001", year=2026, sequence=1, unit_id=1,
                    anonymous=True, tracking_hash="a" * 64)
            _insert(connection, "complaint", id=2, number="ADU-2026-000002", year=2026, sequence=2, unit_id=None,
                    tracking_hash="b" * 64)
            berkas = (("2026-00001", 2, 1), ("2026-00002", 1, 2), ("2026-00002", 2, 2))  # the last number twice
            for row_id, (number, unit_id, sequence) in enumerate(berkas, start=1):
                _insert(connection, "berkas", id=row_id, number=number, unit_id=unit_id, service_id=unit_id,
                        year=2026, sequence=sequence, tracking_code=f"kode-{row_id}")
            messages = (("pengaduan.diterima", "ADU-2026-000001"), ("pengaduan.diterima", "ADU-2026-000002"),
                        ("berkas.siap", "2026-00001"), ("berkas.siap", "2026-00002"), ("", ""))
            for row_id, (topic, reference) in enumerate(messages, start=1):
                _insert(connection, "outbox_message", id=row_id, channel="email", topic=topic, reference=reference)
            _insert(connection, "closure", id=1, day=date(2026, 11, 10), reason="Pindah kantor")
            _insert(connection, "complaint_report", id=1, year=2026, month=11, status="draf", history=[])

        upgrade(revision="0009")
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT id, unit_id, anonymous FROM outbox_message ORDER BY id")).all()
            assert [(row[0], row[1], bool(row[2])) for row in rows] == [
                (1, 1, True), (2, None, False), (3, 2, False), (4, None, False), (5, None, False)]
            assert connection.execute(text("SELECT unit_id FROM closure")).all() == [(None,)]
            assert connection.execute(text("SELECT unit_id FROM complaint_report")).all() == [(None,)]
        with db.engine.begin() as connection:  # a unit's closure and report: rows the old schema cannot hold
            _insert(connection, "closure", id=2, day=date(2026, 11, 10), reason="HUT", unit_id=1)
            _insert(connection, "complaint_report", id=2, year=2026, month=11, status="draf", history=[], unit_id=1)

        downgrade(revision="0008")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT id FROM closure")).all() == [(1,)]
            assert connection.execute(text("SELECT id FROM complaint_report")).all() == [(1,)]
            columns = {column["name"] for column in inspect(connection).get_columns("outbox_message")}
            assert "unit_id" not in columns and "anonymous" not in columns
        upgrade()
        with db.engine.connect() as connection:
            indexes = {index["name"] for index in inspect(connection).get_indexes("closure")}
            assert "uq_closure_office_day" in indexes


def test_0014_downgrade_drops_the_imports_older_code_cannot_show(scratch_app):
    """Going back below 0014 deletes the versions with status "import" / "import_reviewed", keeps the rest."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    with scratch_app.app_context():
        upgrade(revision="0014_import_review")
        with db.engine.begin() as connection:
            _insert(connection, "unit", id=1, slug="unit-1", timezone="Asia/Jakarta")
            _insert(connection, "service", id=1, unit_id=1, slug="layanan-1")
            for row_id, status in enumerate(("published", "draft", "import", "import_reviewed"), start=1):
                _insert(connection, "service_version", id=row_id, service_id=1, number=row_id, status=status,
                        document={}, kind="impor" if "import" in status else None)  # fmt: skip

        downgrade(revision="0013_ticket_contact")
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT id, status FROM service_version ORDER BY id")).all()
            assert [tuple(row) for row in rows] == [(1, "published"), (2, "draft")]
        upgrade()


def test_0022_pairs_english_items_with_the_indonesian_text_they_translate_and_goes_back(scratch_app):
    """English strings stored by position become {id_text, en} for today's list; downgrade restores them."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import JSON, MetaData, Table, select

    items = {"persyaratan": {"items": [{"text": "Fotokopi KTP"}, {"text": "Surat permohonan"}]}}
    with scratch_app.app_context():
        upgrade(revision="0021_english")
        with db.engine.begin() as connection:
            _insert(connection, "unit", id=1, slug="unit-1", timezone="Asia/Jakarta")
            _insert(connection, "service", id=1, unit_id=1, slug="layanan-1", components=items,
                    requirements_en=["", "Application letter", "beyond the list"])

        def english() -> object:
            with db.engine.connect() as connection:
                table = Table("service", MetaData(), autoload_with=connection)
                column = table.c.requirements_en
                column.type = JSON()  # read it back as Python on both engines
                return connection.scalar(select(column))

        upgrade(revision="0022_english_items")
        assert english() == [{"id_text": "Surat permohonan", "en": "Application letter"}]
        downgrade(revision="0021_english")
        assert english() == ["", "Application letter"]
        upgrade()
