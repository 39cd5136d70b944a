-- The floor for a OneRoster bulk import: the least database work the job needs, in plain SQL.
-- COPY each CSV into a staging table, then set-based INSERT … ON CONFLICT into minimal tables
-- keyed by (system, sourcedId), with their foreign keys, in dependency order. No validation,
-- no history, no soft-deletes: what Trellis's import must stay within 3× of.
-- Run by bench/rosters.py: psql -v dir=/path/to/bundle -f bench/oneroster_floor.sql
\set ON_ERROR_STOP on
\timing off
DROP SCHEMA IF EXISTS floor CASCADE;
CREATE SCHEMA floor;
SET search_path = floor;

CREATE TABLE school (id bigserial PRIMARY KEY, system_id int NOT NULL, sourced_id text NOT NULL,
  name text NOT NULL, identifier text, UNIQUE (system_id, sourced_id));
CREATE TABLE session (id bigserial PRIMARY KEY, system_id int NOT NULL, sourced_id text NOT NULL,
  title text, kind text, starts_on date, ends_on date, school_year int,
  UNIQUE (system_id, sourced_id));
CREATE TABLE person (id bigserial PRIMARY KEY, system_id int NOT NULL, sourced_id text NOT NULL,
  given_name text, family_name text, email text, UNIQUE (system_id, sourced_id));
CREATE TABLE student (id bigserial PRIMARY KEY, system_id int NOT NULL, sourced_id text NOT NULL,
  school_id bigint REFERENCES school, given_name text, family_name text, grade text,
  UNIQUE (system_id, sourced_id));
CREATE TABLE position (id bigserial PRIMARY KEY, system_id int NOT NULL, sourced_id text NOT NULL,
  person_id bigint NOT NULL REFERENCES person, school_id bigint REFERENCES school, kind text,
  starts_on date, UNIQUE (system_id, sourced_id));
CREATE TABLE course (id bigserial PRIMARY KEY, system_id int NOT NULL, sourced_id text NOT NULL,
  title text, school_id bigint REFERENCES school, UNIQUE (system_id, sourced_id));
CREATE TABLE class (id bigserial PRIMARY KEY, system_id int NOT NULL, sourced_id text NOT NULL,
  title text, class_type text, school_id bigint NOT NULL REFERENCES school,
  course_id bigint REFERENCES course, UNIQUE (system_id, sourced_id));
CREATE TABLE enrollment (id bigserial PRIMARY KEY, system_id int NOT NULL,
  sourced_id text NOT NULL, class_id bigint NOT NULL REFERENCES class,
  school_id bigint NOT NULL REFERENCES school, person_id bigint REFERENCES person,
  student_id bigint REFERENCES student, role text, begins_on date,
  UNIQUE (system_id, sourced_id));
CREATE INDEX ON position (person_id);
CREATE INDEX ON enrollment (class_id);

CREATE TEMP TABLE s_orgs (sourcedId text, status text, dateLastModified text, name text,
  type text, identifier text, parentSourcedId text);
CREATE TEMP TABLE s_sessions (sourcedId text, status text, dateLastModified text, title text,
  type text, startDate date, endDate date, parentSourcedId text, schoolYear int);
CREATE TEMP TABLE s_users (sourcedId text, status text, dateLastModified text, enabledUser text,
  username text, userIds text, givenName text, familyName text, middleName text,
  identifier text, email text, sms text, phone text, agentSourcedIds text, grades text,
  password text, userMasterIdentifier text, resourceSourcedIds text, preferredGivenName text,
  preferredMiddleName text, preferredFamilyName text, primaryOrgSourcedId text, pronouns text);
CREATE TEMP TABLE s_roles (sourcedId text, status text, dateLastModified text,
  userSourcedId text, roleType text, role text, beginDate date, endDate date,
  orgSourcedId text, userProfileSourcedId text);
CREATE TEMP TABLE s_courses (sourcedId text, status text, dateLastModified text,
  schoolYearSourcedId text, title text, courseCode text, grades text, orgSourcedId text,
  subjects text, subjectCodes text);
CREATE TEMP TABLE s_classes (sourcedId text, status text, dateLastModified text, title text,
  grades text, courseSourcedId text, classCode text, classType text, location text,
  schoolSourcedId text, termSourcedIds text, subjects text, periods text);
CREATE TEMP TABLE s_enrollments (sourcedId text, status text, dateLastModified text,
  classSourcedId text, schoolSourcedId text, userSourcedId text, role text, "primary" text,
  beginDate date, endDate date);

