"""The sum of a project's live financing shares is at most 100%.

A CHECK constraint sees one row, so this rule is a PostgreSQL constraint trigger. It is
DEFERRABLE INITIALLY DEFERRED: inside one transaction an editor may lower one share and
raise another in any order; the total is checked at commit. The services and the admin
check the same rule first, so an editor sees a form error rather than this backstop.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION financing_check_live_shares() RETURNS trigger AS $$
DECLARE
    total numeric;
BEGIN
    SELECT COALESCE(SUM(share_percent), 0) INTO total
      FROM financing_financingline
     WHERE project_id = NEW.project_id
       AND status NOT IN ('declined', 'withdrawn');
    IF total > 100 THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            CONSTRAINT = 'financing_financingline_live_shares_max_100',
            MESSAGE = format(
                'The live financing shares of project %s add up to %s%%; they cannot exceed 100%%.',
                NEW.project_id, total);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE CONSTRAINT TRIGGER financing_financingline_live_shares_max_100
    AFTER INSERT OR UPDATE OF share_percent, status, project_id ON financing_financingline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION financing_check_live_shares();
"""


class Migration(migrations.Migration):
    dependencies = [("financing", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=FUNCTION + TRIGGER,
            reverse_sql="""
                DROP TRIGGER IF EXISTS financing_financingline_live_shares_max_100 ON financing_financingline;
                DROP FUNCTION IF EXISTS financing_check_live_shares();
            """,
        ),
    ]
