"""due dates are set when an application is taken in: give the ones taken in before a due date

Until now a console page filled missing due dates as it was read; ingest sets them now, and this
step fills the older ones once, on the office's own calendar: its zone as staff had set it then (in
its letter settings, where it lived until 0016) else its province's, and its service's working days
over every catalog it published (the newest wins).

The step reads the tables as they are at this revision (not through today's models, which later
revisions change); only the pure rules (zone, catalog, working days) are shared with ingest.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

from central.deadlines import due_date
from central.office_profile import parsed_catalog, services_of
from kiosk.timezones import office_zone

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 2000
applications = sa.table("applications", sa.column("id", sa.String), sa.column("office_id", sa.Integer),
                        sa.column("service_code", sa.String), sa.column("filed_at", sa.DateTime(timezone=True)),
                        sa.column("due_on", sa.Date))
offices = sa.table("offices", sa.column("id", sa.Integer), sa.column("code", sa.String))
catalogs = sa.table("office_catalogs", sa.column("id", sa.Integer), sa.column("office_id", sa.Integer),
                    sa.column("etag", sa.String), sa.column("document", sa.Text))
letter_settings = sa.table("office_letter_settings", sa.column("office_id", sa.Integer),
                           sa.column("time_zone", sa.String))


def upgrade() -> None:
    connection = op.get_bind()
    missing = sa.select(applications.c.office_id).where(applications.c.due_on.is_(None)).distinct()
    for office_id in connection.scalars(missing).all():
        code = connection.scalar(sa.select(offices.c.code).where(offices.c.id == office_id)) or ""
        explicit = connection.scalar(sa.select(letter_settings.c.time_zone)
                                     .where(letter_settings.c.office_id == office_id)) or ""
        zone = office_zone(code, explicit)
        published = connection.execute(sa.select(catalogs.c.id, catalogs.c.etag)
                                       .where(catalogs.c.office_id == office_id).order_by(catalogs.c.id)).all()
        parsed = (parsed_catalog(row.etag, lambda row=row: connection.scalar(
            sa.select(catalogs.c.document).where(catalogs.c.id == row.id))) for row in published)
        days = {code: service.days for code, service in services_of(c for c in parsed if c is not None).items()}
        while rows := connection.execute(
                sa.select(applications.c.id, applications.c.service_code, applications.c.filed_at)
                .where(applications.c.office_id == office_id, applications.c.due_on.is_(None)).limit(_BATCH)).all():
            connection.execute(applications.update().where(applications.c.id == sa.bindparam("row_id"))
                               .values(due_on=sa.bindparam("due")),
                               [{"row_id": row.id, "due": due_date(row.filed_at, zone, days.get(row.service_code, 0))}
                                for row in rows])


def downgrade() -> None:
    pass  # the due dates stay: the older code reads them as its own
