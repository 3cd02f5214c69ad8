"""the office leads the unique keys of applications and letters, and the tables about an application
refer to it by (office, id): the shape Citus's multi-tenant model needs (docs/scale.md)

Revision ID: 0019
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

#: names SQLite's unnamed constraints get when batch mode reflects them (PostgreSQL's are looked up)
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
#: tables about one application: their old foreign key (application_id -> applications.id) becomes
#: (office_id, application_id) -> applications (office_id, id)
REFERRING = ("status_changes", "issued_letters", "sms_messages")


def _unique_name(table: str, columns: list[str]) -> str:
    if op.get_bind().dialect.name == "sqlite":
        return NAMING["uq"] % {"table_name": table, "column_0_name": columns[0]}
    found = [u["name"] for u in sa.inspect(op.get_bind()).get_unique_constraints(table)
             if u["column_names"] == columns]
    return found[0]


def _foreign_key_name(table: str, columns: list[str], referred: str) -> str:
    if op.get_bind().dialect.name == "sqlite":
        return NAMING["fk"] % {"table_name": table, "column_0_name": columns[0], "referred_table_name": referred}
    found = [f["name"] for f in sa.inspect(op.get_bind()).get_foreign_keys(table)
             if f["constrained_columns"] == columns and f["referred_table"] == referred]
    return found[0]


def upgrade() -> None:
    reference_key = _unique_name("applications", ["reference"])
    with op.batch_alter_table("applications", naming_convention=NAMING) as batch:
        batch.drop_constraint(reference_key, type_="unique")
        batch.drop_index("ix_applications_office_reference")
        batch.create_unique_constraint("uq_applications_office_reference", ["office_id", "reference"])
        batch.create_unique_constraint("uq_applications_office_id", ["office_id", "id"])
        batch.create_index("ix_applications_reference", ["reference"])
    for table in REFERRING:
        old = _foreign_key_name(table, ["application_id"], "applications")
        letter_key = _unique_name(table, ["application_id"]) if table == "issued_letters" else None
        with op.batch_alter_table(table, naming_convention=NAMING) as batch:
            batch.drop_constraint(old, type_="foreignkey")
            if letter_key:
                batch.drop_constraint(letter_key, type_="unique")
                batch.create_unique_constraint("uq_issued_letters_office_application", ["office_id", "application_id"])
            batch.create_foreign_key(f"fk_{table}_office_application", "applications",
                                     ["office_id", "application_id"], ["office_id", "id"])


def downgrade() -> None:
    for table in REFERRING:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch:
            batch.drop_constraint(f"fk_{table}_office_application", type_="foreignkey")
            if table == "issued_letters":
                batch.drop_constraint("uq_issued_letters_office_application", type_="unique")
                batch.create_unique_constraint("uq_issued_letters_application_id", ["application_id"])
            batch.create_foreign_key(f"fk_{table}_application_id_applications", "applications",
                                     ["application_id"], ["id"])
    with op.batch_alter_table("applications", naming_convention=NAMING) as batch:
        batch.drop_index("ix_applications_reference")
        batch.drop_constraint("uq_applications_office_id", type_="unique")
        batch.drop_constraint("uq_applications_office_reference", type_="unique")
        batch.create_index("ix_applications_office_reference", ["office_id", "reference"])
        batch.create_unique_constraint("uq_applications_reference", ["reference"])