\set f :dir '/orgs.csv'
COPY s_orgs FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/academicSessions.csv'
COPY s_sessions FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/users.csv'
COPY s_users FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/roles.csv'
COPY s_roles FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/courses.csv'
COPY s_courses FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/classes.csv'
COPY s_classes FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :dir '/enrollments.csv'
COPY s_enrollments FROM :'f' WITH (FORMAT csv, HEADER true);
ANALYZE s_orgs; ANALYZE s_users; ANALYZE s_roles; ANALYZE s_enrollments;

INSERT INTO school (system_id, sourced_id, name, identifier)
SELECT 1, sourcedId, name, identifier FROM s_orgs WHERE type = 'school'
ON CONFLICT (system_id, sourced_id) DO UPDATE SET name = EXCLUDED.name,
  identifier = EXCLUDED.identifier;
INSERT INTO session (system_id, sourced_id, title, kind, starts_on, ends_on, school_year)
SELECT 1, sourcedId, title, type, startDate, endDate, schoolYear FROM s_sessions
ON CONFLICT (system_id, sourced_id) DO UPDATE SET title = EXCLUDED.title;
INSERT INTO person (system_id, sourced_id, given_name, family_name, email)
SELECT 1, u.sourcedId, u.givenName, u.familyName, u.email FROM s_users u
WHERE u.sourcedId IN (SELECT userSourcedId FROM s_roles WHERE role <> 'student')
ON CONFLICT (system_id, sourced_id) DO UPDATE SET given_name = EXCLUDED.given_name,
  family_name = EXCLUDED.family_name, email = EXCLUDED.email;
INSERT INTO student (system_id, sourced_id, school_id, given_name, family_name, grade)
SELECT 1, u.sourcedId, sc.id, u.givenName, u.familyName, u.grades FROM s_users u
JOIN s_roles r ON r.userSourcedId = u.sourcedId AND r.role = 'student'
JOIN school sc ON sc.system_id = 1 AND sc.sourced_id = r.orgSourcedId
ON CONFLICT (system_id, sourced_id) DO UPDATE SET school_id = EXCLUDED.school_id,
  given_name = EXCLUDED.given_name, family_name = EXCLUDED.family_name, grade = EXCLUDED.grade;
INSERT INTO position (system_id, sourced_id, person_id, school_id, kind, starts_on)
SELECT 1, r.sourcedId, p.id, sc.id, r.role, r.beginDate FROM s_roles r
JOIN person p ON p.system_id = 1 AND p.sourced_id = r.userSourcedId
LEFT JOIN school sc ON sc.system_id = 1 AND sc.sourced_id = r.orgSourcedId
WHERE r.role <> 'student'
ON CONFLICT (system_id, sourced_id) DO UPDATE SET person_id = EXCLUDED.person_id,
  school_id = EXCLUDED.school_id, kind = EXCLUDED.kind;
INSERT INTO course (system_id, sourced_id, title, school_id)
SELECT 1, c.sourcedId, c.title, sc.id FROM s_courses c
LEFT JOIN school sc ON sc.system_id = 1 AND sc.sourced_id = c.orgSourcedId
ON CONFLICT (system_id, sourced_id) DO UPDATE SET title = EXCLUDED.title;
INSERT INTO class (system_id, sourced_id, title, class_type, school_id, course_id)
SELECT 1, c.sourcedId, c.title, c.classType, sc.id, co.id FROM s_classes c
JOIN school sc ON sc.system_id = 1 AND sc.sourced_id = c.schoolSourcedId
LEFT JOIN course co ON co.system_id = 1 AND co.sourced_id = c.courseSourcedId
ON CONFLICT (system_id, sourced_id) DO UPDATE SET title = EXCLUDED.title;
INSERT INTO enrollment (system_id, sourced_id, class_id, school_id, person_id, student_id, role,
  begins_on)
SELECT 1, e.sourcedId, c.id, sc.id,
  CASE WHEN e.role = 'student' THEN NULL ELSE p.id END,
  CASE WHEN e.role = 'student' THEN st.id ELSE NULL END, e.role, e.beginDate
FROM s_enrollments e
JOIN class c ON c.system_id = 1 AND c.sourced_id = e.classSourcedId
JOIN school sc ON sc.system_id = 1 AND sc.sourced_id = e.schoolSourcedId
LEFT JOIN person p ON p.system_id = 1 AND p.sourced_id = e.userSourcedId
LEFT JOIN student st ON st.system_id = 1 AND st.sourced_id = e.userSourcedId
ON CONFLICT (system_id, sourced_id) DO UPDATE SET class_id = EXCLUDED.class_id,
  role = EXCLUDED.role;
