"""the office's time zone on the office itself: offices.time_zone, moved from its letter settings

Staff set the zone in the letter settings (`office settings --time-zone`), but terminals, due dates,
the console and letters all count in it: it is the office's fact. The value staff set moves to
`offices.time_zone` (NULL: the province's zone, as before) and the letter settings lose the column.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

offices = sa.table("offices", sa.column("id", sa.Integer), sa.column("time_zone", sa.String))
#: the letter settings' text columns (all NOT NULL, '' meaning the default)
_TEXT = ("government", "district", "office_line", "address", "phone", "place", "head_title", "signer_name",
         "signer_nip", "short_code", "number_format", "public_url")
letter_settings = sa.table("office_letter_settings", sa.column("office_id", sa.Integer),
                           sa.column("time_zone", sa.String), sa.column("updated_at", sa.DateTime(timezone=True)),
                           *(sa.column(name, sa.String) for name in _TEXT))


def upgrade() -> None:
    with op.batch_alter_table("offices") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=40), nullable=True))
    set_by_staff = (sa.select(letter_settings.c.time_zone)
                    .where(letter_settings.c.office_id == offices.c.id, letter_settings.c.time_zone != "")
                    .scalar_subquery())
    op.execute(offices.update().values(time_zone=set_by_staff))
    with op.batch_alter_table("office_letter_settings") as batch:
        batch.drop_column("time_zone")


def downgrade() -> None:
    with op.batch_alter_table("office_letter_settings") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=40), nullable=False, server_default=""))
    kept = sa.select(offices.c.time_zone).where(offices.c.id == letter_settings.c.office_id).scalar_subquery()
    op.execute(letter_settings.update().values(time_zone=sa.func.coalesce(kept, "")))
    # an office with a zone but no letter settings gets a row of defaults holding it, as the older code kept it
    without = sa.select(offices.c.id, offices.c.time_zone, sa.func.current_timestamp(),
                        *(sa.literal("") for _ in _TEXT)).where(
        offices.c.time_zone.is_not(None),
        ~sa.exists().where(letter_settings.c.office_id == offices.c.id))
    op.execute(letter_settings.insert().from_select(["office_id", "time_zone", "updated_at", *_TEXT], without))
    # plain ALTER TABLE (SQLite 3.35+ drops a column in place): a batch copy of `offices` would drop the
    # table every other one points at, which SQLite's foreign keys refuse
    op.drop_column("offices", "time_zone")
