"""office private keys are stored wrapped by a key-encryption key outside the database

Revision ID: 0005
Revises: 0002

Plain keys already stored are wrapped here and their plain column emptied, in the migration's own
transaction; without a usable key-encryption key the migration refuses and changes nothing.
"""
import sqlalchemy as sa
from alembic import context, op

from central.keyring import KeysUnavailable

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_keys = sa.table("office_keys", sa.column("id", sa.Integer), sa.column("public_key", sa.String),
                 sa.column("private_key", sa.String), sa.column("wrapped_private_key", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("office_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wrapped_private_key", sa.String(length=200), nullable=True))
    connection = op.get_bind()
    plain = connection.execute(sa.select(_keys.c.id, _keys.c.public_key, _keys.c.private_key)
                               .where(_keys.c.private_key != "")).all()
    if not plain:
        return
    keyring = context.config.attributes.get("keyring")
    if keyring is None:
        raise KeysUnavailable(f"{len(plain)} office keys are stored in plain text: upgrade with `loket-central` "
                              "(any command), which wraps them under its key-encryption key")
    kek = keyring.kek(create=True)  # no key is wrapped yet: this is the key file's first use
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete = ON")  # the plain keys' bytes are overwritten, not freed
    for key_id, public_key, private_key in plain:
        connection.execute(_keys.update().where(_keys.c.id == key_id).values(
            wrapped_private_key=kek.wrap(private_key, public_key), private_key=""))


def downgrade() -> None:
    raise KeysUnavailable("migration 0005 cannot be undone: unwrapping would put office keys back in plain text")
