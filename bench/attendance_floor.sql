-- The floor for a day of attendance: the least database work the job needs, in plain SQL.
-- COPY the day's positive attendance and the day's class submissions into staging tables,
-- resolve sourcedIds against the Trellis tables with joins, replace the day's records set-wise
-- (DELETE + INSERT, INSERT … ON CONFLICT for submissions), and write the day's per-school
-- roll-up (enrolled, absent, tardy, expected/submitted/on time, chronic absence to date) with
-- one grouped statement each. No validation, no preview, no run record: what Trellis's import
-- must stay within 2x of.
-- Run by bench/attendance.py:
--   psql URL -v dir=/path/to/files -v system=SYSTEM_ID -v day=YYYY-MM-DD -f bench/attendance_floor.sql
\set ON_ERROR_STOP on
\timing off
DROP SCHEMA IF EXISTS attendance_floor CASCADE;
CREATE SCHEMA attendance_floor;
SET search_path = attendance_floor, public;

CREATE TABLE event (id bigserial PRIMARY KEY, system_id int NOT NULL, student_id bigint NOT NULL,
  school_id bigint NOT NULL, date date NOT NULL, category text NOT NULL, class_id bigint);
CREATE INDEX ON event (school_id, date);
CREATE INDEX ON event (student_id, date);
CREATE TABLE submission (id bigserial PRIMARY KEY, system_id int NOT NULL,
  school_id bigint NOT NULL, class_id bigint NOT NULL, date date NOT NULL,
  submitted_at timestamptz NOT NULL, on_time boolean NOT NULL, UNIQUE (class_id, date));
CREATE TABLE daily (school_id bigint NOT NULL, date date NOT NULL, enrolled int NOT NULL,
  absent int NOT NULL, tardy int NOT NULL, expected int NOT NULL DEFAULT 0,
  submitted int NOT NULL DEFAULT 0, on_time int NOT NULL DEFAULT 0,
  chronic_counted int NOT NULL DEFAULT 0, chronic_absent int NOT NULL DEFAULT 0,
  PRIMARY KEY (school_id, date));

-- 1. The day's attendance, one transaction.
BEGIN;
CREATE TEMP TABLE s_att (student text, school text, date date, category text, class text)
  ON COMMIT DROP;
\set f :dir '/attendance.csv'
COPY s_att FROM :'f' WITH (FORMAT csv, HEADER true);
ANALYZE s_att;
CREATE TEMP TABLE s_ids ON COMMIT DROP AS
  SELECT st.id AS student_id, sc.id AS school_id, s.date,
         lower(replace(s.category, ' ', '_')) AS category, k.id AS class_id
  FROM s_att s
  JOIN orgs_school sc ON sc.system_id = :system AND sc.sourced_id = s.school
  JOIN students_student st ON st.system_id = :system AND st.sourced_id = s.student
  LEFT JOIN rosters_schoolclass k ON k.system_id = :system AND k.sourced_id = s.class;
DELETE FROM event e USING (SELECT DISTINCT school_id, date FROM s_ids) d
  WHERE e.school_id = d.school_id AND e.date = d.date;
INSERT INTO event (system_id, student_id, school_id, date, category, class_id)
  SELECT :system, student_id, school_id, date, category, class_id FROM s_ids;
ANALYZE event;
INSERT INTO daily (school_id, date, enrolled, absent, tardy)
  SELECT c.school_id, c.date,
    (SELECT count(DISTINCT w.student_id) FROM students_schoolenrolment w
      WHERE w.school_id = c.school_id AND w.entry_date <= c.date
        AND (w.exit_date IS NULL OR w.exit_date >= c.date)),
    (SELECT count(DISTINCT e.student_id) FROM event e WHERE e.school_id = c.school_id
      AND e.date = c.date AND e.category IN ('excused_absence', 'unexcused_absence')),
    (SELECT count(DISTINCT e.student_id) FROM event e WHERE e.school_id = c.school_id
      AND e.date = c.date AND e.category = 'tardy')
  FROM attendance_calendarday c WHERE c.system_id = :system AND c.date = :'day'
  ON CONFLICT (school_id, date) DO UPDATE SET enrolled = EXCLUDED.enrolled,
    absent = EXCLUDED.absent, tardy = EXCLUDED.tardy;
-- Chronic absence to date (from 1 July): students enrolled at least 10 instructional days,
-- absent on at least 10% of them.
UPDATE daily d SET chronic_counted = x.counted, chronic_absent = x.chronic
  FROM (
    SELECT n.school_id, count(*) FILTER (WHERE n.days >= 10) AS counted,
      count(*) FILTER (WHERE n.days >= 10 AND coalesce(a.days, 0) * 100 >= 10 * n.days) AS chronic
    FROM (SELECT w.school_id, w.student_id, count(c.date) AS days
          FROM students_schoolenrolment w JOIN attendance_calendarday c
            ON c.school_id = w.school_id AND c.date >= greatest(w.entry_date, date '2026-07-01')
           AND c.date <= least(coalesce(w.exit_date, :'day'), :'day')
          WHERE w.system_id = :system GROUP BY w.school_id, w.student_id) n
    LEFT JOIN (SELECT e.school_id, e.student_id, count(DISTINCT e.date) AS days FROM event e
               WHERE e.category IN ('excused_absence', 'unexcused_absence')
                 AND e.date >= date '2026-07-01' AND e.date <= :'day'
               GROUP BY e.school_id, e.student_id) a
      ON a.school_id = n.school_id AND a.student_id = n.student_id
    GROUP BY n.school_id) x
  WHERE d.school_id = x.school_id AND d.date = :'day';
COMMIT;

-- 2. The day's class submissions, one transaction.
BEGIN;
CREATE TEMP TABLE s_sub (class text, date date, submitted_at timestamptz) ON COMMIT DROP;
\set f :dir '/submissions.csv'
COPY s_sub FROM :'f' WITH (FORMAT csv, HEADER true);
ANALYZE s_sub;
INSERT INTO submission (system_id, school_id, class_id, date, submitted_at, on_time)
  SELECT :system, k.school_id, k.id, s.date, s.submitted_at,
    (s.submitted_at AT TIME ZONE 'America/New_York') <= (s.date + time '09:30')
  FROM s_sub s JOIN rosters_schoolclass k ON k.system_id = :system AND k.sourced_id = s.class
  ON CONFLICT (class_id, date) DO UPDATE SET submitted_at = EXCLUDED.submitted_at,
    on_time = EXCLUDED.on_time;
UPDATE daily d SET expected = x.expected, submitted = x.submitted, on_time = x.on_time
  FROM (
    SELECT k.school_id, count(*) AS expected, count(s.id) AS submitted,
      count(*) FILTER (WHERE s.on_time) AS on_time
    FROM rosters_schoolclass k
    LEFT JOIN submission s ON s.class_id = k.id AND s.date = :'day'
    WHERE k.system_id = :system AND k.is_active AND k.class_type = 'homeroom'
    GROUP BY k.school_id) x
  WHERE d.school_id = x.school_id AND d.date = :'day';
COMMIT;
