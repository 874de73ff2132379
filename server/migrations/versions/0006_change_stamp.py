"""The change stamp: a counter the database raises on every committed change to the tables
the plan list reads, so a cached plan list can be checked with one primary-key read.

SQLite writes one transaction at a time (write sessions begin IMMEDIATE), so plain row
triggers that add one are enough. On PostgreSQL a trigger that updated the row at once
would hold its lock from the first change to the commit, queueing every other writer of
those tables behind it and risking deadlocks with their row locks; the trigger is
therefore a deferred constraint trigger, which runs at commit, after every other
statement of the transaction, and raises the counter once per transaction.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The tables whose rows the plan list's query reads (server/routes/plans.py).
TABLES = ("plans", "participants", "persons", "message_recipients")
VERBS = ("INSERT", "UPDATE", "DELETE")


def upgrade() -> None:
    op.create_table(
        "change_stamp",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO change_stamp (id, n) VALUES (1, 0)")
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for verb in VERBS:
                op.execute(
                    f"CREATE TRIGGER {table}_change_stamp_{verb.lower()} AFTER {verb} ON {table} "
                    "BEGIN UPDATE change_stamp SET n = n + 1 WHERE id = 1; END"
                )
        return
    op.execute(
        "CREATE FUNCTION change_stamp_raise() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF current_setting('sampro.change_stamp_raised', true) IS DISTINCT FROM 'on' THEN "
        "PERFORM set_config('sampro.change_stamp_raised', 'on', true); "
        "UPDATE change_stamp SET n = n + 1 WHERE id = 1; "
        "END IF; "
        "RETURN NULL; "
        "END $$"
    )
    for table in TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_change_stamp "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_stamp_raise()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for verb in VERBS:
                op.execute(f"DROP TRIGGER {table}_change_stamp_{verb.lower()}")
    else:
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_change_stamp ON {table}")
        op.execute("DROP FUNCTION change_stamp_raise()")
    op.drop_table("change_stamp")
